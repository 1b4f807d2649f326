package evidence

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// Reason says what Verify found broken.
type Reason string

// The reasons of a VerifyError.
const (
	RowAltered     Reason = "row altered"             // a field of a row no longer hashes to its Hash
	ContentAltered Reason = "content altered"         // a stored original no longer matches its SHA-256 or size
	ContentMissing Reason = "content missing"         // a stored original is gone
	ChainBroken    Reason = "chain broken"            // a row is missing in the middle, or a row was rewritten with a new hash
	RowsCutOff     Reason = "rows cut off after head" // the ledger ends before the head a report printed
	HeadMismatch   Reason = "head mismatch"           // the row at the report's count has another hash
)

// VerifyError names the first broken item of the ledger and what was found. Seq is the
// row concerned (for a missing row, the number it should have had).
type VerifyError struct {
	Seq    int64
	Kind   string // of row Seq, when it exists
	Source string
	SHA256 string
	Reason Reason
	Detail string
	Err    error // the *BlobError for ContentAltered and ContentMissing
}

func (e *VerifyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "evidence: ledger row %d", e.Seq)
	if e.Kind != "" || e.SHA256 != "" {
		fmt.Fprintf(&b, " (%s %q, sha256 %s)", e.Kind, e.Source, e.SHA256)
	}
	fmt.Fprintf(&b, ": %s", e.Reason)
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %s", e.Detail)
	}
	b.WriteString("; ")
	b.WriteString(e.advice())
	return b.String()
}

func (e *VerifyError) advice() string {
	switch e.Reason {
	case RowAltered:
		return "a field of this row was changed in the database: restore the row from a database backup (the stored file is still named by its sha256)"
	case ContentAltered, ContentMissing:
		return "restore the original file from backup under its sha256 name, then run `nightly evidence verify` again; do not import it anew"
	case ChainBroken:
		return "a ledger row was removed or rewritten: restore the evidence table from a database backup and compare it with this one"
	case RowsCutOff:
		return "rows after the last one were deleted (or the head was not copied exactly): restore the evidence table from a backup taken after the report that printed this head"
	case HeadMismatch:
		return "check the head was copied exactly from the report; if it was, the ledger was rewritten at or before this row: restore the evidence table from a backup"
	}
	return "restore from backup"
}

func (e *VerifyError) Unwrap() error { return e.Err }

// Summary is the state of a verified ledger: how many rows and the Hash of the last one
// (Genesis when empty). The morning report prints Summary.String(), and `verify --head`
// takes it back.
type Summary struct {
	Count int64
	Head  string
}

// String formats s as COUNT:HEAD, e.g. "1520:9f86d0…", the form ParseHead reads.
func (s Summary) String() string { return strconv.FormatInt(s.Count, 10) + ":" + s.Head }

// ErrBadHead means a head given to Verify is neither a SHA-256 nor COUNT:SHA-256.
var ErrBadHead = errors.New("not a ledger head (want the 64-hex head hash, or COUNT:HASH as the report prints it)")

// ParseHead reads a head as the report prints it (COUNT:HASH) or a bare head hash (then
// Count is -1: unknown).
func ParseHead(s string) (Summary, error) {
	s = strings.TrimSpace(s)
	count := int64(-1)
	if i := strings.IndexByte(s, ':'); i >= 0 {
		n, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil || n < 0 {
			return Summary{}, fmt.Errorf("evidence: head %q: %w", s, ErrBadHead)
		}
		count, s = n, s[i+1:]
	}
	s = strings.ToLower(s)
	if !ValidSHA256(s) {
		return Summary{}, fmt.Errorf("evidence: head %q: %w", s, ErrBadHead)
	}
	return Summary{Count: count, Head: s}, nil
}

// checkChunk is how many rows are checked together; their stored files are re-hashed in
// parallel.
const checkChunk = 256

// Verify proves the ledger and the stored originals unaltered (SPEC §7.5). entries must
// yield every row in Seq order. Each row must hash to its Hash, follow the previous row
// without a gap and point at its Hash, and its original must be in blobs with that
// SHA-256 and size (blobs nil checks the rows only). head, when not "", is the head a
// morning report printed (COUNT:HASH, or the bare hash): the ledger must still contain
// that row, so that rows cut off the end are caught; rows added after the report are
// fine. Verify stops at the first broken item and returns it as a *VerifyError, with
// the Summary of the rows verified before it; an error reading rows or files is returned
// wrapped as it is.
func Verify(ctx context.Context, entries iter.Seq2[Entry, error], blobs *Store, head string) (Summary, error) {
	return verify(ctx, entries, blobs, head, checkChunk)
}

// verify is Verify with the stored files re-hashed chunkSize rows at a time.
func verify(ctx context.Context, entries iter.Seq2[Entry, error], blobs *Store, head string, chunkSize int) (Summary, error) {
	hc, err := newHeadCheck(head)
	if err != nil {
		return Summary{}, err
	}
	fc := &fileCheck{ctx: ctx, blobs: blobs, size: chunkSize, chunk: make([]Entry, 0, chunkSize)}
	var last, beforeLast Entry // the rows checked most recently
	for e, err := range entries {
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			if ferr := fc.flush(); ferr != nil {
				return fc.verified(), ferr
			}
			return fc.verified(), fmt.Errorf("evidence: verify: reading the ledger after row %d: %w", last.Seq, err)
		}
		if rerr := checkRow(last, e); rerr != nil {
			if ferr := fc.flush(); ferr != nil {
				return fc.verified(), ferr
			}
			if rerr.Seq == fc.prev.Seq { // the row before e is the broken one
				fc.prev = beforeLast
			}
			return fc.verified(), rerr
		}
		hc.see(e)
		beforeLast, last = last, e
		if err := fc.add(e); err != nil {
			return fc.verified(), err
		}
	}
	if err := fc.flush(); err != nil {
		return fc.verified(), err
	}
	sum := fc.verified()
	return sum, hc.check(sum)
}

// headCheck follows, row by row, where the head a report printed is found in the
// ledger.
type headCheck struct {
	want    Summary // Count -1: unknown; Head "": no head to check
	headSeq int64   // where want.Head was seen; Genesis stands for row 0
	atCount string  // Hash of row want.Count
}

// newHeadCheck reads head (COUNT:HASH, the bare hash, or "" for none).
func newHeadCheck(head string) (*headCheck, error) {
	hc := &headCheck{want: Summary{Count: -1}, headSeq: -1}
	if head != "" {
		var err error
		if hc.want, err = ParseHead(head); err != nil {
			return nil, err
		}
	}
	if hc.want.Head == Genesis {
		hc.headSeq = 0
	}
	if hc.want.Count == 0 {
		hc.atCount = Genesis
	}
	return hc, nil
}

// see notes a verified row.
func (hc *headCheck) see(e Entry) {
	if e.Hash == hc.want.Head {
		hc.headSeq = e.Seq
	}
	if e.Seq == hc.want.Count {
		hc.atCount = e.Hash
	}
}

// check says whether the ledger verified as sum still holds the head: the report's row
// count reached, that row hashing to the head (or, with no count, some row does).
func (hc *headCheck) check(sum Summary) error {
	want := hc.want
	switch {
	case want.Head == "":
	case want.Count > sum.Count:
		return &VerifyError{Seq: sum.Count + 1, Reason: RowsCutOff,
			Detail: fmt.Sprintf("the report counted %d rows with head %s, but the ledger ends at row %d (hash %s)", want.Count, want.Head, sum.Count, sum.Head)}
	case want.Count >= 0 && hc.atCount != want.Head:
		return &VerifyError{Seq: want.Count, Reason: HeadMismatch,
			Detail: fmt.Sprintf("the report's head is %s but row %d hashes to %s", want.Head, want.Count, hc.atCount)}
	case want.Count < 0 && hc.headSeq < 0:
		return &VerifyError{Seq: sum.Count + 1, Reason: RowsCutOff,
			Detail: fmt.Sprintf("no row has the head hash %s; the ledger ends at row %d (hash %s)", want.Head, sum.Count, sum.Head)}
	}
	return nil
}

// fileCheck checks the stored files of rows whose fields are verified, a chunk of size
// rows at a time; prev is the last row verified with its file checked.
type fileCheck struct {
	ctx   context.Context
	blobs *Store // nil: rows only
	size  int
	chunk []Entry
	prev  Entry
}

// add queues e, checking the chunk when it is full.
func (fc *fileCheck) add(e Entry) error {
	fc.chunk = append(fc.chunk, e)
	if len(fc.chunk) == fc.size {
		return fc.flush()
	}
	return nil
}

// flush checks the stored files of the rows in the chunk; on success they count as
// verified, on failure the rows before the broken one do.
func (fc *fileCheck) flush() error {
	if fc.blobs != nil {
		if err := checkFiles(fc.ctx, fc.blobs, fc.chunk); err != nil {
			var ve *VerifyError
			if errors.As(err, &ve) && ve.Seq > 1 {
				for _, e := range fc.chunk {
					if e.Seq == ve.Seq-1 {
						fc.prev = e
					}
				}
			}
			return err
		}
	}
	if len(fc.chunk) > 0 {
		fc.prev = fc.chunk[len(fc.chunk)-1]
	}
	fc.chunk = fc.chunk[:0]
	return nil
}

// verified is the Summary of the rows verified so far.
func (fc *fileCheck) verified() Summary {
	if fc.prev.Seq == 0 {
		return Summary{Head: Genesis}
	}
	return Summary{Count: fc.prev.Seq, Head: fc.prev.Hash}
}

// checkRow checks e against the row before it (the zero Entry for the first row).
func checkRow(prev, e Entry) *VerifyError {
	want := prev.Seq + 1
	if got := RowHash(e); got != e.Hash {
		return &VerifyError{Seq: e.Seq, Kind: e.Kind, Source: e.Source, SHA256: e.SHA256, Reason: RowAltered,
			Detail: fmt.Sprintf("the row's hash is %s but its fields hash to %s", e.Hash, got)}
	}
	if e.Seq != want {
		ve := &VerifyError{Seq: want, Reason: ChainBroken}
		if e.Seq > want {
			ve.Detail = fmt.Sprintf("row %d is missing: row %d follows row %d", want, e.Seq, prev.Seq)
		} else {
			ve.Detail = fmt.Sprintf("row %d appears after row %d (duplicated or out of order)", e.Seq, prev.Seq)
		}
		return ve
	}
	prevHash := prev.Hash
	if prev.Seq == 0 {
		prevHash = Genesis
	}
	if e.PrevHash != prevHash {
		if prev.Seq == 0 {
			return &VerifyError{Seq: e.Seq, Kind: e.Kind, Source: e.Source, SHA256: e.SHA256, Reason: ChainBroken,
				Detail: fmt.Sprintf("the first row's prev_hash is %s, not %s: rows before it were removed or it was forged", e.PrevHash, Genesis)}
		}
		return &VerifyError{Seq: prev.Seq, Kind: prev.Kind, Source: prev.Source, SHA256: prev.SHA256, Reason: ChainBroken,
			Detail: fmt.Sprintf("row %d hashes to %s but row %d was chained to %s: row %d was rewritten with a new hash, or replaced", prev.Seq, prev.Hash, e.Seq, e.PrevHash, prev.Seq)}
	}
	return nil
}

// checkFiles re-hashes the stored originals of rows in parallel and returns the failure
// of the lowest row, as a *VerifyError for a missing or altered file.
func checkFiles(ctx context.Context, blobs *Store, rows []Entry) error {
	errs := make([]error, len(rows))
	workers := max(4, 2*runtime.GOMAXPROCS(0))
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, e := range rows {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = blobs.Check(e.SHA256, e.Size)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err == nil {
			continue
		}
		e := rows[i]
		ve := &VerifyError{Seq: e.Seq, Kind: e.Kind, Source: e.Source, SHA256: e.SHA256, Err: err}
		var be *BlobError
		if errors.As(err, &be) {
			ve.Detail = "file " + be.Path
			if be.Detail != "" {
				ve.Detail += ": " + be.Detail
			}
		}
		switch {
		case errors.Is(err, ErrMissing), errors.Is(err, ErrBadHash):
			ve.Reason = ContentMissing
		case errors.Is(err, ErrAltered):
			ve.Reason = ContentAltered
		default:
			return fmt.Errorf("evidence: verify row %d (%s %q): %w", e.Seq, e.Kind, e.Source, err)
		}
		return ve
	}
	return ctx.Err()
}
