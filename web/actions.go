package web

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
)

// Action is one thing staff may do from the web: a POST to /actions/NAME that calls the
// same jobs function as the matching command, with env.Who set to the logged-in user.
// Adding an action is one entry in builtinActions (or Options.Extra).
type Action struct {
	Name    string   // path under /actions/, e.g. "exceptions/close"
	Role    string   // the least role that may do it (store.RoleFinance, …)
	Command string   // the matching command line, shown in the audit note of the page
	Fields  []string // form fields that must not be empty
	// Do performs the action. It returns a message for the person and where to go next
	// ("" for the page the form was on).
	Do func(ctx context.Context, env *jobs.Env, f Form) (Done, error)
}

// Done is the outcome of an action for the person who did it.
type Done struct {
	Message  string
	Redirect string
}

// Form is the submitted form of an action.
type Form struct{ url.Values }

// Date reads a YYYY-MM-DD field.
func (f Form) Date(name string) (calendar.Date, error) {
	d, err := calendar.ParseDate(strings.TrimSpace(f.Get(name)))
	if err != nil {
		return d, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

// Bool reads a checkbox.
func (f Form) Bool(name string) bool { v := f.Get(name); return v == "1" || v == "on" || v == "true" }

// builtinActions is the table of actions. Waiting for their jobs functions (see doc.go):
// payments/resolve, requests/decide, invoices/posted, invoices/void.
func builtinActions(s *Server) []Action {
	return []Action{
		{Name: "exceptions/close", Role: roleFinance, Command: "nightly exceptions close ID --why TEXT", Fields: []string{"id", "why"},
			Do: func(ctx context.Context, env *jobs.Env, f Form) (Done, error) {
				return Done{Message: "例外 " + f.Get("id") + " を対応済みにしました。"}, jobs.CloseException(ctx, env, f.Get("id"), f.Get("why"))
			}},
		{Name: "tasks/done", Role: roleFinance, Command: "nightly tasks done ID", Fields: []string{"id"},
			Do: func(ctx context.Context, env *jobs.Env, f Form) (Done, error) {
				return Done{Message: "作業 " + f.Get("id") + " を完了にしました。"}, jobs.CompleteTask(ctx, env, f.Get("id"))
			}},
		{Name: "contracts/hold", Role: roleFinance, Command: "nightly contracts hold NUMBER --until DATE --why TEXT", Fields: []string{"no", "until", "why"},
			Do: func(ctx context.Context, env *jobs.Env, f Form) (Done, error) {
				until, err := f.Date("until")
				if err != nil {
					return Done{}, err
				}
				return Done{Message: fmt.Sprintf("契約 %s の停止を %s まで保留しました。", f.Get("no"), until.Japanese())},
					jobs.HoldContract(ctx, env, f.Get("no"), until, f.Get("why"))
			}},
		{Name: "run", Role: roleFinance, Command: "nightly run --date DATE [--dry-run]", Fields: []string{"date"},
			Do: func(ctx context.Context, env *jobs.Env, f Form) (Done, error) {
				date, err := f.Date("date")
				if err != nil {
					return Done{}, err
				}
				id := s.runs.start(env, jobs.Options{Date: date, DryRun: f.Bool("dry_run"), Trigger: "manual"})
				return Done{Redirect: fmt.Sprintf("/runs/%d", id)}, nil
			}},
	}
}

// actionHandler checks the role, the required fields, runs the action as the user and
// goes back with a message; an error is shown on an error page with the reason.
func (s *Server) actionHandler(a Action) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := viewerOf(r)
		if !roleAtLeast(v.user.Role, a.Role) {
			s.log.Warn("web: action refused for role", "action", a.Name, "user", v.user.Name, "role", v.user.Role)
			s.fail(w, r, http.StatusForbidden, fmt.Errorf("%s さん（%s）にはこの操作の権限がありません。", v.user.Name, RoleName(v.user.Role)))
			return
		}
		f := Form{r.PostForm}
		for _, k := range a.Fields {
			if strings.TrimSpace(f.Get(k)) == "" {
				s.fail(w, r, http.StatusBadRequest, fmt.Errorf("入力が足りません: %s", fieldName(k)))
				return
			}
		}
		env := *s.env // a shallow copy per request: who is the logged-in user
		env.Who = v.user.Name
		env.Progress = nil
		done, err := a.Do(r.Context(), &env, f)
		if err != nil {
			status := http.StatusBadRequest
			if errors.Is(err, store.ErrLockHeld) {
				status = http.StatusConflict
			}
			s.log.Warn("web: action failed", "action", a.Name, "user", v.user.Name, "error", err)
			s.fail(w, r, status, err)
			return
		}
		s.log.Info("web: action", "action", a.Name, "user", v.user.Name, "form", logForm(f))
		if done.Message != "" {
			http.SetCookie(w, s.cookie(r, flashCookie, encodeFlash(done.Message), 60))
		}
		to := done.Redirect
		if to == "" {
			to = localPath(f.Get("back"))
		}
		if to == "" {
			to = "/nights"
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
	})
}

// logForm is the form without the token, for the log.
func logForm(f Form) map[string]string {
	m := map[string]string{}
	for k := range f.Values {
		if k != "csrf" && k != "password" {
			m[k] = f.Get(k)
		}
	}
	return m
}

func fieldName(k string) string {
	if n, ok := map[string]string{"id": "ID", "why": "理由", "no": "契約番号", "until": "保留期限", "date": "処理日"}[k]; ok {
		return n
	}
	return k
}

func encodeFlash(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeFlash(s string) string {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return ""
	}
	return string(b)
}
