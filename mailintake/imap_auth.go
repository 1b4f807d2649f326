package mailintake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// login authenticates c by the configured method: XOAUTH2 with a token, or the
// password by SASL PLAIN when the server offers it, else LOGIN.
func (s *IMAPSource) login(ctx context.Context, c *imapclient.Client) error {
	o := s.o
	switch o.Auth {
	case AuthXOAUTH2:
		tok, err := o.token(ctx)
		if err != nil {
			return err
		}
		x := &xoauth2Client{user: o.Username, token: tok}
		if err := c.Authenticate(x); err != nil {
			detail := ""
			if x.serverError != "" {
				detail = " (server: " + x.serverError + ")"
			}
			return fmt.Errorf("imap %s: XOAUTH2 as %q%s: %w: %v", o.Addr, o.Username, detail, ErrAuth, err)
		}
		return nil
	default:
		pw, err := o.password()
		if err != nil {
			return err
		}
		caps := c.Caps()
		if caps.Has(imap.AuthCap("PLAIN")) {
			err = c.Authenticate(&plainClient{user: o.Username, pass: pw})
		} else if !caps.Has(imap.CapLoginDisabled) {
			err = c.Login(o.Username, pw).Wait()
		} else {
			return fmt.Errorf("imap %s: server offers neither AUTH=PLAIN nor LOGIN (over this connection): %w", o.Addr, ErrAuth)
		}
		if err != nil {
			return fmt.Errorf("imap %s: login as %q: %w: %v", o.Addr, o.Username, ErrAuth, err)
		}
		return nil
	}
}

func (o IMAPOptions) password() (string, error) {
	if o.Password != "" {
		return o.Password, nil
	}
	b, err := os.ReadFile(o.PasswordFile)
	if err != nil {
		return "", fmt.Errorf("imap password file: %w", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

func (o IMAPOptions) token(ctx context.Context) (string, error) {
	var tok string
	if o.TokenFile != "" {
		b, err := os.ReadFile(o.TokenFile)
		if err != nil {
			return "", fmt.Errorf("imap token file: %w", err)
		}
		tok = string(b)
	} else {
		cctx, cancel := context.WithTimeout(ctx, o.Timeout)
		defer cancel()
		cmd := exec.CommandContext(cctx, o.TokenCommand[0], o.TokenCommand[1:]...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("imap token command %q: %w: %s", o.TokenCommand[0], err, clip(strings.TrimSpace(stderr.String()), 200))
		}
		tok = string(out)
	}
	tok = strings.TrimSpace(tok)
	if tok == "" || strings.ContainsAny(tok, "\x01\r\n ") {
		return "", errors.New("imap token: empty or not a single line")
	}
	return tok, nil
}

// plainClient is SASL PLAIN (RFC 4616).
type plainClient struct{ user, pass string }

func (p *plainClient) Start() (string, []byte, error) {
	return "PLAIN", []byte("\x00" + p.user + "\x00" + p.pass), nil
}
func (p *plainClient) Next([]byte) ([]byte, error) {
	return nil, errors.New("SASL PLAIN: unexpected server challenge")
}

// xoauth2Client is the SASL XOAUTH2 mechanism of Google and Microsoft:
// "user=" U "\x01auth=Bearer " T "\x01\x01". On failure the server sends a JSON
// challenge (status, scope), answered with an empty response before its NO.
type xoauth2Client struct {
	user, token string
	serverError string
}

func (x *xoauth2Client) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

func (x *xoauth2Client) Next(challenge []byte) ([]byte, error) {
	x.serverError = clip(string(challenge), 300)
	return []byte{}, nil
}
