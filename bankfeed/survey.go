package bankfeed

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"

	"github.com/npress/nightly/calendar"
)

// MaxDefectsShown is how many defects of a refused file a report names (with their
// count).
const MaxDefectsShown = 10

// Survey is what a first pass over a bank file learned before anything is stored: its
// hash and size, its format and accounts, its records and credits, the latest 勘定日,
// the keys that may occur more than once in it, and its defects (the file is refused
// whole when it has any, SPEC §6.2).
type Survey struct {
	SHA256   string
	Size     int64
	Format   string
	Accounts []Account
	Records  int
	Credits  int64 // the total of its payments
	Last     calendar.Date
	// Repeats are the account+key pairs (Key) that may occur more than once; nil
	// means count every key exactly (Ordinals).
	Repeats *KeyFilter
	// Defects are the file's defects (*FormatError, or *FormatErrors with every one),
	// nil for a good file.
	Defects error
}

// Add counts t.
func (sv *Survey) Add(t Txn) {
	sv.Records++
	if t.IsPayment() {
		sv.Credits += t.Amount
	}
	if t.ValueDate.After(sv.Last) {
		sv.Last = t.ValueDate
	}
}

// SurveyStatement surveys a bank file read whole: Parse's statement, or its defects
// (every defect of a Zengin file, see AllDefects).
func SurveyStatement(name string, data []byte, o ParseOptions) (Survey, *Statement) {
	h := sha256.Sum256(data)
	sv := Survey{SHA256: hex.EncodeToString(h[:]), Size: int64(len(data))}
	st, err := Parse(name, data, o)
	if err != nil {
		sv.Defects = AllDefects(name, data, o, err)
		return sv, nil
	}
	sv.Format, sv.Accounts = st.Format, st.Accounts
	for _, t := range st.Txns {
		sv.Add(t)
	}
	return sv, st
}

// AllDefects turns the first defect Parse found in a Zengin file into every defect of
// the file (the first MaxDefectsShown and the count), so that a report says how broken
// it is; other errors are returned as they are.
func AllDefects(name string, data []byte, o ParseOptions, perr error) error {
	var fe *FormatError
	if !errors.As(perr, &fe) {
		return perr
	}
	if f, err := Detect(name, data, o); err != nil || !strings.HasPrefix(f, "zengin") {
		return perr
	}
	o.Format = "zengin"
	if err := Check(name, bytes.NewReader(data), o, MaxDefectsShown); err != nil {
		return err
	}
	return perr
}

// SurveyZengin is the first pass over a Zengin file too big to hold, read from r: its
// hash and size, every defect, its accounts and credits, and the keys that may repeat
// in it (a fixed-size Bloom filter, so that memory stays flat however big the file).
// An I/O error is returned; the file's defects are in Survey.Defects.
func SurveyZengin(name string, r io.Reader, o ParseOptions, payers *PayerCache) (Survey, error) {
	sv := Survey{Repeats: NewKeyFilter()}
	once := NewKeyFilter()
	sc, sha, size, err := ScanZengin(name, r, o, payers, MaxDefectsShown, func(t Txn) error {
		sv.Add(t)
		k := t.Account + "\x00" + Key(t)
		if once.Has(k) {
			sv.Repeats.Add(k)
		} else {
			once.Add(k)
		}
		return nil
	})
	if err != nil {
		return sv, err
	}
	sv.SHA256, sv.Size, sv.Format, sv.Accounts = sha, size, sc.Format(), sc.Accounts()
	if err := sc.Err(); err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) {
			return sv, err // an I/O error, not a defect of the file
		}
		sv.Defects = err
	}
	return sv, nil
}

// ScanZengin runs a Scanner over the Zengin file read from r, hashing every byte, and
// calls each for every data record with PayerNormalized filled from payers. With
// collect > 0 it goes on past defects and collects the first collect of them
// (Scanner.CollectErrors). It returns the Scanner (for its format, accounts and error)
// and the file's SHA-256 and size.
func ScanZengin(name string, r io.Reader, o ParseOptions, payers *PayerCache, collect int, each func(Txn) error) (*Scanner, string, int64, error) {
	h := sha256.New()
	cr := &countingReader{r: io.TeeReader(r, h)}
	o.Normalizer = nil
	sc := NewScanner(name, bufio.NewReaderSize(cr, 1<<20), o)
	if collect > 0 {
		sc.CollectErrors(collect)
	}
	for sc.Scan() {
		t := sc.Txn()
		payers.Normalize(&t)
		if err := each(t); err != nil {
			return sc, "", 0, err
		}
	}
	if _, err := io.Copy(io.Discard, cr); err != nil { // hash what the Scanner left unread
		return sc, "", 0, err
	}
	return sc, hex.EncodeToString(h.Sum(nil)), cr.n, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	return k, err
}

// PayerCache normalizes payer names, remembering a bounded number of them (payers
// repeat, and a streamed file has millions of records).
type PayerCache struct {
	norm *Normalizer
	m    map[string]string
}

// NewPayerCache returns a cache over norm.
func NewPayerCache(norm *Normalizer) *PayerCache {
	return &PayerCache{norm: norm, m: map[string]string{}}
}

// Normalize fills t.PayerNormalized.
func (c *PayerCache) Normalize(t *Txn) {
	if v, ok := c.m[t.Payer]; ok {
		t.PayerNormalized = v
		return
	}
	t.PayerNormalized = c.norm.Normalize(t.Payer)
	if len(c.m) < 1<<16 {
		c.m[t.Payer] = t.PayerNormalized
	}
}
