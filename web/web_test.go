package web

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/config"
	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/ledger"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// clock is a test clock that can be moved forward.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// 2026-11-24 09:00 JST: the morning after the demo night.
var morning = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

const password = "correct horse battery"

var cheapHash = sync.OnceValue(func() string {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		panic(err)
	}
	return string(h)
})

// fixture is a seeded database with users viewer1, finance1 and admin1, and the web UI
// over it.
type fixture struct {
	env   *jobs.Env
	clock *clock
	srv   *Server
	ts    *httptest.Server
	logs  *bytes.Buffer
}

func newFixture(t *testing.T, db *store.DB, dsn string, o Options) *fixture {
	t.Helper()
	out := t.TempDir()
	c := config.Default()
	c.DB, c.OutDir = dsn, out
	c.Resolve()
	c.EvidenceDir = filepath.Join(out, "evidence")
	ev, err := evidence.Open(c.EvidenceDir)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: morning}
	logs := &bytes.Buffer{}
	env := &jobs.Env{DB: db, Config: c, Calendar: calendar.NewCalendar(calendar.Options{}), Evidence: ev,
		Log: slog.New(slog.NewTextHandler(&syncWriter{w: logs}, nil)), Now: clk.now, Who: "test"}
	ctx := context.Background()
	if err := demo.Seed(ctx, db, env.Calendar, demo.Date, morning); err != nil {
		t.Fatal(err)
	}
	// Users are stored with the cheapest bcrypt cost so that the tests stay fast under
	// the race detector; AddUser itself (DefaultCost) is tested in TestAddUserChecks.
	hash := cheapHash()
	for _, u := range []struct{ name, role string }{{"viewer1", "viewer"}, {"finance1", "finance"}, {"admin1", "admin"}} {
		if err := store.AddUser(ctx, db, store.User{Name: u.name, Role: u.role, PasswordHash: hash}, morning); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := newServer(testDeps(env), o)
	if err != nil {
		t.Fatal(err)
	}
	srv.dummyOnce.Do(func() { srv.dummyHash = []byte(hash) })
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); srv.Shutdown() })
	return &fixture{env: env, clock: clk, srv: srv, ts: ts, logs: logs}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// client is a browser: a cookie jar, no redirects followed.
func (f *fixture) client(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// token reads the CSRF token of the page at path.
func token(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, body := get(t, c, u)
	m := csrfRE.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("GET %s: %d, no csrf token in %.300s", u, resp.StatusCode, body)
	}
	return m[1]
}

// login logs c in as name and returns the session's CSRF token.
func (f *fixture) login(t *testing.T, c *http.Client, name string) string {
	t.Helper()
	tok := token(t, c, f.ts.URL+"/login")
	resp, body := post(t, c, f.ts.URL+"/login", url.Values{"csrf": {tok}, "name": {name}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/nights" {
		t.Fatalf("login %s: %d %s %.300s", name, resp.StatusCode, resp.Header.Get("Location"), body)
	}
	return token(t, c, f.ts.URL+"/exceptions")
}

func sqliteFixture(t *testing.T, o Options) *fixture {
	dsn := storetest.SQLiteDSN(t)
	return newFixture(t, storetest.Open(t, dsn), dsn, o)
}

var pages = []string{"/nights", "/nights/2026-11-24", "/nights/2026-11-24/report.html", "/nights/2026-11-24/invoices",
	"/exceptions", "/tasks", "/requests", "/contracts", "/contracts/NP-0001001", "/evidence", "/evidence?counterparty=x",
	"/runs/new", "/documents/2026-000001", "/nights/2026-11-24/print/bundle.pdf", "/evidence/" + strings.Repeat("a", 64), "/"}

// Without a session every page but /healthz and /login redirects to /login, and a POST
// without a valid CSRF token is 403 — also on /login.
func TestNothingWithoutLogin(t *testing.T) {
	f := sqliteFixture(t, Options{})
	c := f.client(t)
	resp, body := get(t, c, f.ts.URL+"/healthz")
	if resp.StatusCode != 200 || strings.TrimSpace(body) != "ok" {
		t.Fatalf("/healthz: %d %q", resp.StatusCode, body)
	}
	for _, p := range pages {
		resp, _ := get(t, c, f.ts.URL+p)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
			t.Errorf("GET %s without login: %d → %q, want 303 to /login", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if resp, body := get(t, c, f.ts.URL+"/login"); resp.StatusCode != 200 || !strings.Contains(body, "パスワード") {
		t.Errorf("/login: %d", resp.StatusCode)
	}
	if resp, _ := get(t, c, f.ts.URL+"/static/app.css"); resp.StatusCode != 200 {
		t.Errorf("/static/app.css: %d", resp.StatusCode)
	}
	for _, p := range []string{"/login", "/logout", "/actions/exceptions/close", "/actions/run", "/nights"} {
		resp, _ := post(t, c, f.ts.URL+p, url.Values{"name": {"admin1"}, "password": {password}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without token: %d, want 403", p, resp.StatusCode)
		}
		resp, _ = post(t, c, f.ts.URL+p, url.Values{"csrf": {"forged"}, "name": {"admin1"}, "password": {password}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s with a forged token: %d, want 403", p, resp.StatusCode)
		}
	}
	// A token from another browser's login cookie does not fit this browser's cookie.
	other := f.client(t)
	tok := token(t, other, f.ts.URL+"/login")
	token(t, c, f.ts.URL+"/login")
	if resp, _ := post(t, c, f.ts.URL+"/login", url.Values{"csrf": {tok}, "name": {"admin1"}, "password": {password}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST /login with another browser's token: %d, want 403", resp.StatusCode)
	}
	// The 403 came before the password was looked at: nothing was counted as a failure.
	var counted int
	f.env.DB.Get(&counted, "SELECT COUNT(*) FROM login_throttle")
	if counted != 0 || strings.Contains(f.logs.String(), "login failed") {
		t.Errorf("a POST without a valid token reached the login check")
	}
}

func TestLoginAndLogout(t *testing.T) {
	f := sqliteFixture(t, Options{})
	c := f.client(t)
	tok := token(t, c, f.ts.URL+"/login?next=/exceptions")
	resp, body := post(t, c, f.ts.URL+"/login", url.Values{"csrf": {tok}, "name": {"finance1"}, "password": {"wrong password!"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "ユーザー名またはパスワードが違います") {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
	if !strings.Contains(f.logs.String(), "login failed") || !strings.Contains(f.logs.String(), "user=finance1") {
		t.Errorf("failed login not logged: %s", f.logs.String())
	}
	resp, _ = post(t, c, f.ts.URL+"/login", url.Values{"csrf": {tok}, "name": {"finance1"}, "password": {password}, "next": {"/exceptions"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/exceptions" {
		t.Fatalf("login: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var sc *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			sc = ck
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode || sc.Secure {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, not Secure over plain HTTP", sc)
	}
	if resp, body := get(t, c, f.ts.URL+"/nights"); resp.StatusCode != 200 || !strings.Contains(body, "finance1（経理）") {
		t.Fatalf("/nights after login: %d", resp.StatusCode)
	}
	// The database keeps only the hash of the cookie value.
	var n int
	f.env.DB.Get(&n, "SELECT COUNT(*) FROM sessions WHERE token_sha256 = ?", hashToken(sc.Value))
	if n != 1 {
		t.Errorf("session row by hash: %d", n)
	}
	// An open redirect is not followed.
	if localPath("//evil.example/x") != "" || localPath("https://evil.example") != "" || localPath("/contracts/NP-1") != "/contracts/NP-1" {
		t.Errorf("localPath lets a foreign address through")
	}
	stok := token(t, c, f.ts.URL+"/nights")
	if resp, _ := post(t, c, f.ts.URL+"/logout", url.Values{"csrf": {stok}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp, _ := get(t, c, f.ts.URL+"/nights"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("/nights after logout: %d, want a redirect to /login", resp.StatusCode)
	}
	f.env.DB.Get(&n, "SELECT COUNT(*) FROM sessions")
	if n != 0 {
		t.Errorf("%d sessions left after logout", n)
	}
	// Sessions expire.
	f.login(t, c, "viewer1")
	f.clock.add(13 * time.Hour)
	if resp, _ := get(t, c, f.ts.URL+"/nights"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("/nights after 13 hours: %d, want a redirect to /login", resp.StatusCode)
	}
}

func TestSecureCookie(t *testing.T) {
	f := sqliteFixture(t, Options{Secure: true})
	c := f.client(t)
	resp, _ := get(t, c, f.ts.URL+"/login")
	for _, ck := range resp.Cookies() {
		if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
			t.Errorf("cookie %s: %+v", ck.Name, ck)
		}
	}
	if len(resp.Cookies()) == 0 {
		t.Error("no login cookie")
	}
}

func TestEveryPageRenders(t *testing.T) {
	f := sqliteFixture(t, Options{})
	ctx := context.Background()
	if _, err := jobs.Run(ctx, f.env, jobs.Options{Date: demo.Date, Trigger: "demo"}); err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	f.login(t, c, "admin1")
	want := map[string]string{
		"/nights":                        "2026年11月24日",
		"/nights/2026-11-24":             "対応が必要な例外",
		"/nights/2026-11-24/report.html": "夜間処理レポート",
		"/nights/2026-11-24/invoices":    "この日に発行した請求書",
		"/exceptions":                    "例外",
		"/tasks":                         "作業",
		"/requests":                      "依頼",
		"/contracts":                     "NP-0001001",
		"/contracts/NP-0001001":          "変更の履歴",
		"/evidence":                      "検索",
		"/evidence?amount_min=abc":       "円の整数ではありません",
		"/runs/new":                      "処理日",
	}
	for p, s := range want {
		resp, body := get(t, c, f.ts.URL+p)
		if resp.StatusCode != 200 || !strings.Contains(body, s) {
			t.Errorf("GET %s: %d, want 200 with %q; %.400s", p, resp.StatusCode, s, body)
		}
	}
	for _, p := range []string{"/nights/2026-13-40", "/contracts/NP-9999999", "/documents/2026-999999", "/nights/2026-11-24/print/..%2f..%2fnightly.db",
		"/nights/2026-11-24/print/other.pdf", "/evidence/" + strings.Repeat("a", 64), "/evidence/nothex", "/runs/99"} {
		if resp, _ := get(t, c, f.ts.URL+p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	if resp, _ := get(t, c, f.ts.URL+"/contracts?no=np-0001001"); resp.Header.Get("Location") != "/contracts/NP-0001001" {
		t.Errorf("open by number: %s", resp.Header.Get("Location"))
	}
}

func TestViewerCannotAct(t *testing.T) {
	f := sqliteFixture(t, Options{})
	ctx := context.Background()
	addException(t, f.env.DB, "x:1")
	c := f.client(t)
	tok := f.login(t, c, "viewer1")
	_, body := get(t, c, f.ts.URL+"/exceptions")
	if strings.Contains(body, "/actions/exceptions/close") {
		t.Error("a viewer is offered the close form")
	}
	for path, form := range map[string]url.Values{
		"/actions/exceptions/close":  {"id": {"x:1"}, "why": {"paid"}},
		"/actions/exceptions/refund": {"id": {"x:1"}, "yen": {"1000"}, "on": {"2026-11-24"}, "why": {"paid"}},
		"/actions/tasks/done":        {"id": {"whatever"}},
		"/actions/contracts/hold":    {"no": {"NP-0001001"}, "until": {"2026-12-31"}, "why": {"x"}},
		"/actions/run":               {"date": {"2026-11-24"}},
		"/actions/payments/resolve":  {"txn": {"1"}, "invoice": {"2026-000001"}, "why": {"x"}},
		"/actions/requests/decide":   {"id": {"1"}, "decision": {"reject"}, "why": {"x"}},
		"/actions/invoices/posted":   {"number": {"2026-000001"}},
		"/actions/invoices/void":     {"number": {"2026-000001"}, "why": {"x"}, "reissue": {"1"}},
	} {
		form.Set("csrf", tok)
		if resp, body := post(t, c, f.ts.URL+path, form); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "権限がありません") {
			t.Errorf("viewer POST %s: %d, want 403", path, resp.StatusCode)
		}
	}
	xs, _ := store.OpenExceptions(ctx, f.env.DB)
	if len(xs) != 1 {
		t.Errorf("the viewer's attempt changed the exceptions: %d open", len(xs))
	}
}

func addException(t *testing.T, db *store.DB, key string) {
	t.Helper()
	if _, err := store.AddException(context.Background(), db, store.Exception{NKey: key, RunDate: demo.Date, Kind: "unknown",
		Subject: "ﾔﾏﾀﾞｼｮｳｼﾞ ¥110,000", Message: "振込人が分かりません", Action: "入金先を確認してください"}); err != nil {
		t.Fatal(err)
	}
}

// A finance user's close goes through jobs.CloseException: the database changes and the
// audit trail names the user; hold and task done the same.
func TestFinanceActs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		f := newFixture(t, db, dsn, Options{})
		ctx := context.Background()
		addException(t, db, "x:1")
		c := f.client(t)
		tok := f.login(t, c, "finance1")
		resp, body := post(t, c, f.ts.URL+"/actions/exceptions/close", url.Values{"csrf": {tok}, "id": {"x:1"}, "back": {"/exceptions"}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "理由") {
			t.Fatalf("close without why: %d", resp.StatusCode)
		}
		resp, _ = post(t, c, f.ts.URL+"/actions/exceptions/close", url.Values{"csrf": {tok}, "id": {"x:1"}, "why": {"山田商事の入金と確認"}, "back": {"/exceptions"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/exceptions" {
			t.Fatalf("close: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if _, body := get(t, c, f.ts.URL+"/exceptions"); !strings.Contains(body, "例外「振込人不明: ﾔﾏﾀﾞｼｮｳｼﾞ ¥110,000」を対応済みにしました") || !strings.Contains(body, "未処理の例外はありません") {
			t.Errorf("after close the page shows no confirmation or still the exception")
		}
		var x store.Exception
		if err := db.Get(&x, "SELECT * FROM exceptions WHERE nkey = 'x:1'"); err != nil {
			t.Fatal(err)
		}
		if x.Status != "closed" || x.ClosedBy != "finance1" || x.ClosedWhy != "山田商事の入金と確認" {
			t.Errorf("exception after close: %+v", x)
		}
		audit, _ := store.AuditOf(ctx, db, "x:1")
		if len(audit) != 1 || audit[0].Who != "finance1" || audit[0].Action != "close_exception" {
			t.Errorf("audit: %+v", audit)
		}
		// Closing again is refused with the reason from jobs.
		if resp, body := post(t, c, f.ts.URL+"/actions/exceptions/close", url.Values{"csrf": {tok}, "id": {"x:1"}, "why": {"again"}}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "はすでに対応済みです") {
			t.Errorf("second close: %d", resp.StatusCode)
		}
		// Hold a contract.
		resp, body = post(t, c, f.ts.URL+"/actions/contracts/hold", url.Values{"csrf": {tok}, "no": {"NP-0001001"}, "until": {"2026-12-15"},
			"why": {"入金予定の連絡あり"}, "back": {"/contracts/NP-0001001"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("hold: %d %.300s", resp.StatusCode, body)
		}
		k, _ := store.GetContract(ctx, db, "NP-0001001")
		if k.HoldUntil.String() != "2026-12-15" {
			t.Errorf("hold_until %s", k.HoldUntil)
		}
		_, body = get(t, c, f.ts.URL+"/contracts/NP-0001001")
		if !strings.Contains(body, "finance1") || !strings.Contains(body, "入金予定の連絡あり") {
			t.Errorf("contract history does not show the hold by finance1")
		}
		// A bad date is refused.
		if resp, _ := post(t, c, f.ts.URL+"/actions/contracts/hold", url.Values{"csrf": {tok}, "no": {"NP-0001001"}, "until": {"12/15"}, "why": {"x"}}); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("hold with a bad date: %d", resp.StatusCode)
		}
		// Mark a task done.
		if _, err := store.AddTask(ctx, db, store.Task{NKey: "stop:NP-0001001:2026-11-30", Kind: "stop_service", ContractNo: "NP-0001001",
			Detail: "サービス停止", DueDate: demo.Date, RunDate: demo.Date}); err != nil {
			t.Fatal(err)
		}
		if resp, _ := post(t, c, f.ts.URL+"/actions/tasks/done", url.Values{"csrf": {tok}, "id": {"stop:NP-0001001:2026-11-30"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("task done: %d", resp.StatusCode)
		}
		task, _ := store.GetTask(ctx, db, "stop:NP-0001001:2026-11-30")
		if !task.DoneAt.Valid || task.DoneBy != "finance1" {
			t.Errorf("task after done: %+v", task)
		}
	})
}

// The stored PDF of an invoice is served with its exact bytes, inline or as a download.
func TestPDFAndEvidenceServed(t *testing.T) {
	f := sqliteFixture(t, Options{})
	ctx := context.Background()
	pdf := minimalPDF()
	sha, err := f.env.Evidence.Put(pdf)
	if err != nil {
		t.Fatal(err)
	}
	invs, err := store.ListInvoices(ctx, f.env.DB, store.InvoiceFilter{})
	if err != nil || len(invs) == 0 {
		t.Fatalf("the demo has no invoice: %v", err)
	}
	inv := invs[0]
	if err := store.SetInvoicePDF(ctx, f.env.DB, inv.Number, sha, 1); err != nil {
		t.Fatal(err)
	}
	e := evidence.Next(evidence.Entry{}, evidence.Entry{Kind: evidence.KindInvoicePDF, Source: inv.Number + ".pdf", ReceivedAt: morning,
		Size: int64(len(pdf)), SHA256: sha, Date: inv.IssueDate, Amount: inv.Total, HasAmount: true, Counterparty: "山田商事株式会社"})
	if err := store.AppendEvidence(ctx, f.env.DB, store.EvidenceRow{Seq: e.Seq, Kind: e.Kind, Source: e.Source, ReceivedAt: e.ReceivedAt,
		Size: e.Size, SHA256: e.SHA256, DocDate: e.Date, Amount: sql.NullInt64{Int64: e.Amount, Valid: true}, Counterparty: e.Counterparty,
		PrevHash: e.PrevHash, Hash: e.Hash}); err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	f.login(t, c, "viewer1")
	resp, body := get(t, c, f.ts.URL+"/documents/"+inv.Number)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || body != string(pdf) ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "inline") {
		t.Fatalf("PDF: %d %s %s, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), len(body))
	}
	resp, body = get(t, c, f.ts.URL+"/documents/"+inv.Number+"?download=1")
	if body != string(pdf) || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %s", resp.Header.Get("Content-Disposition"))
	}
	// The link of report.html (invoices/NUMBER.pdf, relative to the night) works too.
	if _, body := get(t, c, f.ts.URL+"/nights/"+inv.IssueDate.String()+"/invoices/"+inv.Number+".pdf"); body != string(pdf) {
		t.Errorf("report link to the PDF does not serve it")
	}
	if _, body := get(t, c, f.ts.URL+"/nights/"+inv.IssueDate.String()+"/invoices"); !strings.Contains(body, "/documents/"+inv.Number) {
		t.Errorf("the invoices page does not link the PDF")
	}
	// Evidence search by counterparty and amount, and the original downloaded.
	q := url.Values{"counterparty": {"山田"}, "amount_min": {"1"}, "from": {inv.IssueDate.String()}}
	if _, body := get(t, c, f.ts.URL+"/evidence?"+q.Encode()); !strings.Contains(body, "/evidence/"+sha) {
		t.Errorf("evidence search does not find the PDF")
	}
	resp, body = get(t, c, f.ts.URL+"/evidence/"+sha)
	if resp.StatusCode != 200 || body != string(pdf) || !strings.Contains(resp.Header.Get("Content-Disposition"), inv.Number+".pdf") {
		t.Errorf("evidence download: %d %s", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	// An altered file is never handed out.
	if err := os.Chmod(f.env.Evidence.Path(sha), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.env.Evidence.Path(sha), append(pdf, ' '), 0o644); err != nil {
		t.Fatal(err)
	}
	if resp, body := get(t, c, f.ts.URL+"/documents/"+inv.Number); resp.StatusCode != 500 || strings.HasPrefix(body, "%PDF") {
		t.Errorf("altered PDF: %d", resp.StatusCode)
	}
	// The print folder's files, when present.
	dir := filepath.Join(f.env.Config.OutDir, "2026-11-24", "print")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "bundle.pdf"), pdf, 0o644)
	resp, body = get(t, c, f.ts.URL+"/nights/2026-11-24/print/bundle.pdf")
	if resp.StatusCode != 200 || body != string(pdf) || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("bundle: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if _, body := get(t, c, f.ts.URL+"/nights/2026-11-24/invoices"); !strings.Contains(body, "print/bundle.pdf") || strings.Contains(body, "print/dispatch.csv") {
		t.Errorf("invoices page print files wrong")
	}
}

// minimalPDF is a one-page PDF with a line of text.
func minimalPDF() []byte {
	return []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
		"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n" +
		"4 0 obj<</Length 44>>stream\nBT /F1 24 Tf 72 760 Td (Invoice test) Tj ET\nendstream endobj\n" +
		"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
}

func waitRun(t *testing.T, c *http.Client, u string) runStatusJSON {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		resp, body := get(t, c, u)
		var st runStatusJSON
		if err := json.Unmarshal([]byte(body), &st); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %d %v %.200s", u, resp.StatusCode, err, body)
		}
		if st.Done {
			return st
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("run did not finish")
	return runStatusJSON{}
}

func TestRunFromTheWeb(t *testing.T) {
	f := sqliteFixture(t, Options{})
	ctx := context.Background()
	c := f.client(t)
	tok := f.login(t, c, "finance1")
	resp, _ := post(t, c, f.ts.URL+"/actions/run", url.Values{"csrf": {tok}, "date": {"2026-11-24"}, "dry_run": {"1"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/runs/1" {
		t.Fatalf("run: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := get(t, c, f.ts.URL+"/runs/1"); resp.StatusCode != 200 || !strings.Contains(body, `data-status-url="/runs/1/status"`) {
		t.Fatalf("progress page: %d", resp.StatusCode)
	}
	st := waitRun(t, c, f.ts.URL+"/runs/1/status")
	if st.Error != "" || len(st.Summaries) != 1 || st.Summaries[0].Status != "dry-run" || len(st.Lines) == 0 {
		t.Fatalf("dry run: %+v", st)
	}
	runs, _ := store.RecentRuns(ctx, f.env.DB, 5)
	if len(runs) != 1 || runs[0].Who != "finance1" || runs[0].Status != "dry-run" {
		t.Errorf("ledger: %+v", runs)
	}
	// While another run holds the lock, the rerun says so.
	lock, err := f.env.DB.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	post(t, c, f.ts.URL+"/actions/run", url.Values{"csrf": {tok}, "date": {"2026-11-24"}})
	st = waitRun(t, c, f.ts.URL+"/runs/2/status")
	lock.Unlock()
	if !st.LockHeld || !strings.Contains(st.Message, "別の処理") {
		t.Errorf("lock held: %+v", st)
	}
	if _, body := get(t, c, f.ts.URL+"/runs/2"); !strings.Contains(body, "別の処理") {
		t.Errorf("progress page does not say the lock is held")
	}
}

func TestTrustedProxyHeader(t *testing.T) {
	f := sqliteFixture(t, Options{TrustProxyHeader: "X-Remote-User"})
	addException(t, f.env.DB, "x:2")
	req := func(method, path string, form url.Values, user string) (*http.Response, string) {
		r, _ := http.NewRequest(method, f.ts.URL+path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if user != "" {
			r.Header.Set("X-Remote-User", user)
		}
		resp, err := f.client(t).Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	if resp, _ := req("GET", "/exceptions", nil, "stranger"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("unknown proxy user: %d, want a redirect to /login", resp.StatusCode)
	}
	resp, body := req("GET", "/exceptions", nil, "finance1")
	m := csrfRE.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("proxy user: %d", resp.StatusCode)
	}
	if resp, _ := req("POST", "/actions/exceptions/close", url.Values{"id": {"x:2"}, "why": {"ok"}}, "finance1"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("proxy POST without token: %d", resp.StatusCode)
	}
	if resp, _ := req("POST", "/actions/exceptions/close", url.Values{"csrf": {m[1]}, "id": {"x:2"}, "why": {"ok"}}, "viewer1"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("finance1's token used by viewer1: %d", resp.StatusCode)
	}
	if resp, _ := req("POST", "/actions/exceptions/close", url.Values{"csrf": {m[1]}, "id": {"x:2"}, "why": {"ok"}}, "finance1"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("proxy POST: %d", resp.StatusCode)
	}
	audit, _ := store.AuditOf(context.Background(), f.env.DB, "x:2")
	if len(audit) != 1 || audit[0].Who != "finance1" {
		t.Errorf("audit: %+v", audit)
	}
}

func TestAddUserChecks(t *testing.T) {
	f := sqliteFixture(t, Options{})
	ctx := context.Background()
	for _, tc := range []struct{ name, role, pw, want string }{
		{"a b", "viewer", password, "user name"},
		{"", "viewer", password, "user name"},
		{"carol", "boss", password, "role"},
		{"carol", "viewer", "short", "password"},
		{"carol", "viewer", strings.Repeat("x", 73), "password"},
		{"finance1", "viewer", password, "exists"},
	} {
		err := AddUser(ctx, f.env.DB, f.env.Who, f.env.Now(), tc.name, tc.role, tc.pw)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("AddUser(%q, %q): %v, want an error about %s", tc.name, tc.role, err, tc.want)
		}
	}
	f.env.Who = "sato"
	if err := AddUser(ctx, f.env.DB, f.env.Who, f.env.Now(), "carol", "admin", password); err != nil {
		t.Fatal(err)
	}
	u, err := store.GetUser(ctx, f.env.DB, "carol")
	if err != nil || u.Role != "admin" || u.CreatedBy != "sato" || strings.Contains(u.PasswordHash, password) {
		t.Errorf("stored user: %+v %v", u, err)
	}
	if cost, err := bcrypt.Cost([]byte(u.PasswordHash)); err != nil || cost != bcrypt.DefaultCost || bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		t.Errorf("password hash: cost %d %v", cost, err)
	}
	audit, _ := store.AuditOf(ctx, f.env.DB, "user:carol")
	if len(audit) != 1 || audit[0].Who != "sato" || audit[0].Action != "user_added" || audit[0].ToValue != "admin" {
		t.Errorf("audit of user:carol: %+v", audit)
	}
}

func TestServeHealthzAndShutdown(t *testing.T) {
	f := sqliteFixture(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, "127.0.0.1:0", f.srv, nil) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Serve did not stop")
	}
	if err := Serve(context.Background(), "256.0.0.1:1", f.srv, nil); err == nil || !strings.Contains(err.Error(), "listen") {
		t.Errorf("bad address: %v", err)
	}
}

// seedBankNight adds the demo's bank customers and drops its bank files, then runs the
// demo night: the transfers it could not match are open exceptions with suggestions.
func (f *fixture) seedBankNight(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if err := demo.SeedBank(ctx, f.env.DB, demo.Date, morning); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(f.env.Config.InboxDir, "bank")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range demo.BankFiles(demo.Date) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src, stop, err := demo.MailSource(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	f.env.MailSource = src
	_, err = jobs.Run(ctx, f.env, jobs.Options{Date: demo.Date, Trigger: "demo"})
	f.env.MailSource = nil
	if err != nil {
		t.Fatal(err)
	}
}

// openTxnException returns the open exception of a bank transfer of the given kind and
// its parsed view, failing when the demo night left none.
func openTxnException(t *testing.T, db *store.DB, kind string) exceptionView {
	t.Helper()
	xs, err := store.OpenExceptions(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	views, err := exceptionViews(context.Background(), db, xs)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range views {
		if v.Kind == kind && v.TxnID > 0 {
			return v
		}
	}
	t.Fatalf("no open %s exception of a transfer after the demo night: %+v", kind, xs)
	return exceptionView{}
}

func auditHas(t *testing.T, db *store.DB, subject, action, who string) bool {
	t.Helper()
	as, err := store.AuditOf(context.Background(), db, subject)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.Action == action && a.Who == who {
			return true
		}
	}
	return false
}

// A finance user books an unmatched transfer by choosing one of its ranked suggestions:
// the payment is there, the invoice's paid amount grew by the transfer, the payer name
// is learned for the customer, the exception is closed and the audit names the user.
// Bad input is answered 400 with the page shown again and the reason on top.
func TestResolveTransferBySuggestion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		f := newFixture(t, db, dsn, Options{})
		ctx := context.Background()
		f.seedBankNight(t)
		x := openTxnException(t, db, "ambiguous")
		if len(x.Suggestions) < 2 {
			t.Fatalf("ambiguous exception %s has %d suggestions, want 2 or more", x.NKey, len(x.Suggestions))
		}
		pick := x.Suggestions[1] // not the first: the choice is what counts
		invNo := pick.Invoices[0]
		txn, err := store.GetBankTxn(ctx, db, x.TxnID)
		if err != nil {
			t.Fatal(err)
		}
		before, err := store.GetInvoice(ctx, db, invNo)
		if err != nil {
			t.Fatal(err)
		}
		c := f.client(t)
		tok := f.login(t, c, "finance1")
		_, body := get(t, c, f.ts.URL+"/exceptions")
		txnField := `name="txn" value="` + strconv.FormatInt(x.TxnID, 10) + `"`
		for _, want := range []string{`action="/actions/payments/resolve"`, txnField, `value="` + pick.Choice + `"`, invNo, pick.Reason} {
			if !strings.Contains(body, want) {
				t.Errorf("exceptions page lacks %q", want)
			}
		}
		if _, body := get(t, c, f.ts.URL+"/nights/2026-11-24"); !strings.Contains(body, txnField) {
			t.Errorf("the night's report offers no resolve form for transfer %d", x.TxnID)
		}
		send := func(form url.Values) (*http.Response, string) {
			form.Set("csrf", tok)
			form.Set("back", "/exceptions")
			return post(t, c, f.ts.URL+"/actions/payments/resolve", form)
		}
		id := strconv.FormatInt(x.TxnID, 10)
		for _, bad := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"txn": {"abc"}, "suggestion": {pick.Choice}, "why": {"x"}}, "振込の番号: \"abc\" は番号（正の整数）ではありません"},
			{url.Values{"txn": {"-3"}, "suggestion": {pick.Choice}, "why": {"x"}}, "振込の番号"},
			{url.Values{"txn": {id}, "suggestion": {pick.Choice}, "fee": {"千円"}, "why": {"x"}}, "振込手数料: \"千円\" は円の整数ではありません"},
			{url.Values{"txn": {id}, "suggestion": {pick.Choice}, "fee": {"-100"}, "why": {"x"}}, "負の金額"},
			{url.Values{"txn": {id}, "why": {"x"}}, "充当する請求書"},
			{url.Values{"txn": {id}, "suggestion": {pick.Choice}}, "入力が足りません: 理由"},
			{url.Values{"txn": {id}, "invoice": {"2026-999999"}, "why": {"x"}}, "請求書 2026-999999 はありません"},
		} {
			resp, body := send(bad.form)
			body = html.UnescapeString(body)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, bad.want) || !strings.Contains(body, txnField) {
				t.Errorf("resolve %v: %d, want 400 with %q and the form shown again; %.300s", bad.form, resp.StatusCode, bad.want, body)
			}
		}
		if ps, _ := store.PaymentsOfTxn(ctx, db, x.TxnID); len(ps) != 0 {
			t.Fatalf("bad input booked payments: %+v", ps)
		}
		// The choice alone, as a browser without script sends it.
		resp, body := send(url.Values{"txn": {id}, "suggestion": {pick.Choice}, "invoice": {""}, "fee": {""}, "why": {"東雲商店に電話で確認"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/exceptions" {
			t.Fatalf("resolve: %d → %s %.300s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
		ps, err := store.PaymentsOfTxn(ctx, db, x.TxnID)
		if err != nil || len(ps) != 1 || ps[0].InvoiceNumber != invNo || ps[0].Amount != txn.Amount || ps[0].CreatedBy != "finance1" {
			t.Errorf("payments of transfer %d: %+v %v", x.TxnID, ps, err)
		}
		after, _ := store.GetInvoice(ctx, db, invNo)
		if after.Paid != before.Paid+txn.Amount {
			t.Errorf("invoice %s paid %d → %d, want +%d", invNo, before.Paid, after.Paid, txn.Amount)
		}
		aliases, _ := store.PayerAliases(ctx, db)
		learned := false
		for _, a := range aliases {
			learned = learned || (a.Name == txn.PayerNormalized && a.CustomerNo == pick.CustomerNo && a.LearnedBy == "finance1")
		}
		if !learned {
			t.Errorf("alias %q → %s not learned: %+v", txn.PayerNormalized, pick.CustomerNo, aliases)
		}
		var closed store.Exception
		if err := db.Get(&closed, "SELECT * FROM exceptions WHERE nkey = ?", x.NKey); err != nil || closed.Status != "closed" || closed.ClosedBy != "finance1" || closed.ClosedWhy != "東雲商店に電話で確認" {
			t.Errorf("exception after resolve: %+v %v", closed, err)
		}
		if !auditHas(t, db, x.NKey, "payment_resolved", "finance1") {
			t.Errorf("audit of %s does not show finance1's resolve", x.NKey)
		}
		_, body = get(t, c, f.ts.URL+"/exceptions")
		if !strings.Contains(body, "振込 "+id+" を請求書 "+invNo+" に充当しました") || strings.Contains(body, txnField) {
			t.Errorf("after resolve the page shows no confirmation or still the transfer")
		}
		// Typed fields win over a choice, and a fee is read as yen: "¥1,100". The partial
		// payment is booked again with the shortfall accepted as the customer's fee.
		u := openTxnException(t, db, "partial")
		ut, err := store.GetBankTxn(ctx, db, u.TxnID)
		if err != nil || len(u.Suggestions) == 0 {
			t.Fatalf("partial transfer %d: %v, suggestions %+v", u.TxnID, err, u.Suggestions)
		}
		target := u.Suggestions[0].Invoices[0]
		resp, body = send(url.Values{"txn": {strconv.FormatInt(u.TxnID, 10)}, "suggestion": {x.Suggestions[0].Choice}, "invoice": {" " + target + " "},
			"fee": {"¥1,100"}, "why": {"振込手数料の差し引き"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("resolve with a fee: %d %s", resp.StatusCode, errorBanner(body))
		}
		if ps, _ := store.PaymentsOfTxn(ctx, db, u.TxnID); len(ps) != 1 || ps[0].InvoiceNumber != target || ps[0].Fee != 1100 || ps[0].Amount != ut.Amount+1100 {
			t.Errorf("payments with the typed invoice and fee: %+v", ps)
		}
		if fees, _ := store.LearnedFees(ctx, db); fees[u.Suggestions[0].CustomerNo] != 1100 {
			t.Errorf("fee of %s not learned: %v", u.Suggestions[0].CustomerNo, fees)
		}
		// A viewer sees the suggestions but no form.
		vc := f.client(t)
		f.login(t, vc, "viewer1")
		_, body = get(t, vc, f.ts.URL+"/exceptions")
		if strings.Contains(body, "/actions/") || !strings.Contains(body, "充当先の候補") {
			t.Errorf("viewer's exceptions page: forms shown or suggestions missing")
		}
	})
}

// Deciding a request, marking documents posted (one, then the bundle of a date) and
// voiding with reissue (admin only) go through the jobs functions and are audited.
func TestDecidePostedVoid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		f := newFixture(t, db, dsn, Options{})
		ctx := context.Background()
		f.seedBankNight(t)
		c := f.client(t)
		tok := f.login(t, c, "finance1")
		act := func(c *http.Client, tok, name, back string, form url.Values) (*http.Response, string) {
			form.Set("csrf", tok)
			form.Set("back", back)
			return post(t, c, f.ts.URL+"/actions/"+name, form)
		}
		// Requests.
		rs, err := store.ListRequests(ctx, db, store.RequestFilter{Status: store.RequestAccepted})
		if err != nil || len(rs) == 0 {
			t.Fatalf("no accepted request after the demo night: %v", err)
		}
		req := rs[0]
		rid := strconv.FormatInt(req.ID, 10)
		if _, body := get(t, c, f.ts.URL+"/requests"); !strings.Contains(body, `action="/actions/requests/decide"`) || !strings.Contains(body, `name="id" value="`+rid+`"`) {
			t.Errorf("requests page offers no decision form for request %s", rid)
		}
		for _, bad := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"id": {"x1"}, "decision": {"reject"}, "why": {"y"}}, "ご依頼の番号: \"x1\" は番号"},
			{url.Values{"id": {rid}, "decision": {"maybe"}, "why": {"y"}}, "「受理」でも「却下」でもありません"},
			{url.Values{"id": {rid}, "why": {"y"}}, "入力が足りません: 判断"},
			{url.Values{"id": {"999999"}, "decision": {"reject"}, "why": {"y"}}, "ご依頼 999999 はありません"},
		} {
			if resp, body := act(c, tok, "requests/decide", "/requests", bad.form); resp.StatusCode != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), bad.want) || !strings.Contains(body, "/actions/requests/decide") {
				t.Errorf("decide %v: %d, want 400 with %q on the requests page; %.300s", bad.form, resp.StatusCode, bad.want, body)
			}
		}
		if resp, body := act(c, tok, "requests/decide", "/requests", url.Values{"id": {rid}, "decision": {"reject"}, "why": {"お客様から撤回の連絡"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("decide: %d %.300s", resp.StatusCode, body)
		}
		got, err := store.GetRequest(ctx, db, req.ID)
		if err != nil || got.Status != store.RequestRejected || got.DecidedBy != "finance1" || got.DecidedWhy != "お客様から撤回の連絡" {
			t.Errorf("request after reject: %+v %v", got, err)
		}
		if !auditHas(t, db, "request:"+rid, "decide_request", "finance1") {
			t.Errorf("audit does not show finance1's decision on request %s", rid)
		}
		if _, body := get(t, c, f.ts.URL+"/requests"); !strings.Contains(body, "ご依頼（受付番号 "+rid+"）を却下しました") {
			t.Errorf("no confirmation of the decision")
		}
		// Posted: one invoice, then the rest of the day's bundle.
		bundle, err := jobs.BundleNumbers(ctx, f.env, demo.Date)
		if err != nil || len(bundle) < 2 {
			t.Fatalf("bundle of the demo night: %v %v", bundle, err)
		}
		if _, body := get(t, c, f.ts.URL+"/nights/2026-11-24"); !strings.Contains(body, `name="bundle" value="2026-11-24"`) {
			t.Errorf("the night's report offers no form to mark its print bundle posted")
		}
		page := "/nights/2026-11-24/invoices"
		if _, body := get(t, c, f.ts.URL+page); !strings.Contains(body, `name="bundle" value="2026-11-24"`) || !strings.Contains(body, `name="number" value="`+bundle[0]+`"`) || strings.Contains(body, "/actions/invoices/void") {
			t.Errorf("invoices page for finance: posted forms missing or a void form shown")
		}
		if resp, body := act(c, tok, "invoices/posted", page, url.Values{"number": {bundle[0]}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("posted: %d %.300s", resp.StatusCode, body)
		}
		if inv, _ := store.GetInvoice(ctx, db, bundle[0]); !inv.PostedAt.Valid {
			t.Errorf("%s not marked posted", bundle[0])
		}
		if !auditHas(t, db, bundle[0], "posted", "finance1") {
			t.Errorf("audit does not show finance1 posting %s", bundle[0])
		}
		for _, bad := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"bundle": {"2026-13-01"}}, "印刷用PDFの日付"},
			{url.Values{}, "郵送済みにする書類の番号"},
			{url.Values{"number": {"2026-999999"}}, "2026-999999"},
		} {
			if resp, body := act(c, tok, "invoices/posted", page, bad.form); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, bad.want) {
				t.Errorf("posted %v: %d, want 400 with %q", bad.form, resp.StatusCode, bad.want)
			}
		}
		if resp, body := act(c, tok, "invoices/posted", page, url.Values{"bundle": {"2026-11-24"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("posted bundle: %d %.300s", resp.StatusCode, body)
		}
		if left, _ := jobs.BundleNumbers(ctx, f.env, demo.Date); len(left) != 0 {
			t.Errorf("after the bundle was marked posted, %v are left", left)
		}
		if _, body := get(t, c, f.ts.URL+page); !strings.Contains(body, fmt.Sprintf("（%d 件）を郵送済みにしました", len(bundle)-1)) {
			t.Errorf("no confirmation of the bundle posted")
		}
		// Void: finance may not, admin may, with reissue.
		if resp, _ := act(c, tok, "invoices/void", page, url.Values{"number": {bundle[0]}, "why": {"x"}, "reissue": {"1"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("finance void: %d, want 403", resp.StatusCode)
		}
		ac := f.client(t)
		atok := f.login(t, ac, "admin1")
		if _, body := get(t, ac, f.ts.URL+page); !strings.Contains(body, `action="/actions/invoices/void"`) {
			t.Errorf("admin is offered no void form")
		}
		if resp, body := act(ac, atok, "invoices/void", page, url.Values{"number": {bundle[0]}, "reissue": {"1"}}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "入力が足りません: 理由") {
			t.Errorf("void without why: %d", resp.StatusCode)
		}
		if resp, body := act(ac, atok, "invoices/void", page, url.Values{"number": {bundle[0]}, "why": {"宛名の誤り"}, "reissue": {"on"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("void with reissue: %d %.300s", resp.StatusCode, body)
		}
		inv, _ := store.GetInvoice(ctx, db, bundle[0])
		if !inv.ReissueNeeded || inv.Status == store.InvoiceVoid {
			t.Errorf("after void with reissue: reissue_needed %t, status %s; want marked for the next night", inv.ReissueNeeded, inv.Status)
		}
		if !auditHas(t, db, bundle[0], "invoice_reissue_requested", "admin1") {
			t.Errorf("audit does not show admin1's void")
		}
		if _, body := get(t, ac, f.ts.URL+page); !strings.Contains(body, "再発行待ち") || !strings.Contains(body, "を取消・再発行の対象にしました") {
			t.Errorf("invoices page after void: no confirmation or no 再発行待ち")
		}
		if resp, body := act(ac, atok, "invoices/void", page, url.Values{"number": {bundle[0]}, "why": {"again"}, "reissue": {"1"}}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "再発行をすでに指示済み") {
			t.Errorf("second void: %d", resp.StatusCode)
		}
	})
}

var errorBannerRE = regexp.MustCompile(`<div class="flash error" role="alert">([^<]*)</div>`)

// errorBanner is the reason shown on a page shown again after a failed action.
func errorBanner(body string) string {
	if m := errorBannerRE.FindStringSubmatch(body); m != nil {
		return html.UnescapeString(m[1])
	}
	return fmt.Sprintf("(no error banner) %.300s", body)
}

// The form readers of the actions: what staff type is read or refused in Japanese.
func TestFormReaders(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  string
	}{
		{"", 0, ""}, {"1100", 1100, ""}, {"¥1,100", 1100, ""}, {"１，１００円", 1100, ""}, {" 660 ", 660, ""},
		{"1.5", 0, "円の整数ではありません"}, {"abc", 0, "円の整数ではありません"}, {"-1", 0, "負の金額"}, {"99999999999999999999", 0, "円の整数ではありません"},
	} {
		got, err := Form{url.Values{"fee": {tc.in}}}.Yen("fee", "振込手数料")
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("wording.Yen(%q) = %d, %v; want %d, %q", tc.in, got, err, tc.want, tc.err)
		}
	}
	for _, tc := range []struct {
		in   string
		want int64
	}{{"13", 13}, {" 7 ", 7}, {"0", 0}, {"-2", 0}, {"abc", 0}, {"", 0}, {"1e3", 0}} {
		got, err := Form{url.Values{"id": {tc.in}}}.ID("id", "依頼の番号")
		if got != tc.want || (err == nil) != (tc.want > 0) {
			t.Errorf("ID(%q) = %d, %v", tc.in, got, err)
		}
	}
	f := Form{url.Values{"number": {"2026-000001, 2026-000002", "2026-000001、2026-000003\u3000", " "}}}
	if got := strings.Join(f.List("number"), "|"); got != "2026-000001|2026-000002|2026-000003" {
		t.Errorf("List = %q", got)
	}
	if _, inv, fee, err := resolveInput(Form{url.Values{"txn": {"5"}, "suggestion": {"2026-000001,2026-000002;440"}}}); err != nil || strings.Join(inv, ",") != "2026-000001,2026-000002" || fee != 440 {
		t.Errorf("a suggestion alone: %v ¥%d %v", inv, fee, err)
	}
	if _, inv, fee, err := resolveInput(Form{url.Values{"txn": {"5"}, "suggestion": {"2026-000001;440"}, "invoice": {"2026-000009"}, "fee": {"0"}}}); err != nil || inv[0] != "2026-000009" || fee != 0 {
		t.Errorf("typed fields over a suggestion: %v ¥%d %v", inv, fee, err)
	}
}

// testDeps wires the web UI to a test's jobs.Env, as cmd/nightly does.
func testDeps(env *jobs.Env) Deps {
	return Deps{DB: env.DB, Evidence: env.Evidence, Backend: jobs.NewStaff(env), Books: ledger.NewBooks(env), TemplatesDir: env.Config.TemplatesDir,
		OutDir: env.Config.OutDir, Log: env.Log, Now: env.Now}
}
