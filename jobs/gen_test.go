package jobs_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

func genInto(t *testing.T, db *store.DB, dsn, out string, seed uint64) (*jobs.Env, demo.GenSummary) {
	t.Helper()
	env := newEnv(t, db, dsn, out)
	sum, err := demo.Gen(context.Background(), env, demo.GenOptions{Contracts: 1500, Date: demo.Date, Seed: seed, Inbox: env.Config.InboxDir})
	if err != nil {
		t.Fatal(err)
	}
	return env, sum
}

// treeHashes lists every file under dir with its SHA-256, one line each, sorted.
func treeHashes(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	for rel, b := range readTree(t, dir) {
		lines = append(lines, fmt.Sprintf("%s %x", rel, sha256.Sum256(b)))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// nightly gen is deterministic for a seed: the same database and byte-identical input
// files (issue 8); the generated night runs, and its rerun changes nothing (SPEC §5.2).
func TestGenDeterministicAndRerun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		out1 := t.TempDir()
		env, sum := genInto(t, db, dsn, out1, 42)
		if sum.Contracts != 1500 || sum.Customers == 0 || sum.Renewals == 0 || sum.Transfers == 0 || sum.Mails == 0 || sum.BankFiles == 0 {
			t.Fatalf("gen made %+v", sum)
		}
		dsn2 := freshLike(t, dsn)
		db2 := storetest.Open(t, dsn2)
		out2 := t.TempDir()
		genInto(t, db2, dsn2, out2, 42)
		if a, b := dumpDB(t, db), dumpDB(t, db2); a != b {
			t.Fatalf("two gens with one seed differ:\n%s", diffLines(a, b))
		}
		if a, b := treeHashes(t, filepath.Join(out1, "inbox")), treeHashes(t, filepath.Join(out2, "inbox")); a != b {
			t.Fatalf("input files differ:\n%s", diffLines(a, b))
		}

		first := runNight(t, env, jobs.Options{})
		c := changes(first)
		for _, k := range []string{"bankfeed.payments", "mailintake.requests", "invoicing.renewals"} {
			if c[k] == 0 {
				t.Errorf("the generated night did no %s: %v", k, c)
			}
		}
		before := dumpDB(t, db)
		if c := nonZero(changes(runNight(t, env, jobs.Options{}))); len(c) != 0 {
			t.Errorf("rerun of the generated night changed %v", c)
		}
		if after := dumpDB(t, db); after != before {
			t.Errorf("rerun changed the database:\n%s", diffLines(before, after))
		}
	})
}

// nightly gen --peak is deterministic too, and its night issues the renewals of about
// 30% of the contracts (issue 19).
func TestGenPeakDeterministic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		gen := func(db *store.DB, dsn, out string) *jobs.Env {
			env := newEnv(t, db, dsn, out)
			if _, err := demo.Gen(context.Background(), env, demo.GenOptions{Contracts: 1000, Date: demo.Date, Seed: 7, Inbox: env.Config.InboxDir, Peak: true}); err != nil {
				t.Fatal(err)
			}
			return env
		}
		out1 := t.TempDir()
		env := gen(db, dsn, out1)
		dsn2 := freshLike(t, dsn)
		db2 := storetest.Open(t, dsn2)
		out2 := t.TempDir()
		gen(db2, dsn2, out2)
		if a, b := dumpDB(t, db), dumpDB(t, db2); a != b {
			t.Fatalf("two peak gens with one seed differ:\n%s", diffLines(a, b))
		}
		if a, b := treeHashes(t, filepath.Join(out1, "inbox")), treeHashes(t, filepath.Join(out2, "inbox")); a != b {
			t.Fatalf("input files differ:\n%s", diffLines(a, b))
		}
		c := changes(runNight(t, env, jobs.Options{}))
		if r := c["invoicing.renewals"]; r < 250 || r > 400 {
			t.Errorf("the peak night of 1,000 contracts issued %d renewals, want about 300: %v", r, c)
		}
	})
}
