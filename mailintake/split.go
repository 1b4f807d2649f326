package mailintake

import (
	"regexp"
	"strings"
)

type split struct {
	text, quoted, forwarded, signature string
}

var (
	// A line that starts the original message under a reply, everything below it is old.
	originalMarker = regexp.MustCompile(`^\s*-{2,}\s*(Original Message|元のメッセージ|オリジナル\s*メッセージ|返信元のメッセージ)\s*-{2,}\s*$`)
	// A line that starts a forwarded message.
	forwardMarker = regexp.MustCompile(`^\s*(-{2,}\s*(Forwarded [Mm]essage|Forwarded by .*|転送(された)?メッセージ|転送メール|Original Message)\s*-{2,}|Begin forwarded message:|転送されたメッセージ:?|以下.{0,10}転送(します|いたします)[。:：]?)\s*$`)
	// Outlook puts a line of underscores above the original's header block.
	outlookRule = regexp.MustCompile(`^\s*_{10,}\s*$`)
	// Header lines of an Outlook or forwarded block ("From: …", "差出人: …").
	blockFrom   = regexp.MustCompile(`^\s*\*?(From|差出人|送信者|送信元|From)\s*\*?\s*[:：]`)
	blockHeader = regexp.MustCompile(`^\s*\*?(Sent|Date|To|Cc|Subject|送信日時|日時|日付|宛先|件名|CC|Cc)\s*\*?\s*[:：]`)
	// Attribution lines above a quote: "2026年10月1日(木) 10:00 山田 <…>:",
	// "On Thu, Oct 1, 2026 at 10:00 AM 山田 <…> wrote:", "山田様 wrote:".
	attributionDate = regexp.MustCompile(`(\d{4}\s*[年/\-.]\s*\d{1,2}\s*[月/\-.]\s*\d{1,2}|\d{1,2}:\d{2}|^On .+)`)
	attributionEnd  = regexp.MustCompile(`(wrote|書きました|のメッセージ|からのメール|writes|さん|様|>|\))\s*[:：]\s*$|[:：]\s*$`)
	// Signature delimiter "-- " and rule lines of ─ ━ = - ＝ ― _ * ～.
	sigDashes = regexp.MustCompile(`^--\s?$`)
	ruleLine  = regexp.MustCompile(`^\s*[─━=\-＝―_*＊～~・─┅┈]{4,}\s*$`)
	// Request cues: a block holding one of these is not a signature.
	// Signature cues: a block after a rule line is a signature only if it has one.
	signatureCue = regexp.MustCompile(`(?i)(TEL|電話|FAX|E-?mail|Mail|〒|URL|https?://|@|株式会社|有限会社|合同会社|㈱|\(株\)|（株）|部|課|室|グループ|Inc|Ltd)`)
	requestCue   = regexp.MustCompile(`(?i)(n\s*p\s*[\-－ー‐―]?\s*\d{3}|契約番号|減数|解約|解除|ライセンス|数量|本数|席数|シート|更新しない|製品|プラン)`)
)

func isQuoteLine(l string) bool {
	t := strings.TrimLeft(l, " \t　")
	return strings.HasPrefix(t, ">") || strings.HasPrefix(t, "＞") || strings.HasPrefix(t, "|>")
}

// splitBody separates the new text from quoted replies, a forwarded message and the
// signature. forwardSubject says the Subject starts with Fwd:/FW:/転送:, which makes an
// Outlook header block a forwarded message rather than a quoted original.
func splitBody(body string, forwardSubject bool) split {
	lines := strings.Split(body, "\n")
	var text, quoted []string
	var forwarded, tail []string
	cut := -1 // first line of the old message
	cutFwd := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case forwardMarker.MatchString(l) && !originalMarker.MatchString(l):
			cut, cutFwd = i, true
		case originalMarker.MatchString(l):
			cut, cutFwd = i, forwardSubject
		case outlookRule.MatchString(l) && headerBlockAt(lines, i+1):
			cut, cutFwd = i, forwardSubject
		case headerBlockAt(lines, i):
			cut, cutFwd = i, forwardSubject
		}
		if cut >= 0 {
			break
		}
	}
	head := lines
	if cut >= 0 {
		head, tail = lines[:cut], lines[cut:]
	}
	// Quote lines and their attribution lines inside the new part.
	for i := 0; i < len(head); i++ {
		l := head[i]
		if isQuoteLine(l) {
			quoted = append(quoted, l)
			continue
		}
		if isAttribution(head, i) {
			quoted = append(quoted, l)
			continue
		}
		text = append(text, l)
	}
	if cutFwd {
		forwarded = tail
	} else {
		quoted = append(quoted, tail...)
	}
	text, sig := splitSignature(text)
	return split{
		text:      trimBlank(text),
		quoted:    trimBlank(quoted),
		forwarded: trimBlank(forwarded),
		signature: trimBlank(sig),
	}
}

// headerBlockAt reports whether lines[i] starts a "From:/差出人:" block followed within
// five lines by another header line (Sent:, 送信日時:, Subject:, 件名:).
func headerBlockAt(lines []string, i int) bool {
	if i >= len(lines) || !blockFrom.MatchString(lines[i]) {
		return false
	}
	for j := i + 1; j < len(lines) && j <= i+5; j++ {
		if blockHeader.MatchString(lines[j]) {
			return true
		}
	}
	return false
}

// isAttribution reports whether lines[i] is the "… wrote:" line above a quote: it looks
// like one and the next non-blank line is quoted.
func isAttribution(lines []string, i int) bool {
	l := strings.TrimSpace(lines[i])
	if l == "" || len([]rune(l)) > 160 || !attributionEnd.MatchString(l) {
		return false
	}
	if !attributionDate.MatchString(l) && !strings.Contains(l, "wrote") && !strings.Contains(l, "書きました") && !strings.Contains(l, "@") {
		return false
	}
	for j := i + 1; j < len(lines) && j <= i+2; j++ {
		if strings.TrimSpace(lines[j]) == "" {
			continue
		}
		return isQuoteLine(lines[j])
	}
	return false
}

// splitSignature cuts the signature off the new text: from the last "-- " line, else
// from the earliest rule line (─, ━, =, -) after which no request cue appears, at most
// 12 non-empty lines follow and something signature-like (TEL, 〒, @, 株式会社, 部 …)
// does.
func splitSignature(lines []string) (text, sig []string) {
	for i := len(lines) - 1; i >= 0; i-- {
		if sigDashes.MatchString(lines[i]) {
			return lines[:i], lines[i:]
		}
	}
	for i := 0; i < len(lines); i++ {
		if !ruleLine.MatchString(lines[i]) {
			continue
		}
		rest := lines[i+1:]
		n, cue, sig := 0, false, false
		for _, l := range rest {
			if strings.TrimSpace(l) != "" && !ruleLine.MatchString(l) {
				n++
			}
			cue = cue || requestCue.MatchString(l)
			sig = sig || signatureCue.MatchString(l)
		}
		if !cue && sig && n > 0 && n <= 12 {
			return lines[:i], lines[i:]
		}
	}
	return lines, nil
}

func trimBlank(lines []string) string {
	s := strings.Join(lines, "\n")
	s = strings.Trim(s, "\n")
	out := make([]string, 0, len(lines))
	blank := 0
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

var fwdSubject = regexp.MustCompile(`(?i)^\s*(\[[^\]]*\]\s*)?(fwd?|fw|転送|tr)\s*[:：]`)

func isForwardSubject(s string) bool { return fwdSubject.MatchString(s) }
