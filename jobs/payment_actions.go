package jobs

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// ResolvePayment is staff's answer to a bank exception (SPEC §6.7): it books transfer
// txnID (with fee, the bank fee the customer deducted, accepted as ours) against
// invoices in the order given, each up to what it still owes; it undoes what the night
// had booked from that transfer first. It learns the payer name as an alias of the
// invoices' customer and, with a fee, the customer's fee (§6.6 rules 2 and 3), closes
// the transfer's exception, and records who and why in the audit trail. A paid new or
// addition invoice gets its provisioning task, counted from today (§4.1). The command
// line and the web call this one function.
func ResolvePayment(ctx context.Context, env *Env, txnID int64, invoices []string, fee int64, why string) error {
	if strings.TrimSpace(why) == "" {
		return fmt.Errorf("振込 %d の充当: 理由を書いてください（--why）", txnID)
	}
	if len(invoices) == 0 {
		return fmt.Errorf("振込 %d の充当: 請求書番号を指定してください（--invoice N[,N…]）", txnID)
	}
	if fee < 0 {
		return fmt.Errorf("振込 %d の充当: 振込手数料 %d が負の値です", txnID, fee)
	}
	now := env.Now()
	today := calendar.InTokyo(now)
	return env.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		t, err := store.GetBankTxn(ctx, tx, txnID)
		if store.IsNoRows(err) {
			return fmt.Errorf("振込 %d はありません", txnID)
		}
		if err != nil {
			return err
		}
		if t.Kind != bankfeed.Credit || t.Cancelled || t.Status == store.TxnReversed || t.Status == store.TxnReversal || t.Status == store.TxnIgnored {
			return fmt.Errorf("振込 %d は充当できる入金ではありません（%s、状態 %s）", txnID, t.Kind, t.Status)
		}
		customer, err := resolvableCustomer(ctx, tx, txnID, invoices)
		if err != nil {
			return err
		}
		// Take back what the night (or staff before) booked from this transfer; the
		// invoices' open amounts are then read again.
		b := staffBooks(env, tx, today)
		before, err := b.unbook(ctx, txnID, why)
		if err != nil {
			return err
		}
		applied, err := resolvedSplit(ctx, tx, t, invoices, fee)
		if err != nil {
			return err
		}
		for i, a := range applied {
			p := payment{Invoice: a.Invoice, Amount: a.Amount, RuleName: "staff"}
			if i == 0 {
				p.Fee = fee
			}
			if _, err := b.apply(ctx, t, p); err != nil {
				return err
			}
		}
		if err := store.SetTxnStatus(ctx, tx, txnID, store.TxnMatched); err != nil {
			return err
		}
		if err := learnResolved(ctx, tx, env, t, customer, fee); err != nil {
			return err
		}
		return store.Audit(ctx, tx, store.AuditEntry{At: now.UTC(), Who: env.Who, Action: "payment_resolved",
			Subject: fmt.Sprintf("bank_txn:%d", txnID), Field: "invoices", FromValue: paymentList(before), ToValue: strings.Join(invoices, ","),
			Why: fmt.Sprintf("%s (fee %d, payer %s → customer %s)", why, fee, t.Payer, customer)})
	})
}

// resolvableCustomer checks that staff's invoices exist, can take money (not void, not
// lapsed) and belong to one customer, whom it returns.
func resolvableCustomer(ctx context.Context, tx sqlx.ExtContext, txnID int64, invoices []string) (string, error) {
	customer := ""
	for _, no := range invoices {
		inv, err := store.GetInvoice(ctx, tx, no)
		if store.IsNoRows(err) {
			return "", fmt.Errorf("振込 %d の充当: 請求書 %s はありません", txnID, no)
		}
		if err != nil {
			return "", err
		}
		switch inv.Status {
		case store.InvoiceVoid:
			return "", fmt.Errorf("振込 %d の充当: 請求書 %s は取り消されています。差し替えの請求書を指定してください", txnID, no)
		case store.InvoiceLapsed:
			return "", fmt.Errorf("振込 %d の充当: 請求書 %s は契約の停止で失効しています。振込を返金してください", txnID, no)
		}
		if customer != "" && inv.CustomerNo != customer {
			return "", fmt.Errorf("振込 %d の充当: 請求書 %s と %s はお客様が違います（%s、%s）", txnID, invoices[0], no, customer, inv.CustomerNo)
		}
		customer = inv.CustomerNo
	}
	return customer, nil
}

// resolvedSplit divides what transfer t can still book (its amount less what was
// refunded, plus the fee staff accept) over the invoices in order; more than they owe
// is refused, since staff named the invoices.
func resolvedSplit(ctx context.Context, tx sqlx.ExtContext, t store.BankTxn, invoices []string, fee int64) ([]bankfeed.Applied, error) {
	opens := make([]bankfeed.OpenInvoice, len(invoices))
	var open int64
	for i, no := range invoices {
		inv, err := store.GetInvoice(ctx, tx, no)
		if err != nil {
			return nil, err
		}
		opens[i] = bankfeed.OpenInvoice{Number: no, CustomerNo: inv.CustomerNo, Open: inv.Total - inv.Paid, Total: inv.Total}
		open += max(inv.Total-inv.Paid, 0)
	}
	refunded, err := store.RefundedOfTxn(ctx, tx, t.ID)
	if err != nil {
		return nil, err
	}
	if refunded >= t.Amount {
		return nil, fmt.Errorf("振込 %d の %s は返金済みで、充当できるものは残っていません", t.ID, wording.Yen(t.Amount))
	}
	bookable := t.Amount - refunded + fee // what was refunded has left and is not booked again (SPEC §4.8)
	applied, excess := bankfeed.Split(bookable, opens)
	if excess > 0 {
		return nil, fmt.Errorf("振込 %d の充当: %s（手数料 %s を含み、返金済み %s を除く）が請求書 %s の未入金 %s を超えています。請求書を追加するか、振込を返金してください",
			t.ID, wording.Yen(bookable), wording.Yen(fee), wording.Yen(refunded), strings.Join(invoices, ","), wording.Yen(open))
	}
	return applied, nil
}

// learnResolved learns what staff's answer teaches (SPEC §6.6 rules 2 and 3): the
// payer name as an alias of the customer and, with a fee, the customer's fee.
func learnResolved(ctx context.Context, tx sqlx.ExtContext, env *Env, t store.BankTxn, customer string, fee int64) error {
	now := env.Now()
	if t.PayerNormalized != "" {
		if err := store.PutPayerAlias(ctx, tx, store.PayerAlias{Name: t.PayerNormalized, CustomerNo: customer, LearnedBy: env.Who, LearnedAt: now}); err != nil {
			return err
		}
	}
	if fee > 0 {
		return store.PutLearnedFee(ctx, tx, customer, fee, env.Who, now)
	}
	return nil
}

// paymentList is the audit trail's form of the payments a transfer had: INVOICE:YEN,….
func paymentList(ps []store.Payment) string {
	var s []string
	for _, p := range ps {
		if !p.Reversed {
			s = append(s, fmt.Sprintf("%s:%d", p.InvoiceNumber, p.Amount))
		}
	}
	return strings.Join(s, ",")
}
