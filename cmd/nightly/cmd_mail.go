package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/mailintake"
	"github.com/npress/nightly/store"
)

// parsedRequest is one line of `nightly mail parse`: the keys of issue 7 point 5, and
// the charset the text was read in and whether its label lied (issue 15).
type parsedRequest struct {
	MessageID     string   `json:"message_id"`
	From          string   `json:"from"`
	Subject       string   `json:"subject"`
	Body          string   `json:"body"`
	Text          string   `json:"text"`
	Received      *string  `json:"received"`
	Contract      *string  `json:"contract"`
	Contractor    *string  `json:"contractor"`
	Product       *string  `json:"product"`
	SeatsAfter    *int     `json:"seats_after"`
	SeatsRemoved  *int     `json:"seats_removed"`
	Kind          *string  `json:"kind"`
	RequestedTerm *string  `json:"requested_term"`
	Missing       []string `json:"missing"`
	DecodedAs     string   `json:"decoded_as"`
	LabelLied     bool     `json:"label_lied"`
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// receivedOf returns when the topmost Received: header says the message arrived, in
// RFC 3339, or nil when the message has none that can be read.
func receivedOf(raw []byte) *string {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if e2 := bytes.Index(raw, []byte("\n\n")); end < 0 || (e2 >= 0 && e2 < end) {
		end = e2
	}
	if end < 0 {
		end = len(raw)
	}
	m, err := mail.ReadMessage(bufio.NewReader(bytes.NewReader(append(append([]byte{}, raw[:end]...), "\r\n\r\n"...))))
	if err != nil {
		return nil
	}
	rs := m.Header["Received"]
	if len(rs) == 0 {
		return nil
	}
	i := strings.LastIndex(rs[0], ";")
	if i < 0 {
		return nil
	}
	t, err := mail.ParseDate(strings.TrimSpace(rs[0][i+1:]))
	if err != nil {
		return nil
	}
	s := t.Format(time.RFC3339)
	return &s
}

// parseMailFile reads one .eml file into the lines `nightly mail parse` prints.
func parseMailFile(path string) ([]parsedRequest, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := mailintake.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable message: %w", path, err)
	}
	var out []parsedRequest
	for _, r := range mailintake.Extract(m, mailintake.ExtractOptions{}) {
		p := parsedRequest{MessageID: m.MessageID, From: m.From, Subject: m.Subject, Body: m.Body, Text: m.Text,
			Received: receivedOf(raw), Contract: orNull(r.Contract), Contractor: orNull(r.Contractor), Product: orNull(r.Product),
			SeatsAfter: r.SeatsAfter, SeatsRemoved: r.SeatsRemoved, Kind: orNull(string(r.Kind)),
			RequestedTerm: orNull(r.RequestedTerm), Missing: r.Missing, DecodedAs: m.DecodedAs, LabelLied: m.LabelLied}
		if p.Missing == nil {
			p.Missing = []string{}
		}
		out = append(out, p)
	}
	return out, nil
}

func cmdMail(ctx context.Context, a *app, args []string) int {
	c := findCommand("mail")
	fs, _ := newFlags(a, c)
	pos, code, ok := parseOrUsage(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 2 || pos[0] != "parse" {
		fs.Usage()
		return exitUsage
	}
	reqs, err := parseMailFile(pos[1])
	if err != nil {
		return a.fail(err)
	}
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	for _, r := range reqs {
		if err := enc.Encode(r); err != nil {
			return a.fail(err)
		}
	}
	return exitOK
}

func cmdRequests(ctx context.Context, a *app, args []string) int {
	c := findCommand("requests")
	fs, cf := newFlags(a, c)
	asJSON := fs.Bool("json", false, "list: one JSON object per request")
	status := fs.String("status", "", "list: only requests in this status (accepted, incomplete, late, mismatch, duplicate, unverified, rejected, superseded)")
	why := fs.String("why", "", "decide: why, kept in the audit trail")
	return a.withSubcommand(ctx, fs, cf, args, func(env *jobs.Env, pos []string) int {
		switch {
		case pos[0] == "list" && len(pos) == 1:
			rs, err := store.ListRequests(ctx, env.DB, store.RequestFilter{Status: *status})
			if err != nil {
				return a.fail(err)
			}
			for _, r := range rs {
				if *asJSON {
					b, _ := json.Marshal(requestJSON(r))
					fmt.Fprintln(a.stdout, string(b))
					continue
				}
				l := jobs.RequestLineOf(r)
				sender := r.Sender.String
				if r.Status == store.RequestUnverified {
					sender += "（登録アドレス: " + orDash(l.Registered) + "）"
				}
				fmt.Fprintf(a.stdout, "%d  %s  %s  %s  %s  回答期限 %s  %s\n", r.ID, r.ReceivedAt.Format(time.RFC3339), orDash(r.ContractNo),
					l.KindName, l.OutcomeName, r.ReplyBy, sender)
			}
			return exitOK
		case pos[0] == "decide" && len(pos) == 3:
			id, err := strconv.ParseInt(pos[1], 10, 64)
			if err != nil {
				return a.fail(fmt.Errorf("requests decide %q: the request id is a number (see `nightly requests list`)", pos[1]))
			}
			r, err := jobs.DecideRequest(ctx, env, id, pos[2], *why)
			if err != nil {
				return a.fail(err)
			}
			fmt.Fprintf(a.stdout, "request %d: %s\n", r.ID, r.Status)
			return exitOK
		}
		fs.Usage()
		return exitUsage
	})
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func requestJSON(r store.Request) map[string]any {
	var seats any
	if r.SeatsAfter.Valid {
		seats = r.SeatsAfter.Int64
	}
	return map[string]any{"id": r.ID, "message_sha256": r.MessageSHA256, "contract": r.ContractNo, "kind": r.Kind,
		"seats_after": seats, "term_start": r.TermStart.String(), "status": r.Status, "outcome": r.Outcome,
		"missing": r.Missing, "reason": r.Reason, "received": r.ReceivedAt.Format(time.RFC3339), "reply_by": r.ReplyBy.String(),
		"applied": r.Applied, "voids_invoice": r.VoidsInvoice, "sender": r.Sender.String, "subject": r.Subject.String,
		"decided_by": r.DecidedBy, "decided_why": r.DecidedWhy, "registered": mailintake.RegisteredAddresses(r.RegisteredEmail.String)}
}
