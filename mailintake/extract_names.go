package mailintake

import (
	"regexp"
	"strings"
)

const corpDesig = `株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|公益社団法人|公益財団法人|学校法人|医療法人|社会福祉法人|特定非営利活動法人|NPO法人|独立行政法人|国立大学法人|税理士法人|弁護士法人|監査法人|司法書士法人|社会保険労務士法人|宗教法人|㈱|㈲|\(株\)|\(有\)|\(同\)`

var (
	reCompany   = regexp.MustCompile(`(?:` + corpDesig + `)\s?[^\s、。,!?「」『』:<>()\[\]【】]{1,40}|[^\s、。,!?「」『』:<>()\[\]【】]{1,40}?\s?(?:` + corpDesig + `)`)
	reNameTail  = regexp.MustCompile(`(の[^の]{1,12}?(です|でございます|と申します|より|から|にて|が|は)|(より|から|では|です|にて|として|様|御中|殿|さま|の|が|は|を|に|で|と|も|ご担当者))$`)
	reNameHead  = regexp.MustCompile(`^(弊社|当社|私ども|わたくしども|私|当方|こちら|いつも|先日|本日|御社|貴社)(は|の|、|では)?`)
	reAddressee = regexp.MustCompile(`(御中|様|殿|さま|ご担当|御担当|各位)\s*$`)
)

// companyIn finds the first company name in folded lines, skipping lines addressed to
// the reseller (…御中, …様) and the names in NotContractors.
func (x *extractor) companyIn(lines []string) string {
	for _, l := range lines {
		if reAddressee.MatchString(strings.TrimSpace(l)) || isQuoteLine(l) {
			continue
		}
		for _, m := range reCompany.FindAllString(l, -1) {
			n := trimName(m)
			if NormalizeName(n) == "" || x.notContractor(n) {
				continue
			}
			return n
		}
	}
	return ""
}

func trimName(s string) string {
	s = strings.TrimSpace(s)
	for i := 0; i < 4; i++ {
		t := reNameTail.ReplaceAllString(s, "")
		t = reNameHead.ReplaceAllString(t, "")
		t = strings.TrimSpace(t)
		if t == s || t == "" {
			break
		}
		s = t
	}
	return s
}

func (x *extractor) notContractor(s string) bool {
	n := NormalizeName(s)
	for _, own := range x.o.NotContractors {
		if o := NormalizeName(own); o != "" && strings.Contains(n, o) {
			return true
		}
	}
	return false
}

var (
	reMSProduct = regexp.MustCompile(`(?i)\b(?:Microsoft|Office|Exchange|Azure|Teams|Visio|Project|Power\s?BI|Power\s?Apps|Power\s?Automate|Dynamics|Windows|Intune|Defender|Copilot|Entra|SharePoint|OneDrive|M365|O365)(?:[ ]?(?:365|\d{4}|[A-Za-z][A-Za-z0-9+]*|\([^)]{1,30}\)))*`)
	productStop = map[string]bool{"license": true, "licenses": true, "licence": true, "licences": true, "seats": true, "seat": true,
		"users": true, "user": true, "subscription": true, "subscriptions": true, "for": true, "and": true, "with": true, "to": true, "from": true, "the": true, "of": true}
)

// productName reads a product form field: a known name if it is one, else the value.
func (x *extractor) productName(v string) string {
	if p := x.knownProduct(v); p != "" {
		return p
	}
	return strings.TrimSpace(v)
}

func (x *extractor) knownProduct(s string) string {
	ns := NormalizeProduct(s)
	best, bestLen := "", 0
	for _, p := range x.o.Products {
		np := NormalizeProduct(p)
		if np != "" && strings.Contains(ns, np) && len(np) > bestLen {
			best, bestLen = p, len(np)
		}
	}
	return best
}

func (x *extractor) productIn(lines []string) string {
	for _, l := range lines {
		if p := x.knownProduct(l); p != "" {
			return p
		}
	}
	for _, l := range lines {
		for _, m := range reMSProduct.FindAllString(l, -1) {
			w := strings.Fields(m)
			for len(w) > 0 && productStop[strings.ToLower(w[len(w)-1])] {
				w = w[:len(w)-1]
			}
			if len(w) >= 2 || len(w) == 1 && (strings.EqualFold(w[0], "M365") || strings.EqualFold(w[0], "O365") || strings.EqualFold(w[0], "Azure")) {
				return strings.Join(w, " ")
			}
		}
	}
	return ""
}
