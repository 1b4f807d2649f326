package mailintake

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText renders an HTML mail body as plain text: block elements and <br> end
// lines, table cells are separated by a tab (so that an HTML form reads as
// "項目<TAB>値"), <blockquote> lines are prefixed with "> " like a quoted reply, and
// scripts, styles and the head are dropped.
func htmlToText(src string) string {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil { // html.Parse only fails on reader errors
		return src
	}
	var r htmlRenderer
	r.node(doc)
	r.flushLine()
	return strings.Trim(strings.Join(r.lines, "\n"), "\n")
}

type htmlRenderer struct {
	lines []string
	cur   strings.Builder
	quote int
	pre   int
	cell  bool // a cell was written on the current row
}

func (r *htmlRenderer) flushLine() {
	line := strings.TrimRight(r.cur.String(), " \t")
	if r.pre == 0 {
		line = strings.TrimLeft(line, " ")
	}
	r.cur.Reset()
	r.cell = false
	if line == "" {
		return // blank lines come from blank() only, one at a time
	}
	if r.quote > 0 {
		line = strings.Repeat(">", r.quote) + " " + line
	}
	r.lines = append(r.lines, line)
}

func (r *htmlRenderer) blank() {
	if r.cur.Len() > 0 {
		r.flushLine()
	}
	if n := len(r.lines); n > 0 && r.lines[n-1] != "" {
		r.lines = append(r.lines, "")
	}
}

func (r *htmlRenderer) text(s string) {
	if r.pre > 0 {
		parts := strings.Split(s, "\n")
		for i, p := range parts {
			if i > 0 {
				r.flushLine()
			}
			r.cur.WriteString(p)
		}
		return
	}
	s = strings.ReplaceAll(s, "\u00a0", " ")
	fields := strings.Fields(s)
	if len(fields) == 0 {
		if r.cur.Len() > 0 && s != "" {
			r.cur.WriteString(" ")
		}
		return
	}
	if r.cur.Len() > 0 && (s[0] == ' ' || s[0] == '\n' || s[0] == '\t') {
		r.cur.WriteString(" ")
	}
	r.cur.WriteString(strings.Join(fields, " "))
	if last := s[len(s)-1]; last == ' ' || last == '\n' || last == '\t' {
		r.cur.WriteString(" ")
	}
}

func (r *htmlRenderer) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		r.text(n.Data)
		return
	case html.CommentNode, html.DoctypeNode:
		return
	case html.ElementNode:
		switch n.DataAtom {
		case atom.Script, atom.Style, atom.Head, atom.Title, atom.Noscript, atom.Template:
			return
		case atom.Br:
			r.flushLine()
			return
		case atom.Hr:
			r.flushLine()
			r.lines = append(r.lines, "----")
			return
		case atom.Img:
			for _, a := range n.Attr {
				if a.Key == "alt" && strings.TrimSpace(a.Val) != "" {
					r.text(a.Val)
				}
			}
			return
		}
	}
	block := n.Type == html.ElementNode && isBlock(n.DataAtom)
	switch {
	case n.DataAtom == atom.Blockquote:
		r.blank()
		r.quote++
	case n.DataAtom == atom.Pre:
		r.flushLine()
		r.pre++
	case n.DataAtom == atom.Td || n.DataAtom == atom.Th:
		if r.cell {
			r.cur.WriteString("\t")
		}
	case n.DataAtom == atom.Li:
		r.flushLine()
		r.cur.WriteString("・")
	case n.DataAtom == atom.P:
		r.blank()
	case block:
		if r.cur.Len() > 0 {
			r.flushLine()
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.node(c)
	}
	switch {
	case n.DataAtom == atom.Blockquote:
		r.flushLine()
		r.quote--
		r.blank()
	case n.DataAtom == atom.Pre:
		r.flushLine()
		r.pre--
	case n.DataAtom == atom.Td || n.DataAtom == atom.Th:
		r.cell = true
	case n.DataAtom == atom.P:
		r.blank()
	case block:
		if r.cur.Len() > 0 {
			r.flushLine()
		}
	}
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.Div, atom.Tr, atom.Table, atom.Ul, atom.Ol, atom.Li, atom.H1, atom.H2, atom.H3,
		atom.H4, atom.H5, atom.H6, atom.Section, atom.Article, atom.Header, atom.Footer,
		atom.Dl, atom.Dt, atom.Dd, atom.Address, atom.Form, atom.Fieldset, atom.Tbody,
		atom.Thead, atom.Tfoot, atom.Caption, atom.Main, atom.Nav, atom.Aside, atom.Center:
		return true
	}
	return false
}
