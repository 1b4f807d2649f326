package mailintake

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
)

const (
	testUser = "esales@npress.jp"
	testPass = "s3cret-pass"
)

// testServer is go-imap's in-memory server on 127.0.0.1 with a throwaway certificate.
type testServer struct {
	addr   string
	caFile string
	user   *imapmemserver.User
}

type serverConfig struct {
	security Security
	caps     imap.CapSet
	xoauth2  bool
}

func selfSigned(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "nightly test IMAP"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kd, _ := x509.MarshalECPrivateKey(key)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd}))
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, ca
}

// xoauthSession adds SASL XOAUTH2 to the in-memory server's session.
type xoauthSession struct {
	imapserver.SessionIMAP4rev2
}

func (s xoauthSession) AuthenticateMechanisms() []string { return []string{"XOAUTH2"} }

func (s xoauthSession) Authenticate(mech string) (sasl.Server, error) {
	return &xoauthServer{sess: s}, nil
}

type xoauthServer struct {
	sess   xoauthSession
	failed bool
}

func (x *xoauthServer) Next(resp []byte) ([]byte, bool, error) {
	if x.failed { // the client's empty answer to the error challenge
		return nil, true, imapserver.ErrAuthFailed
	}
	if string(resp) == "user="+testUser+"\x01auth=Bearer good-token\x01\x01" {
		return nil, true, x.sess.Login(testUser, testPass)
	}
	x.failed = true
	return []byte(`{"status":"401","schemes":"bearer","scope":"https://mail.example/"}`), false, nil
}

func startServer(t *testing.T, cfg serverConfig) *testServer {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(testUser, testPass)
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	cert, ca := selfSigned(t)
	tcfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	caps := cfg.caps
	if caps == nil {
		caps = imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapMove: {}, imap.CapUIDPlus: {}}
	}
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			s := mem.NewSession()
			if cfg.xoauth2 {
				return xoauthSession{s.(imapserver.SessionIMAP4rev2)}, nil, nil
			}
			return s, nil, nil
		},
		Caps:   caps,
		Logger: log.New(io.Discard, "", 0),
	}
	var ln net.Listener
	var err error
	switch cfg.security {
	case SecurityTLS:
		ln, err = tls.Listen("tcp", "127.0.0.1:0", tcfg)
	case SecurityStartTLS:
		opts.TLSConfig = tcfg
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	default:
		opts.InsecureAuth = true
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	srv := imapserver.New(opts)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &testServer{addr: ln.Addr().String(), caFile: ca, user: user}
}

type literal struct{ *bytes.Reader }

func (l literal) Size() int64 { return int64(l.Len()) }

func (s *testServer) seed(t *testing.T, folder string, raw []byte, at time.Time) {
	t.Helper()
	if _, err := s.user.Append(folder, literal{bytes.NewReader(raw)}, &imap.AppendOptions{Time: at}); err != nil {
		t.Fatal(err)
	}
}

func (s *testServer) options(sec Security) IMAPOptions {
	return IMAPOptions{Addr: s.addr, Security: sec, CAFile: s.caFile, Username: testUser, Password: testPass, BatchSize: 2, Timeout: 5 * time.Second}
}

func fixtureBytes(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type collected struct {
	msgs    []Message
	batches int
}

func (c *collected) add(m []Message) error {
	c.msgs = append(c.msgs, m...)
	c.batches++
	return nil
}

func (c *collected) uids() []uint32 {
	var u []uint32
	for _, m := range c.msgs {
		u = append(u, m.UID)
	}
	return u
}

func TestIMAPFetchMoveRerun(t *testing.T) {
	for _, sec := range []Security{SecurityTLS, SecurityStartTLS, SecurityNone} {
		t.Run(string(sec), func(t *testing.T) {
			srv := startServer(t, serverConfig{security: sec})
			names := []string{"01_form_iso2022jp.eml", "06_shift_jis.eml", "11_two_contracts.eml", "13_cp50220_nec.eml", "14_malformed_boundary.eml"}
			base := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
			for i, n := range names {
				srv.seed(t, "INBOX", fixtureBytes(t, n), base.Add(time.Duration(i)*time.Minute))
			}
			ctx := context.Background()
			src := NewIMAPSource(srv.options(sec))
			st, err := src.Open(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			if st.UIDValidity == 0 || st.Messages != 5 {
				t.Fatalf("state %+v", st)
			}
			var c collected
			res, err := src.Fetch(ctx, 1, time.Time{}, c.add) // above a stored UID
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(c.uids()); got != "[2 3 4 5]" || c.batches != 2 || res.Mark != 5 || res.Fetched != 4 {
				t.Fatalf("uids %s in %d batches, result %+v", got, c.batches, res)
			}
			for i, m := range c.msgs {
				if !bytes.Equal(m.Raw, fixtureBytes(t, names[i+1])) {
					t.Errorf("UID %d: bytes differ from the fixture", m.UID)
				}
				if !m.InternalDate.Equal(base.Add(time.Duration(i+1) * time.Minute)) {
					t.Errorf("UID %d: INTERNALDATE %v", m.UID, m.InternalDate)
				}
			}
			if _, err := src.List(ctx); err != nil {
				t.Fatal(err)
			}
			if err := src.MarkProcessed(ctx, c.uids()); err != nil {
				t.Fatal(err)
			}
			left, err := src.List(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(left) != 1 || left[0].UID != 1 || left[0].MessageID != "01_form_iso2022jp@mail.example.co.jp" {
				t.Errorf("left in INBOX: %+v", left)
			}
			moved, err := srv.user.Status("Processed", &imap.StatusOptions{NumMessages: true})
			if err != nil || *moved.NumMessages != 4 {
				t.Fatalf("Processed folder: %+v %v", moved, err)
			}
			// Rerun: nothing new above the mark; moving again is harmless.
			var again collected
			res, err = src.Fetch(ctx, res.Mark, time.Time{}, again.add)
			if err != nil || len(again.msgs) != 0 || res.Mark != 5 {
				t.Errorf("rerun fetched %v, %+v, %v", again.uids(), res, err)
			}
			if err := src.MarkProcessed(ctx, c.uids()); err != nil {
				t.Errorf("second move: %v", err)
			}
		})
	}
}

func TestIMAPCutoff(t *testing.T) {
	srv := startServer(t, serverConfig{security: SecurityTLS})
	cutoff := time.Date(2026, 11, 24, 0, 0, 0, 0, time.FixedZone("JST", 9*3600))
	raw := fixtureBytes(t, "02_prose_iso2022jp.eml")
	srv.seed(t, "INBOX", raw, cutoff.Add(-2*time.Hour)) // 1
	srv.seed(t, "INBOX", raw, cutoff.Add(-time.Second)) // 2: 23:59:59 JST
	srv.seed(t, "INBOX", raw, cutoff)                   // 3: 00:00:00 JST, next night
	srv.seed(t, "INBOX", raw, cutoff.Add(-time.Hour))   // 4: older date, higher UID
	srv.seed(t, "INBOX", raw, cutoff.Add(time.Hour))    // 5
	src := NewIMAPSource(srv.options(SecurityTLS))
	ctx := context.Background()
	if _, err := src.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var c collected
	res, err := src.Fetch(ctx, 0, cutoff, c.add)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(c.uids()) != "[1 2 4]" || fmt.Sprint(res.Skipped) != "[3 5]" || res.Mark != 2 {
		t.Errorf("fetched %v, result %+v; want [1 2 4], skipped [3 5], mark 2", c.uids(), res)
	}
}

func TestIMAPFallbacks(t *testing.T) {
	raw := fixtureBytes(t, "07_euc_jp.eml")
	t.Run("UIDPLUS without MOVE: copy, \\Deleted, UID EXPUNGE", func(t *testing.T) {
		srv := startServer(t, serverConfig{security: SecurityTLS, caps: imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}}})
		for range 3 {
			srv.seed(t, "INBOX", raw, time.Now())
		}
		// Another client's deleted message must survive our expunge.
		srv.seed(t, "INBOX", raw, time.Now())
		src := NewIMAPSource(srv.options(SecurityTLS))
		ctx := context.Background()
		if _, err := src.Open(ctx); err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		if src.Caps().Has(imap.CapMove) || !src.Caps().Has(imap.CapUIDPlus) {
			t.Fatalf("caps %v", src.Caps())
		}
		if err := src.MarkProcessed(ctx, []uint32{1, 2}); err != nil {
			t.Fatal(err)
		}
		left, _ := src.List(ctx)
		st, _ := srv.user.Status("Processed", &imap.StatusOptions{NumMessages: true})
		if len(left) != 2 || left[0].UID != 3 || *st.NumMessages != 2 {
			t.Errorf("left %+v, processed %d", left, *st.NumMessages)
		}
	})
	t.Run("neither: keyword flag", func(t *testing.T) {
		srv := startServer(t, serverConfig{security: SecurityTLS, caps: imap.CapSet{imap.CapIMAP4rev1: {}}})
		for range 3 {
			srv.seed(t, "INBOX", raw, time.Now())
		}
		src := NewIMAPSource(srv.options(SecurityTLS))
		ctx := context.Background()
		if _, err := src.Open(ctx); err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		if err := src.MarkProcessed(ctx, []uint32{1, 3}); err != nil {
			t.Fatal(err)
		}
		left, _ := src.List(ctx)
		if len(left) != 1 || left[0].UID != 2 {
			t.Errorf("left %+v", left)
		}
		if _, err := srv.user.Status("Processed", nil); err == nil {
			t.Error("processed folder created although the keyword was used")
		}
		st, _ := srv.user.Status("INBOX", &imap.StatusOptions{NumMessages: true})
		if *st.NumMessages != 3 {
			t.Errorf("INBOX has %d messages, want 3 (flagged, not moved)", *st.NumMessages)
		}
	})
}

func TestIMAPUIDValidityChange(t *testing.T) {
	srv := startServer(t, serverConfig{security: SecurityTLS})
	raw := fixtureBytes(t, "09_fullwidth.eml")
	srv.seed(t, "INBOX", raw, time.Now())
	ctx := context.Background()
	src := NewIMAPSource(srv.options(SecurityTLS))
	st1, err := src.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	src.Close()
	if err := srv.user.Delete("INBOX"); err != nil {
		t.Fatal(err)
	}
	if err := srv.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	srv.seed(t, "INBOX", raw, time.Now())
	src = NewIMAPSource(srv.options(SecurityTLS))
	st2, err := src.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if st1.UIDValidity == st2.UIDValidity {
		t.Fatalf("UIDVALIDITY %d did not change", st1.UIDValidity)
	}
	// The caller's mark (UID 1 under the old UIDVALIDITY) is void: fetching from 0 finds
	// the message again, to be recognised by its SHA-256.
	var c collected
	if _, err := src.Fetch(ctx, 0, time.Time{}, c.add); err != nil || len(c.msgs) != 1 || !bytes.Equal(c.msgs[0].Raw, raw) {
		t.Errorf("fetch after change: %v %v", c.uids(), err)
	}
}

// dropProxy forwards TCP to the server and cuts the first connection after limit
// bytes from the server.
type dropProxy struct {
	addr  string
	conns atomic.Int32
}

func startDropProxy(t *testing.T, target string, limit int64) *dropProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dropProxy{addr: ln.Addr().String()}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n := p.conns.Add(1)
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				return
			}
			wg.Add(2)
			go func() { defer wg.Done(); io.Copy(s, c); s.Close() }()
			go func() {
				defer wg.Done()
				if n == 1 {
					io.CopyN(c, s, limit)
				} else {
					io.Copy(c, s)
				}
				c.Close()
				s.Close()
			}()
		}
	}()
	return p
}

func TestIMAPReconnectMidFetch(t *testing.T) {
	srv := startServer(t, serverConfig{security: SecurityTLS})
	var raws [][]byte
	for i := range 6 {
		raw := append(fixtureBytes(t, "05_html_only.eml"), []byte(fmt.Sprintf("%d%s\r\n", i, strings.Repeat("x", 10000)))...)
		raws = append(raws, raw)
		srv.seed(t, "INBOX", raw, time.Now())
	}
	proxy := startDropProxy(t, srv.addr, 40000)
	o := srv.options(SecurityTLS)
	o.Addr = proxy.addr
	o.ServerName = "127.0.0.1"
	src := NewIMAPSource(o)
	ctx := context.Background()
	if _, err := src.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var c collected
	res, err := src.Fetch(ctx, 0, time.Time{}, c.add)
	if err != nil {
		t.Fatal(err)
	}
	if proxy.conns.Load() != 2 {
		t.Errorf("%d connections, want 2 (one reconnect)", proxy.conns.Load())
	}
	if fmt.Sprint(c.uids()) != "[1 2 3 4 5 6]" || res.Mark != 6 {
		t.Fatalf("uids %v, %+v: want each message once", c.uids(), res)
	}
	for i, m := range c.msgs {
		if !bytes.Equal(m.Raw, raws[i]) {
			t.Errorf("UID %d: bytes differ", m.UID)
		}
	}
}

func TestIMAPAuthAndTLSErrors(t *testing.T) {
	srv := startServer(t, serverConfig{security: SecurityTLS})
	ctx := context.Background()
	o := srv.options(SecurityTLS)
	o.Password = "wrong"
	if _, err := NewIMAPSource(o).Open(ctx); !errors.Is(err, ErrAuth) || strings.Contains(err.Error(), "wrong") {
		t.Errorf("wrong password: %v", err)
	}
	o = srv.options(SecurityTLS)
	o.CAFile = "" // the system roots do not know the throwaway certificate
	if _, err := NewIMAPSource(o).Open(ctx); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("unverified certificate accepted: %v", err)
	}
	o = srv.options(SecurityNone)
	o.Addr = "192.0.2.1:143"
	if err := o.Validate(); err == nil {
		t.Error("plain text to a non-loopback host accepted")
	}
	if s := fmt.Sprint(srv.options(SecurityTLS)); strings.Contains(s, testPass) {
		t.Errorf("password printed: %s", s)
	}
}

func TestIMAPXOAUTH2(t *testing.T) {
	srv := startServer(t, serverConfig{security: SecurityTLS, xoauth2: true, caps: imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}}})
	srv.seed(t, "INBOX", fixtureBytes(t, "03_reply_quoted.eml"), time.Now())
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	os.WriteFile(tok, []byte("good-token\n"), 0o600)
	ctx := context.Background()
	o := srv.options(SecurityTLS)
	o.Auth, o.Password, o.TokenFile = AuthXOAUTH2, "", tok
	src := NewIMAPSource(o)
	if _, err := src.Open(ctx); err != nil {
		t.Fatalf("token file: %v", err)
	}
	src.Close()
	o.TokenFile, o.TokenCommand = "", []string{"sh", "-c", "echo good-token"}
	src = NewIMAPSource(o)
	if _, err := src.Open(ctx); err != nil {
		t.Fatalf("token command: %v", err)
	}
	src.Close()
	o.TokenCommand = []string{"sh", "-c", "echo expired-token"}
	_, err := NewIMAPSource(o).Open(ctx)
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), `"status":"401"`) || strings.Contains(err.Error(), "expired-token") {
		t.Errorf("bad token: %v", err)
	}
}

func TestIMAPTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accept and say nothing
		}
	}()
	o := IMAPOptions{Addr: ln.Addr().String(), Security: SecurityNone, Username: "u", Password: "p", Timeout: 300 * time.Millisecond}
	start := time.Now()
	_, err = NewIMAPSource(o).Open(context.Background())
	if err == nil || time.Since(start) > 3*time.Second {
		t.Errorf("silent server: err %v after %v", err, time.Since(start))
	}
}
