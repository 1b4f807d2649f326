// Package config is the configuration of nightly: one TOML file, secrets from the
// environment or a *_FILE path, flags over both (SPEC §10.3). It is loaded once in
// cmd/nightly and passed down as a value.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/robfig/cron/v3"

	"github.com/npress/nightly/calendar"
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

	Calendar CalendarConfig `toml:"calendar"`
	Invoice  InvoiceConfig  `toml:"invoice"`
	Bank     BankConfig     `toml:"bank"`
	Mail     MailConfig     `toml:"mail"`
	Orders   OrdersConfig   `toml:"orders"`
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
}

// OrdersConfig holds the rules for orders and customers (SPEC §3.4).
type OrdersConfig struct {
	ParentShareMin       int    `toml:"parent_share_min"`
	ParentShareInclusive bool   `toml:"parent_share_inclusive"`
	ContractPattern      string `toml:"contract_pattern"`
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
			ContractPattern: `NP-\d{7}`, BatchSize: 100},
		Orders:     OrdersConfig{ParentShareMin: 51, ParentShareInclusive: true, ContractPattern: `^NP-\d{7}$`},
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

func hasPassword(dsn string) bool {
	rest, ok := strings.CutPrefix(dsn, "mysql://")
	if !ok {
		return false
	}
	at := strings.LastIndex(rest, "@")
	return at > 0 && strings.Contains(rest[:at], ":")
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
	switch c.Bank.Era {
	case "auto", "wareki", "seireki":
	default:
		errs = append(errs, fmt.Errorf("bank.era %q: want auto, wareki or seireki", c.Bank.Era))
	}
	errs = append(errs, c.Accounting.validate()...)
	return errors.Join(errs...)
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
	if hasPassword(r.DB) {
		rest := strings.TrimPrefix(r.DB, "mysql://")
		at := strings.LastIndex(rest, "@")
		user, _, _ := strings.Cut(rest[:at], ":")
		r.DB = "mysql://" + user + ":***" + rest[at:]
	}
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
