package config

import (
	"fmt"
)

// AccountingConfig is [accounting]: how the accountant's journal is booked and what the
// accounting software calls things (issue 17). The names must equal what the company
// registered in 弥生, マネーフォワード or freee; the defaults marked "verify" in the
// README are the common ones, to be checked against the company's own export.
type AccountingConfig struct {
	// Revenue is when a sale is recognised: at_issue (売掛金 / 売上高 on the issue date)
	// or monthly (売掛金 / 前受金, then 前受金 / 売上高 at each month end of the service).
	Revenue string `toml:"revenue"`
	// ReceivableLines is invoice (one 売掛金 line per invoice in an entry) or customer.
	ReceivableLines string `toml:"receivable_lines"`
	// CustomerSubAccount is the 補助科目 of 売掛金: name (the customer's name), code (the
	// お客様番号, which never changes when a customer is renamed) or none.
	CustomerSubAccount string `toml:"customer_sub_account"`
	// Fee is how a bank fee the customer deducted is booked: discount (a sales reduction,
	// 売上値引, 課税売上の返還) or expense (支払手数料, 課税仕入).
	Fee string `toml:"fee"`
	// Overpayment, VoidedExcess and LapsedPaid say where money held for staff is
	// booked: suspense (仮受金, not yet known what becomes of it) or deposits (預り金,
	// to be returned). Overpayment: the excess of a transfer; VoidedExcess: money moved
	// off a void invoice beyond what its replacement takes; LapsedPaid: money paid on a
	// renewal that lapsed at suspension (and a transfer arriving after it).
	Overpayment  string `toml:"overpayment"`
	VoidedExcess string `toml:"voided_excess"`
	LapsedPaid   string `toml:"lapsed_paid"`
	// MFEncoding and FreeeEncoding are the encodings of those files: sjis (CP932) or
	// utf8. 弥生's is always sjis.
	MFEncoding    string `toml:"mf_encoding"`
	FreeeEncoding string `toml:"freee_encoding"`
	// Accounts are the account names (勘定科目).
	Accounts AccountNames `toml:"accounts"`
	// BankSubAccounts maps a bank account as nightly keys it ("0005-001-1-1234567", or
	// "history" for the money received before nightly) to the 補助科目 of its 普通預金
	// lines; an account not listed has none.
	BankSubAccounts map[string]string `toml:"bank_sub_accounts"`
	// Yayoi, MF and Freee are the tax category names (税区分) of each software, for the
	// rate of invoice.tax_rate.
	Yayoi TaxNames `toml:"yayoi"`
	MF    TaxNames `toml:"mf"`
	Freee TaxNames `toml:"freee"`
}

// AccountNames are the names of the accounts of the journal.
type AccountNames struct {
	Receivable string `toml:"receivable"` // 売掛金
	Sales      string `toml:"sales"`      // 売上高
	Deferred   string `toml:"deferred"`   // 前受金 (revenue = monthly)
	Bank       string `toml:"bank"`       // 普通預金
	Suspense   string `toml:"suspense"`   // 仮受金
	Deposits   string `toml:"deposits"`   // 預り金
	Discount   string `toml:"discount"`   // 売上値引 (fee = discount)
	Expense    string `toml:"expense"`    // 支払手数料 (fee = expense)
}

// TaxNames are one software's tax categories.
type TaxNames struct {
	Sales    string `toml:"sales"`    // of 売上高
	Discount string `toml:"discount"` // of 売上値引 (a return of a taxable sale)
	Expense  string `toml:"expense"`  // of 支払手数料 (a taxable purchase)
	None     string `toml:"none"`     // of every other line
}

// DefaultAccounting is [accounting] when the file says nothing.
func DefaultAccounting() AccountingConfig {
	return AccountingConfig{
		Revenue: "at_issue", ReceivableLines: "invoice", CustomerSubAccount: "name", Fee: "discount",
		Overpayment: "suspense", VoidedExcess: "deposits", LapsedPaid: "deposits", MFEncoding: "sjis", FreeeEncoding: "sjis",
		Accounts: AccountNames{Receivable: "売掛金", Sales: "売上高", Deferred: "前受金", Bank: "普通預金", Suspense: "仮受金",
			Deposits: "預り金", Discount: "売上値引", Expense: "支払手数料"},
		Yayoi: TaxNames{Sales: "課税売上込10%", Discount: "課税売上返還込10%", Expense: "課対仕入込10%", None: "対象外"},
		MF:    TaxNames{Sales: "課税売上 10%", Discount: "課税売上-返還等 10%", Expense: "課税仕入 10%", None: "対象外"},
		Freee: TaxNames{Sales: "課税売上10%", Discount: "課税売上返還10%", Expense: "課対仕入10%", None: "対象外"},
	}
}

// validate reports every [accounting] setting that cannot work.
func (a AccountingConfig) validate() []error {
	var errs []error
	oneOf := func(key, v string, allowed ...string) {
		for _, ok := range allowed {
			if v == ok {
				return
			}
		}
		errs = append(errs, fmt.Errorf("accounting.%s %q: want one of %v", key, v, allowed))
	}
	oneOf("revenue", a.Revenue, "at_issue", "monthly")
	oneOf("receivable_lines", a.ReceivableLines, "invoice", "customer")
	oneOf("customer_sub_account", a.CustomerSubAccount, "name", "code", "none")
	oneOf("fee", a.Fee, "discount", "expense")
	oneOf("overpayment", a.Overpayment, "suspense", "deposits")
	oneOf("voided_excess", a.VoidedExcess, "suspense", "deposits")
	oneOf("lapsed_paid", a.LapsedPaid, "suspense", "deposits")
	oneOf("mf_encoding", a.MFEncoding, "sjis", "utf8")
	oneOf("freee_encoding", a.FreeeEncoding, "sjis", "utf8")
	n := a.Accounts
	for i, v := range []string{n.Receivable, n.Sales, n.Deferred, n.Bank, n.Suspense, n.Deposits, n.Discount, n.Expense} {
		if v == "" {
			key := []string{"receivable", "sales", "deferred", "bank", "suspense", "deposits", "discount", "expense"}[i]
			errs = append(errs, fmt.Errorf("accounting.accounts.%s is empty: name the account as your accounting software has it", key))
		}
	}
	for i, t := range []TaxNames{a.Yayoi, a.MF, a.Freee} {
		if t.Sales == "" || t.Discount == "" || t.Expense == "" || t.None == "" {
			errs = append(errs, fmt.Errorf("accounting.%s: sales, discount, expense and none must all name a tax category", []string{"yayoi", "mf", "freee"}[i]))
		}
	}
	return errs
}
