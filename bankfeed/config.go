package bankfeed

import (
	"strings"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/config"
)

// ParseOptionsFrom turns the configuration into parse options: the CSV profiles, the era
// per account, the run date.
func ParseOptionsFrom(c config.BankConfig, runDate calendar.Date) ParseOptions {
	o := ParseOptions{Era: c.Era, RunDate: runDate, Normalizer: NormalizerFrom(c)}
	for _, a := range c.Accounts {
		if a.Era != "" {
			if o.Eras == nil {
				o.Eras = map[string]string{}
			}
			o.Eras[a.Account] = a.Era
		}
	}
	for _, p := range c.Profiles {
		o.Profiles = append(o.Profiles, CSVProfile{Name: p.Name, Encoding: p.Encoding, SkipRows: p.SkipRows, Date: p.Date,
			DateLayout: p.DateLayout, Amount: p.Amount, Payer: p.Payer, Ref: p.Ref, EDI: p.EDI, Account: p.Account,
			DefaultAccount: p.DefaultAccount})
	}
	return o
}

// NormalizerFrom is the payer-name normalizer with the configured extra abbreviations
// ("ｶﾌﾞ=株式会社").
func NormalizerFrom(c config.BankConfig) *Normalizer {
	var extra []LegalForm
	for _, a := range c.Abbreviations {
		abbr, full, ok := strings.Cut(a, "=")
		if !ok || abbr == "" {
			continue
		}
		lf := LegalForm{Abbrev: strings.TrimSpace(abbr)}
		if full = strings.TrimSpace(full); full != "" {
			lf.Full = []string{full}
		}
		extra = append(extra, lf)
	}
	return NewNormalizer(extra)
}

// ConfiguredSource is the payment source the configuration fixes for an account.
func ConfiguredSource(c config.BankConfig, a Account) string {
	for _, ac := range c.Accounts {
		if ac.Source != "" && (ac.Account == a.Key || (a.Number != "" && ac.Account == a.Number)) {
			return ac.Source
		}
	}
	return ""
}
