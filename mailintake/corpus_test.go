package mailintake

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var showMisses = flag.Bool("corpus.misses", false, "list every misread of the tuning half of the corpus (never of the held-out half)")

// corpusPlans are the plan names of the corpus's reseller: the Products of Extract.
var corpusPlans = []string{
	"Microsoft 365 Business Basic", "Microsoft 365 Business Standard", "Microsoft 365 Business Premium",
	"Microsoft 365 Apps for business", "Microsoft 365 E3", "Microsoft 365 E5", "Office 365 E1", "Office 365 E3",
	"Exchange Online (Plan 1)", "Exchange Online (Plan 2)", "Microsoft Teams Essentials", "Power BI Pro",
	"Visio Plan 2", "Project Plan 3", "Azure",
}

// corpusFields are the fields scored, with the precision and recall each must reach.
var corpusFields = []struct {
	name string
	min  float64
}{{"contract", 0.98}, {"kind", 0.98}, {"seats", 0.98}, {"contractor", 0.95}, {"product", 0.95}}

// fieldScore counts, for one field, the values the extractor gave (predicted), the
// values the corpus holds (actual) and those that agree (correct).
type fieldScore struct{ predicted, actual, correct int }

func (s fieldScore) precision() float64 { return ratio(s.correct, s.predicted) }
func (s fieldScore) recall() float64    { return ratio(s.correct, s.actual) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// gotFields is a request as the corpus compares it.
func gotFields(r Request) corpusExpect {
	g := corpusExpect{Contract: r.Contract, Kind: string(r.Kind), Contractor: r.Contractor, Product: r.Product}
	switch {
	case r.SeatsAfter != nil:
		g.Seats = fmt.Sprintf("after=%d", *r.SeatsAfter)
	case r.SeatsRemoved != nil:
		g.Seats = fmt.Sprintf("removed=%d", *r.SeatsRemoved)
	}
	return g
}

func (e corpusExpect) field(name string) string {
	switch name {
	case "contract":
		return e.Contract
	case "kind":
		return e.Kind
	case "seats":
		return e.Seats
	case "contractor":
		return e.Contractor
	}
	return e.Product
}

// sameValue compares one field: names by NormalizeName, products by NormalizeProduct
// (a shortened product counts when it names exactly the expected plan: "Business
// Standard"), the rest exactly.
func sameValue(field, got, want string) bool {
	switch field {
	case "contractor":
		g := NormalizeName(got)
		return g != "" && g == NormalizeName(want)
	case "product":
		g, w := NormalizeProduct(got), NormalizeProduct(want)
		if g == "" {
			return false
		}
		if g == w {
			return true
		}
		n := 0
		for _, p := range corpusPlans {
			if strings.Contains(NormalizeProduct(p), g) {
				n++
			}
		}
		return len(g) >= 4 && n == 1 && strings.Contains(w, g)
	}
	return got == want
}

// scoreMessage pairs the requests read with those expected by contract number and
// adds them to the scores; it returns the disagreements as text.
func scoreMessage(scores map[string]*fieldScore, want []corpusExpect, got []Request) []string {
	var misses []string
	used := make([]bool, len(got))
	pairs := make([][2]*corpusExpect, 0, len(want)+len(got))
	for i := range want {
		var g *corpusExpect
		for j := range got {
			if !used[j] && got[j].Contract == want[i].Contract {
				used[j] = true
				gf := gotFields(got[j])
				g = &gf
				break
			}
		}
		pairs = append(pairs, [2]*corpusExpect{&want[i], g})
	}
	for j := range got {
		if !used[j] {
			gf := gotFields(got[j])
			pairs = append(pairs, [2]*corpusExpect{nil, &gf})
		}
	}
	for _, p := range pairs {
		for _, f := range corpusFields {
			var w, g string
			if p[0] != nil {
				w = p[0].field(f.name)
			}
			if p[1] != nil {
				g = p[1].field(f.name)
			}
			s := scores[f.name]
			if w != "" {
				s.actual++
			}
			if g != "" {
				s.predicted++
			}
			if w != "" && g != "" && sameValue(f.name, g, w) {
				s.correct++
			} else if w != "" || g != "" {
				misses = append(misses, fmt.Sprintf("%s: got %q, want %q", f.name, g, w))
			}
		}
	}
	return misses
}

// scoreCorpus parses and extracts every message of dir and scores the fields.
func scoreCorpus(t *testing.T, dir string) (scores map[string]*fieldScore, messages, requests int, misses map[string][]string) {
	b, err := os.ReadFile(filepath.Join(dir, "expect.json"))
	if err != nil {
		t.Fatal(err)
	}
	var entries []corpusEntry
	if err := json.Unmarshal(b, &entries); err != nil {
		t.Fatal(err)
	}
	scores = map[string]*fieldScore{}
	for _, f := range corpusFields {
		scores[f.name] = &fieldScore{}
	}
	misses = map[string][]string{}
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, e.File))
		if err != nil {
			t.Fatal(err)
		}
		requests += len(e.Requests)
		var got []Request
		m, err := Parse(raw)
		if err != nil {
			misses[e.File] = append(misses[e.File], "parse: "+err.Error())
		} else {
			got = Extract(m, ExtractOptions{Products: corpusPlans})
		}
		if ms := scoreMessage(scores, e.Requests, got); len(ms) > 0 {
			misses[e.File] = append(misses[e.File], ms...)
		}
	}
	return scores, len(entries), requests, misses
}

// TestCorpus reads the extraction corpus (testdata/corpus: requests written as
// customers write them) and prints the precision and recall of each field for the
// tuning half and the held-out half; each half must reach 98% for the contract number,
// the kind and the seats, 95% for the contractor and the product. Misreads are listed
// for the tuning half only (with -corpus.misses), so that the held-out half stays a
// fair test.
func TestCorpus(t *testing.T) {
	for _, dir := range corpusDirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			scores, messages, requests, misses := scoreCorpus(t, dir)
			var tbl strings.Builder
			fmt.Fprintf(&tbl, "%s: %d messages, %d requests\n%-11s %9s %9s\n", filepath.Base(dir), messages, requests, "field", "precision", "recall")
			for _, f := range corpusFields {
				s := scores[f.name]
				fmt.Fprintf(&tbl, "%-11s %8.1f%% %8.1f%%   (%d correct of %d read, %d expected)\n", f.name, 100*s.precision(), 100*s.recall(), s.correct, s.predicted, s.actual)
				if s.precision() < f.min || s.recall() < f.min {
					t.Errorf("%s precision %.1f%% recall %.1f%%, want at least %.0f%%", f.name, 100*s.precision(), 100*s.recall(), 100*f.min)
				}
			}
			t.Log("\n" + tbl.String())
			if *showMisses && strings.HasSuffix(dir, "tune") {
				files := make([]string, 0, len(misses))
				for f := range misses {
					files = append(files, f)
				}
				slices.Sort(files)
				for _, f := range files {
					t.Logf("%s:\n  %s", f, strings.Join(misses[f], "\n  "))
				}
			}
		})
	}
}
