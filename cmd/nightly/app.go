package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/config"
	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/filemode"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/ledger"
	"github.com/npress/nightly/store"
)

// Exit codes (SPEC §10.1).
const (
	exitOK         = 0
	exitFailure    = 1
	exitUsage      = 2
	exitLockHeld   = 3
	exitExceptions = 4 // default for exceptions_exit_code when configured as -1
)

// app is one invocation: its streams, environment and the clock.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
	today          calendar.Date // NIGHTLY_TODAY, zero for the real clock
}

// command is a subcommand: its name, one line of help, and what it runs.
type command struct {
	name, usage, summary string
	run                  func(ctx context.Context, a *app, args []string) int
}

var commands []command

func init() {
	commands = []command{
		{"run", "run [--date YYYY-MM-DD] [--dry-run] [--only STEP,…] [--json]", "run the night (or rerun a date)", cmdRun},
		{"serve", "serve [--schedule CRON] [--http ADDR]", "run the night every day on a schedule (Asia/Tokyo)", cmdServe},
		{"demo", "demo [--out DIR] [--serve [--http ADDR]]", "create a demo reseller in DIR, run one night and show the report", cmdDemo},
		{"status", "status [--n N] [--json]", "list recent runs", cmdStatus},
		{"check", "check [--json]", "check that every yen received is applied, held for staff or refunded (SPEC §4.8)", cmdCheck},
		{"migrate", "migrate", "bring the database schema up to date", cmdMigrate},
		{"calendar", "calendar [YEAR] [--json]", "list a year's public holidays and bank closures", cmdCalendar},
		{"config", "config show", "print the effective configuration, secrets hidden", cmdConfig},
		{"contracts", "contracts list [--date D] [--json] | show NUMBER | hold NUMBER --until DATE --why TEXT", "look at contracts, hold a suspension", cmdContracts},
		{"evidence", "evidence verify [--head HASH] | search [--from D] [--to D] [--amount-min N] [--amount-max N] [--counterparty TEXT]", "prove the evidence ledger is intact, find records", cmdEvidence},
		{"import", "import customers|plans|contracts|orders FILE [--sheet NAME] [--apply] [--json]", "import master data from CSV or .xlsx, validated whole", cmdImport},
		{"export", "export customers|plans|contracts|orders|invoices|payments [--format csv|xlsx] [--encoding sjis|utf8] [--file OUT] | " + journalUsage, "export master data (the columns import reads) and, for the accountant, invoices, payments and journal entries (`export journal --help`)", cmdExport},
		{"aging", "aging [--as-of YYYY-MM-DD] [--json] [--format csv|xlsx --file F]", "receivables aging (売掛金年齢表) per customer as of a day", cmdAging},
		{"receivables", "receivables --month YYYY-MM [--json]", "monthly receivables balance (売掛金残高一覧表) per customer", cmdReceivables},
		{"tasks", "tasks list [--json] | done ID", "provisioning tasks: list them, mark one done", cmdTasks},
		{"exceptions", "exceptions list [--json] | close ID --why TEXT [--refund YEN --on DATE]", "exceptions for staff: list them, close one with what was done (a refund of the money it holds)", cmdExceptions},
		{"invoices", "invoices list [--date D] [--json] | show NUMBER [--json] | render NUMBER --file FILE | void NUMBER --why TEXT [--reissue] | posted NUMBER…|--bundle DATE | preview --contract NUMBER --file FILE", "issued invoices: list, show, reprint the stored PDF, void, mark posted, preview a renewal", cmdInvoices},
		{"mail", "mail parse FILE.eml", "read one e-mail as the intake would: one JSON object per request (no database)", cmdMail},
		{"requests", "requests list [--status S] [--json] | decide ID accept|reject --why TEXT", "reduction and cancellation requests: list them, accept or reject one", cmdRequests},
		{"users", "users add NAME --role viewer|finance|admin [--password-file F] | list", "people who may log in to the web UI (nightly serve --http)", cmdUsers},
		{"bankfeed", "bankfeed parse FILE [--format auto|zengin|csv:PROFILE] [--era auto|wareki|seireki]", "read a bank file and print its records as JSON (no database needed)", cmdBankfeed},
		{"payments", "payments list [--json] | unmatched [--json] | resolve TXN --invoice N[,N…] [--fee YEN] --why TEXT", "payments from the bank: list them, the transfers left for staff, book one by hand", cmdPayments},
		{"gen", "gen --contracts N --date D --out DIR [--seed S] [--peak] [--db DSN]", "generate a realistic reseller of N contracts and the inputs of night D (for scale tests)", cmdGen},
		{"bench", "bench [--contracts N] [--date D] [--peak] [--json] [--db DSN] [--out DIR]", "generate N contracts, run their night step by step and again, and print time, rows and memory per step", cmdBench},
	}
}

// run is the real entry point: arguments, streams and environment in, exit code out, so
// that commands are tested in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, now: time.Now}
	if v := getenv("NIGHTLY_TODAY"); v != "" { // every command's clock (SPEC §10.0)
		today, err := calendar.ParseToday(v)
		if err != nil {
			fmt.Fprintf(stderr, "nightly: %v\n", err)
			return exitUsage
		}
		a.now, a.today = calendar.SimulatedClock(time.Now, today), today
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		a.usage(stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, a, args[1:])
		}
	}
	fmt.Fprintf(stderr, "nightly: unknown command %q\n\n", args[0])
	a.usage(stderr)
	return exitUsage
}

func (a *app) usage(w io.Writer) {
	fmt.Fprintln(w, "nightly — nPress back-office night: bank feed, mail intake, orders, lifecycle, invoicing, report")
	fmt.Fprintln(w, "\nUsage: nightly COMMAND [flags]   (flags may come before or after arguments)")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command takes --config FILE, --db DSN (or NIGHTLY_DB), --out DIR, --inbox DIR.")
	fmt.Fprintln(w, "`nightly COMMAND --help` shows the flags of a command.")
}

// common are the flags every command takes (SPEC §10.3: flags over file over defaults).
type common struct {
	config, db, out, inbox, evidence, templates string
}

func newFlags(a *app, c command) (*flag.FlagSet, *common) {
	fs := flag.NewFlagSet("nightly "+c.name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	cf := &common{}
	fs.StringVar(&cf.config, "config", "", "configuration file (TOML); none: documented defaults")
	fs.StringVar(&cf.db, "db", "", "database: sqlite:PATH or mysql://USER@tcp(HOST:PORT)/NAME (a DSN with a password: NIGHTLY_DB)")
	fs.StringVar(&cf.out, "out", "", "output folder (reports, PDFs, nightly.prom)")
	fs.StringVar(&cf.inbox, "inbox", "", "inbox folder with bank/, mail/, orders/ (default OUT/inbox)")
	fs.StringVar(&cf.evidence, "evidence", "", "evidence folder (default beside the SQLite file, else OUT/evidence)")
	fs.StringVar(&cf.templates, "templates", "", "folder of edited template copies that override the defaults")
	fs.Usage = func() {
		fmt.Fprintf(a.stderr, "Usage: nightly %s\n\n%s\n\n", c.usage, c.summary)
		if b := webButtons[c.name]; b != "" {
			fmt.Fprintf(a.stderr, "In the web UI: %s.\n\n", b)
		}
		fmt.Fprintln(a.stderr, "Flags:")
		fs.PrintDefaults()
	}
	return fs, cf
}

// parse reads flags that may come before or after positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// parseOrUsage parses args; on error it returns the exit code to use.
func parseOrUsage(fs *flag.FlagSet, args []string) ([]string, int, bool) {
	pos, err := parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil, exitOK, false
	}
	if err != nil {
		return nil, exitUsage, false
	}
	return pos, 0, true
}

// loadConfig builds the configuration from defaults, file, environment and flags.
func (a *app) loadConfig(cf *common) (config.Config, error) {
	c, err := config.Load(cf.config)
	if err != nil {
		return c, err
	}
	c.FromEnv(a.getenv)
	if cf.db != "" {
		c.DB = cf.db
	}
	if cf.out != "" {
		c.OutDir = cf.out
	}
	if cf.inbox != "" {
		c.InboxDir = cf.inbox
	}
	if cf.evidence != "" {
		c.EvidenceDir = cf.evidence
	}
	if cf.templates != "" {
		c.TemplatesDir = cf.templates
	}
	if c.DB == "" {
		c.DB = "sqlite:" + c.OutDir + "/nightly.db"
	}
	c.Resolve()
	return c, c.Validate()
}

// openEnv opens the database and everything a step needs. checkSchema refuses a
// database whose schema is behind (SPEC §10.2).
func (a *app) openEnv(ctx context.Context, c config.Config, checkSchema bool) (*jobs.Env, func(), error) {
	db, err := store.Open(ctx, c.DB)
	if err != nil {
		return nil, nil, err
	}
	if checkSchema {
		if err := db.CheckSchema(ctx); err != nil {
			db.Close()
			return nil, nil, err
		}
	}
	modes, err := c.FileModes()
	if err == nil {
		err = privateDatabase(db, modes)
	}
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	ev, err := evidence.OpenWith(c.EvidenceDir, modes)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("evidence folder %s: %w", c.EvidenceDir, err)
	}
	env := &jobs.Env{
		DB:       db,
		Config:   c,
		Calendar: calendar.NewCalendar(c.CalendarOptions()),
		Evidence: ev,
		Log:      slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Now:      a.now,
		Who:      a.who(),
		Files:    modes,

		SimulatedToday: a.today,
		// The morning report's aging: ledger builds on jobs, so it is wired here.
		ReceivablesAging: ledger.ReportAging,
	}
	db.OnRetry = func(attempt int, err error) {
		env.Log.Warn("transaction run again after a conflict or a lost connection", "attempt", attempt, "error", err.Error())
	}
	return env, func() { db.Close() }, nil
}

// privateDatabase gives an SQLite database and the files SQLite keeps beside it the
// configured file mode and group (0600, or 0640 for file_group); a database created by an
// older nightly under umask 022 was readable by everyone. A file of another owner (a
// person reading the database through its group) is left as it is. MySQL keeps its own
// files.
func privateDatabase(db *store.DB, modes filemode.Policy) error {
	if db.Path == "" {
		return nil
	}
	for _, p := range []string{db.Path, db.Path + "-wal", db.Path + "-shm", db.Path + ".runlock"} {
		if err := modes.SetIfExists(p, modes.File()); err != nil && !errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("database file %s: %w", p, err)
		}
	}
	return nil
}

func (a *app) who() string {
	for _, k := range []string{"NIGHTLY_USER", "SUDO_USER", "USER", "LOGNAME"} {
		if v := a.getenv(k); v != "" {
			return v
		}
	}
	return "unknown"
}

// fail prints err for a person and returns the exit code that fits it.
func (a *app) fail(err error) int {
	fmt.Fprintf(a.stderr, "nightly: %v\n", err)
	switch {
	case errors.Is(err, store.ErrLockHeld):
		fmt.Fprintln(a.stderr, "nightly: another run is going on this database (on this server or another one of the cluster); wait for it to finish (see `nightly status`).")
		return exitLockHeld
	case errors.Is(err, store.ErrSchemaBehind):
		return exitFailure
	}
	return exitFailure
}

func sortedNames(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// open loads the configuration and opens the database (whose schema must be current)
// and everything a command needs; close releases them.
func (a *app) open(ctx context.Context, cf *common) (env *jobs.Env, close func(), err error) {
	c, err := a.loadConfig(cf)
	if err != nil {
		return nil, nil, err
	}
	return a.openEnv(ctx, c, true)
}

// migrateNew opens the database at dsn, brings its schema up to date and closes it:
// for commands that create their own database (demo, gen).
func migrateNew(ctx context.Context, dsn string) error {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Migrate(ctx)
	return err
}

// withSubcommand parses args, requires a subcommand word (list, show, …), opens the
// database and calls run with the words; it returns run's exit code, or the code of
// what went wrong before.
func (a *app) withSubcommand(ctx context.Context, fs *flag.FlagSet, cf *common, args []string, run func(env *jobs.Env, pos []string) int) int {
	pos, code, ok := parseOrUsage(fs, args)
	if !ok {
		return code
	}
	if len(pos) == 0 {
		fs.Usage()
		return exitUsage
	}
	env, closeEnv, err := a.open(ctx, cf)
	if err != nil {
		return a.fail(err)
	}
	defer closeEnv()
	return run(env, pos)
}

// openEmpty opens (creating and migrating it if needed) the database of a command that
// fills its own: --db, NIGHTLY_DB, or OUT/nightly.db. It refuses a database that already
// holds contracts.
func (a *app) openEmpty(ctx context.Context, cf *common, who string) (*jobs.Env, func(), error) {
	if cf.db == "" && a.getenv("NIGHTLY_DB") == "" {
		cf.db = "sqlite:" + filepath.Join(cf.out, "nightly.db")
	}
	c, err := a.loadConfig(cf)
	if err != nil {
		return nil, nil, err
	}
	if err := migrateNew(ctx, c.DB); err != nil {
		return nil, nil, err
	}
	env, closeEnv, err := a.openEnv(ctx, c, true)
	if err != nil {
		return nil, nil, err
	}
	if page, err := store.ContractPage(ctx, env.DB, "", 1); err != nil || len(page) > 0 {
		closeEnv()
		if err == nil {
			err = fmt.Errorf("%s already holds contracts: %s needs an empty database", store.Redact(c.DB), who)
		}
		return nil, nil, err
	}
	return env, closeEnv, nil
}
