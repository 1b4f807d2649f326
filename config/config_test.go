package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultIsValidWithADatabase(t *testing.T) {
	c := Default()
	c.DB = "sqlite:x.db"
	c.Resolve()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.InboxDir != filepath.Join("out", "inbox") || c.EvidenceDir != "evidence" {
		t.Errorf("resolved %q %q", c.InboxDir, c.EvidenceDir)
	}
	m := Default()
	m.DB = "mysql://nightly@tcp(db:3306)/nightly"
	m.Resolve()
	if m.EvidenceDir != filepath.Join("out", "evidence") {
		t.Errorf("MySQL without evidence_dir: %q, want under the output folder, never the working directory", m.EvidenceDir)
	}
}

func TestValidateNamesEveryProblem(t *testing.T) {
	c := Default()
	c.Schedule = "every night"
	c.Invoice.Rounding = "bankers"
	c.Bank.Era = "showa"
	c.Calendar.Removed = []string{"2027-02-30"}
	c.RunLock.Lease = c.RunLock.Renew * 2
	c.Mail.MaxMessageBytes = 0
	err := c.Validate()
	if err == nil {
		t.Fatal("invalid configuration accepted")
	}
	for _, want := range []string{"no database", "schedule", "rounding", "bank.era", "2027-02-30", "run_lock", "mail.max_message_bytes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q: %v", want, err)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "n.toml")
	os.WriteFile(p, []byte("out_dir = \"/srv/out\"\n[invoice]\ndue_days = 10\n[run_lock]\nlease = \"90s\"\n"), 0o600)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.OutDir != "/srv/out" || c.Invoice.DueDays != 10 || c.Invoice.ReminderDays != 7 || c.RunLock.Lease != 90*time.Second || c.RunLock.Renew != 20*time.Second {
		t.Errorf("loaded %+v", c)
	}
	c.DB = "sqlite:/var/lib/nightly/nightly.db"
	c.Resolve()
	if c.EvidenceDir != "/var/lib/nightly/evidence" {
		t.Errorf("evidence dir %q, want beside the SQLite file", c.EvidenceDir)
	}
	if _, err := Load(filepath.Join(dir, "missing.toml")); err == nil {
		t.Error("a missing file loaded")
	}
}

func TestReadSecret(t *testing.T) {
	env := map[string]string{"PW": "from-env"}
	get := func(k string) string { return env[k] }
	if s, _ := ReadSecret(get, "PW", ""); s != "from-env" {
		t.Errorf("env secret %q", s)
	}
	p := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(p, []byte("from-file\n"), 0o600)
	if s, _ := ReadSecret(get, "NONE", p); s != "from-file" {
		t.Errorf("file secret %q", s)
	}
	if _, err := ReadSecret(get, "", ""); err == nil {
		t.Error("no secret configured gave no error")
	}
}

func TestRedactEveryDSNForm(t *testing.T) {
	for _, tc := range []struct{ dsn, want string }{
		{"mysql://nightly:s3cret@tcp(db:3306)/nightly", "mysql://nightly:***@tcp(db:3306)/nightly"},
		{"MYSQL://nightly:s3cret@tcp(db:3306)/nightly", "MYSQL://nightly:***@tcp(db:3306)/nightly"},
		{"MySQL://nightly:s3cret@tcp(db:3306)/nightly", "MySQL://nightly:***@tcp(db:3306)/nightly"},
		{"nightly:s3cret@tcp(db:3306)/nightly", "nightly:***@tcp(db:3306)/nightly"},
		{"nightly:s3:c@r@et@tcp(db:3306)/nightly", "nightly:***@tcp(db:3306)/nightly"},
		{"mysql://nightly@tcp(db:3306)/nightly", "mysql://nightly@tcp(db:3306)/nightly"},
		{"sqlite:/srv/a@b/nightly.db", "sqlite:/srv/a@b/nightly.db"},
		{"sqlite:nightly.db", "sqlite:nightly.db"},
	} {
		if got := RedactDSN(tc.dsn); got != tc.want {
			t.Errorf("RedactDSN(%q) = %q, want %q", tc.dsn, got, tc.want)
		}
		c := Default()
		c.DB = tc.dsn
		if got := c.Redacted().DB; strings.Contains(got, "s3") {
			t.Errorf("Redacted().DB of %q shows the password: %q", tc.dsn, got)
		}
	}
}

func TestLoadRefusesAPasswordInAnyForm(t *testing.T) {
	p := filepath.Join(t.TempDir(), "n.toml")
	for _, dsn := range []string{"MYSQL://u:pw@tcp(h:3306)/n", "u:pw@tcp(h:3306)/n"} {
		os.WriteFile(p, []byte("db = \""+dsn+"\"\n"), 0o600)
		if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "NIGHTLY_DB") {
			t.Errorf("%s in the file: %v, want a refusal naming NIGHTLY_DB", dsn, err)
		}
	}
}

func TestValidateLimitsProxiesAndGroup(t *testing.T) {
	c := Default()
	c.DB = "sqlite:x.db"
	c.Web.TrustedProxies = []string{"10.0.0.1", "192.168.0.0/16", "::ffff:10.0.0.2", "2001:db8::/32"}
	if err := c.Validate(); err != nil {
		t.Fatalf("valid proxies refused: %v", err)
	}
	ps, _ := c.TrustedProxies()
	if len(ps) != 4 || ps[0].String() != "10.0.0.1/32" || ps[2].String() != "10.0.0.2/32" {
		t.Errorf("trusted proxies %v", ps)
	}
	c.Web.TrustedProxies = []string{"proxy.example"}
	c.Invoice.DueDays = 10_000_000 // would put a due date in year 10000 or later
	c.Import.MaxXLSXCells = 0
	c.FileGroup = "no-such-group-of-nightly"
	err := c.Validate()
	for _, want := range []string{"trusted_proxies", "at most 366", "max_xlsx_cells", "file_group"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q: %v", want, err)
		}
	}
	if max, xlsx, cells := Default().ImportLimits(); max != 50<<20 || xlsx != 100<<20 || cells != 1_000_000 {
		t.Errorf("default limits %d %d %d", max, xlsx, cells)
	}
}
