package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/invoice"
	"github.com/npress/nightly/issuing"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/templates"
)

// ErrNoDocument is returned for an invoice or notice number that does not exist.
var ErrNoDocument = errors.New("その番号の請求書・通知はありません")

// VoidInvoice voids an issued invoice on staff's word, with why, recorded in the audit
// trail with who did it (SPEC §8.5). With reissue it only marks the invoice: the next
// night voids it and issues the corrected revision that replaces it (and, for one
// already posted, a notice of cancellation). Without reissue the invoice is void at
// once: the money applied to it is held for staff to refund (SPEC §4.7), and a posted
// one gets a notice of cancellation that the next night renders.
// The command line and the web call this one function.
func VoidInvoice(ctx context.Context, env *Env, number, why string, reissue bool) error {
	if why == "" {
		return fmt.Errorf("請求書 %s の取消: 理由を書いてください（--why）", number)
	}
	today := calendar.InTokyo(env.Now())
	return env.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		inv, err := store.GetInvoice(ctx, tx, number)
		if store.IsNoRows(err) {
			return fmt.Errorf("請求書 %s の取消: %w", number, ErrNoDocument)
		}
		if err != nil {
			return err
		}
		if inv.Status == store.InvoiceVoid {
			return fmt.Errorf("請求書 %s は取消済みです（%s）", number, inv.VoidedOn.Japanese())
		}
		if reissue {
			ok, err := store.MarkReissue(ctx, tx, number, why)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("請求書 %s は、次の夜間処理での再発行をすでに指示済みです", number)
			}
			return store.Audit(ctx, tx, store.AuditEntry{At: env.Now().UTC(), Who: env.Who, Action: "invoice_reissue_requested",
				Subject: number, Field: "reissue_needed", FromValue: "false", ToValue: "true", Why: why})
		}
		if _, err := store.VoidInvoice(ctx, tx, number, why, today); err != nil {
			return err
		}
		inv.Status = store.InvoiceVoid
		if _, _, err := staffBooks(env, tx, today).moveOff(ctx, inv, nil, "voided_paid", why); err != nil {
			return err
		}
		if inv.PostedAt.Valid {
			if _, err := store.AddNotice(ctx, tx, store.Notice{Number: number + "-C", Kind: "cancellation", InvoiceNumber: number,
				RunDate: today, CustomerNo: inv.CustomerNo}, env.Now()); err != nil {
				return err
			}
		}
		return store.Audit(ctx, tx, store.AuditEntry{At: env.Now().UTC(), Who: env.Who, Action: "invoice_voided",
			Subject: number, Field: "status", FromValue: inv.Status, ToValue: store.InvoiceVoid, Why: why})
	})
}

// MarkPosted records that staff posted the invoices and notices numbered (SPEC §8.4):
// they leave the morning's "print and post" list. A void invoice is refused (it must
// not be posted), as is an unknown number; nothing is marked then. It returns how many
// were newly marked (a document already marked is left as it was).
func MarkPosted(ctx context.Context, env *Env, numbers []string) (int, error) {
	if len(numbers) == 0 {
		return 0, errors.New("郵送済み: 書類の番号（または --bundle 日付）を指定してください")
	}
	marked := 0
	err := env.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		marked = 0
		for _, no := range numbers {
			ok, err := markOnePosted(ctx, env, tx, no)
			if err != nil {
				return err
			}
			if ok {
				marked++
			}
		}
		return nil
	})
	return marked, err
}

func markOnePosted(ctx context.Context, env *Env, tx *sqlx.Tx, no string) (bool, error) {
	inv, err := store.GetInvoice(ctx, tx, no)
	var ok bool
	switch {
	case err == nil:
		if inv.Status == store.InvoiceVoid {
			return false, fmt.Errorf("請求書 %s は取り消されているため郵送できません。差し替えは朝のレポートにあります", no)
		}
		ok, err = store.MarkInvoicePosted(ctx, tx, no, env.Now())
	case store.IsNoRows(err):
		if _, err = store.GetNotice(ctx, tx, no); store.IsNoRows(err) {
			return false, fmt.Errorf("郵送済み %s: %w", no, ErrNoDocument)
		} else if err != nil {
			return false, err
		}
		ok, err = store.MarkNoticePosted(ctx, tx, no, env.Now())
	}
	if err != nil || !ok {
		return false, err
	}
	return true, store.Audit(ctx, tx, store.AuditEntry{At: env.Now().UTC(), Who: env.Who, Action: "posted", Subject: no,
		Field: "posted_at", ToValue: env.Now().UTC().Format("2006-01-02T15:04:05Z")})
}

// BundleNumbers returns the numbers of the documents in the print bundle of day: every
// document with a stored PDF not yet marked posted, issued on or before day.
func BundleNumbers(ctx context.Context, env *Env, day calendar.Date) ([]string, error) {
	items, err := store.ToPrint(ctx, env.DB, day)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, it := range items {
		if it.HasPDF() {
			out = append(out, it.Number)
		}
	}
	return out, nil
}

// StoredPDF returns the stored PDF of an invoice or notice: the evidence copy, checked
// against its hash, byte for byte what the night wrote (SPEC §8.2).
func StoredPDF(ctx context.Context, env *Env, number string) ([]byte, error) {
	sha, ok, err := store.DocumentPDF(ctx, env.DB, number)
	if err != nil {
		return nil, err
	}
	if !ok {
		if _, gerr := store.GetInvoice(ctx, env.DB, number); gerr == nil {
			return nil, fmt.Errorf("%s: not rendered yet; the next night (or `nightly run --date` of its issue date) renders it", number)
		}
		if _, gerr := store.GetNotice(ctx, env.DB, number); gerr == nil {
			return nil, fmt.Errorf("%s: not rendered yet; the next night renders it", number)
		}
		return nil, fmt.Errorf("%s: %w", number, ErrNoDocument)
	}
	return env.Evidence.Get(sha)
}

// InvoiceWithLines returns an issued invoice and its lines, for `invoices show`.
func InvoiceWithLines(ctx context.Context, env *Env, number string) (store.Invoice, []store.InvoiceLine, error) {
	inv, err := store.GetInvoice(ctx, env.DB, number)
	if store.IsNoRows(err) {
		return inv, nil, fmt.Errorf("invoice %s: %w", number, ErrNoDocument)
	}
	if err != nil {
		return inv, nil, err
	}
	ls, err := store.InvoiceLines(ctx, env.DB, number)
	return inv, ls, err
}

// PreviewRenewal renders what the next renewal invoice of a contract will look like,
// marked as a preview, with the templates as they are now (not the cached renderer):
// the seats of the next term, the price list in force on its issue date (today when
// that has passed), no number. Nothing is stored.
func PreviewRenewal(ctx context.Context, env *Env, contractNo string) ([]byte, error) {
	c, err := store.GetContract(ctx, env.DB, contractNo)
	if store.IsNoRows(err) {
		return nil, fmt.Errorf("preview: contract %s does not exist", contractNo)
	}
	if err != nil {
		return nil, err
	}
	plan, err := store.GetPlan(ctx, env.DB, c.PlanCode)
	if err != nil {
		return nil, err
	}
	if plan.Kind != "subscription" || c.TermStart.IsZero() {
		return nil, fmt.Errorf("preview: contract %s has no renewal (a perpetual licence, or not yet activated)", contractNo)
	}
	cust, err := store.GetCustomer(ctx, env.DB, c.CustomerNo)
	if err != nil {
		return nil, err
	}
	today := calendar.InTokyo(env.Now())
	ns := contract.NextStart(c.TermStart)
	dates := contract.RenewalDates(env.Calendar, ns, today, env.Config.Invoice.RenewalLeadDays)
	price, err := store.PriceOn(ctx, env.DB, c.PlanCode, dates.IssueDate)
	if err != nil {
		return nil, fmt.Errorf("preview of %s: %w", contractNo, err)
	}
	seats := c.Seats
	if c.NextSeats.Valid {
		seats = int(c.NextSeats.Int64)
	}
	t, err := issuing.NewTerms(env.Config.Invoice.Rounding, env.Config.Invoice.TaxRate)
	if err != nil {
		return nil, err
	}
	c.CustomerNo = cust.No
	rc := store.RenewalCandidate{Contract: c, PlanName: plan.Name,
		Recipient: store.Recipient{CustomerName: cust.Name, PostalCode: cust.PostalCode, Address: cust.Address, Contact: cust.Contact}}
	_, inv, err := t.Renewal(rc, ns, dates, price, seats)
	if err != nil {
		return nil, fmt.Errorf("preview of %s: %w", contractNo, err)
	}
	r, err := invoice.NewRenderer(templates.Open(env.Config.TemplatesDir))
	if err != nil {
		return nil, fmt.Errorf("invoice templates: %w", err)
	}
	return r.Preview(inv)
}
