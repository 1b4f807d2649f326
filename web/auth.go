package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/bcrypt"

	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
)

const (
	roleViewer  = store.RoleViewer
	roleFinance = store.RoleFinance
	roleAdmin   = store.RoleAdmin
)

var roleRank = map[string]int{roleViewer: 1, roleFinance: 2, roleAdmin: 3}

// roleAtLeast reports whether a user of role have may do what needs role want.
func roleAtLeast(have, want string) bool {
	return roleRank[have] > 0 && roleRank[have] >= roleRank[want]
}

// RoleName is the Japanese name of a role.
func RoleName(r string) string {
	return map[string]string{roleViewer: "閲覧", roleFinance: "経理", roleAdmin: "管理者"}[r]
}

// Errors of AddUser that callers show as they are.
var (
	ErrBadUserName = errors.New("a user name is 1 to 64 letters, digits or . _ @ -")
	ErrBadRole     = errors.New("the role must be viewer, finance or admin")
	ErrBadPassword = errors.New("a password is 10 to 72 bytes")
)

var userNameRE = regexp.MustCompile(`^[A-Za-z0-9._@-]{1,64}$`)

// AddUser creates a web user with a bcrypt hash of password and records who added it in
// the audit trail. `nightly users add` calls this.
func AddUser(ctx context.Context, env *jobs.Env, name, role, password string) error {
	if !userNameRE.MatchString(name) {
		return fmt.Errorf("user %q: %w", name, ErrBadUserName)
	}
	if roleRank[role] == 0 {
		return fmt.Errorf("user %s: role %q: %w", name, role, ErrBadRole)
	}
	if len(password) < 10 || len(password) > 72 {
		return fmt.Errorf("user %s: %w", name, ErrBadPassword)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("user %s: hash password: %w", name, err)
	}
	now := env.Now()
	return env.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := store.AddUser(ctx, tx, store.User{Name: name, Role: role, PasswordHash: string(hash), CreatedBy: env.Who}, now); err != nil {
			return err
		}
		return store.Audit(ctx, tx, store.AuditEntry{At: now.UTC(), Who: env.Who, Action: "user_added", Subject: "user:" + name,
			Field: "role", ToValue: role})
	})
}

type userKey struct{}

// viewer is who makes a request: a user with a session, or one named by the proxy.
type viewer struct {
	user *store.User
	sess *store.Session
}

func viewerOf(r *http.Request) *viewer {
	v, _ := r.Context().Value(userKey{}).(*viewer)
	return v
}

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

func randomToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// identify finds the logged-in user of r: by session cookie, else by the trusted proxy
// header. A disabled or unknown user is nobody.
func (s *Server) identify(r *http.Request) (*store.User, *store.Session) {
	ctx := r.Context()
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		sess, err := store.GetSession(ctx, s.env.DB, hashToken(c.Value), s.env.Now())
		if err == nil {
			if u, err := store.GetUser(ctx, s.env.DB, sess.UserName); err == nil && !u.Disabled {
				return &u, &sess
			}
		} else if !store.IsNoRows(err) {
			s.log.Error("web: read session", "error", err)
		}
	}
	if hdr := s.opts.TrustProxyHeader; hdr != "" {
		if name := strings.TrimSpace(r.Header.Get(hdr)); name != "" {
			if u, err := store.GetUser(ctx, s.env.DB, name); err == nil && !u.Disabled {
				return &u, nil
			}
			s.log.Warn("web: proxy named an unknown or disabled user", "header", hdr, "user", name, "remote_ip", clientIP(r))
		}
	}
	return nil, nil
}

func (s *Server) sign(what string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(what))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfToken is the token the forms of v carry: the session's, or for a user named by
// the proxy a signature of the name.
func (s *Server) csrfToken(v *viewer) string {
	switch {
	case v == nil || v.user == nil:
		return ""
	case v.sess != nil:
		return v.sess.CSRF
	}
	return s.sign("proxy:" + v.user.Name)
}

// csrfOK checks the token of a POST (form field csrf or header X-CSRF-Token): the
// session's token, the proxy user's, or, before login, the login form's token bound to
// the login cookie.
func (s *Server) csrfOK(r *http.Request, u *store.User, sess *store.Session) bool {
	tok := r.Header.Get("X-CSRF-Token")
	if tok == "" {
		if err := r.ParseForm(); err != nil {
			return false
		}
		tok = r.PostForm.Get("csrf")
	}
	if tok == "" {
		return false
	}
	var want string
	switch {
	case u != nil:
		want = s.csrfToken(&viewer{user: u, sess: sess})
	default:
		c, err := r.Cookie(loginCookie)
		if err != nil || c.Value == "" {
			return false
		}
		want = s.sign("login:" + c.Value)
	}
	return subtle.ConstantTimeCompare([]byte(tok), []byte(want)) == 1
}

func (s *Server) secure(r *http.Request) bool { return s.opts.Secure || r.TLS != nil }

func (s *Server) cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteStrictMode}
}

type loginData struct {
	Token, Next, Name, Error string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if v := viewerOf(r); v != nil && v.user != nil {
		http.Redirect(w, r, "/nights", http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, loginData{Next: localPath(r.URL.Query().Get("next"))})
}

// renderLogin shows the login form with a token bound to the login cookie (set here
// when the browser has none).
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) {
	val := ""
	if c, err := r.Cookie(loginCookie); err == nil && c.Value != "" {
		val = c.Value
	} else {
		val = randomToken()
		http.SetCookie(w, s.cookie(r, loginCookie, val, 3600*8))
	}
	d.Token = s.sign("login:" + val)
	s.page(w, r, status, "login", "ログイン", d)
}

// checkPassword compares a password with a user's hash; for an unknown user it compares
// with a dummy hash, so that the answer takes as long and names no user.
func (s *Server) checkPassword(u *store.User, password string) bool {
	if u == nil {
		s.dummyOnce.Do(func() {
			s.dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a password of anyone"), bcrypt.DefaultCost)
		})
		bcrypt.CompareHashAndPassword(s.dummyHash, []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) == nil
}

func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name := strings.TrimSpace(r.PostForm.Get("name"))
	password := r.PostForm.Get("password")
	next := localPath(r.PostForm.Get("next"))
	ip := clientIP(r)
	d := loginData{Next: next, Name: name}
	if wait := s.limiter.blocked("user:"+name, "ip:"+ip); wait > 0 {
		s.log.Warn("web: login refused, too many failures", "user", name, "remote_ip", ip, "retry_after_s", int(wait.Seconds()))
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		d.Error = fmt.Sprintf("ログインの失敗が続いたため、しばらく受け付けません。%d 分後にもう一度お試しください。", int(wait.Minutes())+1)
		s.renderLogin(w, r, http.StatusTooManyRequests, d)
		return
	}
	var u *store.User
	if got, err := store.GetUser(ctx, s.env.DB, name); err == nil && !got.Disabled {
		u = &got
	} else if err != nil && !store.IsNoRows(err) {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	if !s.checkPassword(u, password) {
		s.limiter.fail("user:"+name, "ip:"+ip)
		s.log.Warn("web: login failed", "user", name, "remote_ip", ip, "known_user", u != nil)
		d.Error = "ユーザー名またはパスワードが違います。"
		s.renderLogin(w, r, http.StatusUnauthorized, d)
		return
	}
	s.limiter.reset("user:" + name)
	tok := randomToken()
	now := s.env.Now()
	if err := store.AddSession(ctx, s.env.DB, store.Session{TokenSHA256: hashToken(tok), UserName: u.Name, CSRF: randomToken(),
		CreatedAt: now, ExpiresAt: now.Add(s.opts.SessionTTL)}); err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	store.DeleteExpiredSessions(ctx, s.env.DB, now)
	s.log.Info("web: login", "user", u.Name, "role", u.Role, "remote_ip", ip)
	http.SetCookie(w, s.cookie(r, sessionCookie, tok, int(s.opts.SessionTTL.Seconds())))
	http.SetCookie(w, s.cookie(r, loginCookie, "", -1))
	if next == "" {
		next = "/nights"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if v := viewerOf(r); v != nil && v.sess != nil {
		if err := store.DeleteSession(r.Context(), s.env.DB, v.sess.TokenSHA256); err != nil {
			s.fail(w, r, http.StatusInternalServerError, err)
			return
		}
		s.log.Info("web: logout", "user", v.user.Name)
	}
	http.SetCookie(w, s.cookie(r, sessionCookie, "", -1))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// localPath returns p when it is a path on this site, else "" (no open redirect).
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.HasPrefix(p, "/login") {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return ""
	}
	return p
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// clientIP is the address of the connection (a proxy's address when behind one).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limiter counts failed logins per key (a user name, an address) in a sliding window.
type limiter struct {
	mu     sync.Mutex
	now    func() time.Time
	window time.Duration
	max    map[string]int // by key prefix
	fails  map[string][]time.Time
}

func newLimiter(now func() time.Time) *limiter {
	return &limiter{now: now, window: 15 * time.Minute, max: map[string]int{"user": 5, "ip": 20}, fails: map[string][]time.Time{}}
}

func (l *limiter) limit(key string) int {
	p, _, _ := strings.Cut(key, ":")
	return l.max[p]
}

// recent drops the failures of key older than the window and returns the rest.
func (l *limiter) recent(key string, now time.Time) []time.Time {
	fs := l.fails[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= l.window {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.fails, key)
	} else {
		l.fails[key] = fs
	}
	return fs
}

// blocked returns how long until one of keys may try again (0: now).
func (l *limiter) blocked(keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var wait time.Duration
	for _, k := range keys {
		fs := l.recent(k, now)
		if n := l.limit(k); n > 0 && len(fs) >= n {
			if w := fs[len(fs)-n].Add(l.window).Sub(now); w > wait {
				wait = w
			}
		}
	}
	return wait
}

func (l *limiter) fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.fails) > 10000 { // many names tried: forget what has aged out
		for k := range l.fails {
			l.recent(k, now)
		}
	}
	for _, k := range keys {
		l.fails[k] = append(l.recent(k, now), now)
	}
}

func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}
