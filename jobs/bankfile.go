package jobs

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// streamChunk is how many transfers of a file are stored and matched at once.
const streamChunk = 10000

// fileOutcome is what became of one bank file.
type fileOutcome struct {
	status                         string // applied | rejected | evidence_only | skipped
	inserted, duplicates, payments int
	exceptions, reversals          int
}

func (o fileOutcome) count(res Result) {
	switch o.status {
	case "skipped":
		res.Seen["files_skipped"]++
	case store.BankFileRejected:
		res.Changes["files_rejected"]++
	case store.BankFileEvidenceOnly:
		res.Changes["files_evidence_only"]++
	default:
		res.Changes["files_applied"]++
	}
	res.Changes["transfers"] += o.inserted
	res.Seen["transfers_known"] += o.duplicates
	res.Changes["payments"] += o.payments
	res.Changes["exceptions"] += o.exceptions
	res.Changes["reversals"] += o.reversals
}

// bankFile handles one surveyed bank file in tx (SPEC §6.2–§6.4), the same way
// whether it was read whole or is streamed: a file seen before (same SHA-256) is
// skipped; a file with defects is kept as evidence and refused whole with an exception
// naming them; else it is kept as evidence, its transfers are stored in the payment
// source of their account (multiset merge, §6.3; an account whose source is another
// file kind is only compared), matched and booked streamChunk at a time against the
// books read once (bankfeed.Matcher carries what each chunk booked to the next), its
// cancellations reversed, and the file recorded with what each account held.
func (n *Night) bankFile(ctx context.Context, tx *sqlx.Tx, name string, src bankSource, sv bankfeed.Survey) (fileOutcome, error) {
	if f, err := store.GetBankFile(ctx, tx, sv.SHA256); err == nil {
		if f.Status == store.BankFileRejected {
			return fileOutcome{status: store.BankFileRejected}, nil
		}
		return fileOutcome{status: "skipped"}, nil
	} else if !store.IsNoRows(err) {
		return fileOutcome{}, err
	}
	entry := evidence.Entry{Kind: evidence.KindBankFile, Source: "inbox/bank/" + name, ReceivedAt: n.Now, Date: n.Date}
	if sv.Defects != nil {
		if _, err := n.keep(ctx, tx, entry, src.content(sv)); err != nil {
			return fileOutcome{}, err
		}
		return fileOutcome{status: store.BankFileRejected}, n.rejectFile(ctx, tx, name, sv.SHA256, sv.Defects)
	}
	entry.Date, entry.Amount, entry.HasAmount = sv.Last, sv.Credits, true
	if entry.Date.IsZero() {
		entry.Date = n.Date
	}
	if len(sv.Accounts) > 0 {
		a := sv.Accounts[0]
		if entry.Counterparty = strings.TrimSpace(strings.TrimSpace(a.BankName+" "+a.BranchName) + " " + a.Name); entry.Counterparty == "" {
			entry.Counterparty = a.Key
		}
	}
	if _, err := n.keep(ctx, tx, entry, src.content(sv)); err != nil {
		return fileOutcome{}, err
	}
	ld, err := n.newBankLoad(ctx, tx, sv)
	if err != nil {
		return fileOutcome{}, err
	}
	if err := src.scan(func(t bankfeed.Txn) error { return ld.add(ctx, t) }); err != nil {
		return ld.out, err
	}
	if err := ld.flush(ctx); err != nil {
		return ld.out, err
	}
	return ld.out, ld.record(ctx, name)
}

// rejectFile records a malformed bank file (already kept as evidence) and the
// exception that tells staff what is wrong with it.
func (n *Night) rejectFile(ctx context.Context, tx *sqlx.Tx, name, sha string, perr error) error {
	if _, err := store.AddBankFile(ctx, tx, store.BankFile{SHA256: sha, Name: name, Format: "", RunDate: n.Date,
		Status: store.BankFileRejected, Detail: store.BankFileDetail{Error: perr.Error()}, CreatedAt: n.Now}); err != nil {
		return err
	}
	_, err := store.AddException(ctx, tx, wording.BankFileRejected(n.Date, name, sha, perr))
	return err
}

// bankLoad is one bank file being stored and applied: its accounts with their payment
// sources, the transfers of the chunk under way, and the matcher built from the books.
type bankLoad struct {
	n       *Night
	tx      *sqlx.Tx
	sv      bankfeed.Survey
	keys    map[string]string // account as written → its key (a CSV's bare number → the known account)
	details map[string]*store.BankAccountDetail
	ords    *bankfeed.Ordinals
	matcher *bankfeed.Matcher
	chunk   []bankfeed.Txn
	rows    []store.BankTxn
	out     fileOutcome
}

// newBankLoad decides each account's key and payment source (SPEC §6.1, §6.3) and reads
// the books the matcher needs.
func (n *Night) newBankLoad(ctx context.Context, tx *sqlx.Tx, sv bankfeed.Survey) (*bankLoad, error) {
	ld := &bankLoad{n: n, tx: tx, sv: sv, details: map[string]*store.BankAccountDetail{},
		ords: bankfeed.NewOrdinals(sv.Repeats)}
	var err error
	if ld.keys, err = n.accountKeys(ctx, tx, sv); err != nil {
		return nil, err
	}
	for _, a := range sv.Accounts {
		if _, err := ld.account(ctx, ld.key(a.Key), a); err != nil {
			return nil, err
		}
	}
	in, err := store.MatchBooks(ctx, tx)
	if err != nil {
		return nil, err
	}
	in.FeeList, in.SimilarityThreshold = n.Config.Bank.FeeList, n.Config.Bank.SimilarityThreshold
	in.Normalizer = bankfeed.NormalizerFrom(n.Config.Bank)
	ld.matcher = bankfeed.NewMatcher(in)
	return ld, nil
}

// key returns the key of an account as the file writes it.
func (ld *bankLoad) key(written string) string {
	if k, ok := ld.keys[written]; ok {
		return k
	}
	return written
}

// account returns the detail of the account key, fixing its payment source the first
// time it is seen (the configured one, else this file's format). The empty key holds
// the rows of a CSV whose account could not be decided: applied, held for staff.
func (ld *bankLoad) account(ctx context.Context, key string, a bankfeed.Account) (*store.BankAccountDetail, error) {
	if d := ld.details[key]; d != nil {
		return d, nil
	}
	d := &store.BankAccountDetail{Account: key, Name: a.Name, Source: ld.sv.Format, Applied: true}
	ld.details[key] = d
	if key == "" {
		return d, nil
	}
	src, ok, err := store.AccountSource(ctx, ld.tx, key)
	if err != nil {
		return nil, err
	}
	if !ok {
		if src = bankfeed.ConfiguredSource(ld.n.Config.Bank, bankfeed.Account{Key: key, Number: a.Number}); src == "" {
			src = ld.sv.Format
		}
		if err := store.SetAccountSource(ctx, ld.tx, key, src, a.Era, ld.n.Now); err != nil {
			return nil, err
		}
	}
	d.Source, d.Applied = src, src == ld.sv.Format
	return d, nil
}

// add stores one transfer of the file in its account's payment source (or compares it
// with that source, for an account whose source is another file kind), and matches
// the chunk once it is full.
func (ld *bankLoad) add(ctx context.Context, t bankfeed.Txn) error {
	t.Account = ld.key(t.Account)
	d, err := ld.account(ctx, t.Account, bankfeed.Account{Key: t.Account, Number: t.Account})
	if err != nil {
		return err
	}
	if t.IsPayment() {
		d.Credits++
		d.CreditTotal += t.Amount
	}
	if !d.Applied {
		return ld.compare(ctx, d, t)
	}
	key := bankfeed.Key(t)
	row := store.BankTxn{Txn: t, Source: ld.sv.Format, TKey: key, Ordinal: ld.ords.Next(t.Account, key), FileSHA256: ld.sv.SHA256,
		Status: store.TxnNew, RunDate: ld.n.Date}
	switch {
	case t.Cancelled || t.Reversal:
		row.Status = store.TxnReversal
	case t.Kind == bankfeed.Debit:
		row.Status = store.TxnIgnored
	}
	ok, err := store.AddBankTxn(ctx, ld.tx, &row)
	if err != nil {
		return err
	}
	if !ok {
		ld.out.duplicates++
		return nil
	}
	ld.out.inserted++
	if t.IsPayment() || t.Cancelled || t.Reversal {
		ld.chunk, ld.rows = append(ld.chunk, t), append(ld.rows, row)
	}
	if len(ld.chunk) >= streamChunk {
		return ld.flush(ctx)
	}
	return nil
}

// compare notes whether a credit of an account whose payment source is another file
// kind is in that source (SPEC §6.3: kept as evidence and compared, never applied).
func (ld *bankLoad) compare(ctx context.Context, d *store.BankAccountDetail, t bankfeed.Txn) error {
	if !t.IsPayment() {
		return nil
	}
	found, err := store.InSource(ctx, ld.tx, d.Source, t)
	if err != nil {
		return err
	}
	if found {
		d.Found++
	} else if len(d.Missing) < 50 {
		d.Missing = append(d.Missing, fmt.Sprintf("%s %s %s", t.ValueDate, wording.Yen(t.Amount), t.Payer))
	}
	return nil
}

// flush matches and books the payments of the chunk (a CSV row whose account could not
// be decided is held for staff, SPEC §6.1), then reverses what its cancellations
// cancel (§6.4).
func (ld *bankLoad) flush(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b := nightBooks(ld.n, ld.tx)
	var pay []bankfeed.Txn
	var payRows []store.BankTxn
	for i, t := range ld.chunk {
		switch {
		case !t.IsPayment():
		case ld.rows[i].Account == "":
			nx, err := b.holdWhole(ctx, ld.rows[i], wording.AccountUnknown(ld.rows[i]))
			if err != nil {
				return err
			}
			ld.out.exceptions += nx
		default:
			pay, payRows = append(pay, t), append(payRows, ld.rows[i])
		}
	}
	for _, r := range ld.matcher.Match(pay) {
		np, nx, err := b.bookResult(ctx, payRows[r.Index], r)
		if err != nil {
			return err
		}
		ld.out.payments += np
		ld.out.exceptions += nx
	}
	for i, t := range ld.chunk {
		if !t.Cancelled && !t.Reversal {
			continue
		}
		ok, err := ld.n.reverse(ctx, ld.tx, ld.rows[i], t.Reverses)
		if err != nil {
			return err
		}
		if ok {
			ld.out.reversals++
		} else {
			ld.out.exceptions++
		}
	}
	ld.chunk, ld.rows = ld.chunk[:0], ld.rows[:0]
	return nil
}

// record stores the bank file with what each of its accounts held.
func (ld *bankLoad) record(ctx context.Context, name string) error {
	var det store.BankFileDetail
	ld.out.status = store.BankFileEvidenceOnly
	for _, k := range slices.Sorted(maps.Keys(ld.details)) {
		det.Accounts = append(det.Accounts, *ld.details[k])
		if ld.details[k].Applied {
			ld.out.status = store.BankFileApplied
		}
	}
	_, err := store.AddBankFile(ctx, ld.tx, store.BankFile{SHA256: ld.sv.SHA256, Name: name, Format: ld.sv.Format, RunDate: ld.n.Date,
		Status: ld.out.status, Detail: det, Records: ld.sv.Records, CreatedAt: ld.n.Now})
	return err
}

// reverse undoes what the credit a cancellation or 訂正/組戻し debit rv mirrors did
// (SPEC §6.4): the credit of record ofRecord in the same file when the parser linked
// them, else the latest earlier credit of the same amount and payer. It reports false
// (and records an exception) when no original is found.
func (n *Night) reverse(ctx context.Context, tx *sqlx.Tx, rv store.BankTxn, ofRecord int) (bool, error) {
	var orig store.BankTxn
	var err error
	if ofRecord > 0 {
		orig, err = store.BankTxnOfRecord(ctx, tx, rv.FileSHA256, ofRecord)
	} else {
		orig, err = store.OriginalCredit(ctx, tx, rv.Account, rv.Source, rv.Amount, rv.PayerNormalized, rv.ValueDate)
	}
	if err != nil && !store.IsNoRows(err) {
		return false, err
	}
	if err != nil || orig.Status == store.TxnReversed {
		_, err := store.AddException(ctx, tx, wording.ReversalUnmatched(n.Date, rv))
		return false, err
	}
	if err := nightBooks(n, tx).reverse(ctx, orig.ID, rv, fmt.Sprintf("取消（振込 %d）により入金自体が取り消されました", rv.ID)); err != nil {
		return false, err
	}
	if err := store.SetTxnStatus(ctx, tx, orig.ID, store.TxnReversed); err != nil {
		return false, err
	}
	return true, store.Audit(ctx, tx, store.AuditEntry{At: n.Now.UTC(), RunDate: n.Date, Who: "nightly", Action: "payment_reversed",
		Subject: fmt.Sprintf("bank_txn:%d", orig.ID), Field: "status", FromValue: orig.Status, ToValue: store.TxnReversed,
		Why: fmt.Sprintf("取消・訂正 振込 %d（%s 第%dレコード）", rv.ID, rv.ValueDate, rv.Record)})
}
