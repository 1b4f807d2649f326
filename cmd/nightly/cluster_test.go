package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// The night on a three-node MariaDB Galera cluster (issue 18), with the real binary in
// separate processes, as two servers would run it. It needs the cluster of
// scripts/galera-test.sh (NIGHTLY_TEST_GALERA_DSNS, NIGHTLY_TEST_GALERA_DIR); .ci/run
// starts it. Every scenario generates the same reseller (gen, seed 1) in a fresh
// database, so that each must end in the state of one clean night.
func TestCluster(t *testing.T) {
	if os.Getenv(storetest.EnvGalera) == "" || os.Getenv("NIGHTLY_TEST_GALERA_DIR") == "" {
		t.Skip("NIGHTLY_TEST_GALERA_DSNS / NIGHTLY_TEST_GALERA_DIR not set: cluster test skipped (eval \"$(scripts/galera-test.sh start)\"; .ci/run does)")
	}
	c := &cluster{t: t, bin: buildNightly(t), dir: os.Getenv("NIGHTLY_TEST_GALERA_DIR")}
	c.config = filepath.Join(t.TempDir(), "nightly.toml")
	// A short lease, so that a run that lost its node is replaced within seconds.
	if err := os.WriteFile(c.config, []byte("[run_lock]\nlease = \"12s\"\nrenew = \"2s\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ref := c.reseller(t)
	if code, out, errs := ref.run(1, nil); code != 0 {
		t.Fatalf("clean night on node 1: exit %d\n%s\n%s", code, out, errs)
	}
	want := ref.state(t)

	t.Run("two runs at once on two nodes", func(t *testing.T) {
		r := c.reseller(t)
		codes := make([]int, 2)
		errs := make([]string, 2)
		var wg sync.WaitGroup
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// The winner pauses before closing its ledger line, so the loser cannot
				// arrive after the night ended.
				codes[i], _, errs[i] = r.run(i+1, []string{"NIGHTLY_FAULTS=run.before_ledger_end:sleep=2s"})
			}()
		}
		wg.Wait()
		if !(codes[0] == 0 && codes[1] == exitLockHeld || codes[0] == exitLockHeld && codes[1] == 0) {
			t.Fatalf("exit codes %v, want one 0 and one %d:\nnode 1: %s\nnode 2: %s", codes, exitLockHeld, errs[0], errs[1])
		}
		loser := errs[0] + errs[1]
		if !strings.Contains(loser, "held by") {
			t.Errorf("the refused run does not say who holds the night: %s", loser)
		}
		r.checkNumbers(t)
		r.checkState(t, want)
		r.checkRerunChangesNothing(t, 3)
		if st := c.nightly(nil, "status", "--db", r.dsns[2], "--out", r.out); st.code != 0 || !strings.Contains(st.stdout, "run lock: free (last held by") {
			t.Errorf("status on node 3: exit %d\n%s%s", st.code, st.stdout, st.stderr)
		}
	})

	t.Run("a node the run does not use is killed", func(t *testing.T) {
		r := c.reseller(t)
		done := make(chan result, 1)
		go func() { done <- r.result(1, []string{"NIGHTLY_FAULTS=lifecycle.before_commit:sleep=4s"}) }()
		time.Sleep(1500 * time.Millisecond)
		c.script(t, "kill-node", "3")
		res := <-done
		if res.code != 0 {
			t.Errorf("the night on node 1 stopped when node 3 was killed: exit %d\n%s", res.code, res.stderr)
		}
		c.script(t, "start-node", "3")
		r.checkNumbers(t)
		r.checkState(t, want)
		r.checkRerunChangesNothing(t, 3)
	})

	t.Run("the run's own node is killed", func(t *testing.T) {
		r := c.reseller(t)
		done := make(chan result, 1)
		go func() { done <- r.result(2, []string{"NIGHTLY_FAULTS=lifecycle.before_commit:sleep=4s"}) }()
		time.Sleep(1500 * time.Millisecond)
		c.script(t, "kill-node", "2")
		res := <-done
		if res.signaled || res.code == 0 {
			t.Errorf("the night whose node was killed: exit %d (signal %v), want a clean failure\n%s", res.code, res.signaled, res.stderr)
		} else {
			t.Logf("the night on the killed node stopped (exit %d): %s", res.code, lastLine(res.stderr))
		}
		// The rerun on node 1 waits for the dead run's lease (12 s) to run out.
		deadline := time.Now().Add(60 * time.Second)
		waited := time.Now()
		for {
			code, out, errs := r.run(1, nil)
			if code == 0 {
				t.Logf("rerun on node 1 completed after %.1f s of lease", time.Since(waited).Seconds())
				break
			}
			if code != exitLockHeld || time.Now().After(deadline) {
				t.Fatalf("rerun on node 1: exit %d\n%s\n%s", code, out, errs)
			}
			time.Sleep(time.Second)
		}
		c.script(t, "start-node", "2")
		r.checkNumbers(t)
		r.checkState(t, want)
		r.checkRerunChangesNothing(t, 2)
	})

	t.Run("serve on two servers", func(t *testing.T) { c.serveTwo(t) })

	t.Run("serve takes over a night whose server died", func(t *testing.T) { c.serveTakeover(t) })

	t.Run("10,000 contracts", func(t *testing.T) { c.tenThousand(t) })
}

type cluster struct {
	t      *testing.T
	bin    string
	dir    string // the galera-test.sh folder
	config string
}

// reseller is one generated reseller in a fresh database of the cluster.
type reseller struct {
	c    *cluster
	dsns []string // the database on node 1, 2, 3
	out  string
}

type result struct {
	code           int
	stdout, stderr string
	signaled       bool
}

func buildNightly(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "nightly")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func (c *cluster) script(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("../../scripts/galera-test.sh", append([]string{args[0], c.dir}, args[1:]...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("galera-test.sh %v: %v\n%s", args, err, out)
	}
}

// nightly runs the binary with env added and returns how it ended (2 minutes at most).
func (c *cluster) nightly(env []string, args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			r.signaled = true
		}
	} else if err != nil {
		r.code = -1
		r.stderr += err.Error()
	}
	return r
}

// reseller generates the test reseller (2,000 contracts, night 2026-11-24) through
// node 1.
func (c *cluster) reseller(t *testing.T) *reseller {
	t.Helper()
	r := &reseller{c: c, dsns: storetest.GaleraDSNs(t), out: t.TempDir()}
	res := c.nightly(nil, "gen", "--contracts", "2000", "--date", "2026-11-24", "--out", r.out, "--db", r.dsns[0])
	if res.code != 0 {
		t.Fatalf("gen: exit %d\n%s", res.code, res.stderr)
	}
	return r
}

func (r *reseller) result(node int, env []string) result {
	return r.c.nightly(env, "run", "--config", r.c.config, "--db", r.dsns[node-1], "--out", r.out, "--inbox", filepath.Join(r.out, "inbox"),
		"--date", "2026-11-24", "--json")
}

func (r *reseller) run(node int, env []string) (int, string, string) {
	res := r.result(node, env)
	return res.code, res.stdout, res.stderr
}

func (r *reseller) open(t *testing.T, node int) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), r.dsns[node-1])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// checkNumbers: no invoice number twice, none skipped (SPEC §8.3), one invoice per
// natural key and revision.
func (r *reseller) checkNumbers(t *testing.T) {
	t.Helper()
	db := r.open(t, 1)
	var bad []string
	q := `SELECT CONCAT(year, ': ', COUNT(*), ' invoices, ', COUNT(DISTINCT seq), ' numbers, highest ', MAX(seq)) FROM invoices
		GROUP BY year HAVING COUNT(*) <> COUNT(DISTINCT seq) OR MAX(seq) <> COUNT(*) OR MIN(seq) <> 1`
	if err := db.SelectContext(context.Background(), &bad, q); err != nil {
		t.Fatal(err)
	}
	var dup int
	if err := db.GetContext(context.Background(), &dup, "SELECT COUNT(*) - COUNT(DISTINCT nkey, revision) FROM invoices"); err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 || dup > 0 {
		t.Errorf("invoice numbers duplicated or skipped: %v; %d invoices repeat a key", bad, dup)
	}
}

// state is what the night decided, as text that two databases of the same reseller
// compare by: every business row without ids and timestamps, the ledger by content.
func (r *reseller) state(t *testing.T) string {
	t.Helper()
	db := r.open(t, 1)
	queries := []string{
		"SELECT number, nkey, revision, kind, customer_no, issue_date, due_date, total, paid, status, replaces, pages, pdf_sha256 FROM invoices ORDER BY number",
		"SELECT invoice_number, line_no, amount FROM invoice_lines ORDER BY invoice_number, line_no",
		"SELECT number, kind, invoice_number, replaced_by, pdf_sha256 FROM notices ORDER BY number",
		"SELECT b.tkey, b.ordinal, b.amount, b.status, p.invoice_number, p.amount, p.rule FROM payments p JOIN bank_txns b ON b.id = p.txn_id ORDER BY b.tkey, b.ordinal, p.invoice_number",
		"SELECT account, tkey, ordinal, amount, status FROM bank_txns ORDER BY account, tkey, ordinal",
		"SELECT contract_no, status, seats, term_start, term_end, next_seats, cancel_at_term_end FROM contracts ORDER BY contract_no",
		"SELECT order_no, status FROM orders ORDER BY order_no",
		"SELECT nkey, kind, done_at IS NULL FROM tasks ORDER BY nkey",
		"SELECT nkey, kind, status FROM exceptions ORDER BY nkey",
		"SELECT message_sha256, contract_no, status, applied FROM requests ORDER BY message_sha256, contract_no",
		"SELECT sha256, status FROM mail_messages ORDER BY sha256",
		"SELECT seq, kind, sha256, prev_hash <> '' FROM evidence ORDER BY seq",
		"SELECT action, subject, field, from_value, to_value, COUNT(*) FROM audit GROUP BY action, subject, field, from_value, to_value ORDER BY action, subject, field, from_value, to_value",
		"SELECT year, last_seq FROM invoice_counters ORDER BY year",
	}
	var b strings.Builder
	for _, q := range queries {
		rows, err := db.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			_, from, _ := strings.Cut(q, " FROM ")
			b.WriteString(strings.Fields(from)[0] + ":")
			for _, v := range vals {
				b.WriteString(" " + v.String)
			}
			b.WriteString("\n")
		}
		rows.Close()
	}
	return b.String()
}

func (r *reseller) checkState(t *testing.T, want string) {
	t.Helper()
	if got := r.state(t); got != want {
		t.Errorf("the database differs from one clean night's:\n%s", diffText(want, got))
	}
}

// checkRerunChangesNothing reruns the night on node and expects no change.
func (r *reseller) checkRerunChangesNothing(t *testing.T, node int) {
	t.Helper()
	code, out, errs := r.run(node, nil)
	if code != 0 {
		t.Fatalf("rerun on node %d: exit %d\n%s", node, code, errs)
	}
	var s struct {
		Status string `json:"status"`
		Steps  []struct {
			Name    string         `json:"name"`
			Changes map[string]int `json:"changes"`
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil || s.Status != "ok" {
		t.Fatalf("rerun on node %d: %v %q", node, err, out)
	}
	for _, st := range s.Steps {
		for k, v := range st.Changes {
			if v != 0 {
				t.Errorf("rerun on node %d changed %s.%s = %d", node, st.Name, k, v)
			}
		}
	}
}

// servePair is two `nightly serve` processes, on nodes 1 and 2, sharing one reseller.
type servePair struct {
	r       *reseller
	servers [2]*exec.Cmd
	addrs   [2]string
	logs    [2]*bytes.Buffer
	stopped bool
}

// startServes generates a small reseller for today and starts serve on nodes 1 and 2
// with a schedule of every 3 s, each with its fault points; the second starts after
// delay.
func (c *cluster) startServes(t *testing.T, faults [2]string, delay time.Duration) *servePair {
	t.Helper()
	today := calendar.InTokyo(time.Now())
	p := &servePair{r: &reseller{c: c, dsns: storetest.GaleraDSNs(t), out: t.TempDir()}}
	r := p.r
	if res := c.nightly(nil, "gen", "--contracts", "300", "--date", today.String(), "--out", r.out, "--db", r.dsns[0]); res.code != 0 {
		t.Fatalf("gen: %s", res.stderr)
	}
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte("cluster-test-password\n"), 0o600)
	if res := c.nightly(nil, "users", "add", "ops", "--role", "admin", "--password-file", pw, "--db", r.dsns[0], "--out", r.out); res.code != 0 {
		t.Fatalf("users add: %s", res.stderr)
	}
	for i := range p.servers {
		if i == 1 {
			time.Sleep(delay)
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p.addrs[i] = l.Addr().String()
		l.Close()
		p.logs[i] = &bytes.Buffer{}
		cmd := exec.Command(c.bin, "serve", "--schedule", "@every 3s", "--http", p.addrs[i], "--http-user-header", "X-Nightly-User",
			"--config", c.config, "--db", r.dsns[i], "--out", r.out, "--inbox", filepath.Join(r.out, "inbox"))
		cmd.Env = append(os.Environ(), "NIGHTLY_FAULTS="+faults[i])
		cmd.Stderr = &syncWriter{w: p.logs[i]}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		p.servers[i] = cmd
	}
	t.Cleanup(p.stop)
	return p
}

// stop sends SIGTERM to the servers still running and waits for them.
func (p *servePair) stop() {
	if p.stopped {
		return
	}
	p.stopped = true
	for _, s := range p.servers {
		s.Process.Signal(syscall.SIGTERM)
	}
	for _, s := range p.servers {
		s.Wait()
	}
}

// waitForNight waits until a scheduled night finished ok (within limit).
func (p *servePair) waitForNight(t *testing.T, limit time.Duration) {
	t.Helper()
	db := p.r.open(t, 1)
	deadline := time.Now().Add(limit)
	for {
		var ok int
		if err := db.GetContext(context.Background(), &ok, "SELECT COUNT(*) FROM runs WHERE trigger_by = 'cron' AND status = 'ok'"); err != nil {
			t.Fatal(err)
		}
		if ok > 0 {
			return
		}
		if time.Now().After(deadline) {
			p.stop()
			t.Fatalf("no scheduled night ran within %s:\n%s\n%s", limit, p.logs[0], p.logs[1])
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func (p *servePair) runs(t *testing.T) []string {
	t.Helper()
	var runs []string
	if err := p.r.open(t, 2).SelectContext(context.Background(), &runs, "SELECT CONCAT(run_date, ' ', trigger_by, ' ', status) FROM runs ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	return runs
}

// serveTwo: two `nightly serve` on nodes 1 and 2 schedule the same night; exactly one
// runs it, the other logs that it is held (or already run); both web UIs answer.
func (c *cluster) serveTwo(t *testing.T) {
	p := c.startServes(t, [2]string{"run.before_ledger_end:sleep=2s", "run.before_ledger_end:sleep=2s"}, 0)
	p.waitForNight(t, 45*time.Second)
	time.Sleep(4 * time.Second) // one more beat of the schedule on both
	for i, addr := range p.addrs {
		for _, path := range []string{"/healthz", "/"} {
			req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
			req.Header.Set("X-Nightly-User", "ops")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Errorf("web UI of server %d %s: %v", i+1, path, err)
				continue
			}
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.Request.URL.Path == "/login" {
				t.Errorf("web UI of server %d %s: %s at %s", i+1, path, resp.Status, resp.Request.URL.Path)
			}
		}
	}
	p.stop()
	today := calendar.InTokyo(time.Now())
	if runs := p.runs(t); len(runs) != 1 || runs[0] != today.String()+" cron ok" {
		t.Errorf("runs %q, want the scheduled night of %s once", runs, today)
	}
	ran, held := 0, 0
	for _, log := range p.logs {
		text := log.String()
		ran += strings.Count(text, `"msg":"night"`)
		if strings.Contains(text, "night held by another process") || strings.Contains(text, "night already run by the schedule") {
			held++
		}
		for _, l := range strings.Split(text, "\n") {
			if strings.Contains(l, "night held by another process") {
				t.Logf("server logged: %s", l)
				break
			}
		}
		if strings.Contains(text, `"level":"ERROR"`) {
			t.Errorf("a server logged an error:\n%s", text)
		}
	}
	if ran != 1 || held != 2 {
		t.Errorf("%d servers ran the night (want 1), %d logged it held or already run at a later beat (want both):\n%s\n%s",
			ran, held, p.logs[0], p.logs[1])
	}
}

// serveTakeover: the server running the night dies midway (killed in its lifecycle
// step); the other, which found the night held, tries again once the lease ran out
// and finishes it.
func (c *cluster) serveTakeover(t *testing.T) {
	p := c.startServes(t, [2]string{"bankfeed.before_commit:sleep=3s,lifecycle.before_commit", ""}, 1500*time.Millisecond)
	p.waitForNight(t, 60*time.Second)
	p.stop()
	if st := p.servers[0].ProcessState; st == nil || st.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Errorf("server 1 was not killed at its fault point: %v\n%s", st, p.logs[0])
	}
	if !strings.Contains(p.logs[1].String(), "night held by another process") || strings.Count(p.logs[1].String(), `"msg":"night"`) != 1 {
		t.Errorf("server 2 did not find the night held and then run it:\n%s", p.logs[1])
	}
	today := calendar.InTokyo(time.Now()).String()
	if runs := p.runs(t); len(runs) != 2 || runs[0] != today+" cron failed" || runs[1] != today+" cron ok" {
		t.Errorf("runs %q, want the killed night (failed) then the one taken over (ok)", runs)
	}
	p.r.checkNumbers(t)
	p.r.checkRerunChangesNothing(t, 3)
}

// tenThousand generates 10,000 contracts on the cluster and times their night, and
// the same on the single server of NIGHTLY_TEST_MYSQL_DSN when set (README's figures).
func (c *cluster) tenThousand(t *testing.T) {
	targets := []struct{ name, dsn string }{{"Galera 3 nodes", storetest.GaleraDSNs(t)[0]}}
	if os.Getenv(storetest.EnvMySQL) != "" {
		targets = append(targets, struct{ name, dsn string }{"single server", storetest.MySQLDSN(t)})
	}
	for _, tg := range targets {
		out := t.TempDir()
		t0 := time.Now()
		if res := c.nightly(nil, "gen", "--contracts", "10000", "--date", "2026-11-24", "--out", out, "--db", tg.dsn); res.code != 0 {
			t.Fatalf("gen on %s: %s", tg.name, res.stderr)
		}
		gen := time.Since(t0)
		t0 = time.Now()
		res := c.nightly(nil, "run", "--config", c.config, "--db", tg.dsn, "--out", out, "--inbox", filepath.Join(out, "inbox"), "--date", "2026-11-24", "--json")
		night := time.Since(t0)
		if res.code != 0 || !strings.Contains(res.stdout, `"status":"ok"`) {
			t.Fatalf("10,000-contract night on %s: exit %d\n%s", tg.name, res.code, res.stderr)
		}
		t.Logf("10,000 contracts on %s: gen %.1f s, night %.1f s (wall, process start to exit)", tg.name, gen.Seconds(), night.Seconds())
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func diffText(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	am, bm := in(a), in(b)
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !bm[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !am[l] {
			out = append(out, "+ "+l)
		}
	}
	if len(out) > 30 {
		out = append(out[:30], fmt.Sprintf("… %d more", len(out)-30))
	}
	return strings.Join(out, "\n")
}
