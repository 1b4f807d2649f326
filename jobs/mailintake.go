package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/config"
	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/invoice"
	"github.com/npress/nightly/mailintake"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// mailSource is one mailbox the intake reads tonight, with the key its mark and its
// messages are recorded under.
type mailSource struct {
	key string // "imap:user@host:993/INBOX", "inbox/mail", "env"
	src mailintake.Source
}

// MailIntake is the night's mail step (SPEC §4.4, §7): it fetches the messages received
// before the cutoff from every configured mailbox (IMAP, the inbox's mail/ folder, and
// Env.MailSource), keeps each raw message as evidence before anything else, records the
// requests it names and their outcome, changes the next term of the contracts whose
// request was accepted, asks the invoicing step to void and reissue a renewal invoice
// already issued, and moves each message out of the way once the database holds it.
// A malformed message becomes an exception, never a failed night.
func MailIntake(ctx context.Context, n *Night) (Result, error) {
	res := newResult()
	srcs, err := n.mailSources()
	if err != nil {
		return res, err
	}
	if err := n.applyPendingRequests(ctx, &res); err != nil {
		return res, err
	}
	if len(srcs) == 0 {
		res.Seen["no_source"] = 1
		n.progress("mail: no mailbox configured and no %s folder: nothing to read", filepath.Join(n.Config.InboxDir, "mail"))
		return res, nil
	}
	x, err := n.newExtractor(ctx)
	if err != nil {
		return res, err
	}
	for _, s := range srcs {
		if err := n.intakeFrom(ctx, s, x, &res); err != nil {
			return res, err
		}
	}
	if !n.DryRun {
		if err := n.writeReplies(ctx, x.read, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// mailSources returns the mailboxes configured for tonight.
func (n *Night) mailSources() ([]mailSource, error) {
	var out []mailSource
	mc := n.Config.Mail
	if mc.Addr != "" {
		o, err := mailintake.IMAPOptionsFrom(mc, os.Getenv)
		if err != nil {
			return nil, err
		}
		o.Logger = n.Log
		out = append(out, mailSource{key: "imap:" + mc.Username + "@" + mc.Addr + "/" + o.Folder, src: mailintake.NewIMAPSource(o)})
	}
	dir := filepath.Join(n.Config.InboxDir, "mail")
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		out = append(out, mailSource{key: "inbox/mail", src: mailintake.NewDirSource(dir, mailintake.DirOptions{})})
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("mail inbox %s: %w", dir, err)
	}
	if n.MailSource != nil {
		out = append(out, mailSource{key: "env", src: n.MailSource})
	}
	return out, nil
}

// extractor holds what Extract and Evaluate need for every message of the night.
type extractor struct {
	opts  mailintake.ExtractOptions
	plans map[string]store.Plan
	read  map[string]*mailintake.Mail // the messages read tonight, by SHA-256, for the reply drafts
}

func (n *Night) newExtractor(ctx context.Context) (*extractor, error) {
	x := &extractor{plans: map[string]store.Plan{}, read: map[string]*mailintake.Mail{}}
	if p := n.Config.Mail.ContractPattern; p != "" && p != config.Default().Mail.ContractPattern {
		re, err := mailintake.CompileContractPattern(p)
		if err != nil {
			return nil, fmt.Errorf("mail.contract_pattern: %w", err)
		}
		x.opts.ContractPattern = re
	}
	plans, err := store.ListPlans(ctx, n.Q())
	if err != nil {
		return nil, err
	}
	for _, p := range plans {
		x.plans[p.Code] = p
		x.opts.Products = append(x.opts.Products, p.Name)
	}
	return x, nil
}

// parsed is one fetched message and what reading it gave.
type parsed struct {
	msg  mailintake.Message
	sha  string
	mail *mailintake.Mail
	err  error
	reqs []mailintake.Request // what Extract read from mail
}

// intakeFrom reads one mailbox: the messages recorded before but still there are moved,
// then the new ones are fetched batch by batch.
func (n *Night) intakeFrom(ctx context.Context, s mailSource, x *extractor, res *Result) error {
	st, err := s.src.Open(ctx)
	if err != nil {
		return fmt.Errorf("mail %s: %w", s.key, err)
	}
	defer s.src.Close()
	res.Seen["mailboxes"]++
	after := uint32(0)
	mark, ok, err := store.GetMailMark(ctx, n.Q(), s.key)
	if err != nil {
		return err
	}
	switch {
	case st.UIDValidity == 0: // a folder of files: every file is new to the session
	case ok && mark.UIDValidity == int64(st.UIDValidity):
		after = uint32(mark.LastUID)
	case ok:
		res.Seen["uidvalidity_changed"]++
		n.Log.Warn("mail folder UIDVALIDITY changed: fetching again from the start, messages recognised by SHA-256 and Message-ID",
			"folder", s.key, "was", mark.UIDValidity, "now", st.UIDValidity)
	}
	var moved uint32         // the highest UID of a recorded message moved now
	if st.UIDValidity != 0 { // a folder of files is matched by SHA-256 as it is read
		if moved, err = n.moveRecorded(ctx, s, st, res); err != nil {
			return err
		}
	}
	fr, err := s.src.Fetch(ctx, after, n.Date.Start(), func(msgs []mailintake.Message) error {
		return n.intakeBatch(ctx, s, st, x, msgs, res)
	})
	if err != nil {
		return fmt.Errorf("mail %s: %w", s.key, err)
	}
	res.Seen["left_for_next_night"] += len(fr.Skipped)
	if st.UIDValidity == 0 {
		return nil
	}
	// The mark moves after every batch is committed: a crash before this line only
	// makes the next night fetch messages it then recognises by SHA-256. Messages
	// recorded before a crash and moved just now count as processed too, up to the
	// first message left for the next night.
	if moved > fr.Mark {
		fr.Mark = moved
		if len(fr.Skipped) > 0 && fr.Skipped[0] <= moved {
			fr.Mark = fr.Skipped[0] - 1
		}
	}
	return n.TxCounted(ctx, res, func(tx *sqlx.Tx) error {
		changed, err := store.SetMailMark(ctx, tx, store.MailMark{Folder: s.key, UIDValidity: int64(st.UIDValidity), LastUID: int64(fr.Mark), UpdatedAt: n.Now})
		if changed {
			res.Changes["mail_mark"]++
		}
		return err
	})
}

// moveRecorded moves the messages still in the folder that the database already holds:
// those a crash left between the commit and the move (SPEC §7.2). It returns the
// highest UID it moved.
func (n *Night) moveRecorded(ctx context.Context, s mailSource, st mailintake.State, res *Result) (uint32, error) {
	entries, err := s.src.List(ctx)
	if err != nil {
		return 0, fmt.Errorf("mail %s: list: %w", s.key, err)
	}
	if len(entries) == 0 {
		return 0, nil
	}
	known, err := store.MailMessagesInFolder(ctx, n.Q(), s.key)
	if err != nil {
		return 0, err
	}
	byUID, byID := map[int64]string{}, map[string]string{}
	for _, m := range known {
		if st.UIDValidity != 0 && m.UIDValidity == int64(st.UIDValidity) {
			byUID[m.UID] = m.SHA256
		}
		if m.MessageID != "" {
			byID[m.MessageID] = m.SHA256
		}
	}
	var uids []uint32
	var shas []string
	var top uint32
	for _, e := range entries {
		sha, ok := byUID[int64(e.UID)]
		if !ok && e.MessageID != "" {
			sha, ok = byID[e.MessageID]
		}
		if ok {
			uids, shas = append(uids, e.UID), append(shas, sha)
			top = max(top, e.UID)
		}
	}
	return top, n.markProcessed(ctx, s, uids, shas, res)
}

// markProcessed moves messages the database committed and records that they moved.
func (n *Night) markProcessed(ctx context.Context, s mailSource, uids []uint32, shas []string, res *Result) error {
	if len(uids) == 0 || n.DryRun {
		return nil
	}
	if err := s.src.MarkProcessed(ctx, uids); err != nil {
		return fmt.Errorf("mail %s: move %d processed messages: %w", s.key, len(uids), err)
	}
	res.Changes["mail_moved"] += len(uids)
	return n.Tx(ctx, func(tx *sqlx.Tx) error {
		_, err := store.SetMailMoved(ctx, tx, shas)
		return err
	})
}

// intakeBatch handles one fetched batch: evidence first (one flush for the batch), then
// one transaction for the messages, their requests and the contract changes, then the
// move.
func (n *Night) intakeBatch(ctx context.Context, s mailSource, st mailintake.State, x *extractor, msgs []mailintake.Message, res *Result) error {
	// The files are written and flushed (waiting on the disk) while the messages are
	// parsed and their requests extracted (CPU): nothing of the batch reaches the
	// database before the files are durable.
	files := make(chan error, 1)
	if n.DryRun {
		files <- nil
	} else {
		go func() { files <- n.keepFiles(s, msgs) }()
	}
	ps := make([]parsed, len(msgs))
	for i, m := range msgs {
		ps[i] = parsed{msg: m, sha: sha256Hex(m.Raw)}
		ps[i].mail, ps[i].err = mailintake.ParseWith(m.Raw, n.parseOptions())
		if ps[i].err == nil {
			ps[i].reqs = mailintake.Extract(ps[i].mail, x.opts)
		}
	}
	res.Seen["messages"] += len(msgs)
	if err := <-files; err != nil {
		return err
	}
	if err := n.keepMail(ctx, s, ps); err != nil {
		return err
	}
	if err := n.fault("mail.after_evidence"); err != nil {
		return err
	}
	var uids []uint32
	var shas []string
	err := n.TxCounted(ctx, res, func(tx *sqlx.Tx) error {
		uids, shas = uids[:0], shas[:0]
		k, err := n.loadKnown(ctx, tx, ps)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if err := n.recordMessage(ctx, tx, s, st, x, k, p, res); err != nil {
				return err
			}
			uids, shas = append(uids, p.msg.UID), append(shas, p.sha)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := n.fault("mail.after_commit"); err != nil {
		return err
	}
	return n.markProcessed(ctx, s, uids, shas, res)
}

// keepFiles stores the raw messages of a batch as evidence files with one round of
// flushes (evidence.Batch); their ledger rows follow in keepMail (SPEC §7.5).
func (n *Night) keepFiles(s mailSource, msgs []mailintake.Message) error {
	b := n.Evidence.NewBatch()
	for _, m := range msgs {
		if _, err := b.Put(m.Raw); err != nil {
			b.Abort()
			return fmt.Errorf("keep message UID %d of %s: %w", m.UID, s.key, err)
		}
	}
	if err := b.Commit(); err != nil {
		return fmt.Errorf("keep %d messages of %s: %w", len(msgs), s.key, err)
	}
	return nil
}

// keepMail appends the ledger rows of a batch whose files keepFiles stored, in one
// transaction.
func (n *Night) keepMail(ctx context.Context, s mailSource, ps []parsed) error {
	return n.Tx(ctx, func(tx *sqlx.Tx) error {
		for _, p := range ps {
			e := evidence.Entry{Kind: evidence.KindMail, Source: fmt.Sprintf("%s UID %d", s.key, p.msg.UID),
				ReceivedAt: p.msg.InternalDate, Date: calendar.InTokyo(p.msg.InternalDate), Counterparty: sender(p)}
			if _, err := n.keep(ctx, tx, e, evidenceContent{sha: p.sha, size: int64(len(p.msg.Raw))}); err != nil {
				return fmt.Errorf("keep message UID %d of %s: %w", p.msg.UID, s.key, err)
			}
		}
		return nil
	})
}

// parseOptions are the limits messages are read within (SPEC §10.0).
func (n *Night) parseOptions() mailintake.ParseOptions {
	return mailintake.ParseOptions{MaxMessageBytes: n.Config.Mail.MaxMessageBytes}
}

func sender(p parsed) string {
	if p.mail == nil {
		return ""
	}
	if p.mail.FromName != "" {
		return p.mail.FromName + " <" + p.mail.FromAddress + ">"
	}
	return p.mail.FromAddress
}

// loadKnown reads, in tx, what the database holds about the batch (store.MailBatch).
func (n *Night) loadKnown(ctx context.Context, tx *sqlx.Tx, ps []parsed) (*store.MailBatch, error) {
	var shas, ids, nos []string
	for _, p := range ps {
		shas = append(shas, p.sha)
		if p.mail != nil {
			ids = append(ids, wording.Cut(p.mail.MessageID, 250))
		}
		for _, r := range p.reqs {
			if r.Contract != "" {
				nos = append(nos, r.Contract)
			}
		}
	}
	return store.LoadMailBatch(ctx, tx, shas, ids, nos)
}

// recordMessage records one message and the requests it names, in tx.
func (n *Night) recordMessage(ctx context.Context, tx *sqlx.Tx, s mailSource, st mailintake.State, x *extractor, k *store.MailBatch, p parsed, res *Result) error {
	if k.SHA[p.sha] {
		res.Seen["already_recorded"]++
		return nil
	}
	mm := store.MailMessage{SHA256: p.sha, Folder: s.key, UID: int64(p.msg.UID), UIDValidity: int64(st.UIDValidity),
		ReceivedAt: p.msg.InternalDate.Truncate(time.Second), Sender: sender(p), Status: store.MailRecorded,
		RunDate: n.Date, CreatedAt: n.Now}
	if p.mail != nil {
		mm.MessageID, mm.Subject = p.mail.MessageID, p.mail.Subject
	}
	if p.err != nil {
		mm.Status = store.MailMalformed
		if err := k.Insert(ctx, tx, mm); err != nil {
			return err
		}
		x := wording.MailUnreadable(p.err, p.sha, p.msg.InternalDate)
		x.RunDate, x.Subject = n.Date, fmt.Sprintf("%s UID %d", s.key, p.msg.UID)
		res.Changes[x.Kind]++
		_, err := store.AddException(ctx, tx, x)
		return err
	}
	if mm.MessageID != "" && k.MessageID[mm.MessageID] {
		mm.Status = store.MailSameMessageID
		err := k.Insert(ctx, tx, mm)
		res.Seen["same_message_id"]++
		return err
	}
	if err := k.Insert(ctx, tx, mm); err != nil {
		return err
	}
	res.Changes["mail_messages"]++
	x.read[p.sha] = p.mail
	for _, r := range p.reqs {
		if err := n.recordRequest(ctx, tx, x, k, p, r, res); err != nil {
			return err
		}
	}
	return nil
}

// contractFacts reads what Evaluate needs about a contract; the contract and its
// customer come from k.
func (n *Night) contractFacts(ctx context.Context, tx sqlx.ExtContext, x *extractor, k *store.MailBatch, no string) (mailintake.ContractFacts, store.Contract, error) {
	var f mailintake.ContractFacts
	c, ok := k.Contracts[no]
	if !ok {
		return f, c, nil
	}
	f.Found = true
	cu, ok := k.Customers[c.CustomerNo]
	if !ok {
		var err error
		if cu, err = store.GetCustomer(ctx, tx, c.CustomerNo); err != nil {
			return f, c, err
		}
	}
	f.CustomerName, f.CustomerKana = cu.Name, cu.Kana
	f.CustomerEmails = mailintake.RegisteredAddresses(cu.Email)
	p := x.plans[c.PlanCode]
	f.PlanCode, f.PlanName = p.Code, p.Name
	// The seats the customer holds (the term's seats and every paid addition, SPEC
	// §4.2): what "15 → 10" is checked against, and what lets a repeated request be
	// recognised as a duplicate of one already accepted.
	held, err := store.SeatsHeld(ctx, tx, c)
	if err != nil {
		return f, c, err
	}
	f.Seats = held
	f.NoRenewal = p.Kind == "perpetual" || c.Status != store.StatusActive || !c.AutoRenew || c.TermEnd.IsZero()
	if !c.TermEnd.IsZero() {
		f.NextStart = c.TermEnd.AddDays(1)
		inv, err := store.NextRenewal(ctx, tx, no, c.TermStart)
		if err != nil && !store.IsNoRows(err) {
			return f, c, err
		}
		f.RenewalInvoiceIssued = err == nil && inv.TermStart == f.NextStart
	}
	return f, c, nil
}

// earlierRequests turns the recorded requests of a contract into Evaluate's input.
func earlierRequests(rs []store.Request) []mailintake.EarlierRequest {
	var out []mailintake.EarlierRequest
	for _, r := range rs {
		out = append(out, mailintake.EarlierRequest{ID: r.ID, Outcome: mailintake.Outcome(r.Status), Term: r.TermStart,
			Kind: mailintake.Kind(r.Kind), Seats: int(r.SeatsAfter.Int64), Received: r.ReceivedAt})
	}
	return out
}

// recordRequest evaluates one request, stores it and applies what it changes.
func (n *Night) recordRequest(ctx context.Context, tx *sqlx.Tx, x *extractor, k *store.MailBatch, p parsed, r mailintake.Request, res *Result) error {
	in := mailintake.EvalInput{Request: r, Sender: p.mail.FromAddress, Received: p.msg.InternalDate, Calendar: n.Calendar}
	if r.Contract != "" {
		f, _, err := n.contractFacts(ctx, tx, x, k, r.Contract)
		if err != nil {
			return err
		}
		in.Contract = f
		earlier, err := store.RequestsOfContract(ctx, tx, r.Contract)
		if err != nil {
			return err
		}
		in.Earlier = earlierRequests(earlier)
	}
	ev, err := mailintake.Evaluate(in)
	if err != nil {
		return fmt.Errorf("evaluate request of message %s: %w", p.sha[:12], err)
	}
	reasons := make([]string, len(ev.Reasons))
	for i, rs := range ev.Reasons {
		reasons[i] = string(rs)
	}
	row := store.Request{MessageSHA256: p.sha, ContractNo: r.Contract, Kind: string(ev.Kind), TermStart: ev.Term,
		Status: string(ev.Outcome), Outcome: string(ev.Outcome), Missing: strings.Join(ev.Missing, ","),
		Reason: strings.Join(reasons, ","), ReceivedAt: p.msg.InternalDate.Truncate(time.Second), ReplyBy: ev.ReplyBy,
		RunDate: n.Date, CreatedAt: n.Now, AskedTerm: ev.AskedTerm, Deadline: ev.Deadline,
		Contractor: r.Contractor, Product: r.Product}
	if ev.Kind == mailintake.KindReduction && (r.SeatsAfter != nil || r.SeatsRemoved != nil) {
		row.SeatsAfter = sql.NullInt64{Int64: int64(ev.Seats), Valid: true}
	}
	id, inserted, err := store.InsertRequest(ctx, tx, row)
	if err != nil || !inserted {
		return err
	}
	res.Changes["requests"]++
	res.Changes["requests_"+string(ev.Outcome)]++
	for _, old := range ev.Supersedes {
		ok, err := store.SupersedeRequest(ctx, tx, old, id)
		if err != nil {
			return err
		}
		if ok {
			res.Changes["requests_superseded"]++
		}
	}
	if ev.Outcome != mailintake.OutcomeAccepted {
		return nil
	}
	row.ID = id
	_, err = n.applyRequest(ctx, tx, row, n.Env.Who, res)
	return err
}

// applyRequest puts an accepted or late request on its contract when the term it is for
// is the contract's next term: fewer seats or no renewal, and, when that renewal invoice
// is already issued, the mark that makes the invoicing step void and reissue it (SPEC
// §4.4). A request for a later term waits (applyPendingRequests takes it up after the
// roll-over). It reports whether the request was applied.
func (n *Night) applyRequest(ctx context.Context, tx *sqlx.Tx, r store.Request, who string, res *Result) (bool, error) {
	c, err := store.GetContract(ctx, tx, r.ContractNo)
	if store.IsNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if c.Status != store.StatusActive || c.TermEnd.IsZero() || r.TermStart != c.TermEnd.AddDays(1) {
		return false, nil
	}
	seats, cancel := sql.NullInt64{}, false
	switch r.Kind {
	case string(mailintake.KindCancellation):
		cancel = true
	case string(mailintake.KindReduction):
		seats = r.SeatsAfter
	default:
		return false, nil
	}
	if who == "" {
		who = "nightly"
	}
	why := fmt.Sprintf("request %d (mail %s)", r.ID, shortSHA(r.MessageSHA256))
	changed, err := store.SetContractNextTerm(ctx, tx, c.No, seats, cancel, n.Now)
	if err != nil {
		return false, err
	}
	if changed {
		res.Changes["contracts_changed"]++
		from := fmt.Sprintf("seats=%s cancel=%t", nullStr(c.NextSeats), c.CancelAtTermEnd)
		to := fmt.Sprintf("seats=%s cancel=%t", nullStr(seats), cancel)
		if err := store.Audit(ctx, tx, store.AuditEntry{At: n.Now.UTC(), RunDate: n.Date, Who: who, Action: "request_applied",
			Subject: c.No, Field: "next_term", FromValue: from, ToValue: to, Why: why, FileSHA256: r.MessageSHA256}); err != nil {
			return false, err
		}
	}
	voids := ""
	if inv, err := store.NextRenewal(ctx, tx, c.No, c.TermStart); err == nil && inv.TermStart == r.TermStart {
		voids = inv.Number
		// The void reason is printed on the notice of cancellation: written for the
		// customer; the request and message behind it go to the audit trail only.
		reason := invoice.RequestReason(calendar.InTokyo(r.ReceivedAt), cancel, inv.Seats, int(seats.Int64))
		ok, err := store.MarkReissue(ctx, tx, inv.Number, reason)
		if err != nil {
			return false, err
		}
		if ok {
			res.Changes["invoices_to_reissue"]++
			if err := store.Audit(ctx, tx, store.AuditEntry{At: n.Now.UTC(), RunDate: n.Date, Who: who, Action: "invoice_reissue_requested",
				Subject: inv.Number, Field: "reissue_needed", FromValue: "false", ToValue: "true", Why: why + ": " + reason, FileSHA256: r.MessageSHA256}); err != nil {
				return false, err
			}
		}
	} else if err != nil && !store.IsNoRows(err) {
		return false, err
	}
	if _, err := store.ApplyRequest(ctx, tx, r.ID, voids); err != nil {
		return false, err
	}
	return true, nil
}

// applyPendingRequests applies the accepted and late requests whose term has become the
// contract's next term (a late request, after the roll-over of the term it missed).
func (n *Night) applyPendingRequests(ctx context.Context, res *Result) error {
	return n.TxCounted(ctx, res, func(tx *sqlx.Tx) error {
		rs, err := store.PendingRequests(ctx, tx)
		if err != nil {
			return err
		}
		for _, r := range rs {
			ok, err := n.applyRequest(ctx, tx, r, n.Env.Who, res)
			if err != nil {
				return err
			}
			if ok {
				res.Changes["requests_applied"]++
			}
		}
		return nil
	})
}

func nullStr(v sql.NullInt64) string {
	if !v.Valid {
		return "as_now"
	}
	return fmt.Sprint(v.Int64)
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
