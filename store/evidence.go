package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/evidence"
)

var evidenceCols = []string{"seq", "kind", "source", "received_at", "size", "sha256", "doc_date", "amount", "counterparty", "prev_hash", "hash"}

// EvidenceHead returns the last row of the evidence ledger; ok is false when it is empty.
// Inside a transaction on MySQL the row is locked, so appends are serialised.
func EvidenceHead(ctx context.Context, e sqlx.ExtContext) (row EvidenceRow, ok bool, err error) {
	err = get(ctx, e, &row, "SELECT * FROM evidence ORDER BY seq DESC LIMIT 1"+forUpdate(e))
	if IsNoRows(err) {
		return row, false, nil
	}
	if err != nil {
		return row, false, fmt.Errorf("evidence ledger head: %w", err)
	}
	return row, true, nil
}

// AppendEvidence adds a row to the ledger. The caller computed its chain hash from the
// head; a duplicate seq or SHA-256 is a unique-key error.
func AppendEvidence(ctx context.Context, e sqlx.ExtContext, r EvidenceRow) error {
	if _, err := namedExec(ctx, e, insertSQL(e, "evidence", evidenceCols, "", nil, nil), r); err != nil {
		return fmt.Errorf("append evidence %s: %w", r.SHA256, err)
	}
	return nil
}

// EvidenceBySHA returns the ledger row of the content with that SHA-256.
func EvidenceBySHA(ctx context.Context, e sqlx.ExtContext, sha string) (EvidenceRow, error) {
	var r EvidenceRow
	if err := get(ctx, e, &r, "SELECT * FROM evidence WHERE sha256 = ?", sha); err != nil {
		return r, fmt.Errorf("evidence %s: %w", sha, err)
	}
	return r, nil
}

// EvidenceBySHAs returns the ledger entries of the contents with those SHA-256s (those
// kept), by SHA-256, a few hundred a query.
func EvidenceBySHAs(ctx context.Context, e sqlx.ExtContext, shas []string) (map[string]evidence.Entry, error) {
	out := map[string]evidence.Entry{}
	for i := 0; i < len(shas); i += bulkRows {
		q, args, err := sqlx.In("SELECT * FROM evidence WHERE sha256 IN (?)", shas[i:min(i+bulkRows, len(shas))])
		if err != nil {
			return nil, err
		}
		var rs []EvidenceRow
		if err := selectAll(ctx, e, &rs, e.Rebind(q), args...); err != nil {
			return nil, fmt.Errorf("evidence of %d contents: %w", len(shas), err)
		}
		for _, r := range rs {
			out[r.SHA256] = r.Entry()
		}
	}
	return out, nil
}

// AppendEvidenceEntries adds entries to the ledger in order with multi-row inserts, as
// AppendEvidence does one row.
func AppendEvidenceEntries(ctx context.Context, e sqlx.ExtContext, es []evidence.Entry) error {
	rs := make([]EvidenceRow, len(es))
	for i, en := range es {
		rs[i] = EvidenceRowOf(en)
	}
	if err := insertMany(ctx, e, "evidence", evidenceCols, rs); err != nil {
		return fmt.Errorf("append evidence: %w", err)
	}
	return nil
}

// EvidencePage returns up to limit ledger rows after seq, in order.
func EvidencePage(ctx context.Context, e sqlx.ExtContext, after int64, limit int) ([]EvidenceRow, error) {
	var rs []EvidenceRow
	if err := selectAll(ctx, e, &rs, "SELECT * FROM evidence WHERE seq > ? ORDER BY seq LIMIT ?", after, limit); err != nil {
		return nil, fmt.Errorf("read evidence ledger after %d: %w", after, err)
	}
	return rs, nil
}

// EvidenceQuery selects ledger rows by business date, amount and counterparty (SPEC
// §7.5); zero fields select everything.
type EvidenceQuery struct {
	From, To             calendar.Date
	AmountMin, AmountMax *int64
	Counterparty         string
	Limit                int
}

// SearchEvidence returns the ledger rows that pass q, in order.
func SearchEvidence(ctx context.Context, e sqlx.ExtContext, q EvidenceQuery) ([]EvidenceRow, error) {
	s := "SELECT * FROM evidence WHERE 1=1"
	var args []any
	if !q.From.IsZero() {
		s += " AND doc_date >= ?"
		args = append(args, q.From)
	}
	if !q.To.IsZero() {
		s += " AND doc_date <= ?"
		args = append(args, q.To)
	}
	if q.AmountMin != nil {
		s += " AND amount >= ?"
		args = append(args, *q.AmountMin)
	}
	if q.AmountMax != nil {
		s += " AND amount <= ?"
		args = append(args, *q.AmountMax)
	}
	if q.Counterparty != "" {
		s += " AND counterparty LIKE ?"
		args = append(args, "%"+q.Counterparty+"%")
	}
	s += " ORDER BY seq"
	if q.Limit > 0 {
		s += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	var rs []EvidenceRow
	if err := selectAll(ctx, e, &rs, s, args...); err != nil {
		return nil, fmt.Errorf("search evidence: %w", err)
	}
	return rs, nil
}

// Entry is the row as a ledger entry of package evidence.
func (r EvidenceRow) Entry() evidence.Entry {
	return evidence.Entry{Seq: r.Seq, Kind: r.Kind, Source: r.Source, ReceivedAt: r.ReceivedAt.UTC(), Size: r.Size,
		SHA256: r.SHA256, Date: r.DocDate, Amount: r.Amount.Int64, HasAmount: r.Amount.Valid,
		Counterparty: r.Counterparty, PrevHash: r.PrevHash, Hash: r.Hash}
}

// EvidenceRowOf is the ledger row of the entry e.
func EvidenceRowOf(e evidence.Entry) EvidenceRow {
	return EvidenceRow{Seq: e.Seq, Kind: e.Kind, Source: e.Source, ReceivedAt: e.ReceivedAt, Size: e.Size,
		SHA256: e.SHA256, DocDate: e.Date, Amount: sql.NullInt64{Int64: e.Amount, Valid: e.HasAmount},
		Counterparty: e.Counterparty, PrevHash: e.PrevHash, Hash: e.Hash}
}
