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
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/bcrypt"

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

// AddUser creates a web user with a bcrypt hash of password and records who added it
// (by) and when (now) in the audit trail. `nightly users add` calls this.
func AddUser(ctx context.Context, db *store.DB, by string, now time.Time, name, role, password string) error {
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
	return db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := store.AddUser(ctx, tx, store.User{Name: name, Role: role, PasswordHash: string(hash), CreatedBy: by}, now); err != nil {
			return err
		}
		return store.Audit(ctx, tx, store.AuditEntry{At: now.UTC(), Who: by, Action: "user_added", Subject: "user:" + name,
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
		sess, err := store.GetSession(ctx, s.db, hashToken(c.Value), s.now())
		if err == nil {
			if u, err := store.GetUser(ctx, s.db, sess.UserName); err == nil && !u.Disabled {
				return &u, &sess
			}
		} else if !store.IsNoRows(err) {
			s.log.Error("web: read session", "error", err)
		}
	}
	if hdr := s.opts.TrustProxyHeader; hdr != "" {
		if name := strings.TrimSpace(r.Header.Get(hdr)); name != "" {
			if u, err := store.GetUser(ctx, s.db, name); err == nil && !u.Disabled {
				return &u, nil
			}
			s.log.Warn("web: proxy named an unknown or disabled user", "header", hdr, "user", name, "remote_ip", s.clientIP(r))
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
	ip := s.clientIP(r)
	d := loginData{Next: next, Name: name}
	key := throttleKey(name, ip)
	wait, err := s.admit(ctx, key)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	if wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		s.log.Warn("web: login refused, too many failures", "user", name, "remote_ip", ip, "retry_after_s", secs)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		d.Error = fmt.Sprintf("ログインの失敗が続いたため、このユーザー名での次のログインは %s 後から受け付けます（ほかの利用者には影響しません）。", waitText(secs))
		s.renderLogin(w, r, http.StatusTooManyRequests, d)
		return
	}
	var u *store.User
	if got, err := store.GetUser(ctx, s.db, name); err == nil && !got.Disabled {
		u = &got
	} else if err != nil && !store.IsNoRows(err) {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	if !s.checkPassword(u, password) { // the attempt was counted by admit
		s.log.Warn("web: login failed", "user", name, "remote_ip", ip, "known_user", u != nil)
		store.DeleteOldLoginThrottles(ctx, s.db, s.now().Add(-throttleForget))
		d.Error = "ユーザー名またはパスワードが違います。"
		s.renderLogin(w, r, http.StatusUnauthorized, d)
		return
	}
	if err := store.ClearLoginThrottle(ctx, s.db, key); err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	tok := randomToken()
	now := s.now()
	if err := store.AddSession(ctx, s.db, store.Session{TokenSHA256: hashToken(tok), UserName: u.Name, CSRF: randomToken(),
		CreatedAt: now, ExpiresAt: now.Add(s.opts.SessionTTL)}); err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	store.DeleteExpiredSessions(ctx, s.db, now)
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
		if err := store.DeleteSession(r.Context(), s.db, v.sess.TokenSHA256); err != nil {
			s.fail(w, r, http.StatusInternalServerError, err)
			return
		}
		s.log.Info("web: logout", "user", v.user.Name)
	}
	http.SetCookie(w, s.cookie(r, sessionCookie, "", -1))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// localPath returns p when it is a clean path on this site, else "" (no open redirect).
// It must start with a single "/" and hold no backslash (browsers read "\" as "/"); it
// must parse with net/url as a path alone (no scheme, host or user); and its decoded
// path must still start with a single "/", hold no backslash or control character and
// be clean (path.Clean; a trailing "/" aside), so that "/./\evil.com" or
// "/%2F%2Fevil.com" never reaches a Location header. /login itself is refused (a loop).
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, "\\") {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	dp := u.Path
	if !strings.HasPrefix(dp, "/") || strings.HasPrefix(dp, "//") || strings.Contains(dp, "\\") || strings.ContainsFunc(dp, unicode.IsControl) {
		return ""
	}
	if clean := path.Clean(dp); clean != dp && clean+"/" != dp || clean == "/login" {
		return ""
	}
	return p
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// clientIP is the address of the client: the connection's, or, when the connection
// comes from a trusted proxy (Options.TrustedProxies), the last address of
// X-Forwarded-For that is not a trusted proxy — the one the nearest proxy appended,
// which a client cannot forge. From anyone else the header is ignored.
func (s *Server) clientIP(r *http.Request) string {
	addr, ok := remoteAddr(r)
	if !ok {
		return r.RemoteAddr
	}
	if !s.trusted(addr) {
		return addr.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a proxy wrote something else: keep the last hop known
		}
		addr = a.Unmap()
		if !s.trusted(addr) {
			break
		}
	}
	return addr.String()
}

// remoteAddr is the address of the connection.
func remoteAddr(r *http.Request) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap(), true
	}
	a, err := netip.ParseAddr(r.RemoteAddr)
	return a.Unmap(), err == nil
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Login throttling (issue 13): each failed login of a user name from a client address
// makes that pair wait longer before its next attempt — nothing for the first
// throttleFree, then 1 s, 2 s, 4 s … up to throttleMax — and nobody else waits: the same
// user from another address, and everyone else behind the same proxy, log in as usual,
// so an attacker can lock out neither a named user nor a whole office. An attempt is
// counted before its password is compared, so parallel guesses queue behind the delay
// too; a successful login clears its pair. The state is in the database
// (login_throttle), so a restart does not reset it.
const (
	throttleFree   = 3
	throttleBase   = time.Second
	throttleMax    = 10 * time.Minute
	throttleForget = 24 * time.Hour // a pair without a failure for this long starts again
)

// throttleDelay is the wait after the n-th failure in a row.
func throttleDelay(n int) time.Duration {
	if n <= throttleFree {
		return 0
	}
	return min(throttleBase<<min(n-throttleFree-1, 20), throttleMax)
}

// throttleKey is the stored key of a (user name, client address) pair: a hash, so that
// no name an attacker typed is stored. An IPv6 address counts by its /64, which one
// client usually holds whole.
func throttleKey(name, ip string) string {
	if a, err := netip.ParseAddr(ip); err == nil && a.Is6() {
		if p, err := a.Prefix(64); err == nil {
			ip = p.String()
		}
	}
	h := sha256.Sum256([]byte(strings.ToLower(name) + "\x00" + ip))
	return hex.EncodeToString(h[:])
}

// admit decides whether the pair of key may try a password now. If not, it returns how
// long it must still wait; if so, it counts the attempt as a failure in advance (in one
// transaction, so that parallel attempts are counted one after the other), and a
// successful login clears it.
func (s *Server) admit(ctx context.Context, key string) (time.Duration, error) {
	now := s.now().UTC()
	var wait time.Duration
	err := s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		t, ok, err := store.GetLoginThrottle(ctx, tx, key)
		if err != nil {
			return err
		}
		if ok && now.Sub(t.LastFailureAt) > throttleForget {
			t.Failures = 0
		}
		if ok && now.Before(t.NextAttemptAt) {
			wait = t.NextAttemptAt.Sub(now)
			return nil
		}
		t.Key, t.Failures, t.LastFailureAt = key, t.Failures+1, now
		// Whole seconds: MySQL's DATETIME keeps no fraction, and both engines then agree.
		t.NextAttemptAt = now.Add(throttleDelay(t.Failures) + time.Second - 1).Truncate(time.Second)
		return store.PutLoginThrottle(ctx, tx, t)
	})
	if err != nil {
		return 0, fmt.Errorf("login throttle: %w", err)
	}
	return wait, nil
}

// waitText is a wait in seconds as staff read it.
func waitText(secs int) string {
	if secs < 60 {
		return fmt.Sprintf("%d 秒", secs)
	}
	return fmt.Sprintf("%d 分", (secs+59)/60)
}
