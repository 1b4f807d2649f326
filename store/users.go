package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// The roles of a web user, from least to most allowed: a viewer reads, finance acts on
// exceptions, tasks, holds and reruns, an admin may do everything.
const (
	RoleViewer  = "viewer"
	RoleFinance = "finance"
	RoleAdmin   = "admin"
)

// ErrUserExists is returned by AddUser for a name already taken.
var ErrUserExists = errors.New("a user with that name exists")

// User is a person who may log in to the web UI. PasswordHash is a bcrypt hash.
type User struct {
	Name         string    `db:"name"`
	Role         string    `db:"role"`
	PasswordHash string    `db:"password_hash"`
	Disabled     bool      `db:"disabled"`
	CreatedBy    string    `db:"created_by"`
	CreatedAt    time.Time `db:"created_at"`
	UpdatedAt    time.Time `db:"updated_at"`
}

// Session is a logged-in browser: the SHA-256 of its cookie value, whose user, and the
// CSRF token its forms carry.
type Session struct {
	TokenSHA256 string    `db:"token_sha256"`
	UserName    string    `db:"user_name"`
	CSRF        string    `db:"csrf"`
	CreatedAt   time.Time `db:"created_at"`
	ExpiresAt   time.Time `db:"expires_at"`
}

var userCols = []string{"name", "role", "password_hash", "disabled", "created_by", "created_at", "updated_at"}

// AddUser stores a new user; a name already taken is ErrUserExists.
func AddUser(ctx context.Context, e sqlx.ExtContext, u User, now time.Time) error {
	u.CreatedAt, u.UpdatedAt = now.UTC(), now.UTC()
	ok, err := insertIgnore(ctx, e, "users", userCols, []string{"name"}, u)
	if err != nil {
		return fmt.Errorf("add user %s: %w", u.Name, err)
	}
	if !ok {
		return fmt.Errorf("add user %s: %w", u.Name, ErrUserExists)
	}
	return nil
}

// SetUserPassword replaces a user's password hash; it reports whether the user exists.
func SetUserPassword(ctx context.Context, e sqlx.ExtContext, name, hash string, now time.Time) (bool, error) {
	n, err := exec(ctx, e, "set password of user "+name, "UPDATE users SET password_hash = ?, updated_at = ? WHERE name = ?", hash, now.UTC(), name)
	return n == 1, err
}

// GetUser returns the user with that name; IsNoRows(err) when there is none.
func GetUser(ctx context.Context, e sqlx.ExtContext, name string) (User, error) {
	var u User
	if err := get(ctx, e, &u, "SELECT * FROM users WHERE name = ?", fit("users", "name", name)); err != nil {
		return u, fmt.Errorf("user %s: %w", name, err)
	}
	return u, nil
}

// ListUsers returns every user by name.
func ListUsers(ctx context.Context, e sqlx.ExtContext) ([]User, error) {
	var us []User
	if err := selectAll(ctx, e, &us, "SELECT * FROM users ORDER BY name"); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

var sessionCols = []string{"token_sha256", "user_name", "csrf", "created_at", "expires_at"}

// AddSession stores a new session.
func AddSession(ctx context.Context, e sqlx.ExtContext, s Session) error {
	s.CreatedAt, s.ExpiresAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC()
	if _, err := namedExec(ctx, e, insertSQL(e, "sessions", sessionCols, "", nil, nil), s); err != nil {
		return fmt.Errorf("add session of %s: %w", s.UserName, err)
	}
	return nil
}

// GetSession returns the session with that token hash if it has not expired at now;
// IsNoRows(err) when there is none.
func GetSession(ctx context.Context, e sqlx.ExtContext, tokenSHA256 string, now time.Time) (Session, error) {
	var s Session
	if err := get(ctx, e, &s, "SELECT * FROM sessions WHERE token_sha256 = ? AND expires_at > ?", tokenSHA256, now.UTC()); err != nil {
		return s, fmt.Errorf("session: %w", err)
	}
	return s, nil
}

// DeleteSession ends a session (logout).
func DeleteSession(ctx context.Context, e sqlx.ExtContext, tokenSHA256 string) error {
	_, err := exec(ctx, e, "delete session", "DELETE FROM sessions WHERE token_sha256 = ?", tokenSHA256)
	return err
}

// DeleteExpiredSessions removes the sessions expired at now and returns how many.
func DeleteExpiredSessions(ctx context.Context, e sqlx.ExtContext, now time.Time) (int64, error) {
	return exec(ctx, e, "delete expired sessions", "DELETE FROM sessions WHERE expires_at <= ?", now.UTC())
}

// LoginThrottle is the failed logins of one (user name, client address) pair: how many
// in a row, the last one, and from when the next attempt is allowed. Key is a hash of
// the pair (web decides it).
type LoginThrottle struct {
	Key           string    `db:"tkey"`
	Failures      int       `db:"failures"`
	LastFailureAt time.Time `db:"last_failure_at"`
	NextAttemptAt time.Time `db:"next_attempt_at"`
}

var throttleCols = []string{"tkey", "failures", "last_failure_at", "next_attempt_at"}

// GetLoginThrottle returns the failures of key, locking the row for the transaction on
// MySQL so that two attempts of one pair are counted one after the other; ok is false
// when there is none.
func GetLoginThrottle(ctx context.Context, e sqlx.ExtContext, key string) (t LoginThrottle, ok bool, err error) {
	err = get(ctx, e, &t, "SELECT * FROM login_throttle WHERE tkey = ?"+forUpdate(e), key)
	if IsNoRows(err) {
		return t, false, nil
	}
	if err != nil {
		return t, false, fmt.Errorf("login throttle: %w", err)
	}
	return t, true, nil
}

// PutLoginThrottle stores the failures of t.Key, replacing what was there.
func PutLoginThrottle(ctx context.Context, e sqlx.ExtContext, t LoginThrottle) error {
	t.LastFailureAt, t.NextAttemptAt = t.LastFailureAt.UTC(), t.NextAttemptAt.UTC()
	q := insertSQL(e, "login_throttle", throttleCols, "update", []string{"tkey"}, throttleCols[1:])
	if _, err := namedExec(ctx, e, q, t); err != nil {
		return fmt.Errorf("store login throttle: %w", err)
	}
	return nil
}

// ClearLoginThrottle forgets the failures of key (after a successful login).
func ClearLoginThrottle(ctx context.Context, e sqlx.ExtContext, key string) error {
	_, err := exec(ctx, e, "clear login throttle", "DELETE FROM login_throttle WHERE tkey = ?", key)
	return err
}

// DeleteOldLoginThrottles forgets the pairs whose last failure was before before.
func DeleteOldLoginThrottles(ctx context.Context, e sqlx.ExtContext, before time.Time) (int64, error) {
	return exec(ctx, e, "delete old login throttles", "DELETE FROM login_throttle WHERE last_failure_at < ?", before.UTC())
}
