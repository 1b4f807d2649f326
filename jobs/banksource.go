package jobs

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"strings"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/calendar"
)

// streamAbove is the size above which a Zengin bank file is streamed (read twice,
// record by record) instead of read whole; tests lower it.
var streamAbove int64 = 64 << 20

// maxDefectsShown is how many defects of a refused file the exception names.
const maxDefectsShown = 10

// bankSource is a bank file as the bank pipeline reads it (bankFile): surveyed once
// (its hash and size, format, accounts, credits, defects, the keys that repeat in it),
// then scanned transfer by transfer. A small file is parsed whole in memory; a Zengin
// file above streamAbove is read from disk twice and never held whole.
type bankSource interface {
	// survey is the first pass; its error is an I/O failure, the file's own defects
	// are in survey.defects.
	survey() (survey, error)
	// scan calls each for every transfer, in file order, with PayerNormalized filled.
	scan(each func(bankfeed.Txn) error) error
	// content is how the file's bytes reach the evidence store.
	content(sv survey) evidenceContent
}

// survey is what the first pass over a bank file learned.
type survey struct {
	sha      string
	size     int64
	format   string
	accounts []bankfeed.Account
	records  int
	credits  int64
	last     calendar.Date
	// repeats are the keys that may occur more than once in the file (for their
	// ordinals, SPEC §6.3); nil means count every key exactly.
	repeats *keyFilter
	defects error // the file's defects (*bankfeed.FormatError or FormatErrors), if any
}

// add counts t in the survey.
func (sv *survey) add(t bankfeed.Txn) {
	sv.records++
	if t.IsPayment() {
		sv.credits += t.Amount
	}
	if t.ValueDate.After(sv.last) {
		sv.last = t.ValueDate
	}
}

// memSource is a bank file read whole and parsed: every CSV, and Zengin files up to
// streamAbove.
type memSource struct {
	name string
	data []byte
	opts bankfeed.ParseOptions
	st   *bankfeed.Statement
}

func (s *memSource) survey() (survey, error) {
	sv := survey{sha: sha256Hex(s.data), size: int64(len(s.data))}
	st, err := bankfeed.Parse(s.name, s.data, s.opts)
	if err != nil {
		sv.defects = allDefects(s.name, s.data, s.opts, err)
		return sv, nil
	}
	s.st = st
	sv.format, sv.accounts = st.Format, st.Accounts
	for _, t := range st.Txns {
		sv.add(t)
	}
	return sv, nil
}

func (s *memSource) scan(each func(bankfeed.Txn) error) error {
	for _, t := range s.st.Txns {
		if err := each(t); err != nil {
			return err
		}
	}
	return nil
}

func (s *memSource) content(survey) evidenceContent { return evidenceContent{data: s.data} }

// allDefects turns the first defect Parse found in a Zengin file into every defect of
// the file (the first maxDefectsShown and the count), so that the report says how
// broken it is; other errors are returned as they are.
func allDefects(name string, data []byte, o bankfeed.ParseOptions, perr error) error {
	var fe *bankfeed.FormatError
	if !errors.As(perr, &fe) {
		return perr
	}
	if f, err := bankfeed.Detect(name, data, o); err != nil || !strings.HasPrefix(f, "zengin") {
		return perr
	}
	o.Format = "zengin"
	if err := bankfeed.Check(name, bytes.NewReader(data), o, maxDefectsShown); err != nil {
		return err
	}
	return perr
}

// fileSource is a Zengin file too big to hold: a first pass hashes it, validates it
// whole and notes the keys that may repeat (a fixed-size Bloom filter, so memory stays
// flat); the second pass must read the same bytes.
type fileSource struct {
	name, path string
	opts       bankfeed.ParseOptions
	pc         *payerCache
	sha        string
}

func (s *fileSource) survey() (survey, error) {
	sv := survey{repeats: newKeyFilter()}
	once := newKeyFilter()
	sc, sha, size, err := scanFile(s.path, s.name, s.opts, s.pc, true, func(t bankfeed.Txn) error {
		sv.add(t)
		k := t.Account + "\x00" + txnKey(t)
		if once.has(k) {
			sv.repeats.add(k)
		} else {
			once.add(k)
		}
		return nil
	})
	if err != nil {
		return sv, err
	}
	sv.sha, sv.size, sv.format, sv.accounts = sha, size, sc.Format(), sc.Accounts()
	s.sha = sha
	if err := sc.Err(); err != nil {
		var fe *bankfeed.FormatError
		if !errors.As(err, &fe) {
			return sv, err // an I/O error, not a defect of the file
		}
		sv.defects = err
	}
	return sv, nil
}

// scan reads the file again. Cancellations and reversals are looked up in the database
// (store.OriginalCredit), this file's earlier transfers included, instead of by record
// number within the file: the Scanner does not link them.
func (s *fileSource) scan(each func(bankfeed.Txn) error) error {
	_, sha, _, err := scanFile(s.path, s.name, s.opts, s.pc, false, func(t bankfeed.Txn) error {
		t.Reverses = 0
		return each(t)
	})
	if err != nil {
		return err
	}
	if sha != s.sha {
		return fmt.Errorf("the file changed while it was read (SHA-256 %s, then %s); rerun the night", s.sha, sha)
	}
	return nil
}

func (s *fileSource) content(sv survey) evidenceContent {
	return evidenceContent{path: s.path, sha: sv.sha, size: sv.size}
}

// openBankSource returns the source of the bank file at path: streamed when it is a
// Zengin file above streamAbove, else read whole.
func openBankSource(path, name string, o bankfeed.ParseOptions, norm *bankfeed.Normalizer) (bankSource, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > streamAbove {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		head := make([]byte, bankfeed.RecordLen)
		k, _ := io.ReadFull(f, head)
		f.Close()
		if format, err := bankfeed.Detect(name, head[:k], o); err == nil && strings.HasPrefix(format, "zengin") {
			return &fileSource{name: name, path: path, opts: o, pc: &payerCache{norm: norm, m: map[string]string{}}}, nil
		}
	}
	data, err := readInboxFile(path)
	if err != nil {
		return nil, err
	}
	return &memSource{name: name, data: data, opts: o}, nil
}

// payerCache normalizes payer names, remembering a bounded number of them (payers repeat).
type payerCache struct {
	norm *bankfeed.Normalizer
	m    map[string]string
}

func (c *payerCache) normalize(t *bankfeed.Txn) {
	if v, ok := c.m[t.Payer]; ok {
		t.PayerNormalized = v
		return
	}
	t.PayerNormalized = c.norm.Normalize(t.Payer)
	if len(c.m) < 1<<16 {
		c.m[t.Payer] = t.PayerNormalized
	}
}

// scanFile runs a Zengin Scanner over the file at path, hashing what it reads, and calls
// each for every data record (with PayerNormalized filled).
func scanFile(path, name string, o bankfeed.ParseOptions, pc *payerCache, collect bool, each func(bankfeed.Txn) error) (*bankfeed.Scanner, string, int64, error) {
	f, err := openNoFollow(path)
	if err != nil {
		return nil, "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	cr := &countingReader{r: io.TeeReader(f, h)}
	o.Normalizer = nil
	sc := bankfeed.NewScanner(name, bufio.NewReaderSize(cr, 1<<20), o)
	if collect {
		sc.CollectErrors(maxDefectsShown)
	}
	for sc.Scan() {
		t := sc.Txn()
		pc.normalize(&t)
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

// keyFilter is a Bloom filter of fixed size (8 MiB) over transfer keys: it tells which
// keys may occur more than once in a streamed file, so that only those are counted
// exactly for their ordinals and memory stays flat however big the file is. A false
// "may" only costs a map entry; a "no" is certain.
type keyFilter struct{ bits []uint64 }

const keyFilterBits = 1 << 26

func newKeyFilter() *keyFilter { return &keyFilter{bits: make([]uint64, keyFilterBits/64)} }

func (f *keyFilter) positions(k string) [4]uint32 {
	h := fnv.New64a()
	h.Write([]byte(k))
	x := h.Sum64()
	a, b := uint32(x), uint32(x>>32)|1
	var p [4]uint32
	for i := range p {
		p[i] = (a + uint32(i)*b) % keyFilterBits
	}
	return p
}

func (f *keyFilter) add(k string) {
	for _, p := range f.positions(k) {
		f.bits[p/64] |= 1 << (p % 64)
	}
}

func (f *keyFilter) has(k string) bool {
	for _, p := range f.positions(k) {
		if f.bits[p/64]&(1<<(p%64)) == 0 {
			return false
		}
	}
	return true
}

// ordinals numbers the occurrences of each transfer key in a file (the n-th is ordinal
// n, SPEC §6.3), counting exactly only the keys the survey says may repeat.
type ordinals struct {
	repeats *keyFilter
	counts  map[string]int
}

func (o *ordinals) next(account, key string) int {
	full := account + "\x00" + key
	if o.repeats != nil && !o.repeats.has(full) {
		return 1
	}
	o.counts[full]++
	return o.counts[full]
}
