package jobs

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/inbox"
)

// streamAbove is the size above which a Zengin bank file is streamed (read twice,
// record by record) instead of read whole; tests lower it.
var streamAbove int64 = 64 << 20

// bankSource is a bank file as the bank pipeline reads it (bankFile): surveyed once,
// then scanned transfer by transfer. A small file is parsed whole in memory; a Zengin
// file above streamAbove is read from disk twice and never held whole.
type bankSource interface {
	// survey is the first pass; its error is an I/O failure, the file's own defects
	// are in Survey.Defects.
	survey() (bankfeed.Survey, error)
	// scan calls each for every transfer, in file order, with PayerNormalized filled.
	scan(each func(bankfeed.Txn) error) error
	// content is how the file's bytes reach the evidence store.
	content(sv bankfeed.Survey) evidenceContent
}

// memSource is a bank file read whole and parsed: every CSV, and Zengin files up to
// streamAbove.
type memSource struct {
	name string
	data []byte
	opts bankfeed.ParseOptions
	st   *bankfeed.Statement
}

func (s *memSource) survey() (bankfeed.Survey, error) {
	sv, st := bankfeed.SurveyStatement(s.name, s.data, s.opts)
	s.st = st
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

func (s *memSource) content(bankfeed.Survey) evidenceContent { return evidenceContent{data: s.data} }

// fileSource is a Zengin file too big to hold: the second pass must read the bytes the
// first pass hashed.
type fileSource struct {
	name, path string
	opts       bankfeed.ParseOptions
	payers     *bankfeed.PayerCache
	sha        string
}

func (s *fileSource) survey() (bankfeed.Survey, error) {
	f, err := inbox.Open(s.path)
	if err != nil {
		return bankfeed.Survey{}, err
	}
	defer f.Close()
	sv, err := bankfeed.SurveyZengin(s.name, f, s.opts, s.payers)
	s.sha = sv.SHA256
	return sv, err
}

// scan reads the file again. Cancellations and reversals are looked up in the database
// (store.OriginalCredit), this file's earlier transfers included, instead of by record
// number within the file: the Scanner does not link them.
func (s *fileSource) scan(each func(bankfeed.Txn) error) error {
	f, err := inbox.Open(s.path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, sha, _, err := bankfeed.ScanZengin(s.name, f, s.opts, s.payers, 0, func(t bankfeed.Txn) error {
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

func (s *fileSource) content(sv bankfeed.Survey) evidenceContent {
	return evidenceContent{path: s.path, sha: sv.SHA256, size: sv.Size}
}

// openBankSource returns the source of the bank file at path: streamed when it is a
// Zengin file above streamAbove, else read whole.
func openBankSource(path, name string, o bankfeed.ParseOptions, norm *bankfeed.Normalizer) (bankSource, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > streamAbove {
		f, err := inbox.Open(path)
		if err != nil {
			return nil, err
		}
		head := make([]byte, bankfeed.RecordLen)
		k, _ := io.ReadFull(f, head)
		f.Close()
		if format, err := bankfeed.Detect(name, head[:k], o); err == nil && strings.HasPrefix(format, "zengin") {
			return &fileSource{name: name, path: path, opts: o, payers: bankfeed.NewPayerCache(norm)}, nil
		}
	}
	data, err := inbox.Read(path)
	if err != nil {
		return nil, err
	}
	return &memSource{name: name, data: data, opts: o}, nil
}
