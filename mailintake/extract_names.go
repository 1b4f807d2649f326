package mailintake

import (
	"regexp"
	"strings"
)

const corpDesig = `株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|公益社団法人|公益財団法人|学校法人|医療法人|社会福祉法人|特定非営利活動法人|NPO法人|独立行政法人|国立大学法人|税理士法人|弁護士法人|監査法人|司法書士法人|社会保険労務士法人|行政書士法人|宗教法人|㈱|㈲|\(株\)|\(有\)|\(同\)`

// nameRune is a character a company name may hold: not a space, not punctuation that
// ends a phrase or frames a name.
const nameRune = `[^\s、。,!?「」『』:<>()\[\]【】/|]`

var (
	reDesig = regexp.MustCompile(corpDesig)
	// reNameAfter is the name after a legal form ("株式会社 光洋電機…"), reNameBefore
	// the name before one ("…東邦精機株式会社").
	reNameAfter  = regexp.MustCompile(`^( ?)(` + nameRune + `{1,40})`)
	reNameBefore = regexp.MustCompile(`(` + nameRune + `{1,40})( ?)$`)
	// reEnglishCo is an English company name: capitalised words and a legal form.
	reEnglishCo = regexp.MustCompile(`\b[A-Z][A-Za-z0-9&'\-]*(?:\s+[A-Z][A-Za-z0-9&'.\-]*){0,5},?\s+(?:Co\.,?\s?Ltd\.?|Inc\.|Inc\b|K\.K\.|Corporation|Corp\.|LLC|Ltd\.|G\.K\.)`)
	// reBizName is a business without a legal form that says what it is: 山田商店,
	// 原税理士事務所, 工藤歯科医院.
	reBizName = regexp.MustCompile(nameRune + `{1,20}(?:商店|事務所|医院|クリニック|歯科|病院|薬局|農園|工房|商会|珈琲店|生花店|書店|組合|協会)`)
	// reSelfIntro is "○○の山田です": the sender's organisation before の.
	reSelfIntro = regexp.MustCompile(`(?:^|[。、\s])(` + nameRune + `{2,20}?)の[^\s、。の]{1,8}(?:です|でございます|と申します)`)
	// What follows a name after の: the sender introducing themself, a department or a
	// thing the name owns. A の before one of these ends the name.
	reAfterNo   = regexp.MustCompile(`^(?:[^の]{1,12}?(?:です|でございます|と申します|より|から|にて|が|は|では|として)|[^の]{0,10}?(?:部|課|室|係|センター|事務局|担当|グループ|チーム|本部|支店|営業所)|(?:契約|件|ライセンス|製品|アカウント|サービス|利用|皆様|社員|従業員|ご担当|担当者|代表|社長|Microsoft|Office|NP))`)
	reNameTail  = regexp.MustCompile(`((と|に)なって(おり|い)ます|となります|になります|でございます|と申します|より|から|では|です|にて|として|様|御中|殿|さま|の|が|は|を|に|で|と|も|ご担当者)$`)
	reNameHead  = regexp.MustCompile(`^(弊社|当社|私ども|わたくしども|私|当方|こちら|いつも|先日|本日|御社|貴社|契約者名義|契約名義|ご契約者様?|契約者名?|名義)(は|の|、|では|名は|:)?`)
	reDept      = regexp.MustCompile(`(部|課|室|係|センター|事務局|担当|グループ|チーム|本部|支店|営業所|窓口)$`)
	reNotAName  = regexp.MustCompile(`^(先日|本日|先ほど|今回|別件|前回|以前|当方|弊社|当社|私|わたし|担当|ご連絡|お世話|いつも|営業窓口|総務|経理)`)
	reAddressee = regexp.MustCompile(`(御中|様|殿|さま|ご担当|御担当|各位)\s*$`)
)

// companyIn finds the first company name with a legal form in folded lines (株式会社…,
// …株式会社, Sample Co., Ltd.), skipping lines addressed to the reseller (…御中, …様),
// quoted lines and the names in NotContractors.
func (x *extractor) companyIn(lines []string) string {
	for _, l := range lines {
		if reAddressee.MatchString(strings.TrimSpace(l)) || isQuoteLine(l) {
			continue
		}
		for _, n := range legalNamesIn(l) {
			if NormalizeName(n) != "" && !x.notContractor(n) {
				return n
			}
		}
	}
	return ""
}

// looseNameIn finds a name without a legal form: a business that says what it is
// (山田商店, 工藤歯科医院) or the organisation a sender introduces themself with
// ("鈴木興業の鈴木です"). It is the last resort of the contractor.
func (x *extractor) looseNameIn(lines []string) string {
	for _, re := range []*regexp.Regexp{reBizName, reSelfIntro} {
		for _, l := range lines {
			if reAddressee.MatchString(strings.TrimSpace(l)) || isQuoteLine(l) {
				continue
			}
			for _, m := range re.FindAllStringSubmatch(l, -1) {
				n := trimName(m[len(m)-1])
				if n == "" || reDept.MatchString(n) || reNotAName.MatchString(n) || x.notContractor(n) || NormalizeName(n) == "" {
					continue
				}
				return n
			}
		}
	}
	return ""
}

// legalNamesIn returns the names with a legal form in one line, each read whole to
// its natural end: after the form up to a space, punctuation or a の that starts
// something else (the sender's name, a department, "の契約"); before the form back to
// a space or punctuation, without the words that introduce it (弊社, 契約者は).
func legalNamesIn(l string) []string {
	var out []string
	for _, loc := range reDesig.FindAllStringIndex(l, -1) {
		form := l[loc[0]:loc[1]]
		var after, afterSpace, before string
		if m := reNameAfter.FindStringSubmatch(l[loc[1]:]); m != nil {
			if name := trimName(cutAtNo(m[2])); reDesig.FindStringIndex(name) == nil && !(m[1] == " " && reDept.MatchString(name)) {
				after, afterSpace = name, m[1]
			}
		}
		if m := reNameBefore.FindStringSubmatch(l[:loc[0]]); m != nil {
			if name := trimName(m[1]); name != "" {
				before = name + m[2] + form
			}
		}
		// A name written against the form wins over one set apart by a space:
		// "株式会社サンプル商事", "富士観光株式会社 望月".
		switch {
		case after != "" && afterSpace == "":
			out = append(out, form+after)
		case before != "":
			out = append(out, before)
		case after != "":
			out = append(out, form+afterSpace+after)
		}
	}
	for _, m := range reEnglishCo.FindAllString(l, -1) {
		out = append(out, strings.TrimSpace(m))
	}
	return out
}

// cutAtNo ends a name at the first の that starts something else (reAfterNo).
func cutAtNo(s string) string {
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], "の")
		if j < 0 {
			break
		}
		j += i
		if reAfterNo.MatchString(s[j+len("の"):]) {
			return s[:j]
		}
		i = j + len("の")
	}
	return s
}

func trimName(s string) string {
	s = strings.TrimSpace(s)
	for i := 0; i < 4; i++ {
		t := reNameTail.ReplaceAllString(s, "")
		t = reNameHead.ReplaceAllString(t, "")
		t = strings.TrimSpace(t)
		if t == s {
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

// knownProduct returns the known plan a text names: by its whole name, or by a
// shorter form that names only that plan ("Business Basic", "ビジネススタンダード",
// "スタンダード"); the longest form found wins.
func (x *extractor) knownProduct(s string) string {
	ns := NormalizeProduct(s)
	best, bestLen := "", 0
	for _, a := range x.aliases {
		if len(a.norm) > bestLen && strings.Contains(ns, a.norm) {
			best, bestLen = a.plan, len(a.norm)
		}
	}
	return best
}

// productAlias is a normalized form of a plan name and the plan it names.
type productAlias struct{ norm, plan string }

// productAliases lists the forms of the known plans that a text may name them by:
// each whole name, the name without "Microsoft 365"/"Office 365" (at least 6
// characters), and the last word of a Business plan (Standard, Basic, Premium); a
// short form is kept only when exactly one plan's name holds it.
func productAliases(products []string) []productAlias {
	var out []productAlias
	norms := make([]string, len(products))
	for i, p := range products {
		norms[i] = NormalizeProduct(p)
	}
	unique := func(a string) bool {
		n := 0
		for _, np := range norms {
			if strings.Contains(np, a) {
				n++
			}
		}
		return n == 1
	}
	for i, p := range products {
		np := norms[i]
		if np == "" {
			continue
		}
		out = append(out, productAlias{np, p})
		for _, prefix := range []string{"microsoft365", "office365", "microsoft", "ms365"} {
			t, ok := strings.CutPrefix(np, prefix)
			if !ok {
				continue
			}
			if len(t) >= 6 && unique(t) {
				out = append(out, productAlias{t, p})
			}
			if w, ok := strings.CutPrefix(t, "business"); ok && len(w) >= 5 && unique(w) {
				out = append(out, productAlias{w, p})
			}
			break
		}
	}
	return out
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
