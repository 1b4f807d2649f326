package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAccountingFromFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "n.toml")
	os.WriteFile(p, []byte(`[accounting]
revenue = "monthly"
fee = "expense"
[accounting.accounts]
bank = "当座預金"
[accounting.bank_sub_accounts]
"0005-001-1-1234567" = "みずほ本店"
[accounting.yayoi]
sales = "課税売上内10%"
`), 0o600)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	a := c.Accounting
	if a.Revenue != "monthly" || a.Fee != "expense" || a.Accounts.Bank != "当座預金" || a.Accounts.Receivable != "売掛金" ||
		a.BankSubAccounts["0005-001-1-1234567"] != "みずほ本店" || a.Yayoi.Sales != "課税売上内10%" || a.Yayoi.None != "対象外" {
		t.Errorf("[accounting] over the defaults: %+v", a)
	}
	os.WriteFile(p, []byte("[accounting]\nrevenu = \"monthly\"\n"), 0o600)
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "accounting.revenu") {
		t.Errorf("a misspelt key: %v", err)
	}
}

func TestAccountingValidate(t *testing.T) {
	c := Default()
	c.DB = "sqlite:x.db"
	c.Accounting.Revenue = "yearly"
	c.Accounting.Overpayment = "前受金"
	c.Accounting.MFEncoding = "latin1"
	c.Accounting.Accounts.Suspense = ""
	c.Accounting.Freee.Discount = ""
	err := c.Validate()
	if err == nil {
		t.Fatal("invalid [accounting] accepted")
	}
	for _, want := range []string{`accounting.revenue "yearly"`, `accounting.overpayment "前受金"`, "accounting.mf_encoding",
		"accounting.accounts.suspense is empty", "accounting.freee:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q: %v", want, err)
		}
	}
}
