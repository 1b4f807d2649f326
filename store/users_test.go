package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

func TestUsersAndSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
		u := store.User{Name: "yamada", Role: store.RoleFinance, PasswordHash: "$2a$10$x", CreatedBy: "admin"}
		if err := store.AddUser(ctx, db, u, now); err != nil {
			t.Fatal(err)
		}
		if err := store.AddUser(ctx, db, u, now); !errors.Is(err, store.ErrUserExists) {
			t.Fatalf("second add: %v, want ErrUserExists", err)
		}
		got, err := store.GetUser(ctx, db, "yamada")
		if err != nil || got.Role != store.RoleFinance || got.PasswordHash != "$2a$10$x" || !got.CreatedAt.Equal(now) {
			t.Fatalf("GetUser: %+v %v", got, err)
		}
		if _, err := store.GetUser(ctx, db, "nobody"); !store.IsNoRows(err) {
			t.Errorf("unknown user: %v", err)
		}
		if ok, err := store.SetUserPassword(ctx, db, "yamada", "$2a$10$y", now); !ok || err != nil {
			t.Errorf("set password: %v %v", ok, err)
		}
		us, _ := store.ListUsers(ctx, db)
		if len(us) != 1 || us[0].PasswordHash != "$2a$10$y" {
			t.Errorf("ListUsers: %+v", us)
		}
		s := store.Session{TokenSHA256: "h1", UserName: "yamada", CSRF: "c1", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := store.AddSession(ctx, db, s); err != nil {
			t.Fatal(err)
		}
		if got, err := store.GetSession(ctx, db, "h1", now.Add(59*time.Minute)); err != nil || got.CSRF != "c1" {
			t.Errorf("live session: %+v %v", got, err)
		}
		if _, err := store.GetSession(ctx, db, "h1", now.Add(time.Hour)); !store.IsNoRows(err) {
			t.Errorf("expired session still found: %v", err)
		}
		if n, err := store.DeleteExpiredSessions(ctx, db, now.Add(2*time.Hour)); n != 1 || err != nil {
			t.Errorf("delete expired: %d %v", n, err)
		}
		store.AddSession(ctx, db, s)
		if err := store.DeleteSession(ctx, db, "h1"); err != nil {
			t.Fatal(err)
		}
		if _, err := store.GetSession(ctx, db, "h1", now); !store.IsNoRows(err) {
			t.Errorf("deleted session found: %v", err)
		}
	})
}
