package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	c.Mail.MaxMessageBytes = 0
	err := c.Validate()
	if err == nil {
		t.Fatal("invalid configuration accepted")
	}
	for _, want := range []string{"no database", "schedule", "rounding", "bank.era", "2027-02-30", "mail.max_message_bytes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q: %v", want, err)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "n.toml")
	os.WriteFile(p, []byte("out_dir = \"/srv/out\"\n[invoice]\ndue_days = 10\n"), 0o600)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.OutDir != "/srv/out" || c.Invoice.DueDays != 10 || c.Invoice.ReminderDays != 7 {
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
