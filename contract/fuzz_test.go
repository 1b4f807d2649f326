package contract

import (
	"errors"
	"testing"
)

func FuzzParseYearMonth(f *testing.F) {
	for _, s := range []string{"2026-06", "2026/6", "2026年6月", "", "2026-13", "９９９９-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ym, err := ParseYearMonth(s)
		if err != nil {
			if !errors.Is(err, ErrBadYearMonth) {
				t.Fatalf("%q: error %v does not wrap ErrBadYearMonth", s, err)
			}
			return
		}
		if !ym.Valid() {
			t.Fatalf("%q: accepted invalid %v", s, ym)
		}
		again, err := ParseYearMonth(ym.String())
		if err != nil || again != ym {
			t.Fatalf("%q: %v does not round-trip: %v %v", s, ym, again, err)
		}
	})
}
