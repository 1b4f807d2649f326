package report

import (
	"path/filepath"
	"strings"

	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// MailOriginals links each exception about an unreadable message to the original in
// the evidence store, relative to the day folder dayDir the report is written in, so
// that staff open the very message from the report. pathOf gives the stored
// original's path by its SHA-256 ("" when not stored).
func MailOriginals(xs []store.Exception, dayDir string, pathOf func(sha string) string) map[string]string {
	out := map[string]string{}
	day, err := filepath.Abs(dayDir)
	if err != nil {
		return out
	}
	for _, x := range xs {
		sha, ok := strings.CutPrefix(x.NKey, x.Kind+":")
		if !ok || x.Kind != wording.ExceptionMailMalformed && x.Kind != wording.ExceptionMailTooLarge {
			continue
		}
		p := pathOf(sha)
		if p == "" {
			continue
		}
		if abs, err := filepath.Abs(p); err == nil {
			if rel, err := filepath.Rel(day, abs); err == nil {
				out[x.NKey] = filepath.ToSlash(rel)
			}
		}
	}
	return out
}

// SuggestedCustomerNos are the customers the exceptions' suggestions name, each once.
func SuggestedCustomerNos(xs []store.Exception) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		for _, s := range x.Suggestions {
			if s.CustomerNo != "" && !seen[s.CustomerNo] {
				seen[s.CustomerNo] = true
				out = append(out, s.CustomerNo)
			}
		}
	}
	return out
}

// CustomersOf gives the report's view (name and kana) of customers read by number.
func CustomersOf(byNo map[string]store.Customer) map[string]Customer {
	out := make(map[string]Customer, len(byNo))
	for no, c := range byNo {
		out[no] = Customer{Name: c.Name, Kana: c.Kana}
	}
	return out
}
