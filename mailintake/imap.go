package mailintake

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Security is how the IMAP connection is encrypted.
type Security string

// The connection security modes. Certificates are always verified.
const (
	SecurityTLS      Security = "tls"      // implicit TLS, port 993 (default)
	SecurityStartTLS Security = "starttls" // STARTTLS on port 143; refused if the server does not offer it
	// SecurityNone is plain text, allowed only to a loopback address (tests, a local
	// relay); it is refused for any other host.
	SecurityNone Security = "none"
)

// AuthMethod is how the intake logs in.
type AuthMethod string

// The authentication methods.
const (
	// AuthPassword uses SASL PLAIN when the server offers it, else LOGIN (default).
	AuthPassword AuthMethod = "password"
	// AuthXOAUTH2 sends an OAuth2 bearer token (Microsoft 365 accepts only this,
	// Gmail accepts it); the token comes from TokenFile or TokenCommand, refreshed by
	// the operator's tooling.
	AuthXOAUTH2 AuthMethod = "xoauth2"
)

// Defaults of IMAPOptions.
const (
	DefaultFolder          = "INBOX"
	DefaultProcessedFolder = "Processed"
	DefaultKeyword         = "$NightlyProcessed"
	DefaultBatchSize       = 50
	DefaultBatchBytes      = 32 << 20
	DefaultTimeout         = 60 * time.Second
)

// IMAPOptions configures an IMAP source. Secrets (Password, the token) are never
// logged: String, LogValue and Redacted hide them.
type IMAPOptions struct {
	// Addr is host:port of the server ("imap.example.jp:993").
	Addr string
	// Security defaults to SecurityTLS.
	Security Security
	// CAFile is a PEM file of the CAs to trust instead of the system's (a private
	// server's own CA). ServerName overrides the name checked in the certificate
	// (default: the host of Addr).
	CAFile     string
	ServerName string
	// Username is the login name (the mailbox address for Microsoft 365).
	Username string
	// Auth defaults to AuthPassword.
	Auth AuthMethod
	// Password, or PasswordFile (read at each connect, trailing newline dropped), for
	// AuthPassword. The caller takes Password from the environment, never from the
	// configuration file in clear (SPEC §7.1).
	Password     string
	PasswordFile string
	// TokenFile or TokenCommand (argv; its standard output is the token) for
	// AuthXOAUTH2.
	TokenFile    string
	TokenCommand []string
	// Folder is the folder read (default INBOX); ProcessedFolder is where processed
	// messages go (default "Processed", created if missing); Keyword is the flag set on
	// processed messages when the server can neither MOVE nor UIDPLUS.
	Folder          string
	ProcessedFolder string
	Keyword         string
	// BatchSize and BatchBytes bound one batch handed to Fetch's function (defaults 50
	// messages, 32 MiB; a larger single message is a batch of its own).
	BatchSize  int
	BatchBytes int64
	// Timeout bounds every network wait: the dial, the TLS handshake, and any stretch
	// of a command during which the server sends nothing (default 60 s). A long
	// transfer that keeps moving is not cut.
	Timeout time.Duration
	// Logger receives one line per connect, reconnect, fetch and move (default: none).
	Logger *slog.Logger
}

func (o IMAPOptions) withDefaults() IMAPOptions {
	if o.Security == "" {
		o.Security = SecurityTLS
	}
	if o.Auth == "" {
		o.Auth = AuthPassword
	}
	if o.Folder == "" {
		o.Folder = DefaultFolder
	}
	if o.ProcessedFolder == "" {
		o.ProcessedFolder = DefaultProcessedFolder
	}
	if o.Keyword == "" {
		o.Keyword = DefaultKeyword
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = DefaultBatchBytes
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Validate reports options that cannot work, naming the field.
func (o IMAPOptions) Validate() error {
	o = o.withDefaults()
	var errs []error
	host, _, err := net.SplitHostPort(o.Addr)
	if err != nil {
		errs = append(errs, fmt.Errorf("imap addr %q: want host:port: %w", o.Addr, err))
	}
	switch o.Security {
	case SecurityTLS, SecurityStartTLS:
	case SecurityNone:
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			errs = append(errs, fmt.Errorf("imap security %q: allowed only to a loopback address, not %q", o.Security, host))
		}
	default:
		errs = append(errs, fmt.Errorf("imap security %q: want tls, starttls or none", o.Security))
	}
	if o.Username == "" {
		errs = append(errs, errors.New("imap username is empty"))
	}
	switch o.Auth {
	case AuthPassword:
		if o.Password == "" && o.PasswordFile == "" {
			errs = append(errs, errors.New("imap password: set the password (environment) or a password file"))
		}
	case AuthXOAUTH2:
		if o.TokenFile == "" && len(o.TokenCommand) == 0 {
			errs = append(errs, errors.New("imap xoauth2: set a token file or a token command"))
		}
	default:
		errs = append(errs, fmt.Errorf("imap auth %q: want password or xoauth2", o.Auth))
	}
	if o.Folder == o.ProcessedFolder {
		errs = append(errs, fmt.Errorf("imap processed folder %q is the folder read", o.ProcessedFolder))
	}
	return errors.Join(errs...)
}

// Redacted returns a copy that is safe to print: the password is replaced.
func (o IMAPOptions) Redacted() IMAPOptions {
	if o.Password != "" {
		o.Password = "[redacted]"
	}
	o.Logger = nil
	return o
}

// String prints the options without secrets.
func (o IMAPOptions) String() string {
	r := o.Redacted()
	return fmt.Sprintf("imap{addr=%s security=%s user=%s auth=%s folder=%s processed=%s password=%s}",
		r.Addr, r.Security, r.Username, r.Auth, r.Folder, r.ProcessedFolder, r.Password)
}

// LogValue logs the options without secrets.
func (o IMAPOptions) LogValue() slog.Value {
	return slog.GroupValue(slog.String("addr", o.Addr), slog.String("security", string(o.Security)),
		slog.String("user", o.Username), slog.String("auth", string(o.Auth)), slog.String("folder", o.Folder))
}

// ErrAuth is wrapped by the error of a refused login.
var ErrAuth = errors.New("mailintake: IMAP authentication failed")

// IMAPSource reads a folder over IMAP (SPEC §7.1, §7.2). Processed messages are moved
// to the processed folder with MOVE; without MOVE but with UIDPLUS they are copied,
// flagged \Deleted and removed with UID EXPUNGE (which touches no other message);
// with neither, they are only flagged with the keyword and stay, and List leaves them
// out. A dropped connection is reconnected once per call.
type IMAPSource struct {
	o     IMAPOptions
	c     *imapclient.Client
	conn  *watchConn
	state State
	open  bool
	// processedReady is set once the processed folder is known to exist.
	processedReady bool
}

// NewIMAPSource returns a Source for the folder; it connects on Open.
func NewIMAPSource(o IMAPOptions) *IMAPSource { return &IMAPSource{o: o.withDefaults()} }

// Caps returns the capabilities the server announced on the current connection.
func (s *IMAPSource) Caps() imap.CapSet {
	if s.c == nil {
		return nil
	}
	return s.c.Caps()
}

// Open connects, logs in and selects the folder.
func (s *IMAPSource) Open(ctx context.Context) (State, error) {
	if err := s.o.Validate(); err != nil {
		return State{}, err
	}
	if err := s.connect(ctx); err != nil {
		return State{}, err
	}
	s.open = true
	return s.state, nil
}

func (s *IMAPSource) connect(ctx context.Context) error {
	o := s.o
	tcfg, err := o.tlsConfig()
	if err != nil {
		return err
	}
	d := net.Dialer{Timeout: o.Timeout}
	raw, err := d.DialContext(ctx, "tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("imap %s: connect: %w", o.Addr, err)
	}
	wc := &watchConn{Conn: raw, timeout: o.Timeout}
	wc.arm()
	stop := context.AfterFunc(ctx, wc.abort)
	defer stop()
	copts := &imapclient.Options{TLSConfig: tcfg}
	var c *imapclient.Client
	switch o.Security {
	case SecurityTLS:
		tc := tls.Client(wc, tcfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			return fmt.Errorf("imap %s: TLS: %w", o.Addr, err)
		}
		c = imapclient.New(tc, copts)
	case SecurityStartTLS:
		c, err = imapclient.NewStartTLS(wc, copts)
		if err != nil {
			raw.Close()
			return fmt.Errorf("imap %s: STARTTLS: %w", o.Addr, err)
		}
	default:
		c = imapclient.New(wc, copts)
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return fmt.Errorf("imap %s: greeting: %w", o.Addr, err)
	}
	if err := s.login(ctx, c); err != nil {
		c.Close()
		return err
	}
	sel, err := c.Select(o.Folder, &imap.SelectOptions{}).Wait()
	if err != nil {
		c.Close()
		return fmt.Errorf("imap %s: select %q: %w", o.Addr, o.Folder, err)
	}
	wc.disarm()
	if s.c != nil {
		s.c.Close()
	}
	s.c, s.conn = c, wc
	s.state = State{Folder: o.Folder, UIDValidity: sel.UIDValidity, UIDNext: uint32(sel.UIDNext), Messages: sel.NumMessages}
	o.Logger.Info("imap connected", "imap", o, "uidvalidity", sel.UIDValidity, "messages", sel.NumMessages)
	return nil
}

func (o IMAPOptions) tlsConfig() (*tls.Config, error) {
	name := o.ServerName
	if name == "" {
		host, _, _ := net.SplitHostPort(o.Addr)
		name = host
	}
	cfg := &tls.Config{ServerName: name, MinVersion: tls.VersionTLS12}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("imap CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("imap CA file %s: no PEM certificate in it", o.CAFile)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// ---- operations ----

// do runs one exchange with the server under the timeout and ctx.
func (s *IMAPSource) do(ctx context.Context, f func(c *imapclient.Client) error) error {
	if !s.open || s.c == nil {
		return ErrNotOpen
	}
	s.conn.arm()
	stop := context.AfterFunc(ctx, s.conn.abort)
	err := f(s.c)
	stop()
	s.conn.disarm()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil && s.conn.timedOut() {
		return fmt.Errorf("imap %s: no answer for %s: %w", s.o.Addr, s.o.Timeout, err)
	}
	return err
}

// dropped reports whether err came from a lost connection (worth one reconnect)
// rather than from the server's answer.
func (s *IMAPSource) dropped(err error) bool {
	var ie *imap.Error
	if err == nil || errors.As(err, &ie) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var be batchError
	if errors.As(err, &be) {
		return false
	}
	var ne net.Error
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) || errors.As(err, &ne) {
		return true
	}
	// imapclient reports some read failures as text ("in response: cannot read tag:
	// unexpected EOF") without wrapping the cause; its reader then closes the client.
	// Give it a moment to do so rather than guessing from the message.
	if s.c != nil {
		select {
		case <-s.c.Closed():
			return true
		case <-time.After(droppedGrace):
		}
	}
	return false
}

// droppedGrace is how long dropped waits for the client to notice a lost connection.
const droppedGrace = 500 * time.Millisecond

// retry runs op, and once more after a reconnect if the connection dropped.
func (s *IMAPSource) retry(ctx context.Context, what string, op func() error) error {
	err := op()
	if !s.dropped(err) || ctx.Err() != nil {
		return err
	}
	s.o.Logger.Warn("imap connection lost; reconnecting once", "op", what, "err", err)
	before := s.state.UIDValidity
	if rerr := s.connect(ctx); rerr != nil {
		return fmt.Errorf("imap %s: %s: connection lost (%v), reconnect failed: %w", s.o.Addr, what, err, rerr)
	}
	if s.state.UIDValidity != before {
		return fmt.Errorf("imap %s folder %q: UIDVALIDITY %d became %d: %w", s.o.Addr, s.o.Folder, before, s.state.UIDValidity, ErrUIDValidityChanged)
	}
	return op()
}

// batchError carries an error of the caller's batch function through Fetch untouched.
type batchError struct{ err error }

func (b batchError) Error() string { return b.err.Error() }
func (b batchError) Unwrap() error { return b.err }

type meta struct {
	uid  uint32
	date time.Time
	size int64
}

// Fetch implements Source. Messages are fetched whole (BODY.PEEK[], which leaves
// \Seen alone) with their INTERNALDATE, in batches of BatchSize messages or
// BatchBytes bytes; the INTERNALDATE is read first, so that a message at or after the
// cutoff is never downloaded. If the connection drops, Fetch reconnects once and goes
// on after the last message handed over.
func (s *IMAPSource) Fetch(ctx context.Context, afterUID uint32, cutoff time.Time, batch func([]Message) error) (FetchResult, error) {
	var res FetchResult
	var delivered []uint32
	skipped := map[uint32]bool{}
	last := afterUID
	err := s.retry(ctx, "fetch", func() error {
		return s.fetchFrom(ctx, &last, cutoff, batch, &delivered, skipped)
	})
	for u := range skipped {
		res.Skipped = append(res.Skipped, u)
	}
	slices.Sort(res.Skipped)
	res.Fetched = len(delivered)
	res.Mark = mark(afterUID, delivered, res.Skipped)
	if err != nil {
		var be batchError
		if errors.As(err, &be) {
			return res, be.err
		}
		return res, fmt.Errorf("imap %s folder %q: fetch after UID %d: %w", s.o.Addr, s.o.Folder, last, err)
	}
	s.o.Logger.Info("imap fetched", "folder", s.o.Folder, "after_uid", afterUID, "fetched", res.Fetched, "skipped", len(res.Skipped), "mark", res.Mark)
	return res, nil
}

func (s *IMAPSource) fetchFrom(ctx context.Context, last *uint32, cutoff time.Time, batch func([]Message) error, delivered *[]uint32, skipped map[uint32]bool) error {
	var metas []meta
	err := s.do(ctx, func(c *imapclient.Client) error {
		set, err := searchUIDs(c, imap.UIDRange{Start: imap.UID(*last + 1), Stop: 0}, *last)
		if err != nil || len(set) == 0 {
			return err
		}
		bufs, err := c.Fetch(set, &imap.FetchOptions{UID: true, InternalDate: true, RFC822Size: true}).Collect()
		if err != nil {
			return err
		}
		for _, b := range bufs {
			if uint32(b.UID) > *last {
				metas = append(metas, meta{uint32(b.UID), b.InternalDate, b.RFC822Size})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(metas, func(a, b meta) int { return int(int64(a.uid) - int64(b.uid)) })
	var todo []meta
	for _, m := range metas {
		if !cutoff.IsZero() && !m.date.Before(cutoff) {
			skipped[m.uid] = true
			continue
		}
		todo = append(todo, m)
	}
	for len(todo) > 0 {
		n, size := 0, int64(0)
		for n < len(todo) && n < s.o.BatchSize && (n == 0 || size+todo[n].size <= s.o.BatchBytes) {
			size += todo[n].size
			n++
		}
		part := todo[:n]
		todo = todo[n:]
		msgs, err := s.fetchBodies(ctx, part)
		if err != nil {
			return err
		}
		if len(msgs) > 0 {
			if err := batch(msgs); err != nil {
				return batchError{err}
			}
		}
		for _, m := range msgs {
			*delivered = append(*delivered, m.UID)
		}
		*last = part[len(part)-1].uid
	}
	return nil
}

func (s *IMAPSource) fetchBodies(ctx context.Context, part []meta) ([]Message, error) {
	var set imap.UIDSet
	for _, m := range part {
		set.AddNum(imap.UID(m.uid))
	}
	section := &imap.FetchItemBodySection{Peek: true}
	got := map[uint32]Message{}
	err := s.do(ctx, func(c *imapclient.Client) error {
		bufs, err := c.Fetch(set, &imap.FetchOptions{UID: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			return err
		}
		for _, b := range bufs {
			raw := b.FindBodySection(section)
			if raw == nil {
				continue
			}
			got[uint32(b.UID)] = Message{UID: uint32(b.UID), InternalDate: b.InternalDate, Raw: raw}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	msgs := make([]Message, 0, len(part))
	for _, m := range part {
		if msg, ok := got[m.uid]; ok {
			msgs = append(msgs, msg)
		} else {
			s.o.Logger.Warn("imap message vanished before its body was fetched", "folder", s.o.Folder, "uid", m.uid)
		}
	}
	return msgs, nil
}

// List implements Source: the messages in the folder that are neither flagged
// \Deleted nor carrying the processed keyword.
func (s *IMAPSource) List(ctx context.Context) ([]Entry, error) {
	var out []Entry
	err := s.retry(ctx, "list", func() error {
		out = nil
		return s.do(ctx, func(c *imapclient.Client) error {
			set, err := searchUIDs(c, imap.UIDRange{Start: 1, Stop: 0}, 0)
			if err != nil || len(set) == 0 {
				return err
			}
			bufs, err := c.Fetch(set, &imap.FetchOptions{UID: true, InternalDate: true, RFC822Size: true, Flags: true, Envelope: true}).Collect()
			if err != nil {
				return err
			}
			for _, b := range bufs {
				if hasFlag(b.Flags, imap.FlagDeleted) || hasFlag(b.Flags, imap.Flag(s.o.Keyword)) {
					continue
				}
				e := Entry{UID: uint32(b.UID), InternalDate: b.InternalDate, Size: b.RFC822Size}
				if b.Envelope != nil {
					e.MessageID = b.Envelope.MessageID
				}
				out = append(out, e)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("imap %s folder %q: list: %w", s.o.Addr, s.o.Folder, err)
	}
	slices.SortFunc(out, func(a, b Entry) int { return int(int64(a.UID) - int64(b.UID)) })
	return out, nil
}

// searchUIDs returns the UIDs in r above after (UID SEARCH, valid on an empty folder,
// where some servers refuse "FETCH 1:*"; and "n:*" always matches the last message).
func searchUIDs(c *imapclient.Client, r imap.UIDRange, after uint32) (imap.UIDSet, error) {
	data, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{{r}}}, nil).Wait()
	if err != nil {
		return nil, err
	}
	var set imap.UIDSet
	for _, u := range data.AllUIDs() {
		if uint32(u) > after {
			set.AddNum(u)
		}
	}
	return set, nil
}

func hasFlag(flags []imap.Flag, f imap.Flag) bool {
	for _, x := range flags {
		if strings.EqualFold(string(x), string(f)) {
			return true
		}
	}
	return false
}

// MarkProcessed implements Source: MOVE to the processed folder (created if missing);
// else COPY, \Deleted and UID EXPUNGE of exactly these UIDs where UIDPLUS is offered;
// else the keyword flag. UIDs no longer in the folder are ignored, so that a repeat
// after a crash is harmless.
func (s *IMAPSource) MarkProcessed(ctx context.Context, uids []uint32) error {
	if len(uids) == 0 {
		return nil
	}
	how := ""
	err := s.retry(ctx, "mark processed", func() error {
		return s.do(ctx, func(c *imapclient.Client) error {
			var all imap.UIDSet
			for _, u := range uids {
				all.AddNum(imap.UID(u))
			}
			data, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{all}}, nil).Wait()
			if err != nil {
				return err
			}
			var set imap.UIDSet // the ones still here: a repeat after a crash moves the rest
			for _, u := range data.AllUIDs() {
				set.AddNum(u)
			}
			if len(set) == 0 {
				how = "none left"
				return nil
			}
			caps := c.Caps()
			switch {
			case caps.Has(imap.CapMove):
				how = "move"
				if err := s.ensureProcessed(c); err != nil {
					return err
				}
				_, err := c.Move(set, s.o.ProcessedFolder).Wait()
				return err
			case caps.Has(imap.CapUIDPlus):
				how = "copy+expunge"
				if err := s.ensureProcessed(c); err != nil {
					return err
				}
				if _, err := c.Copy(set, s.o.ProcessedFolder).Wait(); err != nil {
					return err
				}
				if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
					return err
				}
				return c.UIDExpunge(set).Close()
			default:
				how = "keyword"
				if mb := c.Mailbox(); mb != nil && len(mb.PermanentFlags) > 0 &&
					!hasFlag(mb.PermanentFlags, imap.FlagWildcard) && !hasFlag(mb.PermanentFlags, imap.Flag(s.o.Keyword)) {
					return fmt.Errorf("server offers neither MOVE nor UIDPLUS and does not keep the keyword %s", s.o.Keyword)
				}
				return c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.Flag(s.o.Keyword)}}, nil).Close()
			}
		})
	})
	if err != nil {
		return fmt.Errorf("imap %s folder %q: mark %d message(s) processed (%s to %q): %w", s.o.Addr, s.o.Folder, len(uids), how, s.o.ProcessedFolder, err)
	}
	s.o.Logger.Info("imap marked processed", "folder", s.o.Folder, "how", how, "count", len(uids))
	return nil
}

func (s *IMAPSource) ensureProcessed(c *imapclient.Client) error {
	if s.processedReady {
		return nil
	}
	l, err := c.List("", s.o.ProcessedFolder, nil).Collect()
	if err != nil {
		return err
	}
	if len(l) == 0 {
		if err := c.Create(s.o.ProcessedFolder, nil).Wait(); err != nil {
			var ie *imap.Error
			if !errors.As(err, &ie) || ie.Code != imap.ResponseCodeAlreadyExists {
				return fmt.Errorf("create %q: %w", s.o.ProcessedFolder, err)
			}
		}
		s.o.Logger.Info("imap created processed folder", "folder", s.o.ProcessedFolder)
	}
	s.processedReady = true
	return nil
}

// Close logs out and closes the connection.
func (s *IMAPSource) Close() error {
	if s.c == nil {
		return nil
	}
	s.open = false
	s.conn.arm()
	_ = s.c.Logout().Wait()
	err := s.c.Close()
	s.c = nil
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("imap %s: close: %w", s.o.Addr, err)
	}
	return nil
}
