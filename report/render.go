package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/csvsafe"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/templates"
	"github.com/npress/nightly/wording"
)

// funcs are the template functions of the report: every word and number staff read
// goes through the catalogue (package wording).
var funcs = template.FuncMap{
	"yen":        wording.Yen,
	"jdate":      func(d calendar.Date) template.HTML { return keep(wording.Date(d)) },
	"jst":        func(t time.Time) template.HTML { return keep(wording.Time(t)) },
	"minute":     func(t time.Time) template.HTML { return keep(wording.Minute(t)) },
	"secs":       func(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) },
	"prose":      func(s string) template.HTML { return keep(wording.Prose(s)) },
	"exStep":     ExceptionStep,
	"exGroups":   ExceptionGroups,
	"changeName": wording.ChangeName,
	"stepName":   wording.Steps.Name,
	"bankFormat": wording.BankFormat,
	"fileStatus": wording.BankFileStatuses.Name,
	"evKind":     wording.EvidenceKinds.Name,
	"invStatus":  wording.InvoiceStatuses.Name,
	"reqStatus":  wording.RequestStatuses.Name,
	"reqKind":    wording.RequestKinds.Name,
	"runStatus":  wording.RunStatuses.Name,
	"trigger":    wording.Triggers.Name,
	"who":        wording.Who,
	"audit":      wording.AuditSentence,
	"actionName": wording.ContractEvents.Name,
	"kindName":   wording.DocumentKinds.Name,
	"docHref":    DocHref,
	"exKind":     wording.ExceptionKinds.Name,
	"ruleName":   wording.MatchRules.Name,
	"statusName": wording.ContractStatuses.Name,
	"taskName":   wording.TaskKinds.Name,
}

// unbroken are the runs of text a line must not break inside: contract, invoice and
// document numbers, plan codes, dates, times and amounts.
var unbroken = regexp.MustCompile(`NP-\d{7}|\d{4}-\d{6}(?:-[A-Z])?|\b[A-Z][A-Z0-9]{1,7}-[A-Z0-9]{1,8}\b|\d{4}年\d{1,2}月\d{1,2}日|\d{1,2}:\d{2}(?::\d{2})?|¥[\d,]+|[\d,]+ ?円`)

// keep escapes s for HTML and keeps each number, date and amount in it on one line.
func keep(s string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range unbroken.FindAllStringIndex(s, -1) {
		b.WriteString(template.HTMLEscapeString(s[last:m[0]]))
		b.WriteString(`<span class="nw">` + template.HTMLEscapeString(s[m[0]:m[1]]) + `</span>`)
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(s[last:]))
	return template.HTML(b.String())
}

// Funcs returns a copy of the template functions of the report (yen, jdate, exKind, …),
// so that other views of the same data print it the same way.
func Funcs() template.FuncMap { return maps.Clone(funcs) }

// DocHref is the link from the report of day to a document's PDF: in this day's folder,
// or in the folder of the night that issued it (SPEC §8.4).
func DocHref(it store.PrintItem, day calendar.Date) string {
	sub := "invoices"
	if it.Kind == "reminder" || it.Kind == "cancellation" {
		sub = "notices"
	}
	p := sub + "/" + it.Number + ".pdf"
	if it.IssueDate != day {
		p = "../" + it.IssueDate.String() + "/" + p
	}
	return p
}

// Render writes report.html from d with the report template (the configured override
// folder's, or the embedded default).
func Render(templatesDir string, d Data) ([]byte, error) {
	src, err := fs.ReadFile(templates.Open(templatesDir), "defaults/report.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("template defaults/report.html.tmpl: %w", err)
	}
	t, err := template.New("report").Funcs(funcs).Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("report template: %w", err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("render report: %w", err)
	}
	return b.Bytes(), nil
}

// ExceptionsCSV writes the open exceptions as CSV in UTF-8 with a BOM, which Japanese
// Excel opens correctly (SPEC §9.1); no cell can be taken for a formula.
func ExceptionsCSV(xs []store.Exception) []byte {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csvsafe.NewWriter(&b)
	w.UseCRLF = true
	w.Write([]string{"発生日", "種類", "対象", "内容", "対応", "候補"})
	for _, x := range xs {
		sugg, _ := x.Suggestions.Value()
		w.Write([]string{x.RunDate.String(), wording.ExceptionKinds.Name(x.Kind), x.Subject, wording.Prose(x.Message), ExceptionStep(x).Todo, sugg.(string)})
	}
	w.Flush()
	return b.Bytes()
}
