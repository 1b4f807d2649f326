package mailintake

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/npress/nightly/calendar"
)

var (
	reYMD    = regexp.MustCompile(`(\d{4})\s*(?:年|/|-|\.)\s*(\d{1,2})\s*(?:月|/|-|\.)\s*(\d{1,2})\s*日?`)
	reYM     = regexp.MustCompile(`(\d{4})\s*(?:年|/|-|\.)\s*(\d{1,2})\s*月?`)
	reReiwa  = regexp.MustCompile(`(?:令和|R)\s*(\d{1,2}|元)\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?`)
	reMD     = regexp.MustCompile(`(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?`)
	reCueEnd = regexp.MustCompile(`^\s*[)\]）】]?\s*(?:\(.{1,4}\))?\s*(?:末|いっぱい|一杯|まで|迄|をもって|を以て|をもちまして|で終了|で満了|満了|終了|付で解約|付けで解約|で解約|にて解約|で契約終了)`)
	reCueSt  = regexp.MustCompile(`^\s*[)\]）】]?\s*(?:\(.{1,4}\))?\s*(?:の|度)?\s*(?:から|より|以降|開始|分|更新|契約更新|の更新|更新時|更新分|適用|期|スタート|始ま|以後|〜|~)`)
)

// termIn finds the term start a text names: a date or month followed by a start word
// (から, 更新, 以降 …) is that start; one followed by an end word (末, まで, をもって …)
// is the end of the previous term, so the start is the next day or month. A bare date
// counts only in a form field about the term (labelled); in a field about the end
// (endLabel: 解約日, 終了日) a month's last day names the term starting the next day.
func (x *extractor) termIn(s string, labelled, endLabel bool) string {
	hits := x.dateHits(s)
	best := -1
	for i, h := range hits {
		if h.m < 1 || h.m > 12 || h.y < 2000 || h.y > 2100 {
			continue
		}
		if h.d != 0 && (h.d < 1 || h.d > calendar.DaysIn(h.y, time.Month(h.m))) {
			continue
		}
		if !h.end && !h.start && !labelled {
			continue
		}
		if best < 0 || h.pos < hits[best].pos {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	h := hits[best]
	end := h.end || (endLabel && h.d != 0 && h.d == calendar.DaysIn(h.y, time.Month(h.m)))
	if h.d == 0 {
		if end {
			d := calendar.New(h.y, time.Month(h.m), 1).AddMonths(1)
			return fmt.Sprintf("%04d-%02d", d.Year, int(d.Month))
		}
		return fmt.Sprintf("%04d-%02d", h.y, h.m)
	}
	d := calendar.New(h.y, time.Month(h.m), h.d)
	if end {
		d = d.AddDays(1)
	}
	return d.String()
}

// dateHit is a date or month written in a text, with whether a start or an end word
// follows it.
type dateHit struct {
	pos        int
	y, m, d    int
	end, start bool
}

// dateHits finds the dates and months of a text: 令和 years, YYYY年MM月DD日 and
// YYYY/MM/DD, YYYY年MM月, and (with the Date header to place it) MM月DD日.
func (x *extractor) dateHits(s string) []dateHit {
	var hits []dateHit
	starts := map[int]bool{} // where hits start, so that a shorter form inside one is skipped
	add := func(loc []int, y, m, d int) {
		rest := s[loc[1]:]
		h := dateHit{pos: loc[0], y: y, m: m, d: d, end: reCueEnd.MatchString(rest), start: reCueSt.MatchString(rest)}
		hits = append(hits, h)
		starts[loc[0]] = true
	}
	covered := func(i int) bool {
		return starts[i] || starts[i-1] || starts[i-2] || starts[i-3]
	}
	for _, loc := range reReiwa.FindAllStringSubmatchIndex(s, -1) {
		y := 1
		if g := s[loc[2]:loc[3]]; g != "元" {
			y, _ = strconv.Atoi(g)
		}
		m, _ := strconv.Atoi(s[loc[4]:loc[5]])
		d := 0
		if loc[6] >= 0 {
			d, _ = strconv.Atoi(s[loc[6]:loc[7]])
		}
		add(loc, 2018+y, m, d)
	}
	for _, loc := range reYMD.FindAllStringSubmatchIndex(s, -1) {
		if covered(loc[0]) || !okStart(s, loc[0]) {
			continue
		}
		y, _ := strconv.Atoi(s[loc[2]:loc[3]])
		m, _ := strconv.Atoi(s[loc[4]:loc[5]])
		d, _ := strconv.Atoi(s[loc[6]:loc[7]])
		add(loc, y, m, d)
	}
	for _, loc := range reYM.FindAllStringSubmatchIndex(s, -1) {
		if covered(loc[0]) || !okStart(s, loc[0]) {
			continue
		}
		if loc[1] < len(s) && s[loc[1]] >= '0' && s[loc[1]] <= '9' {
			continue
		}
		y, _ := strconv.Atoi(s[loc[2]:loc[3]])
		m, _ := strconv.Atoi(s[loc[4]:loc[5]])
		add(loc, y, m, 0)
	}
	if !x.ref.IsZero() {
		ref := calendar.InTokyo(x.ref)
		for _, loc := range reMD.FindAllStringSubmatchIndex(s, -1) {
			if covered(loc[0]) || loc[0] > 0 && (s[loc[0]-1] >= '0' && s[loc[0]-1] <= '9' || strings.HasSuffix(s[:loc[0]], "年")) {
				continue
			}
			m, _ := strconv.Atoi(s[loc[2]:loc[3]])
			d := 0
			if loc[4] >= 0 {
				d, _ = strconv.Atoi(s[loc[4]:loc[5]])
			}
			y := ref.Year
			if m < int(ref.Month) {
				y++ // "4月から" written in October means next April
			}
			add(loc, y, m, d)
		}
	}
	return hits
}
