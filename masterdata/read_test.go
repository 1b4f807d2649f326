package masterdata

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/npress/nightly/calendar"
)

// csvText joins lines into a CRLF file, as Excel writes it.
func csvText(lines ...string) []byte { return []byte(strings.Join(lines, "\r\n") + "\r\n") }

const (
	customerHeader = "customer_no,name,kana,postal_code,address,contact,email,payer_names,parent_customer_no,parent_share,country,corporate_no"
	planHeader     = "plan_code,name,kind,unit_price,valid_from,valid_to"
	contractHeader = "contract_no,customer_no,plan_code,seats,unit_price,term_start,auto_renew"
	orderHeader    = "order_no,kind,customer_no,contract_no,plan_code,seats,order_date,desired_start"
)

var headers = map[Kind]string{Customers: customerHeader, Plans: planHeader, Contracts: contractHeader, Orders: orderHeader}

// stored is the database the tests validate against.
func stored() *Index {
	x := storedWithoutContracts()
	x.AddContracts(
		Contract{No: "NP-0000101", CustomerNo: "100001", PlanCode: "M365-BS"},
		Contract{No: "NP-0000102", CustomerNo: "100002", PlanCode: "M365-BB"},
		Contract{No: "NP-0000107", CustomerNo: "100001", PlanCode: "LTSC-STD"},
	)
	return x
}

// storedWithoutContracts is stored() before any contract was imported.
func storedWithoutContracts() *Index {
	d := calendar.MustParse
	x := NewIndex()
	x.AddPlans(
		Plan{Code: "M365-BB", Kind: Subscription, UnitPrice: 9000, ValidFrom: d("2025-04-01"), ValidTo: d("2026-03-31")},
		Plan{Code: "M365-BB", Kind: Subscription, UnitPrice: 10788, ValidFrom: d("2026-04-01")},
		Plan{Code: "M365-BS", Kind: Subscription, UnitPrice: 22488, ValidFrom: d("2025-04-01")},
		Plan{Code: "LTSC-STD", Kind: Perpetual, UnitPrice: 58800, ValidFrom: d("2024-10-01")},
		Plan{Code: "OLD-PLAN", Kind: Subscription, UnitPrice: 5000, ValidFrom: d("2020-04-01"), ValidTo: d("2025-12-31")},
	)
	x.AddCustomers(
		Customer{No: "100001", Country: "JP"},
		Customer{No: "100002", Country: "JP"},
		Customer{No: "100003", Country: "JP", ParentNo: "100002", ParentShare: Percent(60)},
		Customer{No: "100008", Country: "JP", ParentNo: "100002", ParentShare: Percent(40)},
		Customer{No: "100009", Country: "JP", ParentNo: "100002", ParentShare: Percent(51)},
		Customer{No: "100010", Country: "US"},
		Customer{No: "100020", Country: "JP", ParentNo: "100021", ParentShare: Percent(80)},
	)
	return x
}

// A good row of each kind, against stored().
var goodRow = map[Kind]string{
	Customers: `100004,株式会社山本精機,ヤマモトセイキ,450-0002,愛知県名古屋市中村区名駅4丁目5番28号,山本 健一,soumu@yamamoto-seiki.co.jp,ｶ)ﾔﾏﾓﾄｾｲｷ,,,JP,7000012050002`,
	Plans:     `M365-BP,Microsoft 365 Business Premium,subscription,"39,576",2025-04-01,`,
	Contracts: `NP-0000201,100001,M365-BB,10,"9,000",2025-06-01,1`,
	Orders:    `EC-0001,new,100001,,M365-BB,20,2026-05-08,2026-06`,
}

func TestReadGoodRows(t *testing.T) {
	for kind, r := range goodRow {
		f, err := Read(kind, "good.csv", csvText(headers[kind], r), Options{Lookup: stored()})
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Errors) != 0 || len(f.Warnings) != 0 || f.Rows != 1 {
			t.Errorf("%s: rows %d, errors %v, warnings %v; want one clean row", kind, f.Rows, f.Errors, f.Warnings)
		}
	}
}

// TestReadBadRows feeds one bad row (line 2, after the header) of each kind SPEC §1.1,
// §3 and issue #4 name, and expects exactly one error naming the line, the column and
// what is wrong.
// manyAddresses is n distinct addresses separated by ";" (22 characters each).
func manyAddresses(n int) string {
	var as []string
	for i := range n {
		as = append(as, fmt.Sprintf("keiri%02d@towa-logi.co.jp", i))
	}
	return strings.Join(as, ";")
}

func TestReadBadRows(t *testing.T) {
	tests := []struct {
		name   string
		kind   Kind
		lines  []string // after the header
		line   int
		column string
		reason string
	}{
		// customers
		{"overseas end user", Customers, []string{`100004,Acme Inc.,アクメ,100-0005,東京都千代田区丸の内1-1-1,,,,,,US,`}, 2, "country", "海外のお客様には販売できません"},
		{"parent share below threshold", Customers, []string{`100004,東和物流株式会社,トウワブツリュウ,100-0005,東京都千代田区丸の内1-1-1,,,,100002,50,JP,`}, 2, "parent_share", "親会社の出資比率 50% は基準未満です。親会社が注文できるのは出資比率 51% 以上の子会社だけです"},
		{"parent share missing", Customers, []string{`100004,東和物流株式会社,トウワブツリュウ,100-0005,東京都千代田区丸の内1-1-1,,,,100002,,JP,`}, 2, "parent_share", "親会社の出資比率（%、例: 51）が必要です"},
		{"share without parent", Customers, []string{`100004,東和物流株式会社,トウワブツリュウ,100-0005,東京都千代田区丸の内1-1-1,,,,,60,JP,`}, 2, "parent_share", "親会社お客様番号が空欄です"},
		{"unknown parent", Customers, []string{`100004,東和物流株式会社,トウワブツリュウ,100-0005,東京都千代田区丸の内1-1-1,,,,100099,60,JP,`}, 2, "parent_customer_no", "親会社 100099 はこのファイルにも登録済みのお客様にもありません"},
		{"parent is itself", Customers, []string{`100004,東和物流株式会社,トウワブツリュウ,100-0005,東京都千代田区丸の内1-1-1,,,,100004,60,JP,`}, 2, "parent_customer_no", "お客様自身の番号です"},
		{"parent loop through stored", Customers, []string{`100021,東和物流株式会社,トウワブツリュウ,100-0005,東京都千代田区丸の内1-1-1,,,,100020,60,JP,`}, 2, "parent_customer_no", "から親会社をたどると自社に戻ります"},
		{"customer no 5 digits", Customers, []string{`10004,東和物流株式会社,トウワブツリュウ,100-0005,東京都千代田区丸の内1-1-1,,,,,,JP,`}, 2, "customer_no", "は5桁です。6桁で書いてください"},
		{"customer no 7 digits", Customers, []string{`1000040,東和物流株式会社,トウワブツリュウ,100-0005,東京都千代田区丸の内1-1-1,,,,,,JP,`}, 2, "customer_no", "6桁の数字で書いてください"},
		{"customer no twice", Customers, []string{goodRow[Customers], goodRow[Customers]}, 3, "customer_no", "お客様番号 100004 は 2 行目ですでに使われています"},
		{"postal code", Customers, []string{`100004,東和物流株式会社,トウワブツリュウ,100-005,東京都千代田区丸の内1-1-1,,,,,,JP,`}, 2, "postal_code", "郵便番号の形（NNN-NNNN"},
		{"kana in kanji", Customers, []string{`100004,東和物流株式会社,東和物流,100-0005,東京都千代田区丸の内1-1-1,,,,,,JP,`}, 2, "kana", "カタカナでない文字"},
		{"kana in hiragana", Customers, []string{`100004,東和物流株式会社,とうわぶつりゅう,100-0005,東京都千代田区丸の内1-1-1,,,,,,JP,`}, 2, "kana", "ひらがな"},
		{"corporate no check digit", Customers, []string{`100004,東和物流株式会社,トウワブツリュウ,100-0005,東京都千代田区丸の内1-1-1,,,,,,JP,1000012050002`}, 2, "corporate_no", "チェックデジットが違います"},
		{"payer name in kanji", Customers, []string{`100004,東和物流株式会社,トウワブツリュウ,100-0005,東京都千代田区丸の内1-1-1,,,東和物流,,,JP,`}, 2, "payer_names", "銀行の表示どおり"},
		{"bad email", Customers, []string{`100004,東和物流株式会社,トウワブツリュウ,100-0005,東京都千代田区丸の内1-1-1,,keiri-at-towa,,,,JP,`}, 2, "email", "メールアドレスではありません"},
		{"two addresses, second broken", Customers, []string{`100004,東和物流株式会社,トウワブツリュウ,100-0005,東京都千代田区丸の内1-1-1,,keiri@towa.co.jp; it@,,,,JP,`}, 2, "email", `2 件中 2 件目の "it@" はメールアドレスではありません`},
		{"addresses separated by comma", Customers, []string{`100004,東和物流株式会社,トウワブツリュウ,100-0005,東京都千代田区丸の内1-1-1,,"keiri@towa.co.jp, it@towa.co.jp",,,,JP,`}, 2, "email", "セミコロン"},
		{"addresses separated by 、", Customers, []string{`100004,東和物流株式会社,トウワブツリュウ,100-0005,東京都千代田区丸の内1-1-1,,keiri@towa.co.jp、it@towa.co.jp,,,,JP,`}, 2, "email", "カンマや「、」ではなく"},
		{"addresses longer than the column", Customers, []string{`100004,東和物流株式会社,トウワブツリュウ,100-0005,東京都千代田区丸の内1-1-1,,` + manyAddresses(12) + `,,,,JP,`}, 2, "email", "入るのは 254 文字まで"},
		{"name of 5,000 characters", Customers, []string{`100004,` + strings.Repeat("東", 5000) + `,トウワブツリュウ,100-0005,東京都千代田区丸の内1-1-1,,,,,,JP,`}, 2, "name", "5000 文字あります。入るのは 200 文字まで"},
		{"address of 401 characters", Customers, []string{`100004,東和物流株式会社,トウワブツリュウ,100-0005,` + strings.Repeat("丸", 401) + `,,,,,,JP,`}, 2, "address", "入るのは 400 文字まで"},
		{"plan name too long", Plans, []string{`M365-BP,` + strings.Repeat("B", 201) + `,subscription,39576,2025-04-01,`}, 2, "name", "入るのは 200 文字まで"},
		{"name empty", Customers, []string{`100004,,トウワブツリュウ,100-0005,東京都千代田区丸の内1-1-1,,,,,,JP,`}, 2, "name", "空欄です"},
		{"fewer fields", Customers, []string{`100004,東和物流株式会社,トウワブツリュウ,100-0005`}, 2, "", "この行は 4 項目、見出しは 12 項目です"},
		{"more fields", Customers, []string{goodRow[Customers] + ",extra"}, 2, "", "この行は 13 項目、見出しは 12 項目です"},
		// plans
		{"overlap in file", Plans, []string{`M365-BP,Business Premium,subscription,39576,2025-04-01,2026-03-31`, `M365-BP,Business Premium,subscription,41000,2026-03-01,`}, 3, "valid_from", "2 行目の適用期間"},
		{"open-ended overlap in file", Plans, []string{`M365-BP,Business Premium,subscription,39576,2025-04-01,`, `M365-BP,Business Premium,subscription,41000,2026-04-01,`}, 3, "valid_from", "前の価格を適用終了日 2026-03-31 で終えてください"},
		{"overlap with stored", Plans, []string{`M365-BS,Business Standard,subscription,24000,2026-10-01,`}, 2, "valid_from", "登録済みの適用期間 2025-04-01〜（終了日なし）"},
		{"same valid_from twice", Plans, []string{`M365-BP,Business Premium,subscription,39576,2025-04-01,2025-12-31`, `M365-BP,Business Premium,subscription,39576,2025-04-01,2025-12-31`}, 3, "valid_from", "2 行目に 2025-04-01 からの価格がすでにあります"},
		{"valid_to before valid_from", Plans, []string{`M365-BP,Business Premium,subscription,39576,2026-04-01,2026-03-31`}, 2, "valid_to", "は適用開始日"},
		{"kind changes", Plans, []string{`LTSC-STD,Office LTSC Standard,subscription,58800,2024-10-01,`}, 2, "kind", "は永続として登録済みです"},
		{"kind unknown", Plans, []string{`M365-BP,Business Premium,monthly,39576,2025-04-01,`}, 2, "kind", "サブスクリプションか永続を書いてください"},
		{"date does not exist", Plans, []string{`M365-BP,Business Premium,subscription,39576,2026-02-30,`}, 2, "valid_from", "という日はありません"},
		{"ambiguous date d/m/y", Plans, []string{`M365-BP,Business Premium,subscription,39576,1/2/2026,`}, 2, "valid_from", "分かりません"},
		{"ambiguous 2-digit year", Plans, []string{`M365-BP,Business Premium,subscription,39576,26/4/1,`}, 2, "valid_from", "年が2桁"},
		{"float price", Plans, []string{`M365-BP,Business Premium,subscription,3297.5,2025-04-01,`}, 2, "unit_price", "1円未満の端数"},
		// contracts
		{"contract number form", Contracts, []string{`NP-12345,100001,M365-BB,10,9000,2025-06-01,1`}, 2, "contract_no", "契約番号の形（^NP-\\d{7}$"},
		{"contract number twice", Contracts, []string{goodRow[Contracts], goodRow[Contracts]}, 3, "contract_no", "NP-0000201 は 2 行目ですでに使われています"},
		{"contract of another customer", Contracts, []string{`NP-0000101,100002,M365-BS,10,22488,2025-06-01,1`}, 2, "customer_no", "はお客様 100001 の契約です"},
		{"contract changes plan", Contracts, []string{`NP-0000101,100001,M365-BB,10,9000,2025-06-01,1`}, 2, "plan_code", "別のプランは新しい契約になります"},
		{"contract unknown customer", Contracts, []string{`NP-0000201,100099,M365-BB,10,9000,2025-06-01,1`}, 2, "customer_no", "お客様 100099 は登録されていません"},
		{"contract unknown plan", Contracts, []string{`NP-0000201,100001,M365-XX,10,9000,2025-06-01,1`}, 2, "plan_code", "プラン M365-XX は登録されていません"},
		{"seats zero", Contracts, []string{`NP-0000201,100001,M365-BB,0,9000,2025-06-01,1`}, 2, "seats", "数量は1以上です"},
		{"perpetual renews", Contracts, []string{`NP-0000201,100001,LTSC-STD,3,58800,2025-08-01,1`}, 2, "auto_renew", "更新しません"},
		{"auto_renew garbage", Contracts, []string{`NP-0000201,100001,M365-BB,10,9000,2025-06-01,maybe`}, 2, "auto_renew", "1 でも 0 でもありません"},
		// orders
		{"order number twice", Orders, []string{goodRow[Orders], goodRow[Orders]}, 3, "order_no", "注文番号 EC-0001 は 2 行目ですでに使われています"},
		{"order empty number", Orders, []string{`,new,100001,,M365-BB,20,2026-05-08,2026-06`}, 2, "order_no", "注文には注文番号が必要です"},
		{"order overseas customer", Orders, []string{`EC-0001,new,100010,,M365-BB,20,2026-05-08,2026-06`}, 2, "customer_no", "海外のお客様の注文は受け付けません"},
		{"order subsidiary below threshold", Orders, []string{`EC-0001,new,100008,,M365-BB,20,2026-05-08,2026-06`}, 2, "customer_no", "出資比率 40% は基準未満です"},
		{"order unknown customer", Orders, []string{`EC-0001,new,100099,,M365-BB,20,2026-05-08,2026-06`}, 2, "customer_no", "お客様 100099 は登録されていません"},
		{"order unknown plan", Orders, []string{`EC-0001,new,100001,,M365-XX,20,2026-05-08,2026-06`}, 2, "plan_code", "プラン M365-XX は登録されていません"},
		{"order plan no longer sold", Orders, []string{`EC-0001,new,100001,,OLD-PLAN,20,2026-05-08,2026-06`}, 2, "plan_code", "注文日 2026-05-08 に有効な価格がありません"},
		{"addition without contract", Orders, []string{`EC-0001,addition,100001,,M365-BS,5,2026-05-08,2026-06`}, 2, "contract_no", "追加の注文には、ライセンスを追加する契約の番号が必要です"},
		{"addition other customer's contract", Orders, []string{`EC-0001,addition,100001,NP-0000102,M365-BB,5,2026-05-08,2026-06`}, 2, "contract_no", "お客様 100002 の契約で、100001 の契約ではありません"},
		{"addition unknown contract", Orders, []string{`EC-0001,addition,100001,NP-0009999,M365-BS,5,2026-05-08,2026-06`}, 2, "contract_no", "契約 NP-0009999 は登録されていません"},
		{"addition other plan", Orders, []string{`EC-0001,addition,100001,NP-0000101,M365-BB,5,2026-05-08,2026-06`}, 2, "plan_code", "プラン M365-BS の契約で、M365-BB ではありません"},
		{"addition to perpetual", Orders, []string{`EC-0001,addition,100001,NP-0000107,LTSC-STD,5,2026-05-08,2026-06`}, 2, "kind", "ライセンスを追加する期間がありません"},
		{"new with contract", Orders, []string{`EC-0001,new,100001,NP-0000101,M365-BS,5,2026-05-08,2026-06`}, 2, "contract_no", "契約番号を書くのは追加の注文だけです"},
		{"desired start before order month", Orders, []string{`EC-0001,new,100001,,M365-BB,20,2026-05-08,2026-04`}, 2, "desired_start", "2026-04 は注文日 2026-05-08 の月より前です"},
		{"desired start a day", Orders, []string{`EC-0001,new,100001,,M365-BB,20,2026-05-08,2026-06-15`}, 2, "desired_start", "は日付で、月ではありません"},
		{"order seats below 1", Orders, []string{`EC-0001,new,100001,,M365-BB,0,2026-05-08,2026-06`}, 2, "seats", "数量は1以上です"},
		{"order date does not exist", Orders, []string{`EC-0001,new,100001,,M365-BB,20,2026-02-30,2026-06`}, 2, "order_date", "という日はありません"},
		{"order kind unknown", Orders, []string{`EC-0001,renewal,100001,,M365-BB,20,2026-05-08,2026-06`}, 2, "kind", "新規・追加・移行のどれかを書いてください"},
		{"multi-line record starts on its first line", Orders, []string{goodRow[Orders], "\"EC-\n0002\",new,100001,,M365-BB,0,2026-05-08,2026-06"}, 3, "order_no", "改行"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := csvText(append([]string{headers[tt.kind]}, tt.lines...)...)
			f, err := Read(tt.kind, "bad.csv", data, Options{Lookup: stored()})
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Errors) == 0 {
				t.Fatalf("no error; want line %d %s: %s", tt.line, tt.column, tt.reason)
			}
			var found bool
			for _, e := range f.Errors {
				if e.Line == tt.line && e.Column == tt.column && strings.Contains(e.Reason, tt.reason) {
					found = true
				}
			}
			if !found {
				t.Errorf("errors %v; want line %d column %q reason containing %q", f.Errors, tt.line, tt.column, tt.reason)
			}
			if len(f.Errors) > 1 && tt.name != "multi-line record starts on its first line" {
				t.Errorf("%d errors, want exactly one: %v", len(f.Errors), f.Errors)
			}
		})
	}
}

func TestParentShareThreshold(t *testing.T) {
	row := func(share string) []byte {
		return csvText(customerHeader, `100004,東和物流株式会社,トウワブツリュウ,100-0005,東京都千代田区丸の内1-1-1,,,,100002,`+share+`,JP,`)
	}
	tests := []struct {
		share  string
		opts   Options
		errs   int
		warned bool
	}{
		{"51", Options{}, 0, true},  // 51%以上: exactly 51 accepted and flagged
		{"50", Options{}, 1, false}, // below
		{"52", Options{}, 0, false},
		{"50.99", Options{}, 1, false},
		{"51", Options{ParentShareOver: true}, 1, false}, // 51%超: 51 rejected
		{"51.5", Options{ParentShareOver: true}, 0, false},
		{"60", Options{ParentShareMin: 67}, 1, false},
		{"67", Options{ParentShareMin: 67}, 0, true},
	}
	for _, tt := range tests {
		tt.opts.Lookup = stored()
		f, err := Read(Customers, "c.csv", row(tt.share), tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Errors) != tt.errs || (len(f.Warnings) == 1) != tt.warned {
			t.Errorf("share %s with %+v: errors %v warnings %v; want %d errors, warned %v", tt.share, tt.opts, f.Errors, f.Warnings, tt.errs, tt.warned)
		}
		if tt.warned && (f.Warnings[0].Line != 2 || f.Warnings[0].Column != "parent_share" || !strings.Contains(f.Warnings[0].Message, "出資関係を確認してください")) {
			t.Errorf("warning %+v; want line 2 parent_share asking staff to confirm", f.Warnings[0])
		}
		if tt.errs == 0 && len(f.Customers) != 1 {
			t.Errorf("share %s: customer not returned", tt.share)
		}
	}
	// An order for a subsidiary owned exactly at the threshold is accepted and flagged.
	f, err := Read(Orders, "o.csv", csvText(orderHeader, `EC-0009,new,100009,,M365-BB,5,2026-05-08,2026-06`), Options{Lookup: stored()})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Errors) != 0 || len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0].Message, "ちょうど 51%") {
		t.Errorf("order at 51%%: errors %v warnings %v; want accepted with one warning", f.Errors, f.Warnings)
	}
}

func TestContractPatternOption(t *testing.T) {
	data := csvText(contractHeader, `C-2026-0001,100001,M365-BB,10,9000,2025-06-01,`)
	f, err := Read(Contracts, "c.csv", data, Options{Lookup: stored(), ContractPattern: `^C-\d{4}-\d{4}$`})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Errors) != 0 || len(f.Contracts) != 1 || !f.Contracts[0].AutoRenew {
		t.Errorf("custom pattern: %v %+v; want one contract, auto_renew defaulting to 1", f.Errors, f.Contracts)
	}
	if _, err := Read(Contracts, "c.csv", data, Options{ContractPattern: `^(`}); err == nil {
		t.Error("an invalid pattern is accepted")
	}
}

// TestReadReportsEveryBadRow checks that a file with several bad rows names all of
// them, in line order, and returns only the good records.
func TestReadReportsEveryBadRow(t *testing.T) {
	data := csvText(customerHeader,
		goodRow[Customers],
		`10005,東和物流株式会社,とうわ,1000005,東京都千代田区丸の内1-1-1,,,,,,JP,`,             // line 3: number and kana
		`100006,"Tokyo Trading, Inc.",トウキョウトレーディング,100-0005,東京都,,,,,,US,`, // line 4: overseas
		`100007,東和物流株式会社,トウワブツリュウ,100-0005`,                               // line 5: short row
		`100008,"丸福商店`+"\r\n"+`本店",マルフク,812-0011,"福岡県福岡市
博多区",,,,100001,45,JP,1000012050002`, // line 6-8: name has a line break, share and 法人番号
		`100004,山本精機,ヤマモトセイキ,450-0002,愛知県,,,,,,JP,`, // line 9: duplicate
	)
	f, err := Read(Customers, "customers.csv", data, Options{Lookup: stored()})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line   int
		column string
	}{
		{3, "customer_no"}, {3, "kana"}, {4, "country"}, {5, ""},
		{6, "name"}, {6, "parent_share"}, {6, "corporate_no"}, {9, "customer_no"},
	}
	var got []string
	for _, e := range f.Errors {
		got = append(got, fmt.Sprintf("%d/%s", e.Line, e.Column))
	}
	var exp []string
	for _, w := range want {
		exp = append(exp, fmt.Sprintf("%d/%s", w.line, w.column))
	}
	if strings.Join(got, " ") != strings.Join(exp, " ") {
		t.Errorf("errors at %v; want %v\n%v", got, exp, f.Errors)
	}
	if f.Rows != 6 || len(f.Customers) != 1 || f.Customers[0].No != "100004" {
		t.Errorf("rows %d, customers %+v; want 6 rows and only 100004 valid", f.Rows, f.Customers)
	}
}

func TestReadHeader(t *testing.T) {
	tests := []struct {
		name, header string
		line         int
		column       string
		reason       string
	}{
		{"unknown column", planHeader + ",備考", 1, "備考", "の列名ではありません"},
		{"missing column", "plan_code,name,kind,valid_from", 1, "unit_price", "見出しに列「単価」（unit_price）がありません"},
		{"column twice", planHeader + ",単価", 1, "unit_price", "が見出しに2回あります"},
		{"empty file", "", 1, "", "見出しの行がありません"},
	}
	for _, tt := range tests {
		f, err := Read(Plans, "p.csv", []byte(tt.header), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Errors) != 1 || f.Errors[0].Line != tt.line || f.Errors[0].Column != tt.column || !strings.Contains(f.Errors[0].Reason, tt.reason) {
			t.Errorf("%s: %v; want line %d %s: %s", tt.name, f.Errors, tt.line, tt.column, tt.reason)
		}
	}
}

func TestReadJapaneseHeaders(t *testing.T) {
	data := csvText(
		"お客様番号,会社名,フリガナ,郵便番号,住所,担当者,メールアドレス,振込依頼人名,親会社お客様番号,親会社出資比率,国,法人番号",
		`１００００４,株式会社山本精機,ﾔﾏﾓﾄｾｲｷ,〒４５０－０００２,愛知県名古屋市中村区名駅4丁目5番28号,山本 健一,soumu@yamamoto-seiki.co.jp,カ）ヤマモトセイキ；ヤマモト　ケンイチ,100002,51%,日本,T7000012050002`,
	)
	f, err := Read(Customers, "顧客.csv", data, Options{Lookup: stored()})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Errors) != 0 || len(f.Customers) != 1 {
		t.Fatalf("errors %v", f.Errors)
	}
	want := Customer{No: "100004", Name: "株式会社山本精機", Kana: "ヤマモトセイキ", PostalCode: "450-0002",
		Address: "愛知県名古屋市中村区名駅4丁目5番28号", Contact: "山本 健一", Email: "soumu@yamamoto-seiki.co.jp",
		PayerNames: []string{"ｶ)ﾔﾏﾓﾄｾｲｷ", "ﾔﾏﾓﾄ ｹﾝｲﾁ"}, ParentNo: "100002", ParentShare: Percent(51), Country: "JP",
		CorporateNo: "7000012050002", Line: 2}
	if d := Diff(want, f.Customers[0], nil); len(d) != 0 || f.Customers[0].Line != 2 {
		t.Errorf("read %+v; differs from want: %v", f.Customers[0], d)
	}
	if len(f.Warnings) != 1 {
		t.Errorf("warnings %v; want the 51%% flag", f.Warnings)
	}
	// Japanese plan and order headers, with a note in parentheses and Japanese values.
	pf, err := Read(Plans, "価格表.csv", csvText("プランコード,プラン名,種別,単価(税抜),適用開始日,適用終了日",
		`M365-BP,Microsoft 365 Business Premium,サブスクリプション,"¥39,576",令和7年4月1日,`), Options{})
	if err != nil || len(pf.Errors) != 0 || pf.Plans[0].UnitPrice != 39576 || pf.Plans[0].Kind != Subscription || pf.Plans[0].ValidFrom != calendar.MustParse("2025-04-01") {
		t.Errorf("Japanese plan: %v %v %+v", err, pf.Errors, pf.Plans)
	}
	of, err := Read(Orders, "注文.csv", csvText("注文番号,注文種別,お客様番号,契約番号,プランコード,シート数,注文日,利用開始希望月",
		`EC-0001,追加,100001,np-0000101,M365-BS,5,2026/5/8,2026年6月`), Options{Lookup: stored()})
	if err != nil || len(of.Errors) != 0 || of.Orders[0].Kind != Addition || of.Orders[0].ContractNo != "NP-0000101" || of.Orders[0].DesiredStart.String() != "2026-06" {
		t.Errorf("Japanese order: %v %v %+v", err, of.Errors, of.Orders)
	}
}

func TestReadUnreadable(t *testing.T) {
	if _, err := Read(Plans, "p.xlsx", []byte("PK\x03\x04 not really a zip"), Options{}); err == nil {
		t.Error("a broken workbook reads")
	}
	if _, err := Read(Plans, "p.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, 0, 0), Options{}); err == nil || !strings.Contains(err.Error(), ".xls") {
		t.Errorf("an .xls workbook: %v", err)
	}
	if _, err := Read("invoices", "p.csv", csvText(planHeader), Options{}); err == nil {
		t.Error("an unknown kind reads")
	}
	// Broken quoting is a row error at the line where the record starts.
	f, err := Read(Plans, "p.csv", csvText(planHeader, `M365-BP,"Premium,subscription,39576,2025-04-01,`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Errors) != 1 || f.Errors[0].Line != 2 || !strings.Contains(f.Errors[0].Reason, "broken quoting") {
		t.Errorf("broken quoting: %v", f.Errors)
	}
}

func TestReadMissingSheet(t *testing.T) {
	var buf strings.Builder
	if err := Write(&buf, &File{Kind: Plans}, WriteOptions{Format: XLSX}); err != nil {
		t.Fatal(err)
	}
	_, err := Read(Plans, "p.xlsx", []byte(buf.String()), Options{Sheet: "価格表"})
	if !errors.Is(err, ErrNoSheet) || !strings.Contains(err.Error(), "plans") {
		t.Errorf("missing sheet: %v; want ErrNoSheet naming the sheets there are", err)
	}
}
