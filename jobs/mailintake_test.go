package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/mailintake"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// memIMAP is go-imap's in-memory server on 127.0.0.1, with the user kept so that a test
// can append, delete and recreate folders behind the intake's back.
type memIMAP struct {
	addr string
	user *imapmemserver.User
}

func startMemIMAP(t *testing.T) *memIMAP {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser("esales@npress.jp", "pw")
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapMove: {}, imap.CapUIDPlus: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &memIMAP{addr: ln.Addr().String(), user: u}
}

type lit struct{ *bytes.Reader }

func (l lit) Size() int64 { return int64(l.Len()) }

func (m *memIMAP) add(t *testing.T, raw []byte, at time.Time) {
	t.Helper()
	if _, err := m.user.Append("INBOX", lit{bytes.NewReader(raw)}, &imap.AppendOptions{Time: at}); err != nil {
		t.Fatal(err)
	}
}

func (m *memIMAP) source() mailintake.Source {
	return mailintake.NewIMAPSource(mailintake.IMAPOptions{Addr: m.addr, Security: mailintake.SecurityNone,
		Username: "esales@npress.jp", Password: "pw", Folder: "INBOX", ProcessedFolder: "nightly/processed", Timeout: 5 * time.Second})
}

// inbox lists the UIDs still in INBOX.
func inbox(t *testing.T, src mailintake.Source) []mailintake.Entry {
	t.Helper()
	ctx := context.Background()
	if _, err := src.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	es, err := src.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func demoMail(t *testing.T) []demo.MailMessage {
	t.Helper()
	ms, err := demo.MailMessages()
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// requestsByContract returns "contract:status" for every request, in id order.
func requestStatuses(t *testing.T, db *store.DB) []string {
	t.Helper()
	rs, err := store.ListRequests(context.Background(), db, store.RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rs {
		out = append(out, r.ContractNo+":"+r.Status+":"+r.TermStart.String())
	}
	return out
}

func has(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

var mailOnly = []string{"mailintake", "report"}

// The demo mailbox against the demo contracts: a request received on the deadline day
// (up to 23:59:59 JST) is honoured and marks the issued renewal invoice for reissue,
// one received at 00:00:00 JST the day after is late and left for the following term;
// every message is evidence, moved once, answered by a draft; a rerun changes nothing.
func TestMailIntakeDemoMailbox(t *testing.T) {
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
		// A dry run reads the mailbox and keeps nothing: database, mailbox, drafts.
		before := dumpDB(t, db)
		if dry := runNight(t, env, jobs.Options{Only: mailOnly, DryRun: true}); changes(dry)["mailintake.requests"] != 6 {
			t.Errorf("dry run: %v, want 6 requests computed", nonZero(changes(dry)))
		}
		if after := dumpDB(t, db); after != before {
			t.Errorf("dry run changed the database:\n%s", diffLines(before, after))
		}
		if left := inbox(t, srv.source()); len(left) != 7 {
			t.Errorf("dry run moved messages: %d left, want 7", len(left))
		}
		if _, err := os.Stat(filepath.Join(out, demo.Date.String(), "dry-run", "replies")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("dry run wrote reply drafts: %v", err)
		}
		first := runNight(t, env, jobs.Options{Only: mailOnly})
		if first.Status != "ok" {
			t.Fatalf("night: %+v", first)
		}
		got := requestStatuses(t, db)
		for _, want := range []string{"NP-0001011:accepted:2026-12-20", "NP-0001011:duplicate:2026-12-20",
			"NP-0001012:late:2027-12-20", "NP-0001013:incomplete:2027-12-15", "NP-0001013:mismatch:2027-12-15",
			"NP-0001011:unverified:2027-12-20"} {
			if !has(got, want) {
				t.Errorf("requests %v: missing %s", got, want)
			}
		}
		if len(got) != 6 {
			t.Errorf("requests %v, want 6 (the message at the cutoff waits)", got)
		}
		c, _ := store.GetContract(ctx, db, "NP-0001011")
		if !c.NextSeats.Valid || c.NextSeats.Int64 != 10 || c.CancelAtTermEnd {
			t.Errorf("NP-0001011 next term: seats %v cancel %v, want 10 seats", c.NextSeats, c.CancelAtTermEnd)
		}
		inv, err := store.NextRenewal(ctx, db, "NP-0001011", c.TermStart)
		if err != nil || !inv.ReissueNeeded {
			t.Errorf("renewal of NP-0001011 not marked for reissue: %+v %v", inv.Number, err)
		}
		late, _ := store.GetContract(ctx, db, "NP-0001012")
		if late.CancelAtTermEnd {
			t.Error("a late cancellation cancelled the next term")
		}
		if lr, _ := store.ListRequests(ctx, db, store.RequestFilter{Status: "late"}); len(lr) != 1 || lr[0].Applied || lr[0].VoidsInvoice != "" {
			t.Errorf("the late request was applied to the next term: %+v", lr)
		}
		// Evidence: six messages, verified.
		sum, err := jobs.VerifyEvidence(ctx, env, "")
		if err != nil {
			t.Fatalf("evidence verify: %v", err)
		}
		if sum.Count != 6 {
			t.Errorf("evidence rows %d, want 6", sum.Count)
		}
		// Moved: only the message received at the cutoff is still in INBOX.
		if left := inbox(t, srv.source()); len(left) != 1 || left[0].MessageID != "demo-6@marubishi-med.example.co.jp" {
			t.Errorf("left in INBOX: %+v", left)
		}
		mark, ok, _ := store.GetMailMark(ctx, db, "env")
		if !ok || mark.LastUID != 6 || mark.UIDValidity != 1 {
			t.Errorf("mark %+v %v, want UID 6 of UIDVALIDITY 1", mark, ok)
		}
		// Reply drafts, ISO-2022-JP, to the sender, quoting the request.
		drafts, _ := filepath.Glob(filepath.Join(out, demo.Date.String(), "replies", "*.eml"))
		if len(drafts) != 6 {
			t.Fatalf("reply drafts %v, want 6", drafts)
		}
		rs, _ := store.ListRequests(ctx, db, store.RequestFilter{Status: "late"})
		raw, err := os.ReadFile(filepath.Join(out, demo.Date.String(), "replies", itoa(rs[0].ID)+".eml"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(raw, []byte("charset=ISO-2022-JP")) || bytes.ContainsFunc(raw, func(r rune) bool { return r > 0x7e }) {
			t.Error("reply draft is not 7-bit ISO-2022-JP")
		}
		m, err := mailintake.Parse(raw)
		if err != nil {
			t.Fatalf("reply draft unreadable: %v", err)
		}
		if m.FromAddress != "esales@npress.jp" || !strings.Contains(string(raw), "it-100012@example.co.jp") ||
			!strings.HasPrefix(m.Subject, "Re: ") || !strings.Contains(m.Body, "2027年12月20日") || !strings.Contains(m.Body, "> ") {
			t.Errorf("late reply draft:\n%s", m.Body)
		}
		report := readReport(t, out)
		for _, s := range []string{"NP-0001011", "NP-0001012", "受理", "期限後", "不足"} {
			if !strings.Contains(report, s) {
				t.Errorf("report does not show %q", s)
			}
		}
		dump := dumpDB(t, db)
		second := runNight(t, env, jobs.Options{Only: mailOnly})
		if c := nonZero(changes(second)); len(c) != 0 {
			t.Errorf("rerun changed %v", c)
		}
		if d := dumpDB(t, db); d != dump {
			t.Errorf("rerun changed the database:\n%s", diffLines(dump, d))
		}

		// After NP-0001012 rolls over to the term it was late for, the next night puts
		// the late cancellation on the following term.
		if _, err := db.ExecContext(ctx, "UPDATE contracts SET term_start = ?, term_end = ? WHERE contract_no = ?",
			calendar.MustParse("2026-12-20"), calendar.MustParse("2027-12-19"), "NP-0001012"); err != nil {
			t.Fatal(err)
		}
		later := runNight(t, env, jobs.Options{Date: calendar.MustParse("2026-12-21"), Only: []string{"mailintake"}})
		if c := changes(later); c["mailintake.requests_applied"] != 1 {
			t.Errorf("after the roll-over: %v, want the late request applied", nonZero(c))
		}
		if k, _ := store.GetContract(ctx, db, "NP-0001012"); !k.CancelAtTermEnd {
			t.Error("the late cancellation is not on the following term")
		}
	})
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// Stopped between the commit and the move: the rerun records nothing twice and moves
// the messages; a folder recreated with a new UIDVALIDITY is read again from UID 1 and
// its messages recognised.
func TestMailIntakeCrashAfterCommitAndUIDValidity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		env := newEnv(t, db, dsn, t.TempDir())
		srv := startMemIMAP(t)
		msgs := demoMail(t)
		for _, m := range msgs {
			srv.add(t, m.Mail, m.Received)
		}
		env.MailSource = srv.source()
		seeded(t, db)
		env.Config.Faults = "mail.after_commit:error"
		if _, err := jobs.Run(ctx, env, jobs.Options{Date: demo.Date, Only: mailOnly}); !errors.Is(err, jobs.ErrFault) {
			t.Fatalf("run with the fault: %v", err)
		}
		if left := inbox(t, srv.source()); len(left) != 7 {
			t.Fatalf("after the crash %d messages in INBOX, want all 7", len(left))
		}
		recorded := requestStatuses(t, db)
		env.Config.Faults = ""
		s := runNight(t, env, jobs.Options{Only: mailOnly})
		if got := requestStatuses(t, db); strings.Join(got, ",") != strings.Join(recorded, ",") || len(got) != 6 {
			t.Errorf("after rerun requests %v, want %v", got, recorded)
		}
		if c := changes(s); c["mailintake.mail_moved"] != 6 || c["mailintake.requests"] != 0 {
			t.Errorf("rerun changes %v, want 6 moved and no request", nonZero(c))
		}
		if left := inbox(t, srv.source()); len(left) != 1 {
			t.Errorf("after rerun %d in INBOX, want 1", len(left))
		}

		// The folder is deleted and recreated: new UIDVALIDITY, same messages.
		if err := srv.user.Delete("INBOX"); err != nil {
			t.Fatal(err)
		}
		if err := srv.user.Create("INBOX", nil); err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs[:6] {
			srv.add(t, m.Mail, m.Received)
		}
		s = runNight(t, env, jobs.Options{Only: mailOnly})
		c := changes(s)
		if c["mailintake.requests"] != 0 || c["mailintake.mail_messages"] != 0 || c["mailintake.mail_moved"] != 6 {
			t.Errorf("after UIDVALIDITY change: %v, want nothing recorded and 6 moved", nonZero(c))
		}
		if mark, _, _ := store.GetMailMark(ctx, db, "env"); mark.UIDValidity == 1 {
			t.Errorf("mark after UIDVALIDITY change: %+v", mark)
		}
		if n := len(requestStatuses(t, db)); n != 6 {
			t.Errorf("%d requests, want 6", n)
		}
	})
}

// A folder of .eml files: a malformed message is an exception (never a failed night),
// a request naming another customer's contract from an unregistered address is
// unverified; files move to processed/ and a copy dropped again is recognised.
func TestMailIntakeEMLFolder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		out := t.TempDir()
		env := newEnv(t, db, dsn, out)
		seeded(t, db)
		dir := filepath.Join(env.Config.InboxDir, "mail")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		recv := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
		for _, name := range []string{"01_form_iso2022jp.eml", "14_malformed_boundary.eml"} {
			b, err := os.ReadFile(filepath.Join("..", "mailintake", "testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			os.Chtimes(p, recv, recv)
		}
		s := runNight(t, env, jobs.Options{Only: mailOnly})
		if s.Status != "ok" {
			t.Fatalf("night %+v", s)
		}
		xs, _ := store.OpenExceptions(ctx, db)
		var malformed int
		for _, x := range xs {
			if x.Kind == "mail_malformed" {
				malformed++
			}
		}
		if malformed != 1 {
			t.Errorf("exceptions %+v, want one mail_malformed", xs)
		}
		// NP-0001234 is another customer's contract, named from an address that customer
		// has not registered: unverified, held for staff (SPEC §7.4).
		if got := requestStatuses(t, db); len(got) != 1 || !strings.HasPrefix(got[0], "NP-0001234:unverified:") {
			t.Errorf("requests %v, want NP-0001234 (another customer's contract) as unverified", got)
		}
		if left, _ := filepath.Glob(filepath.Join(dir, "*.eml")); len(left) != 0 {
			t.Errorf("files left in the inbox: %v", left)
		}
		// The same file dropped again is recognised by its SHA-256.
		b, _ := os.ReadFile(filepath.Join("..", "mailintake", "testdata", "01_form_iso2022jp.eml"))
		os.WriteFile(filepath.Join(dir, "again.eml"), b, 0o644)
		os.Chtimes(filepath.Join(dir, "again.eml"), recv, recv)
		s = runNight(t, env, jobs.Options{Only: mailOnly})
		if c := changes(s); c["mailintake.requests"] != 0 || c["mailintake.mail_moved"] != 1 {
			t.Errorf("second night %v", nonZero(c))
		}
		if _, err := jobs.VerifyEvidence(ctx, env, ""); err != nil {
			t.Errorf("evidence verify: %v", err)
		}
	})
}

// Staff decide a late request: accepting it keeps it for the following term, and
// rejecting an accepted one takes its change off the contract (SPEC §7.4).
func TestDecideRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		env := newEnv(t, db, dsn, t.TempDir())
		srv := startMemIMAP(t)
		for _, m := range demoMail(t) {
			srv.add(t, m.Mail, m.Received)
		}
		env.MailSource = srv.source()
		seeded(t, db)
		runNight(t, env, jobs.Options{Only: mailOnly})
		acc, _ := store.ListRequests(ctx, db, store.RequestFilter{Status: "accepted"})
		if len(acc) != 1 {
			t.Fatalf("accepted %+v", acc)
		}
		if _, err := jobs.DecideRequest(ctx, env, acc[0].ID, "reject", ""); err == nil {
			t.Error("a decision without --why was accepted")
		}
		r, err := jobs.DecideRequest(ctx, env, acc[0].ID, "reject", "お客様から電話で取り下げの連絡")
		if err != nil || r.Status != "rejected" {
			t.Fatalf("reject: %+v %v", r, err)
		}
		c, _ := store.GetContract(ctx, db, "NP-0001011")
		if c.NextSeats.Valid || c.CancelAtTermEnd {
			t.Errorf("after reject the next term still changed: %+v", c)
		}
		a, _ := store.AuditOf(ctx, db, "request:"+itoa(acc[0].ID))
		if len(a) != 1 || a[0].Who != "test" || a[0].Why == "" {
			t.Errorf("audit %+v", a)
		}
		r, err = jobs.DecideRequest(ctx, env, acc[0].ID, "accept", "取り下げの取り消し")
		if err != nil || r.Status != "accepted" {
			t.Fatalf("accept again: %+v %v", r, err)
		}
		c, _ = store.GetContract(ctx, db, "NP-0001011")
		if !c.NextSeats.Valid || c.NextSeats.Int64 != 10 {
			t.Errorf("after accept: next seats %v", c.NextSeats)
		}
		if _, err := jobs.DecideRequest(ctx, env, 9999, "accept", "x"); err == nil {
			t.Error("unknown request accepted")
		}
	})
}

// withDemoMail gives env the demo mailbox (a fresh in-memory server with the same
// messages and UIDVALIDITY each time), so that the kill tests reach the mail step's
// fault points.
func withDemoMail(t *testing.T, env *jobs.Env) *jobs.Env {
	t.Helper()
	src, stop, err := demo.MailSource(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	env.MailSource = src
	return env
}

// A reduction received by mail voids the posted renewal, and the notice of
// cancellation gives the customer's reason in their terms (issue 16): the day the
// request was received and the seats from and to, no request or message ids; those
// stay in the audit trail.
func TestMailRequestNoticeReason(t *testing.T) {
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
		runNight(t, env, jobs.Options{Only: []string{"mailintake", "invoicing"}})
		const want = "2026年11月20日付の減数のご依頼（15→10ライセンス）を承りましたため"
		acc, _ := store.ListRequests(ctx, db, store.RequestFilter{Status: "accepted"})
		if len(acc) != 1 || acc[0].VoidsInvoice == "" {
			t.Fatalf("accepted requests %+v, want one that voids the renewal", acc)
		}
		voided := acc[0].VoidsInvoice
		inv, err := store.GetInvoice(ctx, db, voided)
		if err != nil || inv.Status != store.InvoiceVoid || inv.VoidReason != want {
			t.Errorf("invoice %s: status %s, reason %q (%v); want void, %q", voided, inv.Status, inv.VoidReason, err, want)
		}
		audit, _ := store.AuditOf(ctx, db, voided)
		internal := false
		for _, a := range audit {
			internal = internal || a.Action == "invoice_reissue_requested" && strings.Contains(a.Why, "request "+itoa(acc[0].ID)) &&
				strings.Contains(a.Why, acc[0].MessageSHA256[:12]) && a.FileSHA256 == acc[0].MessageSHA256
		}
		if !internal {
			t.Errorf("the audit trail of %s does not name the request and its message: %+v", voided, audit)
		}
		pdf, err := os.ReadFile(filepath.Join(out, demo.Date.String(), "notices", voided+"-C.pdf"))
		if err != nil {
			t.Fatalf("notice of cancellation of %s: %v", voided, err)
		}
		if _, err := exec.LookPath("pdftotext"); err != nil {
			t.Skip("pdftotext (poppler-utils) not installed: notice text not checked")
		}
		cmd := exec.Command("pdftotext", "-enc", "UTF-8", "-raw", "-", "-")
		cmd.Stdin = bytes.NewReader(pdf)
		text, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		flat := strings.Join(strings.Fields(string(text)), "")
		if !strings.Contains(flat, "取消の理由"+want) {
			t.Errorf("notice does not give the reason %q:\n%s", want, text)
		}
		for _, bad := range []string{"request", "mail", acc[0].MessageSHA256[:12]} {
			if strings.Contains(string(text), bad) {
				t.Errorf("notice shows the internal %q:\n%s", bad, text)
			}
		}
	})
}
