package masterdata

// The Japanese names a row's reason uses, so that staff read every reason in Japanese
// (issue 16); the column names of RowError stay English for machines.

// kindNames are the kinds of file as the reasons name them.
var kindNames = map[Kind]string{Plans: "価格表", Customers: "お客様", Contracts: "契約", Orders: "注文"}

// planKindNames are the kinds of plan as the reasons name them.
var planKindNames = map[string]string{"subscription": "サブスクリプション", "perpetual": "永続"}

// ColumnJapanese is the Japanese header of a column (the one Write writes): "seats" →
// "数量". A name no kind has is returned as it is.
func ColumnJapanese(name string) string {
	for _, k := range Kinds() {
		for _, c := range columnSpecs(k) {
			if c.name == name {
				return c.ja[0]
			}
		}
	}
	return name
}
