package jobs

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"iter"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/store"
)

// Keep stores data unchanged in the evidence store and appends its ledger row in tx
// (SPEC §7.5). The file is written and fsynced before the row, so a row never names a
// missing file; content already kept returns its existing row. In a dry run nothing is
// written and the row is only computed.
func (n *Night) Keep(ctx context.Context, tx sqlx.ExtContext, e evidence.Entry, data []byte) (evidence.Entry, error) {
	sha := sha256Hex(data)
	if row, err := store.EvidenceBySHA(ctx, tx, sha); err == nil {
		return entryOf(row), nil
	} else if !store.IsNoRows(err) {
		return e, err
	}
	if !n.DryRun {
		if _, err := n.Evidence.Put(data); err != nil {
			return e, err
		}
	}
	e.SHA256, e.Size = sha, int64(len(data))
	e.ReceivedAt = e.ReceivedAt.UTC().Truncate(1e9)
	head, ok, err := store.EvidenceHead(ctx, tx)
	if err != nil {
		return e, err
	}
	var prev evidence.Entry
	if ok {
		prev = entryOf(head)
	}
	e = evidence.Next(prev, e)
	return e, store.AppendEvidence(ctx, tx, rowOf(e))
}

func entryOf(r store.EvidenceRow) evidence.Entry {
	return evidence.Entry{Seq: r.Seq, Kind: r.Kind, Source: r.Source, ReceivedAt: r.ReceivedAt.UTC(), Size: r.Size,
		SHA256: r.SHA256, Date: r.DocDate, Amount: r.Amount.Int64, HasAmount: r.Amount.Valid,
		Counterparty: r.Counterparty, PrevHash: r.PrevHash, Hash: r.Hash}
}

func rowOf(e evidence.Entry) store.EvidenceRow {
	return store.EvidenceRow{Seq: e.Seq, Kind: e.Kind, Source: e.Source, ReceivedAt: e.ReceivedAt, Size: e.Size,
		SHA256: e.SHA256, DocDate: e.Date, Amount: sql.NullInt64{Int64: e.Amount, Valid: e.HasAmount},
		Counterparty: e.Counterparty, PrevHash: e.PrevHash, Hash: e.Hash}
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
				if !yield(entryOf(r), nil) {
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
		out[i] = entryOf(r)
	}
	return out, nil
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
