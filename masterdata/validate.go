package masterdata

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/npress/nightly/calendar"
)

// validator reads the rows of one table into a File, collecting every problem.
type validator struct {
	file       *File
	opts       Options
	contractRE *regexp.Regexp
	xlsx       bool
	date1904   bool
	lookup     Lookup
	header     []string // English column name per header position; "" for an unnamed column
}

// row gives access to one data row's cells by English column name.
type row struct {
	line  int
	cells map[string]string
}

func (r row) get(col string) string { return r.cells[col] }

func (v *validator) fail(line int, col, format string, args ...any) {
	v.file.Errors = append(v.file.Errors, RowError{Line: line, Column: col, Reason: fmt.Sprintf(format, args...)})
}

func (v *validator) warn(line int, col, format string, args ...any) {
	v.file.Warnings = append(v.file.Warnings, Warning{Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
}

// field parses one cell with parse; a failure, or a value longer than its column, is
// recorded against the row and column.
func field[T any](v *validator, r row, col string, parse func(string) (T, error)) T {
	val, err := parse(r.get(col))
	if err == nil {
		err = tooLong(v.file.Kind, col, val)
	}
	if err != nil {
		v.fail(r.line, col, "%v", err)
	}
	return val
}

// optional makes parse accept an empty cell as the zero value.
func optional[T any](parse func(string) (T, error)) func(string) (T, error) {
	return func(s string) (T, error) {
		if strings.TrimSpace(s) == "" {
			var zero T
			return zero, nil
		}
		return parse(s)
	}
}

func requiredText(s string) (string, error) {
	t, err := cleanText(s, false)
	if err == nil && t == "" {
		err = fmt.Errorf("空欄です")
	}
	return t, err
}

func requiredLines(s string) (string, error) {
	t, err := cleanText(s, true)
	if err == nil && t == "" {
		err = fmt.Errorf("空欄です")
	}
	return t, err
}

func optionalText(s string) (string, error) { return cleanText(s, false) }

func (v *validator) date(s string) (calendar.Date, error) { return parseDate(s, v.xlsx, v.date1904) }

func (v *validator) month(s string) (YearMonth, error) { return parseYearMonth(s, v.xlsx, v.date1904) }

func (v *validator) contractNo(s string) (string, error) { return parseContractNo(s, v.contractRE) }

func (v *validator) run(t *table) {
	defer v.finish(t)
	if len(t.rows) == 0 || blank(t.rows[0].cells) {
		v.fail(1, "", "見出しの行がありません。1行目に列名（%s）を書いてください", strings.Join(JapaneseColumnNames(v.file.Kind), "、"))
		return
	}
	head := t.rows[0]
	if !v.readHeader(head) {
		return
	}
	var parsed []row
	for _, tr := range t.rows[1:] {
		if blank(tr.cells) {
			continue
		}
		v.file.Rows++
		r, ok := v.cells(tr)
		if ok {
			parsed = append(parsed, r)
		}
	}
	switch v.file.Kind {
	case Customers:
		v.customers(parsed)
	case Plans:
		v.plans(parsed)
	case Contracts:
		v.contracts(parsed)
	case Orders:
		v.orders(parsed)
	}
}

// finish adds a CSV quoting failure and puts the errors and warnings in line order.
func (v *validator) finish(t *table) {
	if t.broken != nil {
		v.file.Errors = append(v.file.Errors, *t.broken)
	}
	order := map[string]int{}
	for i, c := range ColumnNames(v.file.Kind) {
		order[c] = i + 1
	}
	slices.SortStableFunc(v.file.Errors, func(a, b RowError) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(order[a.Column], order[b.Column]))
	})
	slices.SortStableFunc(v.file.Warnings, func(a, b Warning) int { return cmp.Compare(a.Line, b.Line) })
}

// readHeader maps the header cells to columns; it reports unknown, repeated and missing
// columns and returns false when rows cannot be read.
func (v *validator) readHeader(head tableRow) bool {
	specs := columnSpecs(v.file.Kind)
	byKey := map[string]string{}
	for _, c := range specs {
		byKey[headerKey(c.name)] = c.name
		for _, ja := range c.ja {
			byKey[headerKey(ja)] = c.name
		}
	}
	ok := true
	seen := map[string]bool{}
	v.header = make([]string, len(head.cells))
	for i, cell := range head.cells {
		if strings.TrimSpace(cell) == "" {
			continue
		}
		name, known := byKey[headerKey(cell)]
		switch {
		case !known:
			v.fail(head.line, strings.TrimSpace(cell), "%q は%sの列名ではありません。列名は %s（またはその英語名 %s）です",
				strings.TrimSpace(cell), kindNames[v.file.Kind], strings.Join(JapaneseColumnNames(v.file.Kind), "、"), strings.Join(ColumnNames(v.file.Kind), ", "))
			ok = false
		case seen[name]:
			v.fail(head.line, name, "列 %s が見出しに2回あります（%q）。1つにしてください", name, strings.TrimSpace(cell))
			ok = false
		default:
			seen[name] = true
			v.header[i] = name
			v.file.Columns = append(v.file.Columns, name)
		}
	}
	for _, c := range specs {
		if c.required && !seen[c.name] {
			v.fail(head.line, c.name, "見出しに列「%s」（%s）がありません。追加してください", c.ja[0], c.name)
			ok = false
		}
	}
	return ok
}

// cells checks a data row's field count against the header and names its cells.
func (v *validator) cells(tr tableRow) (row, bool) {
	n := len(v.header)
	switch {
	case v.xlsx && len(tr.cells) > n && !blank(tr.cells[n:]):
		v.fail(tr.line, "", "この行は %d セルあり、見出しの %d 列より右に値があります。消すか、その列に列名を付けてください", len(tr.cells), n)
		return row{}, false
	case !v.xlsx && len(tr.cells) != n:
		v.fail(tr.line, "", "この行は %d 項目、見出しは %d 項目です。カンマの過不足を確認してください（カンマを含む項目は引用符で囲みます）", len(tr.cells), n)
		return row{}, false
	}
	r := row{line: tr.line, cells: map[string]string{}}
	for i, c := range tr.cells {
		if i >= n {
			break
		}
		if v.header[i] == "" {
			if strings.TrimSpace(c) != "" {
				v.fail(tr.line, "", "%d 番目の項目 %q は見出しのない列にあります。列名を付けるか、セルを空にしてください", i+1, c)
				return row{}, false
			}
			continue
		}
		r.cells[v.header[i]] = c
	}
	return r, true
}

// shareRule describes the parent-share threshold for messages: "51% or more".
func (v *validator) shareRule() string {
	if v.opts.ParentShareOver {
		return fmt.Sprintf("%s%% を超える", v.opts.shareMin())
	}
	return fmt.Sprintf("%s%% 以上", v.opts.shareMin())
}

// checkShare applies the parent-share threshold (§3.4) to a subsidiary's share; it
// returns false when the share is below it and warns at exactly the threshold.
func (v *validator) checkShare(line int, col, who string, share Share) bool {
	min := v.opts.shareMin()
	if share < min || v.opts.ParentShareOver && share == min {
		v.fail(line, col, "%s親会社の出資比率 %s%% は基準未満です。親会社が注文できるのは出資比率 %sの子会社だけです（仕様 §3.4）",
			who, share, v.shareRule())
		return false
	}
	if share == min {
		v.warn(line, col, "%s親会社の出資比率がちょうど %s%% です。基準「%s」により受け付けました。出資関係を確認してください（仕様 §3.4）", who, share, v.shareRule())
	}
	return true
}

// numbered tracks the first line each key was seen on, to report duplicates.
type numbered map[string]int

// dup records key at line and reports whether it was already used.
func (v *validator) dup(seen numbered, line int, col, key, what string) bool {
	if key == "" {
		return false
	}
	if first, ok := seen[key]; ok {
		v.fail(line, col, "%s %s は %d 行目ですでに使われています。%sは重複できません", ColumnJapanese(what), key, first, ColumnJapanese(what))
		return true
	}
	seen[key] = line
	return false
}

func (v *validator) customers(rows []row) {
	seen := numbered{}
	parents := map[string]string{} // customer → parent, from the file
	type pending struct {
		c  Customer
		ok bool
	}
	var all []pending
	for _, r := range rows {
		bad := len(v.file.Errors)
		c := Customer{Line: r.line}
		c.No = field(v, r, "customer_no", parseCustomerNo)
		c.Name = field(v, r, "name", requiredText)
		c.Kana = field(v, r, "kana", parseKana)
		c.PostalCode = field(v, r, "postal_code", parsePostalCode)
		c.Address = field(v, r, "address", requiredLines)
		c.Contact = field(v, r, "contact", optionalText)
		c.Email = field(v, r, "email", parseEmails)
		c.PayerNames = field(v, r, "payer_names", parsePayerNames)
		c.ParentNo = field(v, r, "parent_customer_no", optional(parseCustomerNo))
		c.CorporateNo = field(v, r, "corporate_no", optional(parseCorporateNo))
		c.Country = field(v, r, "country", parseCountry)
		if c.Country != "" && c.Country != "JP" {
			v.fail(r.line, "country", "国 %s: 海外のお客様には販売できません。お客様は日本の法人に限ります（仕様 §3.4）", c.Country)
		}
		shareText := strings.TrimSpace(r.get("parent_share"))
		switch {
		case c.ParentNo != "" && shareText == "":
			v.fail(r.line, "parent_share", "空欄です。子会社には親会社の出資比率（%%、例: 51）が必要です")
		case c.ParentNo != "":
			c.ParentShare = field(v, r, "parent_share", parseShare)
			if c.ParentShare != 0 {
				v.checkShare(r.line, "parent_share", "", c.ParentShare)
			}
		case shareText != "" && strings.TrimSpace(r.get("parent_customer_no")) == "":
			v.fail(r.line, "parent_share", "%q ですが親会社お客様番号が空欄です。親会社を書くか、出資比率を消してください", shareText)
		}
		if c.ParentNo != "" && c.ParentNo == c.No {
			v.fail(r.line, "parent_customer_no", "お客様自身の番号です。親会社の番号を書いてください")
			c.ParentNo = ""
		}
		v.dup(seen, r.line, "customer_no", c.No, "customer_no")
		if c.No != "" && c.ParentNo != "" {
			parents[c.No] = c.ParentNo
		}
		all = append(all, pending{c, len(v.file.Errors) == bad})
	}
	for i, p := range all {
		c := p.c
		if c.ParentNo == "" {
			continue
		}
		if _, inFile := seen[c.ParentNo]; !inFile {
			if _, stored := v.lookup.Customer(c.ParentNo); !stored {
				v.fail(c.Line, "parent_customer_no", "親会社 %s はこのファイルにも登録済みのお客様にもありません。先に親会社を取り込むか、このファイルに加えてください", c.ParentNo)
				all[i].ok = false
				continue
			}
		}
		if v.parentLoops(c.No, parents) {
			v.fail(c.Line, "parent_customer_no", "%s から親会社をたどると自社に戻ります。自社の親会社を子会社にはできません", c.No)
			all[i].ok = false
		}
	}
	for _, p := range all {
		if p.ok {
			v.file.Customers = append(v.file.Customers, p.c)
		}
	}
}

// parentLoops reports whether following parents from no (in the file, else stored)
// comes back to no.
func (v *validator) parentLoops(no string, parents map[string]string) bool {
	cur := no
	for range 100 {
		next, ok := parents[cur]
		if !ok {
			ref, stored := v.lookup.Customer(cur)
			if !stored || ref.ParentNo == "" {
				return false
			}
			next = ref.ParentNo
		}
		if next == no {
			return true
		}
		cur = next
	}
	return true
}

// plans reads the plan rows, then checks each plan's price list as a whole (see
// checkPriceList); a plan row with any problem is left out of the File.
func (v *validator) plans(rows []row) {
	var all []pendingPlan
	for _, r := range rows {
		all = append(all, v.planRow(r))
	}
	byCode, codes := plansByCode(all)
	for _, code := range codes {
		v.checkPriceList(code, byCode[code])
	}
	for _, p := range all {
		if p.ok {
			v.file.Plans = append(v.file.Plans, p.p)
		}
	}
}

// pendingPlan is a plan row as read, ok while no problem is found in it.
type pendingPlan struct {
	p  Plan
	ok bool
}

// planRow reads the cells of one plan row.
func (v *validator) planRow(r row) pendingPlan {
	bad := len(v.file.Errors)
	p := Plan{Line: r.line}
	p.Code = field(v, r, "plan_code", parsePlanCode)
	p.Name = field(v, r, "name", requiredText)
	p.Kind = field(v, r, "kind", parsePlanKind)
	p.UnitPrice = field(v, r, "unit_price", parseYen)
	p.ValidFrom = field(v, r, "valid_from", v.date)
	p.ValidTo = field(v, r, "valid_to", optional(v.date))
	if !p.ValidFrom.IsZero() && !p.ValidTo.IsZero() && p.ValidTo.Before(p.ValidFrom) {
		v.fail(r.line, "valid_to", "%s は適用開始日 %s より前です", p.ValidTo, p.ValidFrom)
	}
	return pendingPlan{p, len(v.file.Errors) == bad}
}

// plansByCode groups the rows that have a code and a valid_from by plan code, and
// returns the codes in the order of their first row.
func plansByCode(all []pendingPlan) (map[string][]*pendingPlan, []string) {
	byCode := map[string][]*pendingPlan{}
	var codes []string
	for i, p := range all {
		if p.p.Code == "" || p.p.ValidFrom.IsZero() {
			continue
		}
		if _, ok := byCode[p.p.Code]; !ok {
			codes = append(codes, p.p.Code)
		}
		byCode[p.p.Code] = append(byCode[p.p.Code], &all[i])
	}
	return byCode, codes
}

// pricePeriod is one row of a plan's price list: a row of the file, or a stored one
// (line 0).
type pricePeriod struct {
	from, to calendar.Date
	line     int
}

// span describes the period for a message.
func (p pricePeriod) span() string {
	if p.to.IsZero() {
		return p.from.String() + "〜（終了日なし）"
	}
	return p.from.String() + "〜" + p.to.String()
}

// checkPriceList checks the price list of plan code: the file's rows, and the stored
// rows the file does not replace (a row is replaced by a file row with the same
// valid_from). Rows of the file with a repeated valid_from, a kind other than the
// plan's, or a period overlapping another are refused.
func (v *validator) checkPriceList(code string, list []*pendingPlan) {
	stored, isStored := v.lookup.Plan(code)
	periods, fromLine := v.filePeriods(code, list, stored.Kind, isStored)
	for _, pr := range stored.Prices {
		if _, replaced := fromLine[pr.ValidFrom]; !replaced {
			periods = append(periods, pricePeriod{pr.ValidFrom, pr.ValidTo, 0})
		}
	}
	slices.SortFunc(periods, func(a, b pricePeriod) int { return a.from.Compare(b.from) })
	v.checkOverlaps(code, list, periods)
}

// filePeriods checks the file's rows of plan code for a repeated valid_from and for
// one kind (the stored kind when the plan is stored), and returns the periods of the
// rows with a sound period and the line of each valid_from.
func (v *validator) filePeriods(code string, list []*pendingPlan, kind PlanKind, isStored bool) ([]pricePeriod, map[calendar.Date]int) {
	var periods []pricePeriod
	fromLine := map[calendar.Date]int{}
	for _, p := range list {
		if first, ok := fromLine[p.p.ValidFrom]; ok {
			v.fail(p.p.Line, "valid_from", "プラン %[1]s には %[3]d 行目に %[2]s からの価格がすでにあります。どちらかの日付を変えてください", code, p.p.ValidFrom, first)
			p.ok = false
			continue
		}
		fromLine[p.p.ValidFrom] = p.p.Line
		if p.p.Kind != "" {
			switch {
			case isStored && kind != "" && p.p.Kind != kind:
				v.fail(p.p.Line, "kind", "プラン %s は%sとして登録済みです。種別は変えられません（新しいプランコードを作ってください）", code, planKindNames[string(kind)])
				p.ok = false
			case kind == "":
				kind = p.p.Kind
			case p.p.Kind != kind:
				v.fail(p.p.Line, "kind", "プラン %s はこのファイルの別の行では%sです。1つのプランの種別は1つです", code, planKindNames[string(kind)])
				p.ok = false
			}
		}
		if !p.p.ValidTo.IsZero() && p.p.ValidTo.Before(p.p.ValidFrom) {
			continue
		}
		periods = append(periods, pricePeriod{p.p.ValidFrom, p.p.ValidTo, p.p.Line})
	}
	return periods, fromLine
}

// checkOverlaps refuses the file's rows of plan code whose period overlaps the next
// one in periods (sorted by start), saying how to end the earlier one.
func (v *validator) checkOverlaps(code string, list []*pendingPlan, periods []pricePeriod) {
	for i := 1; i < len(periods); i++ {
		a, b := periods[i-1], periods[i]
		if !a.to.IsZero() && a.to.Before(b.from) {
			continue
		}
		fix := fmt.Sprintf("前の価格を適用終了日 %s で終えてください", b.from.AddDays(-1))
		switch {
		case a.line == 0:
			v.fail(b.line, "valid_from", "プラン %s: 適用期間 %s の価格が、登録済みの適用期間 %s の価格と重なっています。その行を適用終了日 %s としてこのファイルに加えてください（同じプラン・適用開始日の登録済みの行は置き換わります）", code, b.span(), a.span(), b.from.AddDays(-1))
		case b.line == 0:
			v.fail(a.line, "valid_to", "プラン %s: 適用期間 %s の価格が、登録済みの適用期間 %s の価格と重なっています。%s", code, a.span(), b.span(), fix)
		default:
			v.fail(b.line, "valid_from", "プラン %s: 適用期間 %s の価格が、%d 行目の適用期間 %s の価格と重なっています。%s", code, b.span(), a.line, a.span(), fix)
		}
		for _, p := range list {
			if p.p.Line == a.line || p.p.Line == b.line {
				p.ok = false
			}
		}
	}
}

func (v *validator) contracts(rows []row) {
	seen := numbered{}
	for _, r := range rows {
		bad := len(v.file.Errors)
		c := Contract{Line: r.line}
		c.No = field(v, r, "contract_no", v.contractNo)
		c.CustomerNo = field(v, r, "customer_no", parseCustomerNo)
		c.PlanCode = field(v, r, "plan_code", parsePlanCode)
		c.Seats = field(v, r, "seats", parseSeats)
		c.UnitPrice = field(v, r, "unit_price", parseYen)
		c.TermStart = field(v, r, "term_start", v.date)
		v.dup(seen, r.line, "contract_no", c.No, "contract_no")
		if c.CustomerNo != "" {
			if ref, ok := v.lookup.Customer(c.CustomerNo); !ok {
				v.fail(r.line, "customer_no", "お客様 %s は登録されていません。先にお客様を取り込んでください", c.CustomerNo)
			} else if ref.Country != "" && ref.Country != "JP" {
				v.fail(r.line, "customer_no", "お客様 %s は海外（%s）です。お客様は日本の法人に限ります（仕様 §3.4）", c.CustomerNo, ref.Country)
			}
		}
		var plan PlanRef
		if c.PlanCode != "" {
			var ok bool
			if plan, ok = v.lookup.Plan(c.PlanCode); !ok {
				v.fail(r.line, "plan_code", "プラン %s は登録されていません。先に価格表を取り込んでください", c.PlanCode)
			}
		}
		renew := strings.TrimSpace(r.get("auto_renew"))
		c.AutoRenew = field(v, r, "auto_renew", func(s string) (bool, error) { return parseBool(s, plan.Kind != Perpetual) })
		if plan.Kind == Perpetual && c.AutoRenew && renew != "" {
			v.fail(r.line, "auto_renew", "プラン %s は永続ライセンスで、更新しません（仕様 §3.5）。0 を書いてください", c.PlanCode)
		}
		if c.No != "" {
			if stored, ok := v.lookup.Contract(c.No); ok {
				if c.CustomerNo != "" && stored.CustomerNo != c.CustomerNo {
					v.fail(r.line, "customer_no", "契約 %s はお客様 %s の契約です。契約を別のお客様に移すことはできません（契約番号を確認してください）", c.No, stored.CustomerNo)
				}
				if c.PlanCode != "" && stored.PlanCode != c.PlanCode {
					v.fail(r.line, "plan_code", "契約 %s はプラン %s の契約です。別のプランは新しい契約になります（仕様 §3.6）", c.No, stored.PlanCode)
				}
			}
		}
		if len(v.file.Errors) == bad {
			v.file.Contracts = append(v.file.Contracts, c)
		}
	}
}

// firstOrderDate is the earliest order date accepted: nightly's dates are exact from 2000.
var firstOrderDate = calendar.New(2000, 1, 1)

// orderDate checks an order date against the run date (SPEC §10.0): an order cannot be
// dated after the night that reads it, nor before 2000.
func (v *validator) orderDate(line int, d calendar.Date) {
	switch {
	case d.IsZero():
	case d.Before(firstOrderDate):
		v.fail(line, "order_date", "%s は %s より前です。年を直してください", d, firstOrderDate)
	case !v.opts.RunDate.IsZero() && d.After(v.opts.RunDate):
		v.fail(line, "order_date", "%s は処理日 %s より後です。注文は注文日以降に取り込みます。日付（年）を直してください", d, v.opts.RunDate)
	}
}

func (v *validator) orders(rows []row) {
	seen := numbered{}
	for _, r := range rows {
		bad := len(v.file.Errors)
		o := Order{Line: r.line}
		o.No = field(v, r, "order_no", parseOrderNo)
		o.Kind = field(v, r, "kind", parseOrderKind)
		o.CustomerNo = field(v, r, "customer_no", parseCustomerNo)
		o.PlanCode = field(v, r, "plan_code", parsePlanCode)
		o.Seats = field(v, r, "seats", parseSeats)
		o.OrderDate = field(v, r, "order_date", v.date)
		o.DesiredStart = field(v, r, "desired_start", v.month)
		v.dup(seen, r.line, "order_no", o.No, "order_no")
		v.orderDate(r.line, o.OrderDate)
		if !o.OrderDate.IsZero() && o.DesiredStart != (YearMonth{}) && monthBefore(o.DesiredStart, monthOf(o.OrderDate)) {
			v.fail(r.line, "desired_start", "%s は注文日 %s の月より前です。利用開始希望月は注文の月以降です", o.DesiredStart, o.OrderDate)
		}
		if o.CustomerNo != "" {
			v.orderCustomer(r.line, o.CustomerNo)
		}
		var plan PlanRef
		planOK := false
		if o.PlanCode != "" {
			if plan, planOK = v.lookup.Plan(o.PlanCode); !planOK {
				v.fail(r.line, "plan_code", "プラン %s は登録されていません。コードを確認するか、先に価格表を取り込んでください", o.PlanCode)
			}
		}
		contractText := strings.TrimSpace(r.get("contract_no"))
		switch o.Kind {
		case Addition:
			if contractText == "" {
				v.fail(r.line, "contract_no", "空欄です。追加の注文には、ライセンスを追加する契約の番号が必要です")
				break
			}
			o.ContractNo = field(v, r, "contract_no", v.contractNo)
			if o.ContractNo == "" {
				break
			}
			stored, ok := v.lookup.Contract(o.ContractNo)
			switch {
			case !ok:
				v.fail(r.line, "contract_no", "契約 %s は登録されていません。番号を確認してください", o.ContractNo)
			case o.CustomerNo != "" && stored.CustomerNo != o.CustomerNo:
				v.fail(r.line, "contract_no", "契約 %s はお客様 %s の契約で、%s の契約ではありません。契約かお客様を確認してください", o.ContractNo, stored.CustomerNo, o.CustomerNo)
			case o.PlanCode != "" && stored.PlanCode != o.PlanCode:
				v.fail(r.line, "plan_code", "契約 %s はプラン %s の契約で、%s ではありません。別の製品は新規の注文です（仕様 §3.6）", o.ContractNo, stored.PlanCode, o.PlanCode)
			}
			if planOK && plan.Kind == Perpetual {
				v.fail(r.line, "kind", "プラン %s は永続ライセンスで、ライセンスを追加する期間がありません（仕様 §3.5）。新規として注文してください", o.PlanCode)
			}
		case New, Migration:
			if contractText != "" {
				v.fail(r.line, "contract_no", "%q ですが、契約番号を書くのは追加の注文だけです。消すか、注文種別を追加にしてください", contractText)
			}
			if planOK && len(plan.Prices) > 0 && !o.OrderDate.IsZero() {
				if _, ok := plan.PriceOn(o.OrderDate); !ok {
					v.fail(r.line, "plan_code", "プラン %s には注文日 %s に有効な価格がありません。販売していない（または販売を終えた）プランです", o.PlanCode, o.OrderDate)
				}
			}
		}
		if len(v.file.Errors) == bad {
			v.file.Orders = append(v.file.Orders, o)
		}
	}
}

// orderCustomer checks the end user of an order: stored, Japanese, and (for a
// subsidiary) owned by its parent at the threshold (§3.4).
func (v *validator) orderCustomer(line int, no string) {
	ref, ok := v.lookup.Customer(no)
	switch {
	case !ok:
		v.fail(line, "customer_no", "お客様 %s は登録されていません。注文より先にお客様を登録してください", no)
	case ref.Country != "" && ref.Country != "JP":
		v.fail(line, "customer_no", "お客様 %s は海外（%s）です。海外のお客様の注文は受け付けません。お客様は日本の法人に限ります（仕様 §3.4）", no, ref.Country)
	case ref.ParentNo != "":
		v.checkShare(line, "customer_no", fmt.Sprintf("お客様 %s は %s の子会社です。", no, ref.ParentNo), ref.ParentShare)
	}
}
