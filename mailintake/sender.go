package mailintake

import (
	"strings"
)

// RegisteredAddresses splits the e-mail field of a customer (customers.email) into
// its addresses: one, or several separated by ";" (spaces around them ignored), lower
// case. An empty field gives none.
func RegisteredAddresses(field string) []string {
	var out []string
	for _, a := range strings.Split(field, ";") {
		if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// publicMailDomains are the domains anyone can get an address at (free mail, mobile
// carriers): at these only the registered address itself verifies a sender, never
// the domain.
var publicMailDomains = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "yahoo.co.jp": true, "ymail.ne.jp": true, "yahoo.com": true,
	"outlook.com": true, "outlook.jp": true, "hotmail.com": true, "hotmail.co.jp": true, "live.jp": true, "live.com": true,
	"msn.com": true, "icloud.com": true, "me.com": true, "mac.com": true, "aol.com": true, "proton.me": true,
	"protonmail.com": true, "gmx.com": true, "mail.com": true, "zoho.com": true, "nifty.com": true, "excite.co.jp": true,
	"docomo.ne.jp": true, "ezweb.ne.jp": true, "au.com": true, "softbank.ne.jp": true, "i.softbank.jp": true,
	"disney.ne.jp": true, "ymobile.ne.jp": true, "y-mobile.ne.jp": true, "willcom.com": true, "emobile.ne.jp": true,
	"rakuten.jp": true, "uqmobile.jp": true, "povo.jp": true,
}

// domainOf returns the lower-case domain of an address ("" when it has none).
func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 || i == len(addr)-1 {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(addr[i+1:])), ".")
}

// SenderVerified reports whether a sender's address may speak for the customer whose
// registered addresses are given (SPEC §7.4): it is one of them, or at the domain of
// one or a subdomain of it — except at a public mail domain (gmail.com,
// docomo.ne.jp …), where only the address itself counts. A customer with no
// registered address verifies no one.
func SenderVerified(sender string, registered []string) bool {
	s := strings.ToLower(strings.TrimSpace(sender))
	sd := domainOf(s)
	if sd == "" {
		return false
	}
	for _, r := range registered {
		r = strings.ToLower(strings.TrimSpace(r))
		rd := domainOf(r)
		switch {
		case rd == "":
		case s == r:
			return true
		case publicMailDomains[rd]:
		case sd == rd || strings.HasSuffix(sd, "."+rd):
			return true
		}
	}
	return false
}
