package jobs_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/config"
	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/mailintake"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// The Dovecot tests run against a real server started by scripts/dovecot-test.sh
// (`eval "$(scripts/dovecot-test.sh start)"`); .ci/run starts it. Each test works in a
// folder of its own, so that reruns against the same server do not meet.
type dovecot struct {
	addr, user, pass, ca string
}

func dovecotEnv(tb testing.TB) dovecot {
	tb.Helper()
	d := dovecot{os.Getenv("NIGHTLY_TEST_IMAP_ADDR"), os.Getenv("NIGHTLY_TEST_IMAP_USER"),
		os.Getenv("NIGHTLY_TEST_IMAP_PASSWORD"), os.Getenv("NIGHTLY_TEST_IMAP_CA")}
	if d.addr == "" || d.user == "" || d.pass == "" || d.ca == "" {
		tb.Skip("NIGHTLY_TEST_IMAP_ADDR, _USER, _PASSWORD and _CA not set: Dovecot tests skipped (start one with `eval \"$(scripts/dovecot-test.sh start)\"`; .ci/run does)")
	}
	return d
}

// client is a direct IMAP connection for setting the stage: APPEND with chosen
// INTERNALDATEs, counting, deleting and recreating folders.
func (d dovecot) client(tb testing.TB) *imapclient.Client {
	tb.Helper()
	pem, err := os.ReadFile(d.ca)
	if err != nil {
		tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c, err := imapclient.DialTLS(d.addr, &imapclient.Options{TLSConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}})
	if err != nil {
		tb.Fatal(err)
	}
	if err := c.Login(d.user, d.pass).Wait(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Logout().Wait(); c.Close() })
	return c
}

func appendMsg(tb testing.TB, c *imapclient.Client, folder string, raw []byte, at time.Time) {
	tb.Helper()
	cmd := c.Append(folder, int64(len(raw)), &imap.AppendOptions{Time: at})
	if _, err := cmd.Write(raw); err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		tb.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		tb.Fatalf("append to %s: %v", folder, err)
	}
}

func count(tb testing.TB, c *imapclient.Client, folder string) uint32 {
	tb.Helper()
	st, err := c.Status(folder, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		tb.Fatalf("status %s: %v", folder, err)
	}
	return *st.NumMessages
}

func uniqueFolder(tb testing.TB, c *imapclient.Client) string {
	tb.Helper()
	var b [4]byte
	rand.Read(b[:])
	f := "t-" + hex.EncodeToString(b[:])
	if err := c.Create(f, nil).Wait(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Delete(f + "/processed").Wait(); c.Delete(f).Wait() })
	return f
}

func (d dovecot) configure(env *jobs.Env, folder string) {
	env.Config.Mail.Addr = d.addr
	env.Config.Mail.Security = "tls"
	env.Config.Mail.CAFile = d.ca
	env.Config.Mail.Username = d.user
	env.Config.Mail.PasswordEnv = "NIGHTLY_TEST_IMAP_PASSWORD"
	env.Config.Mail.Folder = folder
	env.Config.Mail.ProcessedFolder = folder + "/processed"
}

// End to end against Dovecot: fetch, evidence, request, move; a rerun does nothing
// twice; the folder recreated (a new UIDVALIDITY) with the same messages records
// nothing again and moves them.
func TestMailIntakeDovecot(t *testing.T) {
	d := dovecotEnv(t)
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		c := d.client(t)
		folder := uniqueFolder(t, c)
		msgs := demoMail(t)
		malformed, err := os.ReadFile(filepath.Join("..", "mailintake", "testdata", "14_malformed_boundary.eml"))
		if err != nil {
			t.Fatal(err)
		}
		random := randomMessage(t) // served as bytes by Dovecot, unlike the in-memory server
		stage := func() {
			for _, m := range msgs {
				appendMsg(t, c, folder, m.Mail, m.Received)
			}
			appendMsg(t, c, folder, malformed, time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC))
			appendMsg(t, c, folder, random, time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC))
		}
		stage()
		out := t.TempDir()
		env := newEnv(t, db, dsn, out)
		d.configure(env, folder)
		seeded(t, db)
		s := runNight(t, env, jobs.Options{Only: mailOnly})
		ch := changes(s)
		if ch["mailintake.requests"] != 6 || ch["mailintake.mail_malformed"] != 2 || ch["mailintake.mail_moved"] != 8 {
			t.Errorf("first night changes %v", nonZero(ch))
		}
		if n := count(t, c, folder); n != 1 {
			t.Errorf("%d messages left in %s, want the one at the cutoff", n, folder)
		}
		if n := count(t, c, folder+"/processed"); n != 8 {
			t.Errorf("%d messages in processed, want 8", n)
		}
		sum, err := jobs.VerifyEvidence(ctx, env, "")
		if err != nil || sum.Count != 8 {
			t.Errorf("evidence %+v %v, want 8 rows verified", sum, err)
		}
		xs, _ := store.OpenExceptions(ctx, db)
		if len(xs) != 2 || !strings.Contains(xs[0].Message+xs[1].Message, `\xff\xfe`) {
			t.Errorf("exceptions %+v, want the random message's bytes escaped", xs)
		}
		got := requestStatuses(t, db)
		for _, want := range []string{"NP-0001011:accepted:2026-12-20", "NP-0001011:duplicate:2026-12-20", "NP-0001012:late:2027-12-20"} {
			if !has(got, want) {
				t.Errorf("requests %v: missing %s", got, want)
			}
		}
		dump := dumpDB(t, db)
		if c := nonZero(changes(runNight(t, env, jobs.Options{Only: mailOnly}))); len(c) != 0 {
			t.Errorf("rerun changed %v", c)
		}
		if dumpDB(t, db) != dump {
			t.Error("rerun changed the database")
		}

		// Delete and recreate the folder: a new UIDVALIDITY, the same messages.
		if err := c.Delete(folder).Wait(); err != nil {
			t.Fatal(err)
		}
		if err := c.Create(folder, nil).Wait(); err != nil {
			t.Fatal(err)
		}
		stage()
		s = runNight(t, env, jobs.Options{Only: mailOnly})
		ch = changes(s)
		if ch["mailintake.requests"] != 0 || ch["mailintake.mail_messages"] != 0 || ch["mailintake.mail_moved"] != 8 {
			t.Errorf("after UIDVALIDITY change %v, want nothing recorded and 8 moved", nonZero(ch))
		}
		if len(requestStatuses(t, db)) != 6 {
			t.Errorf("requests after UIDVALIDITY change: %v", requestStatuses(t, db))
		}
		if n := count(t, c, folder); n != 1 {
			t.Errorf("%d left after UIDVALIDITY change, want 1", n)
		}
	})
}

// BenchmarkIntakeDovecot1000 fetches, stores as evidence (one flush round per batch)
// and parses 1,000 messages from the local Dovecot, and records their requests.
func BenchmarkIntakeDovecot1000(b *testing.B) {
	d := dovecotEnv(b)
	msgs, err := demo.MailMessages()
	if err != nil {
		b.Fatal(err)
	}
	var total, fetchOnly time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := d.client(b)
		folder := uniqueFolder(b, c)
		for k := 0; k < 1000; k++ {
			m := msgs[k%5]
			raw := bytes.Replace(m.Mail, []byte("Message-Id: <demo-"), []byte(fmt.Sprintf("Message-Id: <bench-%d-", k)), 1)
			// Spread over the demo's 330 contracts, as a real mailbox is: the contract
			// numbers are ASCII in the ISO-2022-JP bytes.
			raw = contractNo.ReplaceAll(raw, []byte(fmt.Sprintf("NP-%07d", 1001+k%330)))
			// The demo subjects name NP-0001011 too, inside encoded words: replaced whole.
			raw = subjectLine.ReplaceAll(raw, []byte("Subject: request\r\n"))
			appendMsg(b, c, folder, raw, m.Received)
		}
		env := benchEnv(b)
		d.configure(env, folder)
		env.Config.Mail.BatchSize = 100
		// The IMAP part alone (fetch whole, no storing), for the profile of the gap.
		o, err := mailintake.IMAPOptionsFrom(env.Config.Mail, os.Getenv)
		if err != nil {
			b.Fatal(err)
		}
		src := mailintake.NewIMAPSource(o)
		t1 := time.Now()
		if _, err := src.Open(context.Background()); err != nil {
			b.Fatal(err)
		}
		fr, err := src.Fetch(context.Background(), 0, demo.Date.Start(), func([]mailintake.Message) error { return nil })
		src.Close()
		if err != nil || fr.Fetched != 1000 {
			b.Fatalf("fetch only: %d, %v", fr.Fetched, err)
		}
		fetchOnly += time.Since(t1)
		b.StartTimer()
		t0 := time.Now()
		sums, err := jobs.Run(context.Background(), env, jobs.Options{Date: demo.Date, Only: []string{"mailintake"}})
		total += time.Since(t0)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if got := changes(sums[0])["mailintake.mail_messages"]; got != 1000 {
			b.Fatalf("recorded %d messages, want 1000", got)
		}
	}
	b.ReportMetric(float64(1000*b.N)/total.Seconds(), "msgs/s")
	b.ReportMetric(float64(1000*b.N)/fetchOnly.Seconds(), "fetch-only-msgs/s")
}

var (
	contractNo  = regexp.MustCompile(`NP-00010[0-9][0-9]`)
	subjectLine = regexp.MustCompile(`(?m)^Subject: ([^\r\n]*)\r\n(?:[ \t][^\r\n]*\r\n)*`)
)

// benchEnv is newEnv for a benchmark: a migrated SQLite file with the demo seed.
func benchEnv(b *testing.B) *jobs.Env {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "nightly.db")
	db, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	c := config.Default()
	c.DB, c.OutDir = dsn, dir
	c.Resolve()
	c.EvidenceDir = filepath.Join(dir, "evidence")
	ev, err := evidence.Open(c.EvidenceDir)
	if err != nil {
		b.Fatal(err)
	}
	cal := calendar.NewCalendar(calendar.Options{})
	if err := demo.Seed(ctx, db, cal, demo.Date, fixedNow); err != nil {
		b.Fatal(err)
	}
	return &jobs.Env{DB: db, Config: c, Calendar: cal, Evidence: ev, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return fixedNow }, Who: "bench"}
}

// The connection dropped mid-fetch (Dovecot kicks the user between two batches): the
// source reconnects once and goes on, and the night records every message once.
func TestMailIntakeDovecotDroppedConnection(t *testing.T) {
	d := dovecotEnv(t)
	dir := os.Getenv("NIGHTLY_TEST_DOVECOT_DIR")
	if dir == "" {
		t.Skip("NIGHTLY_TEST_DOVECOT_DIR not set: cannot kick the connection (scripts/dovecot-test.sh sets it)")
	}
	c := d.client(t)
	folder := uniqueFolder(t, c)
	msgs := demoMail(t)
	for k := 0; k < 10; k++ {
		m := msgs[k%5]
		appendMsg(t, c, folder, bytes.Replace(m.Mail, []byte("Message-Id: <demo-"), []byte(fmt.Sprintf("Message-Id: <drop-%d-", k)), 1), m.Received)
	}
	env := jobs.Env{Config: config.Default()}
	d.configure(&env, folder)
	env.Config.Mail.BatchSize = 3
	o, err := mailintake.IMAPOptionsFrom(env.Config.Mail, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	src := mailintake.NewIMAPSource(o)
	ctx := context.Background()
	if _, err := src.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	seen := map[uint32]int{}
	batches := 0
	fr, err := src.Fetch(ctx, 0, demo.Date.Start(), func(ms []mailintake.Message) error {
		for _, m := range ms {
			seen[m.UID]++
		}
		batches++
		if batches == 1 {
			out, err := exec.Command("doveadm", "-c", filepath.Join(dir, "dovecot.conf"), "kick", d.user).CombinedOutput()
			if err != nil {
				t.Fatalf("doveadm kick: %v %s", err, out)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("fetch across the dropped connection: %v", err)
	}
	if fr.Fetched != 10 || len(seen) != 10 {
		t.Errorf("fetched %d, distinct %d, want 10", fr.Fetched, len(seen))
	}
	for uid, n := range seen {
		if n != 1 {
			t.Errorf("UID %d handed over %d times", uid, n)
		}
	}
}
