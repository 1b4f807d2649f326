package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"strconv"

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
	"jdate":      wording.Date,
	"jst":        wording.Time,
	"secs":       func(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) },
	"actionName": wording.ContractEvents.Name,
	"kindName":   wording.DocumentKinds.Name,
	"docHref":    DocHref,
	"exKind":     wording.ExceptionKinds.Name,
	"ruleName":   wording.MatchRules.Name,
	"statusName": wording.ContractStatuses.Name,
	"taskName":   wording.TaskKinds.Name,
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
		w.Write([]string{x.RunDate.String(), wording.ExceptionKinds.Name(x.Kind), x.Subject, x.Message, x.Action, sugg.(string)})
	}
	w.Flush()
	return b.Bytes()
}
