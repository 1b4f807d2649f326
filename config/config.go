// Package config is the configuration of nightly: one TOML file, secrets from the
// environment or a *_FILE path, flags over both (SPEC §10.3). It is loaded once in
// cmd/nightly and passed down as a value.
package config

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/robfig/cron/v3"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/filemode"
)

// Config is everything nightly can be told. The zero value is not valid; start from
// Default.
type Config struct {
	// DB is the database address. A DSN with a password comes from NIGHTLY_DB, never
	// from the file (Validate refuses one there).
	DB string `toml:"db"`
	// OutDir is where each night writes YYYY-MM-DD/ (report, PDFs, CSV) and nightly.prom.
	OutDir string `toml:"out_dir"`
	// InboxDir holds bank/, mail/ and orders/ (SPEC §5.7); default OutDir/inbox.
	InboxDir string `toml:"inbox_dir"`
	// EvidenceDir holds the write-once evidence files (SPEC §7.5); default beside the
	// SQLite file, else OUT/evidence. Keep it on durable, backed-up storage: it is kept 7
	// years; configure it explicitly in production.
	EvidenceDir string `toml:"evidence_dir"`
	// TemplatesDir holds edited copies of templates/ files that override the defaults.
	TemplatesDir string `toml:"templates_dir"`
	// Schedule is the cron line of `nightly serve`, in Asia/Tokyo.
	Schedule string `toml:"schedule"`
	// CatchUpLimit is how many missed nights one run processes before refusing (§5.5).
	CatchUpLimit int `toml:"catch_up_limit"`
	// ExceptionsExitCode, when not 0, is the exit code of a run that finished with open
	// exceptions to review (SPEC §10.1).
	ExceptionsExitCode int `toml:"exceptions_exit_code"`
	// FileGroup, when set, is the group (name or id) that may read what nightly writes:
	// files are then 0640 and owned by it; without it files are 0600. Folders are 0750.
	FileGroup string `toml:"file_group"`

	Calendar CalendarConfig `toml:"calendar"`
	Invoice  InvoiceConfig  `toml:"invoice"`
	Bank     BankConfig     `toml:"bank"`
	Mail     MailConfig     `toml:"mail"`
	Orders   OrdersConfig   `toml:"orders"`
	Import   ImportConfig   `toml:"import"`
	Web      WebConfig      `toml:"web"`
	RunLock  RunLockConfig  `toml:"run_lock"`
	// Accounting is how the accountant's journal is booked and named (issue 17).
	Accounting AccountingConfig `toml:"accounting"`

	// Faults names fault points to fire (tests only; from NIGHTLY_FAULTS).
	Faults string `toml:"-"`
}

// CalendarConfig adds or removes public holidays when the law changes (SPEC §2.3).
type CalendarConfig struct {
	Added            []HolidayConfig `toml:"added"`
	Removed          []string        `toml:"removed"`
	AnnouncedThrough int             `toml:"announced_through"`
}

// HolidayConfig is one holiday added by configuration.
type HolidayConfig struct {
	Date string `toml:"date"`
	Name string `toml:"name"`
}

// InvoiceConfig holds the invoicing rules that SPEC makes configurable.
type InvoiceConfig struct {
	DueDays           int    `toml:"due_days"`            // new and addition: issue + N days (§4.1)
	RenewalLeadDays   int    `toml:"renewal_lead_days"`   // renewal due: next start − N days (§4.3)
	ReminderDays      int    `toml:"reminder_days"`       // reminder N days after the due date (§4.5)
	Rounding          string `toml:"rounding"`            // down | up | half_up (§3.3)
	TaxRate           int    `toml:"tax_rate"`            // percent
	ProvisioningDays  int    `toml:"provisioning_days"`   // business days to activate (§4.1)
	ReplyBusinessDays int    `toml:"reply_business_days"` // esales answers within N business days (§4.4)
}

// BankConfig holds the bank feed's settings (SPEC §6).
type BankConfig struct {
	FeeList             []int64             `toml:"fee_list"`
	SimilarityThreshold float64             `toml:"similarity_threshold"`
	Era                 string              `toml:"era"` // auto | wareki | seireki
	Accounts            []BankAccountConfig `toml:"accounts"`
	Abbreviations       []string            `toml:"abbreviations"` // extra corporate abbreviations, ｶﾌﾞ=株式会社 style
	Profiles            []CSVProfileConfig  `toml:"csv_profiles"`
	// DefaultAccount is the account of a row of a CSV in the built-in `standard` profile
	// that has no account column (SPEC §6.1); the key ("0005-001-1-1234567") or the number.
	DefaultAccount string `toml:"default_account"`
}

// BankAccountConfig fixes one account's payment source and date era.
type BankAccountConfig struct {
	Account string `toml:"account"`
	Source  string `toml:"source"` // zengin01 | zengin03 | csv:PROFILE
	Era     string `toml:"era"`
}

// CSVProfileConfig describes a bank's CSV export by its columns.
type CSVProfileConfig struct {
	Name       string `toml:"name"`
	Encoding   string `toml:"encoding"` // sjis | utf8
	SkipRows   int    `toml:"skip_rows"`
	Date       string `toml:"date"`
	DateLayout string `toml:"date_layout"`
	Amount     string `toml:"amount"`
	Payer      string `toml:"payer"`
	Ref        string `toml:"ref"`
	EDI        string `toml:"edi"`
	Account    string `toml:"account"`
	// DefaultAccount is the account of the rows without one (no account column, or an
	// empty cell), SPEC §6.1.
	DefaultAccount string `toml:"default_account"`
}

// MailConfig is the esales mailbox (SPEC §7.1). The password or token is never in the
// file: it comes from PasswordEnv, PasswordFile, TokenFile or TokenCommand.
type MailConfig struct {
	Addr            string `toml:"addr"`     // host:993 (TLS) or host:143 (STARTTLS)
	Security        string `toml:"security"` // tls | starttls
	CAFile          string `toml:"ca_file"`
	Username        string `toml:"username"`
	PasswordEnv     string `toml:"password_env"`
	PasswordFile    string `toml:"password_file"`
	TokenFile       string `toml:"token_file"`
	TokenCommand    string `toml:"token_command"`
	Folder          string `toml:"folder"`
	ProcessedFolder string `toml:"processed_folder"`
	ContractPattern string `toml:"contract_pattern"`
	BatchSize       int    `toml:"batch_size"`
	// MaxMessageBytes: a larger message is kept as evidence and refused with a report
	// entry, never read (SPEC §10.0); up to it a message is read in bounded memory.
	MaxMessageBytes int64 `toml:"max_message_bytes"`
}

// OrdersConfig holds the rules for orders and customers (SPEC §3.4).
type OrdersConfig struct {
	ParentShareMin       int    `toml:"parent_share_min"`
	ParentShareInclusive bool   `toml:"parent_share_inclusive"`
	ContractPattern      string `toml:"contract_pattern"`
}

// ImportConfig bounds the master data and order files that `nightly import` and the
// night's orders step read, so that a huge file or an .xlsx zip bomb is refused before it
// is read (issue 13).
type ImportConfig struct {
	MaxFileMB    int `toml:"max_file_mb"`    // a CSV or .xlsx file on disk, in MB (default 50)
	MaxXLSXMB    int `toml:"max_xlsx_mb"`    // an .xlsx's sheets and strings uncompressed, in MB (default 100)
	MaxXLSXCells int `toml:"max_xlsx_cells"` // cells of the sheet read (default 1,000,000)
}

// WebConfig holds the web UI's settings that are not secrets.
type WebConfig struct {
	// TrustedProxies are the addresses (IP or CIDR) of reverse proxies whose
	// X-Forwarded-For names the client; from anyone else the header is ignored.
	TrustedProxies []string `toml:"trusted_proxies"`
}

// RunLockConfig is the lease of the run lock on MySQL/MariaDB (the row that keeps two
// servers of a Galera cluster from running the night at once): how long it lasts
// without renewal and how often the running night renews it. A holder that dies is
// replaced by another server after Lease; on the holder's own database server at
// once.
type RunLockConfig struct {
	Lease time.Duration `toml:"lease"` // e.g. "2m"
	Renew time.Duration `toml:"renew"` // e.g. "20s"
}

// Default returns the configuration nightly runs with when there is no file.
func Default() Config {
	return Config{
		OutDir:       "out",
		Schedule:     "0 2 * * *",
		CatchUpLimit: 7,
		Invoice: InvoiceConfig{DueDays: 14, RenewalLeadDays: 14, ReminderDays: 7, Rounding: "down", TaxRate: 10,
			ProvisioningDays: 3, ReplyBusinessDays: 2},
		Bank: BankConfig{SimilarityThreshold: 0.85, Era: "auto"},
		Mail: MailConfig{Security: "tls", Folder: "INBOX", ProcessedFolder: "nightly/processed",
			ContractPattern: `NP-\d{7}`, BatchSize: 100, MaxMessageBytes: 25 << 20},
		Orders:     OrdersConfig{ParentShareMin: 51, ParentShareInclusive: true, ContractPattern: `^NP-\d{7}$`},
		Import:     ImportConfig{MaxFileMB: 50, MaxXLSXMB: 100, MaxXLSXCells: 1_000_000},
		RunLock:    RunLockConfig{Lease: 2 * time.Minute, Renew: 20 * time.Second},
		Accounting: DefaultAccounting(),
	}
}

// Load reads the TOML file at path over the defaults; an empty path gives the defaults.
// Unknown keys are an error, so that a misspelt setting is not silently ignored.
func Load(path string) (Config, error) {
	c := Default()
	if path == "" {
		return c, nil
	}
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return c, fmt.Errorf("config %s: unknown settings %s", path, strings.Join(keys, ", "))
	}
	if c.DB != "" && hasPassword(c.DB) {
		return c, fmt.Errorf("config %s: the db address carries a password; put it in NIGHTLY_DB instead (SPEC §10.3)", path)
	}
	return c, nil
}

// hasPassword reports whether a DSN carries a password, in any form: mysql:// in any
// letter case, or a bare go-sql-driver DSN (user:pw@tcp(host:3306)/db).
func hasPassword(dsn string) bool {
	return RedactDSN(dsn) != dsn
}

// RedactDSN hides the password of a database address in every form it may take:
// mysql://user:pw@…, MYSQL://user:pw@…, a bare user:pw@tcp(host:3306)/db. The user
// name stays visible; everything between the first ':' of the user part and the last
// '@' becomes ***, so a password holding ':' or '@' is hidden whole. A sqlite: path
// has no password and is returned as it is.
func RedactDSN(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	if at < 0 || strings.HasPrefix(strings.ToLower(dsn), "sqlite:") {
		return dsn
	}
	userinfo := dsn[:at]
	scheme := ""
	if i := strings.Index(userinfo, "://"); i >= 0 {
		scheme, userinfo = userinfo[:i+3], userinfo[i+3:]
	}
	user, _, ok := strings.Cut(userinfo, ":")
	if !ok {
		return dsn
	}
	return scheme + user + ":***" + dsn[at:]
}

// Resolve fills the settings that default to other settings (inbox beside out, the
// evidence folder beside the SQLite file).
func (c *Config) Resolve() {
	if c.InboxDir == "" {
		c.InboxDir = filepath.Join(c.OutDir, "inbox")
	}
	if c.EvidenceDir == "" {
		if p, ok := strings.CutPrefix(c.DB, "sqlite:"); ok {
			c.EvidenceDir = filepath.Join(filepath.Dir(p), "evidence")
		} else {
			c.EvidenceDir = filepath.Join(c.OutDir, "evidence")
		}
	}
}

// Validate reports every setting that cannot work, all at once.
func (c Config) Validate() error {
	var errs []error
	if c.DB == "" {
		errs = append(errs, errors.New("no database: set NIGHTLY_DB or --db (sqlite:PATH or mysql://USER@tcp(HOST:PORT)/NAME)"))
	}
	if c.OutDir == "" {
		errs = append(errs, errors.New("out_dir is empty"))
	}
	if _, err := cron.ParseStandard("CRON_TZ=Asia/Tokyo " + c.Schedule); err != nil {
		errs = append(errs, fmt.Errorf("schedule %q: %w", c.Schedule, err))
	}
	if c.CatchUpLimit < 1 {
		errs = append(errs, errors.New("catch_up_limit must be at least 1"))
	}
	switch c.Invoice.Rounding {
	case "down", "up", "half_up":
	default:
		errs = append(errs, fmt.Errorf("invoice.rounding %q: want down, up or half_up", c.Invoice.Rounding))
	}
	if c.Invoice.DueDays < 1 || c.Invoice.RenewalLeadDays < 1 || c.Invoice.ReminderDays < 1 {
		errs = append(errs, errors.New("invoice.due_days, renewal_lead_days and reminder_days must be at least 1"))
	}
	if c.Invoice.DueDays > maxInvoiceDays || c.Invoice.RenewalLeadDays > maxInvoiceDays || c.Invoice.ReminderDays > maxInvoiceDays {
		errs = append(errs, fmt.Errorf("invoice.due_days, renewal_lead_days and reminder_days must be at most %d", maxInvoiceDays))
	}
	if c.Import.MaxFileMB < 1 || c.Import.MaxXLSXMB < 1 || c.Import.MaxXLSXCells < 1 {
		errs = append(errs, errors.New("import.max_file_mb, max_xlsx_mb and max_xlsx_cells must be at least 1"))
	}
	if _, err := c.TrustedProxies(); err != nil {
		errs = append(errs, err)
	}
	if _, err := filemode.New(c.FileGroup); err != nil {
		errs = append(errs, err)
	}
	for _, h := range c.Calendar.Added {
		if _, err := calendar.ParseDate(h.Date); err != nil {
			errs = append(errs, fmt.Errorf("calendar.added %q: %w", h.Date, err))
		}
	}
	for _, s := range c.Calendar.Removed {
		if _, err := calendar.ParseDate(s); err != nil {
			errs = append(errs, fmt.Errorf("calendar.removed %q: %w", s, err))
		}
	}
	if c.RunLock.Renew < time.Second || c.RunLock.Lease < 3*c.RunLock.Renew {
		errs = append(errs, fmt.Errorf("run_lock: renew %s must be at least 1s and lease %s at least three times renew (a renewal may fail twice)",
			c.RunLock.Renew, c.RunLock.Lease))
	}
	switch c.Bank.Era {
	case "auto", "wareki", "seireki":
	default:
		errs = append(errs, fmt.Errorf("bank.era %q: want auto, wareki or seireki", c.Bank.Era))
	}
	if c.Mail.MaxMessageBytes < 64<<10 || c.Mail.MaxMessageBytes > 200<<20 {
		errs = append(errs, fmt.Errorf("mail.max_message_bytes %d: want 65536 to 209715200 (64 KiB to 200 MiB; default 26214400)", c.Mail.MaxMessageBytes))
	}
	errs = append(errs, c.Accounting.validate()...)
	return errors.Join(errs...)
}

// maxInvoiceDays bounds the day counts of invoicing, so that no date computed from a run
// date (at most a year ahead, SPEC §10.0) can leave the years a DATE column holds.
const maxInvoiceDays = 366

// TrustedProxies parses web.trusted_proxies: an IP address is a one-address prefix.
func (c Config) TrustedProxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range c.Web.TrustedProxies {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("web.trusted_proxies %q: not an IP address or CIDR prefix", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// FileModes is the file_group setting as a filemode.Policy (Validate has checked it).
func (c Config) FileModes() (filemode.Policy, error) { return filemode.New(c.FileGroup) }

// ImportLimits are the import settings in bytes and cells.
func (c Config) ImportLimits() (maxFile, maxXLSX int64, maxCells int) {
	return int64(c.Import.MaxFileMB) << 20, int64(c.Import.MaxXLSXMB) << 20, c.Import.MaxXLSXCells
}

// CalendarOptions converts the calendar settings for calendar.NewCalendar.
func (c Config) CalendarOptions() calendar.Options {
	var o calendar.Options
	for _, h := range c.Calendar.Added {
		if d, err := calendar.ParseDate(h.Date); err == nil {
			o.Added = append(o.Added, calendar.Holiday{Date: d, Name: h.Name})
		}
	}
	for _, s := range c.Calendar.Removed {
		if d, err := calendar.ParseDate(s); err == nil {
			o.Removed = append(o.Removed, d)
		}
	}
	o.AnnouncedThrough = c.Calendar.AnnouncedThrough
	return o
}

// Redacted returns a copy safe to print or log: the database password is hidden.
func (c Config) Redacted() Config {
	r := c
	r.DB = RedactDSN(r.DB)
	return r
}

// TOML returns the configuration as a TOML document (for `nightly config show`).
func (c Config) TOML() (string, error) {
	var b strings.Builder
	if err := toml.NewEncoder(&b).Encode(c); err != nil {
		return "", err
	}
	return b.String(), nil
}

// FromEnv applies the environment: NIGHTLY_DB (the DSN, which may carry a password)
// and NIGHTLY_FAULTS (fault injection, tests only).
func (c *Config) FromEnv(getenv func(string) string) {
	if v := getenv("NIGHTLY_DB"); v != "" {
		c.DB = v
	}
	c.Faults = getenv("NIGHTLY_FAULTS")
}

// ReadSecret reads a secret from the environment variable env or, failing that, from
// the file path (trailing newline removed). It never returns the secret in an error.
func ReadSecret(getenv func(string) string, env, path string) (string, error) {
	if env != "" {
		if v := getenv(env); v != "" {
			return v, nil
		}
	}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("read secret file: %w", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return "", errors.New("no secret configured")
}
