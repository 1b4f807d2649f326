package jobs_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// Symlinks, folders and FIFOs in inbox/bank and inbox/orders are reported, never read
// (a symlink is never followed); a rejected file keeps its name in rejected/<kind>/ and
// gets a suffix only when yesterday's file of that name is there (issue 13, #11).
func TestInboxSkipsAndNeverOverwrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		out := t.TempDir()
		env := newEnv(t, db, dsn, out)
		seeded(t, db)
		inbox := env.Config.InboxDir
		outside := filepath.Join(t.TempDir(), "statement.csv") // a good bank file outside the inbox
		os.WriteFile(outside, demo.BankFiles(demo.Date)["zengin01-"+demo.Date.String()+".txt"], 0o644)
		for _, kind := range []string{"bank", "orders"} {
			dir := filepath.Join(inbox, kind)
			os.MkdirAll(filepath.Join(dir, "folder"), 0o755)
			os.WriteFile(filepath.Join(dir, "folder", "inside.csv"), []byte("x"), 0o644)
			if err := os.Symlink(outside, filepath.Join(dir, "link.csv")); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, "stmt.csv"), []byte("tonight's broken file\n"), 0o644)
			os.MkdirAll(filepath.Join(inbox, "rejected", kind), 0o755)
			os.WriteFile(filepath.Join(inbox, "rejected", kind, "stmt.csv"), []byte("yesterday's broken file\n"), 0o644)
		}
		if err := syscall.Mkfifo(filepath.Join(inbox, "bank", "pipe.csv"), 0o644); err != nil {
			t.Fatal(err)
		}
		s := runNight(t, env, jobs.Options{Only: []string{"bankfeed", "orders"}})
		if s.Status != "ok" {
			t.Fatalf("night: %s %s", s.Status, s.Error)
		}
		c := changes(s)
		if c["bankfeed.inbox_skipped"] != 3 || c["orders.inbox_skipped"] != 2 || c["bankfeed.transfers"] != 0 {
			t.Errorf("changes %v: want 3 skipped entries in bank/ and 2 in orders/ and nothing read through the link", c)
		}
		xs, err := store.OpenExceptions(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, x := range xs {
			if x.Kind == "inbox_skipped" {
				got[x.Subject] = x.Message + " / " + x.Action
			}
		}
		for _, want := range []struct{ subject, says string }{
			{"bank/link.csv", "シンボリックリンク"}, {"bank/folder", "フォルダ"}, {"bank/pipe.csv", "通常のファイルではない"},
			{"orders/link.csv", "リンク先は開きません"}, {"orders/folder", "中のファイルも読みません"},
		} {
			if !strings.Contains(got[want.subject], want.says) {
				t.Errorf("exception for %s: %q, want it to say %q", want.subject, got[want.subject], want.says)
			}
		}
		for _, kind := range []string{"bank", "orders"} {
			rej := filepath.Join(inbox, "rejected", kind)
			if b, _ := os.ReadFile(filepath.Join(rej, "stmt.csv")); string(b) != "yesterday's broken file\n" {
				t.Errorf("%s: yesterday's rejected stmt.csv was overwritten: %q", kind, b)
			}
			if b, _ := os.ReadFile(filepath.Join(rej, "stmt-2.csv")); string(b) != "tonight's broken file\n" {
				t.Errorf("%s: tonight's rejected file is not stmt-2.csv: %q", kind, b)
			}
			if fi, err := os.Stat(filepath.Join(rej, "stmt-2.csv")); err != nil {
				t.Errorf("%s: %v", kind, err)
			} else if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: rejected file mode %v, want 0600", kind, fi.Mode().Perm())
			}
			if fi, err := os.Lstat(filepath.Join(inbox, kind, "link.csv")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Errorf("%s: the symlink was moved or changed: %v", kind, err)
			}
		}
		// A rerun reports nothing new: the exceptions are there already.
		again := runNight(t, env, jobs.Options{Only: []string{"bankfeed", "orders"}})
		if c := changes(again); c["bankfeed.inbox_skipped"] != 0 || c["orders.inbox_skipped"] != 0 {
			t.Errorf("rerun changes %v", c)
		}
	})
}
