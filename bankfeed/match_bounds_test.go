package bankfeed

import (
	"cmp"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestRuneSignatureBound: the signature bound that lets similar skip a name is never
// below the bag bound it stands in front of, so skipping on it changes no score.
func TestRuneSignatureBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("アイウエオカキクケコサシスセソタチツテトガギグゲゴンー商事株ABC012")
	name := func() []rune {
		rs := make([]rune, rng.IntN(14))
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return rs
	}
	for range 20_000 {
		a, b := name(), name()
		sa, da := runeSignature(a)
		sb, db := runeSignature(b)
		ba, bb := slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
		longer := max(len(a), len(b))
		if longer == 0 {
			continue
		}
		bound := 1000 * min(bits.OnesCount64(sa&sb)+min(da, db), len(a), len(b)) / longer
		if got := bagBound(ba, bb); bound < got {
			t.Fatalf("%q, %q: signature bound %d below bag bound %d", string(a), string(b), bound, got)
		}
		if s := similarityRunes(a, b); s > bagBound(ba, bb) {
			t.Fatalf("%q, %q: similarity %d above bag bound %d", string(a), string(b), s, bagBound(ba, bb))
		}
	}
}

// TestRefNumberOrder: where Match compares 照会番号 as numbers, they order as the
// strings do; where they cannot (lengths differ, letters), sameLengthDigits says so.
func TestRefNumberOrder(t *testing.T) {
	for _, tc := range []struct {
		refs []string
		n    int
	}{
		{[]string{"000120", "000003", "", "999999", "000120", "100000"}, 6},
		{[]string{"", ""}, 0},
		{[]string{"10", "9"}, 0},
		{[]string{"00012A", "000120"}, 0},
		{[]string{"1234567890123456789", "1234567890123456788"}, 0},
	} {
		id := func(s string) string { return s }
		if got := sameLengthDigits(tc.refs, id); got != tc.n {
			t.Errorf("sameLengthDigits(%q) = %d, want %d", tc.refs, got, tc.n)
		}
		if tc.n == 0 {
			continue
		}
		byKey := slices.SortedFunc(slices.Values(tc.refs), func(a, b string) int {
			return cmp.Or(cmp.Compare(refNumber(a), refNumber(b)), strings.Compare(a, b))
		})
		if want := slices.Sorted(slices.Values(tc.refs)); !slices.Equal(byKey, want) {
			t.Errorf("%q by number: %q, as strings: %q", tc.refs, byKey, want)
		}
	}
}
