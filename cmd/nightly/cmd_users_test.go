package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestUsersAdd(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "nightly.db")
	if code, _, errs := nightly(t, nil, "migrate", "--db", db, "--out", dir); code != 0 {
		t.Fatalf("migrate: %d %s", code, errs)
	}
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("a long enough password\n"), 0o600)
	env := map[string]string{"USER": "sato"}
	if code, out, errs := nightly(t, env, "users", "add", "yamada", "--role", "finance", "--password-file", pw, "--db", db, "--out", dir); code != 0 || !strings.Contains(out, "yamada: added as finance") {
		t.Fatalf("users add: %d %q %s", code, out, errs)
	}
	if code, _, errs := nightly(t, env, "users", "add", "yamada", "--role", "viewer", "--password-file", pw, "--db", db, "--out", dir); code != exitFailure || !strings.Contains(errs, "exists") {
		t.Errorf("second add: %d %s", code, errs)
	}
	if code, _, errs := nightly(t, env, "users", "add", "kato", "--role", "boss", "--password-file", pw, "--db", db, "--out", dir); code != exitFailure || !strings.Contains(errs, "role") {
		t.Errorf("bad role: %d %s", code, errs)
	}
	if code, _, _ := nightly(t, env, "users", "add", "kato", "--password-file", pw, "--db", db, "--out", dir); code != exitUsage {
		t.Errorf("no role: %d", code)
	}
	if code, _, errs := nightly(t, env, "users", "add", "kato", "--role", "viewer", "--db", db, "--out", dir); code != exitFailure || !strings.Contains(errs, "--password-file") {
		t.Errorf("no terminal and no file: %d %s", code, errs)
	}
	code, out, _ := nightly(t, env, "users", "list", "--db", db, "--out", dir)
	if code != 0 || !strings.Contains(out, "yamada") || !strings.Contains(out, "finance") || !strings.Contains(out, "by sato") || strings.Contains(out, "kato") {
		t.Errorf("users list: %d %q", code, out)
	}
}

// `demo --serve` prints the address and a login, answers /healthz, lets the demo user
// in, and stops when the context ends.
func TestDemoServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--out", t.TempDir(), "--serve", "--http", "127.0.0.1:0"}, strings.NewReader(""), pw, io.Discard, func(string) string { return "" })
		pw.Close()
	}()
	re := regexp.MustCompile(`web UI: (http://\S+/)\s+\(login: demo / (\S+),`)
	sc := bufio.NewScanner(pr)
	var base, password string
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			base, password = m[1], m[2]
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if base == "" {
		t.Fatalf("no address printed (exit %d)", <-done)
	}
	resp, err := http.Get(base + "healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	if len(password) < 12 {
		t.Errorf("demo password %q too short", password)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after stop", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("demo --serve did not stop")
	}
}
