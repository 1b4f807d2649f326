package accounting

import (
	"fmt"
	"sort"
	"strings"

	"github.com/npress/nightly/calendar"
)

// The entries of a transfer go through 仮受金 (Suspense): the credit puts the whole
// amount there, each payment takes its cash out of it onto 売掛金 (with the fee on its
// own line), each hold in another account (預り金) reclassifies its yen, and a refund
// or a reversal takes money out of the hold's account or 仮受金 again. Every posting is
// balanced by itself, so every entry balances; the 仮受金 of one transfer nets to what
// its open exceptions hold in 仮受金.

// transfers books every transfer with its payments and holds.
func (b *builder) transfers(f Facts) error {
	pays := map[int64][]*Payment{}
	for i := range f.Payments {
		p := &f.Payments[i]
		pays[p.TxnID] = append(pays[p.TxnID], p)
	}
	holds := map[int64][]*Hold{}
	for i := range f.Holds {
		h := &f.Holds[i]
		holds[h.TxnID] = append(holds[h.TxnID], h)
	}
	known := make(map[int64]bool, len(f.Transfers))
	for i := range f.Transfers {
		t := &f.Transfers[i]
		known[t.ID] = true
		if err := b.transfer(t, pays[t.ID], holds[t.ID]); err != nil {
			return err
		}
	}
	for _, p := range f.Payments {
		if !known[p.TxnID] {
			return fmt.Errorf("payment %d of invoice %s: its transfer %d is not among the credits received", p.ID, p.Invoice, p.TxnID)
		}
	}
	return nil
}

// transfer books transfer t: the credit on its 勘定日, its payments, holds, moves,
// refunds and reversal.
func (b *builder) transfer(t *Transfer, ps []*Payment, hs []*Hold) error {
	sort.SliceStable(ps, func(i, j int) bool {
		if !ps[i].Created.Equal(ps[j].Created) {
			return ps[i].Created.Before(ps[j].Created)
		}
		return ps[i].ID < ps[j].ID
	})
	credit := b.transferEntry(t, fmt.Sprintf("credit:%d", t.ID), t.ValueDate, KindCredit, "振込入金")
	credit.add(Line{Side: Debit, Account: Bank, Amount: t.Amount, BankAccount: t.Account})
	credit.add(Line{Side: Credit, Account: Suspense, Amount: t.Amount})
	moveIn, isMoveIn := moveIns(ps)
	for _, p := range ps {
		inv, ok := b.invoices[p.Invoice]
		if !ok {
			return fmt.Errorf("payment %d of transfer %d: invoice %s does not exist", p.ID, t.ID, p.Invoice)
		}
		if !isMoveIn[p.ID] {
			apply(b.bookedEntry(t, p, inv), p, inv, Collected, b.o.TaxRate)
		}
		if !p.UnbookedOn.IsZero() {
			e := b.transferEntry(t, fmt.Sprintf("resolve:%d:%s", t.ID, p.UnbookedOn), p.UnbookedOn, KindResolve, "入金充当（担当者）")
			takeBack(e, p, inv, Collected, b.o.TaxRate)
		}
		if p.MovedTo != "" {
			e := b.moveEntry(t, inv, p.MovedOn)
			takeBack(e, p, inv, Other, b.o.TaxRate)
			if q := moveIn[p.ID]; q != nil {
				to, ok := b.invoices[q.Invoice]
				if !ok {
					return fmt.Errorf("payment %d of transfer %d: invoice %s does not exist", q.ID, t.ID, q.Invoice)
				}
				apply(e, q, to, Other, b.o.TaxRate)
			}
		}
		if p.Reversed && p.MovedTo == "" && p.UnbookedOn.IsZero() && !t.ReversedOn.IsZero() {
			takeBack(b.reversalEntry(t), p, inv, Other, b.o.TaxRate)
		}
	}
	for _, h := range hs {
		b.hold(t, h)
	}
	if !t.ReversedOn.IsZero() {
		e := b.reversalEntry(t)
		e.add(Line{Side: Debit, Account: Suspense, Amount: t.Amount})
		e.add(Line{Side: Credit, Account: Bank, Amount: t.Amount, BankAccount: t.Account})
	}
	return nil
}

// moveIns pairs each payment moved to a replacing invoice with the payment the move
// made on it: the first one of the same transfer on that invoice, booked on the day of
// the move, not before the moved one.
func moveIns(ps []*Payment) (map[int64]*Payment, map[int64]bool) {
	in := map[int64]*Payment{}
	used := map[int64]bool{}
	for _, p := range ps {
		if p.MovedTo == "" || strings.HasPrefix(p.MovedTo, "exception:") {
			continue
		}
		for _, q := range ps {
			if q.ID != p.ID && !used[q.ID] && q.Invoice == p.MovedTo && q.RunDate == p.MovedOn && !q.Created.Before(p.Created) {
				in[p.ID], used[q.ID] = q, true
				break
			}
		}
	}
	return in, used
}

// bookedEntry returns the entry a payment is booked in: the credit when the night
// applied it the night the transfer arrived (on the 勘定日, or on the invoice's issue
// date when the money came before the invoice), else the day it was booked — by staff
// (resolve) or by a later night (application).
func (b *builder) bookedEntry(t *Transfer, p *Payment, inv *Invoice) *Entry {
	arrival := !p.Staff && p.RunDate == t.RunDate
	day := p.RunDate
	if arrival {
		day = t.ValueDate
	}
	if day.Before(inv.IssueDate) {
		day = inv.IssueDate
	}
	switch {
	case arrival && day == t.ValueDate:
		return b.entries[fmt.Sprintf("credit:%d", t.ID)]
	case p.Staff:
		return b.transferEntry(t, fmt.Sprintf("resolve:%d:%s", t.ID, day), day, KindResolve, "入金充当（担当者）")
	}
	return b.transferEntry(t, fmt.Sprintf("application:%d:%s", t.ID, day), day, KindApplication, "入金充当")
}

// moveEntry returns the entry of the money of transfer t moved off inv on day.
func (b *builder) moveEntry(t *Transfer, inv *Invoice, day calendar.Date) *Entry {
	if day.IsZero() {
		day = inv.VoidedOn
		if day.IsZero() {
			day = inv.LapsedOn
		}
	}
	return b.transferEntry(t, fmt.Sprintf("move:%d:%s", t.ID, inv.Number), day, KindMove, "請求書"+inv.Number+"の入金振替")
}

// reversalEntry returns the entry of the bank's reversal of t.
func (b *builder) reversalEntry(t *Transfer) *Entry {
	return b.transferEntry(t, fmt.Sprintf("reversal:%d", t.ID), t.ReversedOn, KindReversal, "振込取消")
}

// transferEntry returns an entry about transfer t, its memo naming the payer.
func (b *builder) transferEntry(t *Transfer, id string, day calendar.Date, kind Kind, what string) *Entry {
	memo := what
	if t.Payer != "" {
		memo += " " + t.Payer
	}
	return b.entry(id, day, kind, memo, "")
}

// apply books payment p on inv in e: its cash out of 仮受金 and its fee on the fee
// account, 売掛金 credited with both (as part, Collected splitting off Fees).
func apply(e *Entry, p *Payment, inv *Invoice, part Part, rate int) {
	post(e, Credit, p, inv, part, rate)
}

// takeBack books the opposite of apply: the payment comes off inv.
func takeBack(e *Entry, p *Payment, inv *Invoice, part Part, rate int) {
	post(e, Debit, p, inv, part, rate)
}

// post books payment p with 売掛金 on side.
func post(e *Entry, side Side, p *Payment, inv *Invoice, part Part, rate int) {
	cash := p.Amount - p.Fee
	e.add(Line{Side: -side, Account: Suspense, Amount: cash})
	e.add(Line{Side: -side, Account: Fee, Amount: p.Fee, Tax: taxIn(p.Fee, rate), Rate: rate, Customer: inv.CustomerNo})
	ar := Line{Side: side, Account: Receivable, Customer: inv.CustomerNo, Invoice: inv.Number}
	if part == Collected {
		ar.Amount, ar.Part = cash, Collected
		e.add(ar)
		ar.Amount, ar.Part = p.Fee, Fees
		e.add(ar)
		return
	}
	ar.Amount, ar.Part = p.Amount, part
	e.add(ar)
}

// hold books what hold h does with money of transfer t in an account other than
// 仮受金: it takes it in when the transfer arrived or when money moved off a void or
// lapsed invoice, and gives it back when staff booked the transfer or the bank reversed
// it; a refund pays it out of the hold's account either way.
func (b *builder) hold(t *Transfer, h *Hold) {
	acct := Suspense
	if a, ok := b.o.HoldAccounts[h.Kind]; ok {
		acct = a
	}
	if acct != Suspense {
		var in *Entry
		if h.MovedFrom == "" {
			in = b.entries[fmt.Sprintf("credit:%d", t.ID)]
		} else if inv, ok := b.invoices[h.MovedFrom]; ok {
			in = b.moveEntry(t, inv, h.OpenedOn)
		} else {
			in = b.transferEntry(t, fmt.Sprintf("move:%d:%s", t.ID, h.MovedFrom), h.OpenedOn, KindMove, "請求書"+h.MovedFrom+"の入金振替")
		}
		reclassify(in, Suspense, acct, h.Held)
		switch h.Release {
		case ReleaseResolved:
			e := b.transferEntry(t, fmt.Sprintf("resolve:%d:%s", t.ID, h.ReleasedOn), h.ReleasedOn, KindResolve, "入金充当（担当者）")
			reclassify(e, acct, Suspense, h.Held-h.Refund)
		case ReleaseReversed:
			if !t.ReversedOn.IsZero() {
				reclassify(b.reversalEntry(t), acct, Suspense, h.Held-h.Refund)
			}
		}
	}
	if h.Refund != 0 {
		e := b.transferEntry(t, "refund:"+h.Key, h.RefundedOn, KindRefund, "返金")
		e.add(Line{Side: Debit, Account: acct, Amount: h.Refund})
		e.add(Line{Side: Credit, Account: Bank, Amount: h.Refund, BankAccount: t.Account})
	}
}

// reclassify moves yen from one account to another within e.
func reclassify(e *Entry, from, to Account, yen int64) {
	e.add(Line{Side: Debit, Account: from, Amount: yen})
	e.add(Line{Side: Credit, Account: to, Amount: yen})
}
