package masterdata

import (
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// cellType is how a column is written to .xlsx.
type cellType int

const (
	textCell cellType = iota // a text cell, so codes keep their leading zeros
	intCell                  // a number cell with thousands separators
	dateCell                 // a date cell (yyyy/m/d)
)

// column describes one column of a kind: its fixed English name, the Japanese headers
// accepted for it (the first is written), whether the header must have it, and how a
// record's field is written (get, the same text Read accepts) and copied (set, for Merge).
type column[T any] struct {
	name     string
	ja       []string
	required bool
	cell     cellType
	get      func(*T) string
	set      func(dst, src *T)
}

// colSpec is the kind-independent part of a column, for reading headers.
type colSpec struct {
	name     string
	ja       []string
	required bool
}

func specsOf[T any](cols []column[T]) []colSpec {
	out := make([]colSpec, len(cols))
	for i, c := range cols {
		out[i] = colSpec{c.name, c.ja, c.required}
	}
	return out
}

func columnSpecs(k Kind) []colSpec {
	switch k {
	case Customers:
		return specsOf(customerColumns)
	case Plans:
		return specsOf(planColumns)
	case Contracts:
		return specsOf(contractColumns)
	case Orders:
		return specsOf(orderColumns)
	}
	return nil
}

// ColumnNames returns the English column names of a kind in the order Write writes them.
func ColumnNames(k Kind) []string {
	var out []string
	for _, c := range columnSpecs(k) {
		out = append(out, c.name)
	}
	return out
}

// JapaneseColumnNames returns the Japanese headers Write writes for a kind, in the
// order of ColumnNames.
func JapaneseColumnNames(k Kind) []string {
	var out []string
	for _, c := range columnSpecs(k) {
		out = append(out, c.ja[0])
	}
	return out
}

var reHeaderNote = regexp.MustCompile(`\(.*\)$`)

// headerKey normalises a header cell for matching: NFKC, lower case, no spaces, no
// underscores or hyphens, and no trailing note in parentheses (単価(税抜) is 単価).
func headerKey(s string) string {
	s = strings.ToLower(norm.NFKC.String(strings.TrimSpace(strings.TrimPrefix(s, "\uFEFF"))))
	s = reHeaderNote.ReplaceAllString(s, "")
	return strings.NewReplacer(" ", "", "_", "", "-", "", "*", "").Replace(s)
}

func itoa(n int) string { return strconv.Itoa(n) }

func boolText(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

var customerColumns = []column[Customer]{
	{"customer_no", []string{"お客様番号", "顧客番号", "顧客コード"}, true, textCell,
		func(c *Customer) string { return c.No }, func(d, s *Customer) { d.No = s.No }},
	{"name", []string{"会社名", "お客様名", "顧客名"}, true, textCell,
		func(c *Customer) string { return c.Name }, func(d, s *Customer) { d.Name = s.Name }},
	{"kana", []string{"フリガナ", "ふりがな", "会社名フリガナ", "カナ"}, true, textCell,
		func(c *Customer) string { return c.Kana }, func(d, s *Customer) { d.Kana = s.Kana }},
	{"postal_code", []string{"郵便番号", "〒"}, true, textCell,
		func(c *Customer) string { return c.PostalCode }, func(d, s *Customer) { d.PostalCode = s.PostalCode }},
	{"address", []string{"住所", "所在地"}, true, textCell,
		func(c *Customer) string { return c.Address }, func(d, s *Customer) { d.Address = s.Address }},
	{"contact", []string{"担当者", "担当者名", "ご担当者"}, false, textCell,
		func(c *Customer) string { return c.Contact }, func(d, s *Customer) { d.Contact = s.Contact }},
	{"email", []string{"メールアドレス", "メール", "e-mail"}, false, textCell,
		func(c *Customer) string { return c.Email }, func(d, s *Customer) { d.Email = s.Email }},
	{"payer_names", []string{"振込依頼人名", "振込名義"}, false, textCell,
		func(c *Customer) string { return strings.Join(c.PayerNames, ";") },
		func(d, s *Customer) { d.PayerNames = append([]string(nil), s.PayerNames...) }},
	{"parent_customer_no", []string{"親会社お客様番号", "親会社番号"}, false, textCell,
		func(c *Customer) string { return c.ParentNo }, func(d, s *Customer) { d.ParentNo = s.ParentNo }},
	{"parent_share", []string{"親会社出資比率", "出資比率"}, false, intCell,
		func(c *Customer) string { return c.ParentShare.String() }, func(d, s *Customer) { d.ParentShare = s.ParentShare }},
	{"country", []string{"国", "国コード"}, false, textCell,
		func(c *Customer) string { return c.Country }, func(d, s *Customer) { d.Country = s.Country }},
	{"corporate_no", []string{"法人番号"}, false, textCell,
		func(c *Customer) string { return c.CorporateNo }, func(d, s *Customer) { d.CorporateNo = s.CorporateNo }},
}

var planColumns = []column[Plan]{
	{"plan_code", []string{"プランコード"}, true, textCell,
		func(p *Plan) string { return p.Code }, func(d, s *Plan) { d.Code = s.Code }},
	{"name", []string{"プラン名", "商品名"}, true, textCell,
		func(p *Plan) string { return p.Name }, func(d, s *Plan) { d.Name = s.Name }},
	{"kind", []string{"種別", "プラン種別"}, true, textCell,
		func(p *Plan) string { return string(p.Kind) }, func(d, s *Plan) { d.Kind = s.Kind }},
	{"unit_price", []string{"単価", "年額単価"}, true, intCell,
		func(p *Plan) string { return strconv.FormatInt(p.UnitPrice, 10) }, func(d, s *Plan) { d.UnitPrice = s.UnitPrice }},
	{"valid_from", []string{"適用開始日"}, true, dateCell,
		func(p *Plan) string { return p.ValidFrom.String() }, func(d, s *Plan) { d.ValidFrom = s.ValidFrom }},
	{"valid_to", []string{"適用終了日"}, false, dateCell,
		func(p *Plan) string { return p.ValidTo.String() }, func(d, s *Plan) { d.ValidTo = s.ValidTo }},
}

var contractColumns = []column[Contract]{
	{"contract_no", []string{"契約番号"}, true, textCell,
		func(c *Contract) string { return c.No }, func(d, s *Contract) { d.No = s.No }},
	{"customer_no", []string{"お客様番号", "顧客番号"}, true, textCell,
		func(c *Contract) string { return c.CustomerNo }, func(d, s *Contract) { d.CustomerNo = s.CustomerNo }},
	{"plan_code", []string{"プランコード"}, true, textCell,
		func(c *Contract) string { return c.PlanCode }, func(d, s *Contract) { d.PlanCode = s.PlanCode }},
	{"seats", []string{"数量", "シート数", "ライセンス数"}, true, intCell,
		func(c *Contract) string { return itoa(c.Seats) }, func(d, s *Contract) { d.Seats = s.Seats }},
	{"unit_price", []string{"単価", "年額単価"}, true, intCell,
		func(c *Contract) string { return strconv.FormatInt(c.UnitPrice, 10) }, func(d, s *Contract) { d.UnitPrice = s.UnitPrice }},
	{"term_start", []string{"契約開始日", "期間開始日"}, true, dateCell,
		func(c *Contract) string { return c.TermStart.String() }, func(d, s *Contract) { d.TermStart = s.TermStart }},
	{"auto_renew", []string{"自動更新"}, false, textCell,
		func(c *Contract) string { return boolText(c.AutoRenew) }, func(d, s *Contract) { d.AutoRenew = s.AutoRenew }},
}

var orderColumns = []column[Order]{
	{"order_no", []string{"注文番号"}, true, textCell,
		func(o *Order) string { return o.No }, func(d, s *Order) { d.No = s.No }},
	{"kind", []string{"注文種別", "種別"}, true, textCell,
		func(o *Order) string { return string(o.Kind) }, func(d, s *Order) { d.Kind = s.Kind }},
	{"customer_no", []string{"お客様番号", "顧客番号"}, true, textCell,
		func(o *Order) string { return o.CustomerNo }, func(d, s *Order) { d.CustomerNo = s.CustomerNo }},
	{"contract_no", []string{"契約番号"}, false, textCell,
		func(o *Order) string { return o.ContractNo }, func(d, s *Order) { d.ContractNo = s.ContractNo }},
	{"plan_code", []string{"プランコード"}, true, textCell,
		func(o *Order) string { return o.PlanCode }, func(d, s *Order) { d.PlanCode = s.PlanCode }},
	{"seats", []string{"数量", "シート数", "ライセンス数"}, true, intCell,
		func(o *Order) string { return itoa(o.Seats) }, func(d, s *Order) { d.Seats = s.Seats }},
	{"order_date", []string{"注文日"}, true, dateCell,
		func(o *Order) string { return o.OrderDate.String() }, func(d, s *Order) { d.OrderDate = s.OrderDate }},
	{"desired_start", []string{"利用開始希望月", "開始希望月"}, true, textCell,
		func(o *Order) string { return o.DesiredStart.String() }, func(d, s *Order) { d.DesiredStart = s.DesiredStart }},
}
