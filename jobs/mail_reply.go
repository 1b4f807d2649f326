package jobs

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/npress/nightly/filemode"
	"github.com/npress/nightly/mailintake"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// deskAddress is who the reply drafts come from: the mailbox the requests arrive in.
func (n *Night) deskAddress() string {
	if u := n.Config.Mail.Username; strings.Contains(u, "@") {
		return u
	}
	return "esales@npress.jp"
}

// writeReplies writes a reply draft for each request recorded tonight:
// replies/<request id>.eml under the day folder, ISO-2022-JP, addressed to the sender,
// quoting the request and saying what was accepted or what is missing (SPEC §4.4).
// read holds the messages parsed tonight; others are read back from the evidence store.
func (n *Night) writeReplies(ctx context.Context, read map[string]*mailintake.Mail, res *Result) error {
	rs, err := store.ListRequests(ctx, n.Q(), store.RequestFilter{RunDate: n.Date})
	if err != nil {
		return err
	}
	var files []filemode.NamedFile
	for _, r := range rs {
		m := read[r.MessageSHA256]
		if m == nil { // recorded by an earlier run of this night: read the kept original
			raw, err := n.Evidence.Get(r.MessageSHA256)
			if err != nil {
				return fmt.Errorf("reply draft for request %d: %w", r.ID, err)
			}
			if m, err = mailintake.Parse(raw); err != nil {
				continue // a malformed message has no request row; nothing to quote
			}
		}
		draft, err := n.replyDraft(ctx, r, m)
		if err != nil {
			return fmt.Errorf("reply draft for request %d: %w", r.ID, err)
		}
		files = append(files, filemode.NamedFile{Name: fmt.Sprintf("%d.eml", r.ID), Data: draft})
	}
	if err := n.Files.WriteFiles(filepath.Join(n.DayDir(), "replies"), files); err != nil {
		return err
	}
	res.Seen["reply_drafts"] += len(files)
	return nil
}

// replyDraft composes the reply to one request (wording.ReplyDraft); for a request
// from an unregistered sender it reads the contract's customer, whose registered
// contact is asked to confirm.
func (n *Night) replyDraft(ctx context.Context, r store.Request, m *mailintake.Mail) ([]byte, error) {
	in := wording.ReplyInput{Request: r, Mail: m, Desk: n.deskAddress()}
	if r.Status == store.RequestUnverified {
		cu, err := customerOf(ctx, n.Q(), r.ContractNo)
		if err != nil && !store.IsNoRows(err) {
			return nil, err
		}
		in.Customer = cu
	}
	d := wording.ReplyDraft(in)
	return d.Bytes()
}

// customerOf returns the customer of a contract.
func customerOf(ctx context.Context, q sqlx.ExtContext, contractNo string) (store.Customer, error) {
	c, err := store.GetContract(ctx, q, contractNo)
	if err != nil {
		return store.Customer{}, fmt.Errorf("customer of contract %s: %w", contractNo, err)
	}
	return store.GetCustomer(ctx, q, c.CustomerNo)
}
