package issuing

import (
	"database/sql"
	"fmt"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/invoice"
	"github.com/npress/nightly/store"
)

// Renewal builds the renewal invoice of c's next term starting ns (SPEC §4.3), issued
// and due on dates, for seats at price, and its row.
func (t Terms) Renewal(c store.RenewalCandidate, ns calendar.Date, dates contract.Renewal, price int64, seats int) (store.Invoice, invoice.Invoice, error) {
	cm := t.Common(dates.IssueDate, dates.DueDate, Party(c.CustomerNo, c.Recipient), c.PlanName)
	cm.ContractNo = c.No
	cm.NextTermStart = contract.NextStart(ns)
	cm.RequestDeadline = contract.RequestDeadline(cm.NextTermStart)
	inv, err := invoice.NewRenewal(cm, price, seats, invoice.Period{From: ns, To: contract.TermEnd(ns)})
	if err != nil {
		return store.Invoice{}, inv, fmt.Errorf("renewal invoice of contract %s: %w", c.No, err)
	}
	row := store.Invoice{NKey: "renewal:" + c.No + ":" + ns.String(), Kind: string(invoice.KindRenewal), CustomerNo: c.CustomerNo,
		ContractNo: c.No, TermStart: ns, ShortNotice: dates.ShortNotice, Seats: seats, UnitPrice: price}
	return row, inv, nil
}

// RenewalSeatsException is the exception of a renewal of contract no's term starting ns
// that cannot be issued with seats seats.
func RenewalSeatsException(no string, ns calendar.Date, seats int) store.Exception {
	return store.Exception{NKey: "renewal_seats:" + no + ":" + ns.String(), Kind: "renewal_invalid",
		Subject: no, Message: fmt.Sprintf("契約 %s の次年度（%s〜）の数量が %d のため、更新請求書を発行できません。", no, ns.Japanese(), seats),
		Action: "解約であれば cancel_at_term_end を設定し、そうでなければ次年度の数量を直して再実行してください。"}
}

// NoPriceException is the exception of a renewal of contract no that cannot be issued
// because plan has no price on day.
func NoPriceException(plan string, day calendar.Date, no string) store.Exception {
	return store.Exception{NKey: "no_price:" + plan + ":" + day.String(), Kind: "no_price",
		Subject: plan, Message: fmt.Sprintf("プラン %s の %s 時点の価格がないため、契約 %s の更新請求書を発行できません。", plan, day.Japanese(), no),
		Action: "価格表を取り込み（nightly import prices）、この日付を再実行してください。"}
}

// Refusal is why an order cannot be invoiced: the message and the action staff take.
// The zero Refusal refuses nothing.
type Refusal struct{ Message, Action string }

// Exception is the exception that records the refusal of the order no.
func (r Refusal) Exception(no string) store.Exception {
	return store.Exception{NKey: "order_invalid:" + no, Kind: "order_invalid", Subject: no, Message: "注文 " + no + ": " + r.Message, Action: r.Action}
}

// CheckOrder returns why o cannot be invoiced, as far as o alone tells.
func CheckOrder(o store.PendingOrder) Refusal {
	switch {
	case o.CustomerName == "":
		return Refusal{"お客様番号 " + o.CustomerNo + " が登録されていません。", "顧客データを取り込み、注文の状態を received に戻して再実行してください。"}
	case o.PlanName == "":
		return Refusal{"プラン " + o.PlanCode + " が価格表にありません。", "プランを取り込み、注文の状態を received に戻して再実行してください。"}
	case o.Seats < 1:
		return Refusal{fmt.Sprintf("数量 %d は 1 以上でなければなりません。", o.Seats), "注文を直して取り込み直してください。"}
	case o.Kind != "new" && o.Kind != "migration" && o.Kind != "addition":
		return Refusal{"種類 " + o.Kind + " の注文は請求できません。", "注文の種類（new, addition, migration）を確認してください。"}
	}
	return Refusal{}
}

// NoPriceRefusal refuses an order whose plan has no price on day.
func NoPriceRefusal(plan string, day calendar.Date) Refusal {
	return Refusal{fmt.Sprintf("プラン %s の %s 時点の価格がありません。", plan, day.Japanese()), "価格表を取り込み、注文の状態を received に戻して再実行してください。"}
}

// FirstTerm builds the contract numbered no that the new or migration order o creates
// at price, its first invoice issued on issue and due on due (SPEC §4.1, §3.5), and
// that invoice's row.
func (t Terms) FirstTerm(o store.PendingOrder, no string, price int64, issue, due calendar.Date) (store.Contract, store.Invoice, invoice.Invoice, error) {
	perpetual := o.PlanKind == "perpetual"
	k := store.Contract{No: no, CustomerNo: o.CustomerNo, PlanCode: o.PlanCode, Seats: o.Seats, UnitPrice: price,
		Status: store.StatusPending, AutoRenew: !perpetual, OrderNo: sql.NullString{String: o.No, Valid: o.No != ""}}
	cm := t.Common(issue, due, Party(o.CustomerNo, o.Recipient), o.PlanName)
	cm.ContractNo, cm.OrderNo = no, o.No
	inv, err := invoice.NewFirstTerm(cm, price, o.Seats, perpetual)
	if err != nil {
		return k, store.Invoice{}, inv, fmt.Errorf("invoice of order %s: %w", o.No, err)
	}
	row := store.Invoice{NKey: "order:" + o.No, Kind: string(invoice.KindNew), CustomerNo: o.CustomerNo, ContractNo: no,
		OrderNo: o.No, Seats: o.Seats, UnitPrice: price}
	return k, row, inv, nil
}

// AdditionCycles returns the cycles the addition order o to the contract c bills when
// received on day (SPEC §3.2), or why it cannot be invoiced.
func AdditionCycles(o store.PendingOrder, c store.Contract, day calendar.Date) (contract.Addition, Refusal) {
	if c.Status != store.StatusActive || c.TermStart.IsZero() {
		return contract.Addition{}, Refusal{"追加先の契約 " + c.No + " は利用中ではありません（" + c.Status + "）。", "契約の状態を確認し、お客様に連絡してください。"}
	}
	desired := contract.YearMonthOf(day)
	if o.DesiredStart != "" {
		var err error
		if desired, err = contract.ParseYearMonth(o.DesiredStart); err != nil {
			return contract.Addition{}, Refusal{"利用開始希望月 " + o.DesiredStart + " が読めません。", "注文を直して取り込み直してください。"}
		}
	}
	add, err := contract.BillAddition(c.TermStart, desired)
	if err != nil {
		return add, Refusal{fmt.Sprintf("利用開始希望月 %s は契約期間（%s〜%s）の中にありません。", desired.Japanese(), c.TermStart.Japanese(), c.TermEnd.Japanese()),
			"お客様に希望月を確認し、注文を直して取り込み直してください。"}
	}
	return add, Refusal{}
}

// Addition builds the addition invoice of the order o to the contract c for the
// cycles add, issued on issue and due on due (SPEC §3.2, §4.2), and its row.
func (t Terms) Addition(o store.PendingOrder, c store.Contract, add contract.Addition, issue, due calendar.Date) (store.Invoice, invoice.Invoice, error) {
	cm := t.Common(issue, due, Party(o.CustomerNo, o.Recipient), o.PlanName)
	cm.ContractNo, cm.OrderNo = c.No, o.No
	cm.NextTermStart = contract.NextStart(c.TermStart)
	cm.RequestDeadline = contract.RequestDeadline(cm.NextTermStart)
	inv, err := invoice.NewAddition(cm, c.UnitPrice, o.Seats, add.FirstCycle, c.TermEnd, add.Months)
	if err != nil {
		return store.Invoice{}, inv, fmt.Errorf("addition invoice of order %s: %w", o.No, err)
	}
	row := store.Invoice{NKey: "order:" + o.No, Kind: string(invoice.KindAddition), CustomerNo: o.CustomerNo, ContractNo: c.No,
		OrderNo: o.No, TermStart: add.FirstCycle, Seats: o.Seats, UnitPrice: c.UnitPrice}
	return row, inv, nil
}

// NextTermAddition builds the second addition invoice of SPEC §4.2 for a: the order o's
// seats billed for the whole next term at the renewal's unit price, to to, issued on
// issue and due on due; and its row.
func (t Terms) NextTermAddition(a store.NextTermAdditionDue, o store.Order, planName string, to invoice.Party, issue, due calendar.Date) (store.Invoice, invoice.Invoice, error) {
	cm := t.Common(issue, due, to, planName)
	cm.ContractNo, cm.OrderNo = a.ContractNo, o.No
	cm.Subject = planName + " ライセンス追加料金（" + a.RenewalTermStart.Japanese() + "からの次年度分）"
	cm.NextTermStart = contract.NextStart(a.RenewalTermStart)
	cm.RequestDeadline = contract.RequestDeadline(cm.NextTermStart)
	inv, err := invoice.NewAddition(cm, a.RenewalUnitPrice, a.Seats, a.RenewalTermStart, contract.TermEnd(a.RenewalTermStart), contract.MonthsPerTerm)
	if err != nil {
		return store.Invoice{}, inv, fmt.Errorf("next-term addition invoice of order %s: %w", o.No, err)
	}
	row := store.Invoice{NKey: a.Key + ":next", Kind: string(invoice.KindAddition), CustomerNo: o.CustomerNo, ContractNo: a.ContractNo,
		OrderNo: o.No, TermStart: a.RenewalTermStart, Seats: a.Seats, UnitPrice: a.RenewalUnitPrice}
	return row, inv, nil
}

// RenewalRevision builds the next revision of the void renewal old, printed as prev,
// for seats, issued and due on dates, to to for product.
func (t Terms) RenewalRevision(old store.Invoice, prev invoice.Invoice, seats int, dates contract.Renewal, to invoice.Party, product string) (invoice.Invoice, error) {
	cm := t.Common(dates.IssueDate, dates.DueDate, to, product)
	cm.ContractNo, cm.Replaces = old.ContractNo, old.Number
	cm.NextTermStart, cm.RequestDeadline = prev.NextTermStart, prev.RequestDeadline
	inv, err := invoice.NewRenewal(cm, old.UnitPrice, seats, invoice.Period{From: old.TermStart, To: contract.TermEnd(old.TermStart)})
	if err != nil {
		return inv, fmt.Errorf("reissue of invoice %s: %w", old.Number, err)
	}
	return inv, nil
}
