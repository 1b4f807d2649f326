package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/templates"
)

// Options configure the web UI.
type Options struct {
	// TrustProxyHeader names a request header (e.g. "X-Forwarded-User") set by an
	// authenticating reverse proxy; when it is not empty and the header names a known,
	// enabled user, that user is logged in without a password. Only set it when the
	// server is reachable through that proxy alone.
	TrustProxyHeader string
	// Secure marks cookies Secure even when the request itself is plain HTTP (TLS ends
	// at a proxy). Requests over TLS get Secure cookies in any case.
	Secure bool
	// SessionTTL is how long a login lasts (default 12 hours).
	SessionTTL time.Duration
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the client, for
	// login throttling and logs; from any other address the header is ignored.
	TrustedProxies []netip.Prefix
	// Extra are actions added to the built-in table (see Actions).
	Extra []Action
}

const (
	sessionCookie = "nightly_session"
	loginCookie   = "nightly_login"
	flashCookie   = "nightly_flash"
	maxFormBytes  = 1 << 20
)

// Server is the web UI: an http.Handler over its Deps.
type Server struct {
	db       *store.DB
	evidence *evidence.Store
	backend  Backend
	books    Books
	outDir   string
	// templatesDir is the folder of edited copies of templates/ files ("" for none).
	templatesDir string
	now          func() time.Time
	opts         Options
	log          *slog.Logger
	mux          *http.ServeMux
	pages        map[string]*template.Template
	static       fs.FS
	key          []byte // signs login-form CSRF tokens and proxy users' tokens
	actions      []Action
	runs         *runTracker

	dummyOnce sync.Once
	dummyHash []byte // compared against for unknown users, so timing names no one
}

// New builds the web UI over d. Templates come from templates/defaults/web/ (with the
// configured override folder, d.TemplatesDir).
func New(d Deps, o Options) (http.Handler, error) {
	return newServer(d, o)
}

func newServer(d Deps, o Options) (*Server, error) {
	if o.SessionTTL <= 0 {
		o.SessionTTL = 12 * time.Hour
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Server{db: d.DB, evidence: d.Evidence, backend: d.Backend, books: d.Books, outDir: d.OutDir, templatesDir: d.TemplatesDir, now: d.Now, opts: o, log: d.Log,
		mux: http.NewServeMux(), key: make([]byte, 32), runs: newRunTracker()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	rand.Read(s.key)
	tfs := templates.Open(d.TemplatesDir)
	static, err := fs.Sub(tfs, "defaults/web/static")
	if err != nil {
		return nil, fmt.Errorf("web templates: %w", err)
	}
	s.static = static
	if s.pages, err = parsePages(tfs); err != nil {
		return nil, err
	}
	s.actions = append(builtinActions(s), o.Extra...)
	s.routes()
	return s, nil
}

// parsePages parses every page template together with the layout and the shared
// partials (files whose name starts with "_").
func parsePages(tfs fs.FS) (map[string]*template.Template, error) {
	names, err := fs.Glob(tfs, "defaults/web/*.tmpl")
	if err != nil {
		return nil, err
	}
	shared := []string{"defaults/web/layout.tmpl"}
	for _, n := range names {
		if strings.HasPrefix(path.Base(n), "_") {
			shared = append(shared, n)
		}
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.tmpl" || strings.HasPrefix(base, "_") {
			continue
		}
		t, err := template.New(base).Funcs(funcs()).ParseFS(tfs, append(shared, n)...)
		if err != nil {
			return nil, fmt.Errorf("web template %s: %w", n, err)
		}
		pages[strings.TrimSuffix(base, ".tmpl")] = t
	}
	if len(pages) == 0 {
		return nil, errors.New("web templates: none found under templates/defaults/web")
	}
	return pages, nil
}

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/nights", http.StatusSeeOther) })
	m.HandleFunc("GET /login", s.loginPage)
	m.HandleFunc("POST /login", s.loginPost)
	m.HandleFunc("POST /logout", s.logout)
	m.HandleFunc("GET /nights", s.nightsPage)
	m.HandleFunc("GET /nights/{date}", s.nightPage)
	m.HandleFunc("GET /nights/{date}/report.html", s.reportHTML)
	m.HandleFunc("GET /nights/{date}/invoices", s.invoicesPage)
	m.HandleFunc("GET /nights/{date}/invoices/{file}", s.documentPDF) // links of report.html
	m.HandleFunc("GET /nights/{date}/notices/{file}", s.documentPDF)
	m.HandleFunc("GET /nights/{date}/print/{file}", s.printFile)
	m.HandleFunc("GET /documents/{number}", s.documentPDF)
	m.HandleFunc("GET /exceptions", s.exceptionsPage)
	m.HandleFunc("GET /tasks", s.tasksPage)
	m.HandleFunc("GET /requests", s.requestsPage)
	m.HandleFunc("GET /contracts", s.contractsPage)
	m.HandleFunc("GET /contracts/{no}", s.contractPage)
	m.HandleFunc("GET /evidence", s.evidencePage)
	m.HandleFunc("GET /evidence/{sha}", s.evidenceFile)
	s.receivablesRoutes(m)
	m.HandleFunc("GET /runs/new", s.runNewPage)
	m.HandleFunc("GET /runs/{id}", s.runPage)
	m.HandleFunc("GET /runs/{id}/status", s.runStatus)
	for _, a := range s.actions {
		m.Handle("POST /actions/"+a.Name, s.actionHandler(a))
	}
}

// ServeHTTP answers /healthz and static files to anyone; for everything else it checks
// the CSRF token of a POST first (403), then the login (a redirect to /login).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'; form-action 'self'; base-uri 'none'")
	switch {
	case r.URL.Path == "/healthz":
		h.Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
		return
	case strings.HasPrefix(r.URL.Path, "/static/") && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		h.Set("Cache-Control", "max-age=300")
		http.StripPrefix("/static/", http.FileServerFS(s.static)).ServeHTTP(w, r)
		return
	}
	h.Set("Cache-Control", "no-store")
	u, sess := s.identify(r)
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if !s.csrfOK(r, u, sess) {
			s.log.Warn("web: refused a POST without a valid CSRF token", "path", r.URL.Path, "remote_ip", s.clientIP(r))
			http.Error(w, "403 不正なリクエストです（フォームの有効期限が切れた可能性があります）。ページを開き直してください。", http.StatusForbidden)
			return
		}
	}
	if u == nil && r.URL.Path != "/login" {
		next := ""
		if r.Method == http.MethodGet {
			next = "?next=" + urlQueryEscape(r.URL.RequestURI())
		}
		http.Redirect(w, r, "/login"+next, http.StatusSeeOther)
		return
	}
	s.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, &viewer{user: u, sess: sess})))
}

// page renders a page template inside the layout.
func (s *Server) page(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	t, ok := s.pages[name]
	if !ok {
		http.Error(w, "no template "+name, http.StatusInternalServerError)
		return
	}
	v := viewerOf(r)
	pd := pageData{Title: title, Data: data, Path: r.URL.Path}
	if v != nil && v.user != nil {
		pd.User, pd.Role, pd.CanAct = v.user.Name, v.user.Role, roleAtLeast(v.user.Role, roleFinance)
		pd.CanAdmin = roleAtLeast(v.user.Role, roleAdmin)
		pd.CSRF = s.csrfToken(v)
	}
	if msg, ok := r.Context().Value(actionErrKey{}).(string); ok {
		pd.Error = msg
	}
	if c, err := r.Cookie(flashCookie); err == nil {
		pd.Flash = decodeFlash(c.Value)
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", pd); err != nil {
		s.log.Error("web: render", "page", name, "error", err)
		http.Error(w, "画面の表示に失敗しました: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// pageData is what the layout sees.
type pageData struct {
	Title, Path, User, Role, CSRF, Flash string
	Error                                string // why the action just sent failed (the page is shown again)
	CanAct, CanAdmin                     bool
	Data                                 any
}

// fail shows an error page: what failed, for a person.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	if status >= 500 {
		s.log.Error("web: request failed", "path", r.URL.Path, "error", err)
	}
	s.page(w, r, status, "error", "エラー", map[string]any{"Status": status, "Message": err.Error()})
}

// Serve listens on addr and serves h until ctx ends, then shuts down gracefully: it
// stops accepting, lets requests in flight finish (up to 10 s), and stops the reruns
// started from the web between steps. /healthz answers as soon as the listener is open.
func Serve(ctx context.Context, addr string, h http.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("web: listen on %s: %w", addr, err)
	}
	return ServeListener(ctx, ln, h, log)
}

// ServeListener is Serve on a listener already open (tests, a random port).
func ServeListener(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		IdleTimeout: 120 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	log.Info("web: listening", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("web: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if sd, ok := h.(interface{ Shutdown() }); ok {
		sd.Shutdown()
	}
	log.Info("web: stopped")
	if err != nil {
		return fmt.Errorf("web: shutdown: %w", err)
	}
	return nil
}

// Shutdown asks the reruns started from the web to stop between steps and waits for
// them; Serve calls it after the last request.
func (s *Server) Shutdown() {
	s.runs.cancel()
	s.runs.wg.Wait()
}
