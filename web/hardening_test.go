package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The rerun form obeys the run-date rule of the command line: a date after today only
// as a dry run, at most a year ahead; nothing before 2000 (issue 13, #3).
func TestRunFormRefusesFutureDates(t *testing.T) {
	f := sqliteFixture(t, Options{}) // today is 2026-11-24 (JST)
	c := f.client(t)
	tok := f.login(t, c, "finance1")
	for _, tc := range []struct {
		date, dry string
		ok        bool
	}{
		{"9999-12-31", "", false},
		{"2026-11-25", "", false},
		{"2027-11-25", "1", false},
		{"1999-12-31", "1", false},
		{"2027-11-24", "1", true},
	} {
		form := url.Values{"csrf": {tok}, "date": {tc.date}, "back": {"/runs/new"}}
		if tc.dry != "" {
			form.Set("dry_run", tc.dry)
		}
		resp, body := post(t, c, f.ts.URL+"/actions/run", form)
		if tc.ok {
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/runs/") {
				t.Errorf("%s dry=%q: %d, want the run started", tc.date, tc.dry, resp.StatusCode)
			}
			waitRun(t, c, f.ts.URL+resp.Header.Get("Location")+"/status")
			continue
		}
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "実行できません") {
			t.Errorf("%s dry=%q: %d, want 400 saying why:\n%.400s", tc.date, tc.dry, resp.StatusCode, body)
		}
	}
	if f.srv.runs.get(2) != nil {
		t.Error("a refused date started a run")
	}
}
