package invoice

import "strings"

// fits returns the largest size from size down to min points, in half points, at
// which s fits in w mm, and false when it does not fit even at min.
func (d *doc) fits(s string, w, size, min float64) (float64, bool) {
	s = d.clean(s)
	for ; size >= min; size -= 0.5 {
		d.fontSize(size)
		if d.pdf.GetStringWidth(s) <= w {
			return size, true
		}
	}
	return min, false
}

// wrap splits s into lines of at most w mm at size points: at spaces, or between
// Japanese characters, never putting closing punctuation (、。）」…) at the start of a
// line or an opening bracket at its end (禁則処理, the simple form).
func (d *doc) wrap(s string, w, size float64) []string {
	d.fontSize(size)
	var out []string
	for _, para := range strings.Split(d.clean(strings.ReplaceAll(s, "\r", "")), "\n") {
		rs := []rune(para)
		if len(rs) == 0 {
			out = append(out, "")
			continue
		}
		start, brk := 0, -1 // brk: index where a line may start
		width := 0.0
		for i := 0; i < len(rs); i++ {
			if i > start && canBreak(rs[i-1], rs[i]) {
				brk = i
			}
			width += d.pdf.GetStringWidth(string(rs[i]))
			if width <= w || i == start {
				continue
			}
			end := brk
			if end <= start {
				end = i // no place to break: cut the word
			}
			out = append(out, strings.TrimRight(string(rs[start:end]), " "))
			for end < len(rs) && rs[end] == ' ' {
				end++
			}
			start, brk, width = end, -1, 0
			i = start - 1
		}
		if start < len(rs) {
			out = append(out, string(rs[start:]))
		}
	}
	return out
}

// wrapPhrases splits s like wrap, but only between words (at spaces) so that no word
// is cut across lines ("（自" / "動継続）"); a word wider than the line is split before
// an opening bracket ("次年度ご利用料金" / "（自動継続）"), and only a part still wider
// than the line is split by wrap.
func (d *doc) wrapPhrases(s string, w, size float64) []string {
	d.fontSize(size)
	var tokens []string
	for _, p := range phrases(d.clean(s), false) {
		if d.pdf.GetStringWidth(strings.TrimRight(p, " ")) > w {
			tokens = append(tokens, phrases(p, true)...)
		} else {
			tokens = append(tokens, p)
		}
	}
	var out []string
	line := ""
	for _, p := range tokens {
		if d.pdf.GetStringWidth(strings.TrimRight(line+p, " ")) <= w {
			line += p
			continue
		}
		if strings.TrimSpace(line) != "" {
			out = append(out, strings.TrimRight(line, " "))
		}
		line = strings.TrimLeft(p, " ")
		if d.pdf.GetStringWidth(strings.TrimRight(line, " ")) > w {
			parts := d.wrap(strings.TrimRight(line, " "), w, size)
			out = append(out, parts[:len(parts)-1]...)
			line = parts[len(parts)-1] + " "
			d.fontSize(size)
		}
	}
	if strings.TrimSpace(line) != "" {
		out = append(out, strings.TrimRight(line, " "))
	}
	return out
}

// phrases splits s after each run of spaces and, with brackets, also before each
// opening bracket.
func phrases(s string, brackets bool) []string {
	var out []string
	start := 0
	rs := []rune(s)
	for i := 1; i < len(rs); i++ {
		afterSpace := (rs[i-1] == ' ' || rs[i-1] == '　') && rs[i] != ' ' && rs[i] != '　'
		if afterSpace || brackets && (rs[i] == '（' || rs[i] == '(') {
			out = append(out, string(rs[start:i]))
			start = i
		}
	}
	return append(out, string(rs[start:]))
}

// subject draws 件名 and the subject at x, y in a column w mm wide: on one line,
// shrunk down to 9 points if need be, else on two lines broken between words or
// before a bracket, never inside a word (a subject longer than two lines at 8.5
// points ends in "…").
func (d *doc) subject(x, y, w float64, subject string) {
	const label = 11.0
	d.text(x, y, label, 9.5, "L", "件名")
	x, w = x+label, w-label
	s := d.clean(subject)
	if size, ok := d.fits(s, w, 9.5, 9); ok {
		d.text(x, y, w, size, "L", s)
		return
	}
	lines := d.wrapPhrases(s, w, 9.5)
	size := 9.5
	if len(lines) > 2 {
		size = 8.5
		lines = d.wrapPhrases(s, w, size)
	}
	if len(lines) > 2 {
		rest := strings.Join(lines[1:], " ")
		if r, ok := strings.CutPrefix(s, lines[0]); ok {
			rest = strings.TrimSpace(r)
		}
		last, _ := d.fit(rest, w, size, size)
		lines = []string{lines[0], last}
	}
	for i, l := range lines {
		d.text(x, y+float64(i)*4.4, w, size, "L", l)
	}
}

// canBreak reports whether a line may end between a and b.
func canBreak(a, b rune) bool {
	if strings.ContainsRune("、。，．）」』】〕〉》・ー…！？!?,.)%:;々ぁぃぅぇぉっゃゅょァィゥェォッャュョ〜", b) {
		return false
	}
	if strings.ContainsRune("（「『【〔〈《(¥〒", a) {
		return false
	}
	return a == ' ' || a >= 0x2E80 || b >= 0x2E80
}
