package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// parsedRecord is one line of `nightly bankfeed parse`.
type parsedRecord struct {
	Account         string        `json:"account"`
	RefNo           string        `json:"ref_no"`
	ValueDate       string        `json:"value_date"`
	Amount          int64         `json:"amount"`
	Payer           string        `json:"payer"`
	PayerNormalized string        `json:"payer_normalized"`
	EDI             string        `json:"edi"`
	Cancelled       bool          `json:"cancelled"`
	Kind            bankfeed.Kind `json:"kind"`
}

func cmdBankfeed(ctx context.Context, a *app, args []string) int {
	fs, _ := newFlags(a, findCommand("bankfeed"))
	format := fs.String("format", "auto", "auto, zengin, or csv:PROFILE (built-in: standard)")
	era := fs.String("era", "auto", "YYMMDD dates: auto (the reading nearer today), wareki (令和/平成) or seireki")
	pos, code, ok := parseOrUsage(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 2 || pos[0] != "parse" {
		fs.Usage()
		return exitUsage
	}
	data, err := os.ReadFile(pos[1])
	if err != nil {
		return a.fail(err)
	}
	st, err := bankfeed.Parse(pos[1], data, bankfeed.ParseOptions{Format: *format, Era: *era, RunDate: calendar.InTokyo(a.now())})
	if err != nil {
		return a.fail(err)
	}
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	for _, t := range st.Txns {
		if err := enc.Encode(parsedRecord{Account: t.Account, RefNo: t.RefNo, ValueDate: t.ValueDate.String(), Amount: t.Amount, Payer: t.Payer,
			PayerNormalized: t.PayerNormalized, EDI: t.EDI, Cancelled: t.Cancelled, Kind: t.Kind}); err != nil {
			return a.fail(err)
		}
	}
	return exitOK
}

func cmdPayments(ctx context.Context, a *app, args []string) int {
	fs, cf := newFlags(a, findCommand("payments"))
	asJSON := fs.Bool("json", false, "list, unmatched: one JSON object per line")
	invoices := fs.String("invoice", "", "resolve: the invoice number(s) to book the transfer against, comma-separated, in order")
	fee := fs.Int64("fee", 0, "resolve: the bank fee (yen) the customer deducted, accepted and learned for the customer")
	why := fs.String("why", "", "resolve: why, kept in the audit trail")
	return a.withSubcommand(ctx, fs, cf, args, func(env *jobs.Env, pos []string) int {
		enc := json.NewEncoder(a.stdout)
		enc.SetEscapeHTML(false)
		switch {
		case pos[0] == "list" && len(pos) == 1:
			ps, err := store.PaymentRows(ctx, env.DB, calendar.Date{})
			if err != nil {
				return a.fail(err)
			}
			for _, p := range ps {
				if *asJSON {
					enc.Encode(map[string]any{"txn": p.TxnID, "value_date": p.ValueDate.String(), "account": p.Account, "payer": p.Payer,
						"txn_amount": p.TxnAmount, "invoice": p.InvoiceNumber, "customer": p.CustomerNo, "amount": p.Amount, "fee": p.Fee,
						"rule": p.Rule, "rule_name": p.RuleName, "review": p.Review, "reversed": p.Reversed, "run_date": p.RunDate.String(), "by": p.CreatedBy})
					continue
				}
				mark := ""
				if p.Reversed {
					mark = "  (取消済み)"
				}
				fmt.Fprintf(a.stdout, "%d  %s  %-20s %12s → %s %s  手数料 %s  規則 %d %s%s\n", p.TxnID, p.ValueDate, p.Payer, wording.Yen(p.TxnAmount),
					p.InvoiceNumber, wording.Yen(p.Amount), wording.Yen(p.Fee), p.Rule, p.RuleName, mark)
			}
			return exitOK
		case pos[0] == "unmatched" && len(pos) == 1:
			ts, err := store.TxnsWithStatus(ctx, env.DB, store.TxnException)
			if err != nil {
				return a.fail(err)
			}
			for _, t := range ts {
				x, err := store.GetException(ctx, env.DB, wording.TxnExceptionKey(t.ID))
				if err != nil && !store.IsNoRows(err) {
					return a.fail(err)
				}
				if x.Status == "closed" {
					continue
				}
				x.Suggestions = suggestionsOrNone(x.Suggestions)
				if *asJSON {
					enc.Encode(map[string]any{"txn": t.ID, "value_date": t.ValueDate.String(), "account": t.Account, "ref_no": t.RefNo,
						"amount": t.Amount, "payer": t.Payer, "payer_normalized": t.PayerNormalized, "edi": t.EDI, "exception": x.Kind,
						"message": x.Message, "action": x.Action, "suggestions": x.Suggestions})
					continue
				}
				fmt.Fprintf(a.stdout, "%d  %s  %s  %s  [%s]\n  %s\n", t.ID, t.ValueDate, t.Payer, wording.Yen(t.Amount), wording.ExceptionKinds.Name(x.Kind), x.Message)
				for _, s := range x.Suggestions {
					fmt.Fprintf(a.stdout, "  候補: %v  %s  %s  %s\n", s.Invoices, s.CustomerNo, wording.Yen(s.Amount), s.Reason)
				}
				fmt.Fprintf(a.stdout, "  → %s\n", x.Action)
			}
			return exitOK
		case pos[0] == "resolve" && len(pos) == 2:
			id, err := strconv.ParseInt(pos[1], 10, 64)
			if err != nil {
				fmt.Fprintf(a.stderr, "nightly payments resolve: TXN %q is not a transfer number (see `nightly payments unmatched`)\n", pos[1])
				return exitUsage
			}
			if err := jobs.ResolvePayment(ctx, env, id, splitList(*invoices), *fee, *why); err != nil {
				return a.fail(err)
			}
			fmt.Fprintf(a.stdout, "transfer %d: booked to %s\n", id, *invoices)
			return exitOK
		}
		fs.Usage()
		return exitUsage
	})
}
