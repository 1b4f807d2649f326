package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"iter"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/store"
)

// evidenceContent is how the bytes of an evidence item reach the store: held in memory
// (data), a file too big to hold (path, with the SHA-256 and size read while it was
// surveyed), or already stored by a batch (sha and size alone).
type evidenceContent struct {
	data []byte
	path string
	sha  string
	size int64
}

// keep stores an evidence item unchanged and appends its ledger row in tx (SPEC §7.5):
// the bytes are written and fsynced before the row, so a row never names a missing
// file; content already kept returns its existing row; a file that changed since it
// was hashed is an error. In a dry run nothing is written and the row is only
// computed. It is the one way the night keeps evidence: bank and order files, mail,
// PDFs.
func (n *Night) keep(ctx context.Context, tx sqlx.ExtContext, e evidence.Entry, c evidenceContent) (evidence.Entry, error) {
	if c.data != nil {
		c.sha, c.size = sha256Hex(c.data), int64(len(c.data))
	}
	if row, err := store.EvidenceBySHA(ctx, tx, c.sha); err == nil {
		return row.Entry(), nil
	} else if !store.IsNoRows(err) {
		return e, err
	}
	if !n.DryRun {
		switch {
		case c.data != nil:
			if _, err := n.Evidence.Put(c.data); err != nil {
				return e, err
			}
		case c.path != "":
			got, gotSize, err := n.Evidence.PutFile(c.path)
			if err != nil {
				return e, err
			}
			if got != c.sha || gotSize != c.size {
				return e, fmt.Errorf("keep %s: the file changed while it was read (%d bytes, SHA-256 %s; then %d bytes, %s)", c.path, c.size, c.sha, gotSize, got)
			}
		}
	}
	e.SHA256, e.Size = c.sha, c.size
	e.ReceivedAt = e.ReceivedAt.UTC().Truncate(time.Second)
	head, ok, err := store.EvidenceHead(ctx, tx)
	if err != nil {
		return e, err
	}
	var prev evidence.Entry
	if ok {
		prev = head.Entry()
	}
	e = evidence.Next(prev, e)
	return e, store.AppendEvidence(ctx, tx, store.EvidenceRowOf(e))
}

// keepStored keeps, in order, entries whose bytes are stored already (their SHA-256
// and size set) as keep would one at a time, with one read of the ledger and one
// insert: a page of the night's PDFs.
func (n *Night) keepStored(ctx context.Context, tx sqlx.ExtContext, es []evidence.Entry) ([]evidence.Entry, error) {
	shas := make([]string, len(es))
	for i, e := range es {
		shas[i] = e.SHA256
	}
	kept, err := store.EvidenceBySHAs(ctx, tx, shas)
	if err != nil {
		return nil, err
	}
	head, _, err := store.EvidenceHead(ctx, tx)
	if err != nil {
		return nil, err
	}
	all, added := evidence.Append(head.Entry(), es, kept)
	return all, store.AppendEvidenceEntries(ctx, tx, added)
}

// VerifyEvidence checks every ledger row and stored file, and that head (COUNT:HASH
// from a morning report, optional) is still in the ledger (SPEC §7.5).
func VerifyEvidence(ctx context.Context, env *Env, head string) (evidence.Summary, error) {
	return evidence.Verify(ctx, ledgerRows(ctx, env.DB), env.Evidence, head)
}

// ledgerRows yields the ledger in order, a page at a time.
func ledgerRows(ctx context.Context, db sqlx.ExtContext) iter.Seq2[evidence.Entry, error] {
	return func(yield func(evidence.Entry, error) bool) {
		var after int64
		for {
			page, err := store.EvidencePage(ctx, db, after, 1000)
			if err != nil {
				yield(evidence.Entry{}, err)
				return
			}
			for _, r := range page {
				if !yield(r.Entry(), nil) {
					return
				}
			}
			if len(page) < 1000 {
				return
			}
			after = page[len(page)-1].Seq
		}
	}
}

// SearchEvidence finds ledger rows by date range, amount range and counterparty.
func SearchEvidence(ctx context.Context, env *Env, q store.EvidenceQuery) ([]evidence.Entry, error) {
	rows, err := store.SearchEvidence(ctx, env.DB, q)
	if err != nil {
		return nil, err
	}
	out := make([]evidence.Entry, len(rows))
	for i, r := range rows {
		out[i] = r.Entry()
	}
	return out, nil
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
