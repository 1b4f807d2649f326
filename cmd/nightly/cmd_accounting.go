package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/npress/nightly/accounting"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/filemode"
	"github.com/npress/nightly/ledger"
	"github.com/npress/nightly/wording"
)

// The accountant's commands (issue 17): `export journal`, `aging`, `receivables`.

// journalUsage is the usage line of `nightly export journal`, which has flags of its own.
const journalUsage = "export journal --format yayoi|mf|freee|freee-journal --from YYYY-MM-DD --to YYYY-MM-DD [--kinds K,…] [--file F]"

// businessToday is the business date of today in Asia/Tokyo (NIGHTLY_TODAY, when set,
// already moved the app's clock: SPEC §10.0).
func (a *app) businessToday() (calendar.Date, error) { return calendar.InTokyo(a.now()), nil }

// firstWord returns the first argument that is neither a flag nor a flag's value (every
// flag of export takes a value).
func firstWord(args []string) string {
	for i := 0; i < len(args); i++ {
		switch s := args[i]; {
		case s == "--":
			if i+1 < len(args) {
				return args[i+1]
			}
			return ""
		case strings.HasPrefix(s, "-"):
			if !strings.Contains(s, "=") && s != "-h" && s != "--help" && s != "-help" {
				i++
			}
		default:
			return s
		}
	}
	return ""
}

// dateFlag reads a YYYY-MM-DD flag value; empty gives the zero date.
func dateFlag(name, v string) (calendar.Date, error) {
	if v == "" {
		return calendar.Date{}, nil
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		return d, fmt.Errorf("--%s: %w", name, err)
	}
	return d, nil
}

// cmdExportJournal is `nightly export journal`: the accountant's journal entries of a
// period in the import format of 弥生, マネーフォワード or freee.
func cmdExportJournal(ctx context.Context, a *app, args []string) int {
	c := command{name: "export", usage: journalUsage, summary: "journal entries for 弥生 (yayoi), マネーフォワード (mf), freee (freee: invoices as 取引; freee-journal: 仕訳) from the night's records"}
	fs, cf := newFlags(a, c)
	format := fs.String("format", "", "yayoi | mf | freee | freee-journal")
	from := fs.String("from", "", "first day of the entries (YYYY-MM-DD)")
	to := fs.String("to", "", "last day of the entries (YYYY-MM-DD, today at the latest)")
	kinds := fs.String("kinds", "", "only these kinds of entries, comma-separated (issue, credit, resolve, move, void, lapse, refund, reversal, application, recognition)")
	file := fs.String("file", "", "write to this file (default: standard output)")
	pos, code, ok := parseOrUsage(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 || pos[0] != "journal" || *format == "" {
		fs.Usage()
		return exitUsage
	}
	f, err := accounting.ParseFormat(*format)
	if err != nil {
		return a.usageError(fs, err)
	}
	o := ledger.JournalOptions{Format: f}
	if o.From, err = dateFlag("from", *from); err != nil {
		return a.usageError(fs, err)
	}
	if o.To, err = dateFlag("to", *to); err != nil {
		return a.usageError(fs, err)
	}
	for _, k := range splitList(*kinds) {
		kind, err := accounting.ParseKind(k)
		if err != nil {
			return a.usageError(fs, fmt.Errorf("--kinds: %w", err))
		}
		o.Kinds = append(o.Kinds, kind)
	}
	if o.Today, err = a.businessToday(); err != nil {
		return a.fail(err)
	}
	env, closeEnv, err := a.open(ctx, cf)
	if err != nil {
		return a.fail(err)
	}
	defer closeEnv()
	var buf bytes.Buffer
	res, err := ledger.ExportJournal(ctx, env, o, &buf)
	if err != nil {
		return a.fail(err)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(a.stderr, "nightly: 注意: %s\n", w)
	}
	if *file == "" {
		if _, err := a.stdout.Write(buf.Bytes()); err != nil {
			return a.fail(err)
		}
		return exitOK
	}
	if err := filemode.WriteAtomic(*file, buf.Bytes(), 0o644); err != nil {
		return a.fail(fmt.Errorf("export journal: %w", err))
	}
	fmt.Fprintf(a.stdout, "%s: %d entries, %d rows (%s, %s to %s)\n", *file, res.Entries, res.Rows, f, o.From, o.To)
	return exitOK
}

// usageError prints err and the usage of fs, and returns the usage exit code.
func (a *app) usageError(fs *flag.FlagSet, err error) int {
	fmt.Fprintf(a.stderr, "nightly: %v\n\n", err)
	fs.Usage()
	return exitUsage
}

// agingJSON is one line of `nightly aging --json`.
type agingJSON struct {
	Customer string `json:"customer"`
	Name     string `json:"name"`
	NotDue   int64  `json:"not_due"`
	D1to30   int64  `json:"d1_30"`
	D31to60  int64  `json:"d31_60"`
	D61to90  int64  `json:"d61_90"`
	D91Plus  int64  `json:"d91_plus"`
	Total    int64  `json:"total"`
}

func cmdAging(ctx context.Context, a *app, args []string) int {
	fs, cf := newFlags(a, findCommand("aging"))
	asOf := fs.String("as-of", "", "the day the aging is as of (YYYY-MM-DD; default today): payments and voids after it are not counted")
	asJSON := fs.Bool("json", false, "one JSON object per customer")
	format := fs.String("format", "", "with --file: csv (UTF-8 with BOM, for Excel) or xlsx")
	file := fs.String("file", "", "write the aging to this file (--format csv or xlsx)")
	pos, code, ok := parseOrUsage(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		fs.Usage()
		return exitUsage
	}
	if (*file == "") != (*format == "") {
		return a.usageError(fs, errors.New("--format and --file go together (--format csv|xlsx --file F)"))
	}
	if *format != "" && *format != "csv" && *format != "xlsx" {
		return a.usageError(fs, fmt.Errorf("--format %q: want csv or xlsx", *format))
	}
	today, err := a.businessToday()
	if err != nil {
		return a.fail(err)
	}
	day := today
	if *asOf != "" {
		if day, err = dateFlag("as-of", *asOf); err != nil {
			return a.usageError(fs, err)
		}
	}
	env, closeEnv, err := a.open(ctx, cf)
	if err != nil {
		return a.fail(err)
	}
	defer closeEnv()
	rows, err := ledger.Aging(ctx, env, day, today)
	if err != nil {
		return a.fail(err)
	}
	switch {
	case *file != "":
		var buf bytes.Buffer
		if err := ledger.WriteAging(&buf, rows, day, *format); err != nil {
			return a.fail(err)
		}
		if err := filemode.WriteAtomic(*file, buf.Bytes(), 0o644); err != nil {
			return a.fail(fmt.Errorf("aging: %w", err))
		}
		fmt.Fprintf(a.stdout, "%s: aging as of %s, %d customers\n", *file, day, len(rows))
	case *asJSON:
		enc := json.NewEncoder(a.stdout)
		enc.SetEscapeHTML(false)
		for _, r := range rows {
			enc.Encode(agingJSON{r.Customer, r.Name, r.NotDue, r.D1to30, r.D31to60, r.D61to90, r.D91Plus, r.Total})
		}
	default:
		printAging(a.stdout, rows, day)
	}
	return exitOK
}

func printAging(w io.Writer, rows []accounting.AgingRow, day calendar.Date) {
	fmt.Fprintf(w, "売掛金年齢表 %s 現在\n", day)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "お客様番号\tお客様名\t期日前\t1–30日\t31–60日\t61–90日\t91日以上\t合計\t")
	line := func(no, name string, r accounting.AgingRow) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", no, name, wording.Yen(r.NotDue), wording.Yen(r.D1to30), wording.Yen(r.D31to60),
			wording.Yen(r.D61to90), wording.Yen(r.D91Plus), wording.Yen(r.Total))
	}
	for _, r := range rows {
		line(r.Customer, r.Name, r)
	}
	line("合計", "", accounting.AgingTotal(rows))
	tw.Flush()
}

// balanceJSON is one line of `nightly receivables --json`.
type balanceJSON struct {
	Customer  string `json:"customer"`
	Name      string `json:"name"`
	Opening   int64  `json:"opening"`
	Invoiced  int64  `json:"invoiced"`
	Collected int64  `json:"collected"`
	Fees      int64  `json:"fees"`
	Other     int64  `json:"other"`
	Closing   int64  `json:"closing"`
}

func cmdReceivables(ctx context.Context, a *app, args []string) int {
	fs, cf := newFlags(a, findCommand("receivables"))
	month := fs.String("month", "", "the month (YYYY-MM)")
	asJSON := fs.Bool("json", false, "one JSON object per customer")
	pos, code, ok := parseOrUsage(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 0 || *month == "" {
		fs.Usage()
		return exitUsage
	}
	ym, err := contract.ParseYearMonth(*month)
	if err != nil {
		return a.usageError(fs, fmt.Errorf("--month: %w", err))
	}
	today, err := a.businessToday()
	if err != nil {
		return a.fail(err)
	}
	env, closeEnv, err := a.open(ctx, cf)
	if err != nil {
		return a.fail(err)
	}
	defer closeEnv()
	rows, err := ledger.Receivables(ctx, env, ym, today)
	if err != nil {
		return a.fail(err)
	}
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetEscapeHTML(false)
		for _, r := range rows {
			enc.Encode(balanceJSON{r.Customer, r.Name, r.Opening, r.Invoiced, r.Collected, r.Fees, r.Other, r.Closing})
		}
		return exitOK
	}
	w := bufio.NewWriter(a.stdout)
	fmt.Fprintf(w, "売掛金残高一覧表 %s（残高 = 前月残高 + 売上 − 回収 − 振込手数料 + その他）\n", ym.Japanese())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "お客様番号\tお客様名\t前月残高\t売上\t回収\t振込手数料\tその他\t残高\t")
	line := func(no, name string, r accounting.BalanceRow) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", no, name, wording.Yen(r.Opening), wording.Yen(r.Invoiced), wording.Yen(r.Collected),
			wording.Yen(r.Fees), wording.Yen(r.Other), wording.Yen(r.Closing))
	}
	for _, r := range rows {
		line(r.Customer, r.Name, r)
	}
	line("合計", "", accounting.BalanceTotal(rows))
	tw.Flush()
	if err := w.Flush(); err != nil {
		return a.fail(err)
	}
	return exitOK
}
