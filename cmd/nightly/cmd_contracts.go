package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

func cmdContracts(ctx context.Context, a *app, args []string) int {
	fs, cf := newFlags(a, findCommand("contracts"))
	asJSON := fs.Bool("json", false, "list: one JSON object per contract")
	onDate := fs.String("date", "", "list: the seats in effect on this date (default: the latest run date in the run ledger)")
	until := fs.String("until", "", "hold: hold the suspension until this date (YYYY-MM-DD)")
	why := fs.String("why", "", "hold: the reason, kept in the audit trail")
	return a.withSubcommand(ctx, fs, cf, args, func(env *jobs.Env, pos []string) int {
		switch {
		case pos[0] == "list" && len(pos) == 1:
			day, err := seatsDate(ctx, env, *onDate)
			if err != nil {
				return a.fail(err)
			}
			return a.listContracts(ctx, env, day, *asJSON)
		case pos[0] == "show" && len(pos) == 2:
			return a.showContract(ctx, env, pos[1])
		case pos[0] == "hold" && len(pos) == 2:
			d, err := calendar.ParseDate(*until)
			if err != nil {
				return a.fail(fmt.Errorf("--until: %w", err))
			}
			if err := jobs.HoldContract(ctx, env, pos[1], d, *why); err != nil {
				return a.fail(err)
			}
			fmt.Fprintf(a.stdout, "%s: suspension held until %s (%s)\n", pos[1], d, *why)
			return exitOK
		}
		fs.Usage()
		return exitUsage
	})
}

// seatsDate is the day whose seats `contracts list` shows: --date, else the latest run
// date in the run ledger (never the wall clock, never a dry run's date).
func seatsDate(ctx context.Context, env *jobs.Env, flag string) (calendar.Date, error) {
	if flag != "" {
		d, err := calendar.ParseDate(flag)
		if err != nil {
			return d, fmt.Errorf("--date: %w", err)
		}
		return d, nil
	}
	return store.LatestRunDate(ctx, env.DB)
}

// contractJSON is the line format of `contracts list --json`.
type contractJSON struct {
	Contract  string `json:"contract"`
	Customer  string `json:"customer"`
	Plan      string `json:"plan"`
	Seats     int    `json:"seats"`      // in effect on seats_on (SPEC §4.2)
	TermSeats int    `json:"term_seats"` // what the term started with
	SeatsOn   string `json:"seats_on"`
	UnitPrice int64  `json:"unit_price"`
	TermStart string `json:"term_start"`
	TermEnd   string `json:"term_end"`
	Status    string `json:"status"`
	AutoRenew bool   `json:"auto_renew"`
}

// listContracts prints every contract with the seats in effect on day (the term's
// seats when day is zero: no night has run yet).
func (a *app) listContracts(ctx context.Context, env *jobs.Env, day calendar.Date, asJSON bool) int {
	after := ""
	for {
		page, err := store.ContractPage(ctx, env.DB, after, 1000)
		if err != nil {
			return a.fail(err)
		}
		seats, err := store.SeatsInEffect(ctx, env.DB, page, day)
		if err != nil {
			return a.fail(err)
		}
		for _, c := range page {
			if asJSON {
				b, _ := json.Marshal(contractJSON{c.No, c.CustomerNo, c.PlanCode, seats[c.No], c.Seats, day.String(), c.UnitPrice,
					c.TermStart.String(), c.TermEnd.String(), c.Status, c.AutoRenew})
				fmt.Fprintln(a.stdout, string(b))
				continue
			}
			fmt.Fprintf(a.stdout, "%s  %s  %-24s %4d席 %10s  %s〜%s  %s\n", c.No, c.CustomerNo, c.PlanCode, seats[c.No],
				wording.Yen(c.UnitPrice), c.TermStart, c.TermEnd, c.Status)
		}
		if len(page) < 1000 {
			return exitOK
		}
		after = page[len(page)-1].No
	}
}

func (a *app) showContract(ctx context.Context, env *jobs.Env, no string) int {
	c, err := store.GetContract(ctx, env.DB, no)
	if store.IsNoRows(err) {
		return a.fail(fmt.Errorf("contract %s: no such contract", no))
	}
	if err != nil {
		return a.fail(err)
	}
	cu, _ := store.GetCustomer(ctx, env.DB, c.CustomerNo)
	w := a.stdout
	fmt.Fprintf(w, "契約番号     %s\nお客様       %s %s\nプラン       %s\n数量         %d\n単価(年額)   %s\n期間         %s 〜 %s\n状態         %s\n自動更新     %v\n",
		c.No, c.CustomerNo, cu.Name, c.PlanCode, c.Seats, wording.Yen(c.UnitPrice), c.TermStart, c.TermEnd, c.Status, c.AutoRenew)
	if c.NextSeats.Valid {
		fmt.Fprintf(w, "次期数量     %d\n", c.NextSeats.Int64)
	}
	if c.CancelAtTermEnd {
		fmt.Fprintln(w, "解約         期間終了で解約")
	}
	if !c.HoldUntil.IsZero() {
		fmt.Fprintf(w, "停止保留     %s まで（%s）\n", c.HoldUntil, c.HoldReason)
	}
	invs, err := store.ListInvoices(ctx, env.DB, store.InvoiceFilter{ContractNo: no})
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprintln(w, "\n請求書:")
	for _, i := range invs {
		fmt.Fprintf(w, "  %s %-8s 発行 %s 期限 %s %12s 入金 %12s %s\n", i.Number, i.Kind, i.IssueDate, i.DueDate, wording.Yen(i.Total), wording.Yen(i.Paid), i.Status)
	}
	hist, err := store.AuditOf(ctx, env.DB, no)
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprintln(w, "\n履歴:")
	for _, h := range hist {
		fmt.Fprintf(w, "  %s %-10s %-12s %s: %s → %s  %s\n", h.At.In(calendar.Tokyo).Format("2006-01-02 15:04"), h.Who, h.Action, h.Field, h.FromValue, h.ToValue, h.Why)
	}
	return exitOK
}

func cmdEvidence(ctx context.Context, a *app, args []string) int {
	fs, cf := newFlags(a, findCommand("evidence"))
	head := fs.String("head", "", "verify: the COUNT:HASH printed in a morning report; fails if rows after it were cut")
	from := fs.String("from", "", "search: first business date (YYYY-MM-DD)")
	to := fs.String("to", "", "search: last business date (YYYY-MM-DD)")
	amin := fs.String("amount-min", "", "search: smallest amount in yen")
	amax := fs.String("amount-max", "", "search: largest amount in yen")
	party := fs.String("counterparty", "", "search: part of the counterparty's name")
	pos, code, ok := parseOrUsage(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fs.Usage()
		return exitUsage
	}
	env, closeEnv, err := a.open(ctx, cf)
	if err != nil {
		return a.fail(err)
	}
	defer closeEnv()
	switch pos[0] {
	case "verify":
		sum, err := jobs.VerifyEvidence(ctx, env, *head)
		if err != nil {
			return a.fail(fmt.Errorf("evidence verify: %w", err))
		}
		fmt.Fprintf(a.stdout, "evidence ledger intact: %d items, head %s\n", sum.Count, sum.String())
		return exitOK
	case "search":
		var q store.EvidenceQuery
		if q.From, err = optDate(*from, "--from"); err != nil {
			return a.fail(err)
		}
		if q.To, err = optDate(*to, "--to"); err != nil {
			return a.fail(err)
		}
		if q.AmountMin, err = optYen(*amin, "--amount-min"); err != nil {
			return a.fail(err)
		}
		if q.AmountMax, err = optYen(*amax, "--amount-max"); err != nil {
			return a.fail(err)
		}
		q.Counterparty = *party
		es, err := jobs.SearchEvidence(ctx, env, q)
		if err != nil {
			return a.fail(err)
		}
		for _, e := range es {
			fmt.Fprintln(a.stdout, evidenceLine(e, env.Evidence))
		}
		fmt.Fprintf(a.stderr, "%d items\n", len(es))
		return exitOK
	}
	fs.Usage()
	return exitUsage
}

func evidenceLine(e evidence.Entry, s *evidence.Store) string {
	amount := ""
	if e.HasAmount {
		amount = wording.Yen(e.Amount)
	}
	return fmt.Sprintf("#%d %s %-12s %-30s %12s %s %s", e.Seq, e.Date, e.Kind, e.Source, amount, e.Counterparty, s.Path(e.SHA256))
}

func optDate(s, flag string) (calendar.Date, error) {
	if s == "" {
		return calendar.Date{}, nil
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		return d, fmt.Errorf("%s: %w", flag, err)
	}
	return d, nil
}

func optYen(s, flag string) (*int64, error) {
	if s == "" {
		return nil, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%s %q: not a whole number of yen", flag, s)
	}
	return &v, nil
}
