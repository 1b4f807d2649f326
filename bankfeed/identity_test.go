package bankfeed

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/npress/nightly/calendar"
)

// A key longer than the column keeps a valid UTF-8 start and the hash of the whole:
// never cut in the middle of a character, and two payers that differ only at their
// end keep different keys (issue 13, finding 2).
func TestKeyFitsTheColumn(t *testing.T) {
	day := calendar.MustParse("2026-11-24")
	long := strings.Repeat("ｱ", 200) // 3 bytes a character
	a := Key(Txn{ValueDate: day, Amount: 1000, PayerNormalized: long + "1", Kind: Credit})
	b := Key(Txn{ValueDate: day, Amount: 1000, PayerNormalized: long + "2", Kind: Credit})
	for _, k := range []string{a, b} {
		if len(k) > MaxKeyLen || !utf8.ValidString(k) {
			t.Errorf("key of %d bytes, valid UTF-8 %v", len(k), utf8.ValidString(k))
		}
	}
	if a == b {
		t.Error("two payers that differ at their end got one key")
	}
	short := Key(Txn{ValueDate: day, Amount: 1000, PayerNormalized: "ｱｵﾊﾞ", Kind: Credit})
	if short != "C|2026-11-24|1000|ｱｵﾊﾞ" {
		t.Errorf("a short key changed: %q", short)
	}
	if got := Key(Txn{ValueDate: day, RefNo: "000123", Kind: Credit, Cancelled: true}); got != "X|2026-11-24|ref:000123" {
		t.Errorf("a cancellation's key: %q", got)
	}
}
