package bankfeed

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// renderResult writes every field of r that Match decides, in a fixed layout, so that
// two runs give equal bytes exactly when they give equal results.
func renderResult(w io.Writer, r Result) {
	fmt.Fprintf(w, "%d|%+v|rule=%d %s by=%s comb=%t fee=%d learned=%t refund=%d exc=%s review=%t cust=%s note=%q\n",
		r.Index, r.Txn, r.Rule, r.RuleName, r.By, r.Combined, r.Fee, r.FeeLearned, r.Refund, r.Exception, r.Review, r.CustomerNo, r.Note)
	for _, a := range r.Applied {
		fmt.Fprintf(w, "  applied %s %d\n", a.Invoice, a.Amount)
	}
	for _, s := range r.Suggestions {
		fmt.Fprintf(w, "  suggest %s cust=%s amount=%d fee=%d score=%d %s\n", strings.Join(s.Invoices, ","), s.CustomerNo, s.Amount, s.Fee, s.Score, s.Reason)
	}
}

// digestInputs are the generated books whose results the digest pins: the benchmark's
// fixture at 100,000 and 20,000 invoices, and the latter with learned aliases, learned fees and a
// lower similarity threshold, so that every rule and exception occurs.
func digestInputs() []struct {
	name string
	in   MatchInput
} {
	plain := matchFixture(20_000)
	rich := matchFixture(20_000)
	rich.LearnedFees = map[string]int64{}
	for k := range 10_000 {
		cust := fmt.Sprintf("%06d", 100000+k)
		if k%17 == 0 {
			rich.Aliases = append(rich.Aliases, Alias{Name: Normalize(bankStyle(kanaName(k + 20_000))), CustomerNo: cust})
		}
		if k%20 == 14 && k%40 != 14 {
			rich.LearnedFees[cust] = 440
		}
	}
	rich.SimilarityThreshold = 0.7
	return []struct {
		name string
		in   MatchInput
	}{{"fixture-100k", matchFixture(100_000)}, {"fixture-20k", plain}, {"fixture-20k-aliases-fees-0.7", rich}}
}

// TestMatchDigest pins Match's results on the generated books: a digest of every
// Result (rule, booked invoices and amounts, fee, refund, exception, note, suggestions
// in order) and the count of each outcome. A change to the matcher that is meant to be
// only faster must leave testdata/match_digest.golden as it is; a change of behaviour
// rewrites it with -update, and the counts in the diff show what moved.
func TestMatchDigest(t *testing.T) {
	var got strings.Builder
	for _, c := range digestInputs() {
		res := Match(c.in)
		if len(res) != len(c.in.Txns) {
			t.Fatalf("%s: %d results for %d transfers", c.name, len(res), len(c.in.Txns))
		}
		h := sha256.New()
		counts := map[string]int{}
		for _, r := range res {
			renderResult(h, r)
			counts[fmt.Sprintf("rule=%d %s exception=%s", r.Rule, r.RuleName, r.Exception)]++
		}
		fmt.Fprintf(&got, "%s sha256=%x\n", c.name, h.Sum(nil))
		keys := make([]string, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(&got, "  %6d %s\n", counts[k], k)
		}
		// Match is deterministic: a second run on a fresh copy of the books agrees.
		h2 := sha256.New()
		for _, r := range Match(c.in) {
			renderResult(h2, r)
		}
		if !slices.Equal(h.Sum(nil), h2.Sum(nil)) {
			t.Errorf("%s: two runs of Match on the same books differ", c.name)
		}
	}
	path := filepath.Join("testdata", "match_digest.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bankfeed -run MatchDigest -update)", err)
	}
	if got.String() != string(want) {
		t.Errorf("Match results changed on the generated books:\n got:\n%s\nwant:\n%s", got.String(), want)
	}
}
