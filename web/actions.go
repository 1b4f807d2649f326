package web

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// Action is one thing staff may do from the web: a POST to /actions/NAME that calls the
// same jobs function as the matching command, with env.Who set to the logged-in user.
// Adding an action is one entry in builtinActions (or Options.Extra).
type Action struct {
	Name    string   // path under /actions/, e.g. "exceptions/close"
	Role    string   // the least role that may do it (store.RoleFinance, …)
	Command string   // the matching command line, for the reader of this table (pages name the button, never the command)
	Fields  []string // form fields that must not be empty
	// Do performs the action. It returns a message for the person and where to go next
	// ("" for the page the form was on).
	Do func(ctx context.Context, as Actor, f Form) (Done, error)
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
	v := strings.TrimSpace(f.Get(name))
	d, err := calendar.ParseDate(v)
	if err != nil {
		return d, fmt.Errorf("%s: %q は日付（例: 2026-11-24）ではありません", fieldName(name), v)
	}
	return d, nil
}

// Bool reads a checkbox.
func (f Form) Bool(name string) bool { v := f.Get(name); return v == "1" || v == "on" || v == "true" }

// ID reads a positive whole number (a transfer's or a request's number); label names
// the field for the person.
func (f Form) ID(name, label string) (int64, error) {
	s := strings.TrimSpace(f.Get(name))
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("%s: %q は番号（正の整数）ではありません", label, s)
	}
	return v, nil
}

// Yen reads an amount in whole yen ("1100", "1,100", "¥1,100", full-width digits);
// empty is 0. A negative or fractional amount is refused.
func (f Form) Yen(name, label string) (int64, error) {
	raw := strings.TrimSpace(f.Get(name))
	s := strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == ',' || r == '，' || r == '¥' || r == '￥' || r == '円' || r == ' ':
			return -1
		}
		return r
	}, raw)
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %q は円の整数ではありません", label, raw)
	}
	if v < 0 {
		return 0, fmt.Errorf("%s: %q は負の金額です", label, raw)
	}
	return v, nil
}

// List reads a field that may be given several times and may hold several values
// separated by commas, 、 or spaces (invoice numbers), in order, without repeats.
func (f Form) List(name string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range f.Values[name] {
		for _, p := range strings.FieldsFunc(v, func(r rune) bool {
			return r == ',' || r == '、' || r == '，' || r == ' ' || r == '\u3000' || r == '\t' || r == '\n' || r == '\r'
		}) {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// suggestionChoice is the value of a suggestion's radio button on the exceptions page:
// the invoice numbers, comma-separated, then ";" and the fee in yen.
func suggestionChoice(s store.Suggestion) string {
	return strings.Join(s.Invoices, ",") + ";" + strconv.FormatInt(s.Fee, 10)
}

// resolveInput reads the resolve form: the invoice field and the fee field win over the
// chosen suggestion (the page's script copies the suggestion into them; without
// script the choice alone is enough).
func resolveInput(f Form) (txn int64, invoices []string, fee int64, err error) {
	if txn, err = f.ID("txn", "振込の番号"); err != nil {
		return
	}
	invoices = f.List("invoice")
	feeSet := strings.TrimSpace(f.Get("fee")) != ""
	if fee, err = f.Yen("fee", "振込手数料"); err != nil {
		return
	}
	if pick := strings.TrimSpace(f.Get("suggestion")); pick != "" {
		nums, feeText, ok := strings.Cut(pick, ";")
		if len(invoices) == 0 {
			invoices = Form{url.Values{"n": {nums}}}.List("n")
		}
		if !feeSet && ok {
			if fee, err = (Form{url.Values{"fee": {feeText}}}).Yen("fee", "候補の手数料"); err != nil {
				return
			}
		}
	}
	if len(invoices) == 0 {
		err = errors.New("入力が足りません: 充当する請求書（候補を選ぶか、請求書番号を入力してください）")
	}
	return
}

// builtinActions is the table of actions; each calls the jobs function its command
// calls. It is made of the actions on exceptions, on payments and requests, on
// documents, and the rerun.
func builtinActions(s *Server) []Action {
	return slices.Concat(exceptionActions(s), bookingActions(), documentActions(), runActions(s))
}

// exceptionActions close an exception (対応済みにする, 確認した) or record the refund of
// the money it holds (返金した), and complete a task.
func exceptionActions(s *Server) []Action {
	return []Action{
		{Name: "exceptions/close", Role: roleFinance, Command: "nightly exceptions close ID --why TEXT", Fields: []string{"id", "why"},
			Do: func(ctx context.Context, as Actor, f Form) (Done, error) {
				name, err := s.openException(ctx, f.Get("id"))
				if err != nil {
					return Done{}, err
				}
				return Done{Message: name + "を対応済みにしました。"}, as.CloseException(ctx, as.Who, f.Get("id"), f.Get("why"))
			}},
		{Name: "exceptions/refund", Role: roleFinance, Command: "nightly exceptions close ID --refund YEN --on D --why TEXT",
			Fields: []string{"id", "yen", "on", "why"},
			Do: func(ctx context.Context, as Actor, f Form) (Done, error) {
				yen, err := f.Yen("yen", "返金額")
				if err != nil {
					return Done{}, err
				}
				on, err := f.Date("on")
				if err != nil {
					return Done{}, err
				}
				if on.After(s.today()) {
					return Done{}, fmt.Errorf("返金日 %s は今日より後です。返金を済ませてから記録してください", on.Japanese())
				}
				name, err := s.openException(ctx, f.Get("id"))
				if err != nil {
					return Done{}, err
				}
				if err := as.RefundException(ctx, as.Who, f.Get("id"), yen, on, strings.TrimSpace(f.Get("why"))); err != nil {
					return Done{}, err
				}
				return Done{Message: fmt.Sprintf("%sについて、%s を %s に返金したと記録し、対応済みにしました。", name, wording.Yen(yen), on.Japanese())}, nil
			}},
		{Name: "tasks/done", Role: roleFinance, Command: "nightly tasks done ID", Fields: []string{"id"},
			Do: func(ctx context.Context, as Actor, f Form) (Done, error) {
				return Done{Message: "作業を完了にしました。"}, as.CompleteTask(ctx, as.Who, f.Get("id"))
			}},
	}
}

// openException names the open exception key for the person who acts on it: its kind
// and subject, as the page showed them. One already closed (by someone else a moment
// ago) or unknown is refused in words, not by its key.
func (s *Server) openException(ctx context.Context, key string) (string, error) {
	x, err := store.GetException(ctx, s.db, key)
	if store.IsNoRows(err) {
		return "", errors.New("この例外はありません。ページを開き直してください")
	}
	if err != nil {
		return "", err
	}
	name := "例外「" + wording.ExceptionKinds.Name(x.Kind) + ": " + wording.Prose(x.Subject) + "」"
	if x.Status != "open" {
		return "", errors.New(name + "はすでに対応済みです。ページを開き直してください")
	}
	return name, nil
}

// bookingActions book a transfer to invoices, hold a contract's suspension and decide a
// request.
func bookingActions() []Action {
	return []Action{
		{Name: "contracts/hold", Role: roleFinance, Command: "nightly contracts hold NUMBER --until DATE --why TEXT", Fields: []string{"no", "until", "why"},
			Do: func(ctx context.Context, as Actor, f Form) (Done, error) {
				until, err := f.Date("until")
				if err != nil {
					return Done{}, err
				}
				return Done{Message: fmt.Sprintf("契約 %s の停止を %s まで保留しました。", f.Get("no"), until.Japanese())},
					as.HoldContract(ctx, as.Who, f.Get("no"), until, f.Get("why"))
			}},
		{Name: "payments/resolve", Role: roleFinance, Command: "nightly payments resolve TXN --invoice N[,N…] [--fee YEN] --why TEXT", Fields: []string{"txn", "why"},
			Do: func(ctx context.Context, as Actor, f Form) (Done, error) {
				txn, invoices, fee, err := resolveInput(f)
				if err != nil {
					return Done{}, err
				}
				if err := as.ResolvePayment(ctx, as.Who, txn, invoices, fee, strings.TrimSpace(f.Get("why"))); err != nil {
					return Done{}, err
				}
				msg := fmt.Sprintf("振込 %d を請求書 %s に充当しました", txn, strings.Join(invoices, "・"))
				if fee > 0 {
					msg += "（振込手数料 " + wording.Yen(fee) + " を受け入れ、このお客様の手数料として学習）"
				}
				return Done{Message: msg + "。振込人名を学習し、例外を閉じました。"}, nil
			}},
		{Name: "requests/decide", Role: roleFinance, Command: "nightly requests decide ID accept|reject --why TEXT", Fields: []string{"id", "decision", "why"},
			Do: func(ctx context.Context, as Actor, f Form) (Done, error) {
				id, err := f.ID("id", "ご依頼の番号")
				if err != nil {
					return Done{}, err
				}
				decision := f.Get("decision")
				verb, ok := map[string]string{"accept": "受理", "reject": "却下"}[decision]
				if !ok {
					return Done{}, fmt.Errorf("判断: %q は「受理」でも「却下」でもありません", decision)
				}
				r, err := as.DecideRequest(ctx, as.Who, id, decision, strings.TrimSpace(f.Get("why")))
				if err != nil {
					return Done{}, err
				}
				msg := fmt.Sprintf("ご依頼（受付番号 %d）を%sしました", id, verb)
				if r.ContractNo != "" {
					msg += "（契約 " + r.ContractNo + "）"
				}
				return Done{Message: msg + "。"}, nil
			}},
	}
}

// documentActions mark documents posted and void an invoice.
func documentActions() []Action {
	return []Action{
		{Name: "invoices/posted", Role: roleFinance, Command: "nightly invoices posted NUMBER… | --bundle DATE",
			Do: func(ctx context.Context, as Actor, f Form) (Done, error) {
				numbers := f.List("number")
				what := "書類 " + strings.Join(numbers, "・")
				if strings.TrimSpace(f.Get("bundle")) != "" {
					day, err := f.Date("bundle")
					if err != nil {
						return Done{}, fmt.Errorf("印刷用PDFの日付: %w", err)
					}
					if numbers, err = as.BundleNumbers(ctx, day); err != nil {
						return Done{}, err
					}
					if len(numbers) == 0 {
						return Done{Message: day.Japanese() + " の印刷用PDFに、郵送済みにする書類はありません。"}, nil
					}
					what = day.Japanese() + " の印刷用PDFの書類"
				}
				if len(numbers) == 0 {
					return Done{}, errors.New("入力が足りません: 郵送済みにする書類の番号")
				}
				n, err := as.MarkPosted(ctx, as.Who, numbers)
				if err != nil {
					return Done{}, err
				}
				msg := fmt.Sprintf("%s（%d 件）を郵送済みにしました。", what, len(numbers))
				if n < len(numbers) {
					msg = fmt.Sprintf("%s（%d 件）のうち %d 件を郵送済みにしました（%d 件は登録済みでした）。", what, len(numbers), n, len(numbers)-n)
				}
				return Done{Message: msg}, nil
			}},
		{Name: "invoices/void", Role: roleAdmin, Command: "nightly invoices void NUMBER --why TEXT [--reissue]", Fields: []string{"number", "why"},
			Do: func(ctx context.Context, as Actor, f Form) (Done, error) {
				no, reissue := strings.TrimSpace(f.Get("number")), f.Bool("reissue")
				if err := as.VoidInvoice(ctx, as.Who, no, strings.TrimSpace(f.Get("why")), reissue); err != nil {
					return Done{}, err
				}
				if reissue {
					return Done{Message: "請求書 " + no + " を取消・再発行の対象にしました。次の夜間処理で取り消し、訂正した請求書を発行します。"}, nil
				}
				return Done{Message: "請求書 " + no + " を取り消しました。"}, nil
			}},
	}
}

// runActions start a rerun or a dry run of a date in the background.
func runActions(s *Server) []Action {
	return []Action{
		{Name: "run", Role: roleFinance, Command: "nightly run --date DATE [--dry-run]", Fields: []string{"date"},
			Do: func(ctx context.Context, as Actor, f Form) (Done, error) {
				date, err := f.Date("date")
				if err != nil {
					return Done{}, err
				}
				if err := calendar.CheckRunDate(date, s.today(), f.Bool("dry_run")); err != nil { // refused before it starts
					return Done{}, fmt.Errorf("処理日 %s は実行できません（今日より後の日付は試算のみで1年先まで、2000年より前は不可）", date.Japanese())
				}
				id := s.runs.start(as, date, f.Bool("dry_run"), s.now(), s.log)
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
				s.reshow(w, r, localPath(f.Get("back")), http.StatusBadRequest, fmt.Errorf("入力が足りません: %s", fieldName(k)))
				return
			}
		}
		done, err := a.Do(r.Context(), Actor{Backend: s.backend, Who: v.user.Name}, f)
		if err != nil {
			status := http.StatusBadRequest
			if errors.Is(err, store.ErrLockHeld) {
				status = http.StatusConflict
			}
			s.log.Warn("web: action failed", "action", a.Name, "user", v.user.Name, "error", err)
			s.reshow(w, r, localPath(f.Get("back")), status, err)
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

// actionErrKey carries a failed action's message to the page shown again.
type actionErrKey struct{}

// reshow answers a failed action: the page the form was on (back) is shown again with
// status and the reason on top, so the person can correct and send again; without a
// page to go back to, the error page.
func (s *Server) reshow(w http.ResponseWriter, r *http.Request, back string, status int, err error) {
	u, perr := url.Parse(back)
	if back == "" || perr != nil {
		s.fail(w, r, status, err)
		return
	}
	r2 := r.Clone(context.WithValue(r.Context(), actionErrKey{}, err.Error()))
	r2.Method, r2.URL, r2.RequestURI = http.MethodGet, u, back
	r2.Body, r2.ContentLength, r2.Form, r2.PostForm = http.NoBody, 0, nil, nil
	s.mux.ServeHTTP(&statusWriter{ResponseWriter: w, status: status}, r2)
}

// statusWriter turns the 200 of a page shown again into the status of the failure.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if code == http.StatusOK {
		code = w.status
	}
	w.ResponseWriter.WriteHeader(code)
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
	if n, ok := map[string]string{"id": "対象の番号", "why": "理由", "no": "契約番号", "until": "保留期限", "date": "処理日",
		"txn": "振込の番号", "decision": "判断（受理・却下）", "number": "請求書番号", "yen": "返金額", "on": "返金日",
		"bundle": "印刷用PDFの日付"}[k]; ok {
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
