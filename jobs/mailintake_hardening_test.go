package jobs_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"

	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/mailintake"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
	"github.com/npress/nightly/wording"
)

// randomMessage is bytes no mail client wrote: invalid UTF-8 and NULs where the
// header should be, then random bytes; it cannot be read as a message.
func randomMessage(t *testing.T) []byte {
	b := make([]byte, 4096)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return append([]byte("\xff\xfe\x00\x81\x40 no header\r\n"), b...)
}

// garbledMessage has a header of sorts, in bytes of no charset, and random bytes
// below: it is read, as a request that names nothing.
func garbledMessage(t *testing.T) []byte {
	b := make([]byte, 4096)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return append([]byte("From: \xff\xfe\x00<x@y>\r\nSubject: \x81\x40\xe3\x81\x00\r\n\r\n"), b...)
}

// validRequest is a complete request from the registered domain of NP-0001011's
// customer, on time for its next term.
func validRequest(t *testing.T) []byte {
	raw, err := mailintake.Draft{From: mailintake.Address{Name: "佐藤 健一", Addr: "it-100011@example.co.jp"},
		To: mailintake.Address{Addr: "esales@npress.jp"}, Subject: "減数のお申込み", MessageID: "valid-1@example.co.jp",
		Date: time.Date(2026, 11, 19, 1, 0, 0, 0, time.UTC),
		Body: "■ご契約番号：NP-0001011\n■ご契約者名：株式会社白鷺商事\n■対象製品：Microsoft 365 Business Standard\n■数量：15 → 12\n■希望される内容：減数\n"}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// checkStorable fails when a stored or reported text is not valid UTF-8.
func checkStorable(t *testing.T, db *store.DB, out string) {
	t.Helper()
	ctx := context.Background()
	xs, err := store.OpenExceptions(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range xs {
		for _, s := range []string{x.Subject, x.Message, x.Action} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Errorf("exception %s holds bytes that are not text: %q", x.NKey, s)
			}
		}
	}
	rs, err := store.ListRequests(ctx, db, store.RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		for _, s := range []string{r.Sender.String, r.Subject.String, r.Contractor, r.Product} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Errorf("request %d holds bytes that are not text: %q", r.ID, s)
			}
		}
	}
	for _, f := range []string{"report.html", "exceptions.csv"} {
		b, err := os.ReadFile(filepath.Join(out, demo.Date.String(), f))
		if err != nil || !utf8.Valid(b) {
			t.Errorf("%s is not valid UTF-8 (%v)", f, err)
		}
	}
}

// A message of random bytes never stops the night and never puts its bytes into an
// error text or a stored string (issue 13 #1): from the in-memory IMAP server and from
// a folder of .eml files, the valid request beside it is recorded, the night and the
// next one finish ok, and report.html and exceptions.csv are valid UTF-8.
func TestRandomBytesMessage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		out := t.TempDir()
		env := newEnv(t, db, dsn, out)
		seeded(t, db)
		recv := time.Date(2026, 11, 19, 3, 0, 0, 0, time.UTC)
		// go-imap's in-memory server serves a message whose header it cannot read as
		// empty (Dovecot serves the bytes): the random one reaches the night as an
		// empty message, the garbled one whole.
		srv := startMemIMAP(t)
		srv.add(t, randomMessage(t), recv)
		srv.add(t, garbledMessage(t), recv)
		srv.add(t, validRequest(t), recv.Add(time.Minute))
		env.MailSource = srv.source()
		dir := filepath.Join(env.Config.InboxDir, "mail")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, raw := range map[string][]byte{"a-random.eml": randomMessage(t), "b-garbled.eml": garbledMessage(t)} {
			if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
				t.Fatal(err)
			}
			os.Chtimes(filepath.Join(dir, name), recv, recv)
		}
		for i, night := range []jobs.Summary{runNight(t, env, jobs.Options{Only: mailOnly}), runNight(t, env, jobs.Options{Only: mailOnly})} {
			if night.Status != "ok" {
				t.Errorf("night %d: %+v", i+1, night)
			}
		}
		if got := requestStatuses(t, db); len(got) != 3 || !has(got, "NP-0001011:accepted:2026-12-20") || !has(got, ":incomplete:") {
			t.Errorf("requests %v, want the valid one accepted and the garbled ones incomplete", got)
		}
		xs, _ := store.OpenExceptions(ctx, db)
		escaped := 0
		for _, x := range xs {
			if x.Kind == wording.ExceptionMailMalformed && strings.Contains(x.Message, `\xff\xfe`) {
				escaped++
			}
		}
		if len(xs) != 2 || escaped != 1 {
			t.Errorf("exceptions %+v, want one per random message, the bytes of the folder's escaped", xs)
		}
		checkStorable(t, db, out)
	})
}

// A message over mail.max_message_bytes is kept as evidence, never read, and reported
// with what to do and a link to its original (SPEC §10.0).
func TestTooLargeMessage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		out := t.TempDir()
		env := newEnv(t, db, dsn, out)
		env.Config.Mail.MaxMessageBytes = 64 << 10
		seeded(t, db)
		big := append(validRequest(t), bytes.Repeat([]byte("添付の代わりに貼られた長い文章。\r\n"), 4000)...)
		srv := startMemIMAP(t)
		srv.add(t, big, time.Date(2026, 11, 19, 3, 0, 0, 0, time.UTC))
		env.MailSource = srv.source()
		if s := runNight(t, env, jobs.Options{Only: mailOnly}); s.Status != "ok" || changes(s)["mailintake.mail_too_large"] != 1 {
			t.Fatalf("night %+v %v", s, nonZero(changes(s)))
		}
		if got := requestStatuses(t, db); len(got) != 0 {
			t.Errorf("requests %v read from a message over the limit", got)
		}
		sum, err := jobs.VerifyEvidence(ctx, env, "")
		if err != nil || sum.Count != 1 {
			t.Errorf("evidence %+v %v, want the message kept", sum, err)
		}
		xs, _ := store.OpenExceptions(ctx, db)
		if len(xs) != 1 || xs[0].Kind != wording.ExceptionMailTooLarge || !strings.Contains(xs[0].Message, "上限 0.1 MB") || !strings.Contains(xs[0].Action, "mail.max_message_bytes") {
			t.Fatalf("exceptions %+v", xs)
		}
		report := readReport(t, out)
		i := strings.Index(report, `">原本</a>`)
		j := strings.LastIndex(report[:max(i, 0)], `<a href="`)
		if i < 0 || j < 0 {
			t.Fatal("the report shows no link to the original")
		}
		href := report[j+len(`<a href="`) : i]
		b, err := os.ReadFile(filepath.Join(out, demo.Date.String(), filepath.FromSlash(href)))
		if err != nil || !bytes.Equal(b, big) {
			t.Errorf("the link %q does not lead to the original: %v", href, err)
		}
		checkStorable(t, db, out)
	})
}

// The demo's cancellation from an address NP-0001011's customer has not registered is
// held as unverified: not applied, shown with the registered address beside the
// sender, answered by a draft to the registered contact; staff accept it once
// confirmed (SPEC §7.4).
func TestUnverifiedRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		out := t.TempDir()
		env := newEnv(t, db, dsn, out)
		srv := startMemIMAP(t)
		for _, m := range demoMail(t) {
			srv.add(t, m.Mail, m.Received)
		}
		env.MailSource = srv.source()
		seeded(t, db)
		runNight(t, env, jobs.Options{Only: mailOnly})
		rs, err := store.ListRequests(ctx, db, store.RequestFilter{Status: store.RequestUnverified})
		if err != nil || len(rs) != 1 {
			t.Fatalf("unverified requests %+v %v", rs, err)
		}
		r := rs[0]
		cu, err := store.GetCustomer(ctx, db, mustContract(t, db, "NP-0001011").CustomerNo)
		if err != nil {
			t.Fatal(err)
		}
		if r.ContractNo != "NP-0001011" || r.Kind != "cancellation" || r.Applied || !strings.Contains(r.Sender.String, "yamamoto.ichiro@freemail.example.net") ||
			r.RegisteredEmail.String != cu.Email || cu.Email == "" {
			t.Errorf("unverified request %+v (customer e-mail %q)", r, cu.Email)
		}
		if c := mustContract(t, db, "NP-0001011"); c.CancelAtTermEnd {
			t.Error("an unverified cancellation was applied")
		}
		raw, err := os.ReadFile(filepath.Join(out, demo.Date.String(), "replies", itoa(r.ID)+".eml"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := mailintake.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		to := headerAddresses(t, raw, "To")
		if len(to) != 1 || to[0].Address != cu.Email ||
			!strings.Contains(m.Body, "yamamoto.ichiro@freemail.example.net") || !strings.Contains(m.Body, "ご登録のメールアドレスからのご依頼ではない") {
			t.Errorf("draft to %v:\n%s", to, m.Body)
		}
		report := readReport(t, out)
		if !strings.Contains(report, "送信者未確認") || !strings.Contains(report, "登録アドレス: "+cu.Email) {
			t.Error("the report does not show the unverified request with the registered address")
		}
		got, err := jobs.DecideRequest(ctx, env, r.ID, "accept", "お客様に電話で確認済み")
		if err != nil || got.Status != store.RequestLate {
			t.Errorf("accept: %+v %v, want late (it came after the deadline)", got, err)
		}
	})
}

func mustContract(t *testing.T, db *store.DB, no string) store.Contract {
	t.Helper()
	c, err := store.GetContract(context.Background(), db, no)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// headerAddresses parses an address field of a raw message, RFC 2047 words included.
func headerAddresses(t *testing.T, raw []byte, field string) []*mail.Address {
	t.Helper()
	msg, err := mail.ReadMessage(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	ap := mail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: func(label string, r io.Reader) (io.Reader, error) {
		return charset.Reader(label, r)
	}}}
	l, err := ap.ParseList(msg.Header.Get(field))
	if err != nil {
		t.Fatalf("%s %q: %v", field, msg.Header.Get(field), err)
	}
	return l
}

// A sender whose display name tries to add a recipient gets a reply draft with
// exactly one recipient: the sender's address (issue 13 #4).
func TestReplyDraftHeaderInjection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		out := t.TempDir()
		env := newEnv(t, db, dsn, out)
		seeded(t, db)
		raw := []byte("From: \"attacker@evil.example, Takahashi\" <it-100011@example.co.jp>\r\nTo: esales@npress.jp\r\n" +
			"Subject: =?UTF-8?B?" + "5rib5pWw?=\r\nMessage-ID: <inj@example.co.jp>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" +
			"NP-0001011 を 15 → 12 に減数してください。株式会社白鷺商事 Microsoft 365 Business Standard\r\n")
		srv := startMemIMAP(t)
		srv.add(t, raw, time.Date(2026, 11, 19, 3, 0, 0, 0, time.UTC))
		env.MailSource = srv.source()
		runNight(t, env, jobs.Options{Only: mailOnly})
		drafts, _ := filepath.Glob(filepath.Join(out, demo.Date.String(), "replies", "*.eml"))
		if len(drafts) != 1 {
			t.Fatalf("drafts %v", drafts)
		}
		d, _ := os.ReadFile(drafts[0])
		if to := headerAddresses(t, d, "To"); len(to) != 1 || to[0].Address != "it-100011@example.co.jp" || to[0].Name != "attacker@evil.example, Takahashi" {
			t.Errorf("To of the draft: %v", to)
		}
	})
}
