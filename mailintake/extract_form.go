package mailintake

import (
	"regexp"
	"strings"
)

// scan reads the fields of a run of folded lines: form fields first, then prose.
func (x *extractor) scan(lines []string) partial {
	var p partial
	var kindText []string
	for i := 0; i < len(lines); i++ {
		label, value, ok := formField(lines[i])
		if !ok {
			continue
		}
		if value == "" { // "契約者名:" with the value on the next line
			if j := nextNonBlank(lines, i+1); j > 0 {
				if _, _, isField := formField(lines[j]); !isField {
					value = strings.TrimSpace(lines[j])
				}
			}
		}
		if value == "" {
			continue
		}
		switch classifyLabel(label) {
		case labelContractor:
			if p.contractor == "" && !x.notContractor(value) {
				p.contractor = trimName(value)
			}
		case labelProduct:
			if p.product == "" {
				p.product = x.productName(value)
			}
		case labelSeats:
			x.seatField(&p, label, value)
		case labelKind:
			kindText = append(kindText, value)
		case labelTerm:
			if p.term == "" {
				p.term = x.termIn(value, true, reLabelEnd.MatchString(label))
			}
		}
	}
	text := strings.Join(lines, "\n")
	if k, full := kindOf(strings.Join(kindText, "\n")); k != "" {
		p.kind, p.fullCancel = k, full
	} else if k, full := kindOf(text); k != "" {
		p.kind, p.fullCancel = k, full
	}
	p.withdrawn = reWithdrawn.MatchString(text)
	if !p.seats.stated() {
		before := p.seats.before
		p.seats = seatsIn(text)
		if before != nil {
			p.seats.before = before
		}
	}
	if p.product == "" {
		p.product = x.productIn(lines)
	}
	if p.contractor == "" {
		p.contractor = x.companyIn(lines)
	}
	if p.term == "" {
		p.term = x.termIn(text, false, false)
	}
	return p
}

// seatField reads a form field about seats: counts written out ("20 → 15",
// "15ライセンスに") as such; a bare number by what its label says (減数数 removed,
// 現在 before, 変更後 after), and under the desk's plain 数量 as the quantity, whose
// meaning depends on the kind (finish).
func (x *extractor) seatField(p *partial, label, value string) {
	if p.seats.stated() {
		return
	}
	sc := seatsIn(value)
	if m := reLeadNum.FindStringSubmatch(value); m != nil && sc.after == nil {
		// "15（5ライセンス減）": the leading count is the field's own value.
		if n, ok := seatNumber(m[1]); ok {
			sc.qty = &n
		}
	}
	if !sc.stated() && sc.before == nil {
		n, found, unreadable := bareNumber(value)
		switch {
		case unreadable:
			sc.unreadable = true
		case !found:
		case reLabelAfter.MatchString(label):
			sc.after = &n
		case reLabelRemoved.MatchString(label):
			sc.removed = &n
		case reLabelBefore.MatchString(label):
			sc.before = &n
		default:
			sc.qty = &n
		}
	}
	if sc.before == nil {
		sc.before = p.seats.before
	}
	p.seats = sc
}

func nextNonBlank(lines []string, i int) int {
	for ; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "" {
			return i
		}
	}
	return -1
}

var (
	bulletPrefix = regexp.MustCompile(`^[\s■□◆◇●○◎・*\-+>]*(?:\(?\d{1,2}[.)]\s*|[①-⑳]\s*)?`)
	bracketLabel = regexp.MustCompile(`^[【\[<〈《]([^】\]>〉》]{1,20})[】\]>〉》]\s*[:]?\s*(.*)$`)
)

// formField splits "項目: 値", "【項目】値", "項目<TAB>値" and "項目 値" (for a known
// label). The label comes back without bullets and spaces.
func formField(line string) (label, value string, ok bool) {
	l := bulletPrefix.ReplaceAllString(line, "")
	if m := bracketLabel.FindStringSubmatch(l); m != nil {
		return compactLabel(m[1]), strings.TrimSpace(m[2]), true
	}
	if i := strings.IndexAny(l, ":\t"); i > 0 {
		lab := l[:i]
		if len([]rune(lab)) <= 20 && !strings.ContainsAny(lab, "。、") {
			return compactLabel(lab), strings.TrimSpace(strings.TrimLeft(l[i+1:], ":\t ")), true
		}
	}
	if f := strings.Fields(l); len(f) >= 2 {
		lab := compactLabel(f[0])
		if classifyLabel(lab) != labelNone {
			return lab, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), f[0])), true
		}
	}
	return "", "", false
}

func compactLabel(s string) string {
	s = strings.Join(strings.Fields(s), "")
	return strings.Trim(s, "「」『』()*※")
}

type labelClass int

const (
	labelNone labelClass = iota
	labelContract
	labelContractor
	labelProduct
	labelSeats
	labelKind
	labelTerm
)

var (
	reLabelContract   = regexp.MustCompile(`(?i)契約(番号|No|ID|コード)|ContractNo`)
	reLabelSeats      = regexp.MustCompile(`(?i)(数量|ライセンス数|本数|席数|シート数|ユーザー?数|アカウント数|契約数|台数|ID数|減数数?|削減数|減少数|変更後|変更前|現在|現行|seats|quantity)`)
	reLabelAfter      = regexp.MustCompile(`(変更後|減数後|削減後|減少後|希望数|継続数|更新後|残す|残り|新数量|新ライセンス数)`)
	reLabelRemoved    = regexp.MustCompile(`(減数|削減|減少|減らす|解約数|マイナス)`)
	reLabelBefore     = regexp.MustCompile(`(現在|変更前|現行)`)
	reLabelTerm       = regexp.MustCompile(`(時期|適用|開始|終了|解約日|希望日|希望月|変更日|年月|期日|更新日|期間|実施日|反映|満了|月度)`)
	reLabelEnd        = regexp.MustCompile(`(終了|解約日|解約希望日|満了|最終)`)
	reLabelKind       = regexp.MustCompile(`(?i)^(request|requesttype|type)$|^(お|ご)?(申込|申し込み|依頼|申請|手続き?)?(種別|区分|内容|種類|手続き?|依頼内容|申込内容|申請内容|希望内容|ご希望|希望|希望される内容|処理内容|用件|ご用件|件名)$|^(減数|解約)(・|/)?(減数|解約)?(区分|種別)?$`)
	reLabelProduct    = regexp.MustCompile(`(?i)^(対象)?(ご契約)?(契約)?(製品|商品|品名|プラン|サービス|ライセンス名|ライセンス種類|ライセンス種別|ライセンス|品目|SKU|product|plan)(名|名称|種別)?$`)
	reLabelContractor = regexp.MustCompile(`(?i)^(ご|御)?(契約者|契約会社|会社|御社|貴社|法人|企業|団体|お客様|顧客|社|契約名義|名義|申込会社|申込者会社)(様)?(名|名称)?(様)?$|^(company|companyname|customer|customername|contractor)$`)
)

func classifyLabel(l string) labelClass {
	switch {
	case l == "":
		return labelNone
	case reLabelContract.MatchString(l):
		return labelContract
	case reLabelSeats.MatchString(l):
		return labelSeats
	case reLabelTerm.MatchString(l):
		return labelTerm
	case reLabelKind.MatchString(l):
		return labelKind
	case reLabelProduct.MatchString(l):
		return labelProduct
	case reLabelContractor.MatchString(l):
		return labelContractor
	}
	return labelNone
}
