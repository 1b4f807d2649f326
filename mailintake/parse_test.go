package mailintake

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden/")

// goldenOptions are the extraction options of the golden tests: the plan names the
// demo's plan master knows.
var goldenOptions = ExtractOptions{Products: []string{"Microsoft 365 Business Standard", "Microsoft 365 Business Basic",
	"Microsoft 365 Business Premium", "Microsoft 365 E3", "Microsoft 365 E5", "Microsoft 365 Apps for business",
	"Exchange Online (Plan 1)", "Azure"}}

// TestGolden parses every fixture and extracts its requests, and compares both with
// testdata/golden/<fixture>.json (go test -run TestGolden -update rewrites them).
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil || len(files) < 17 {
		t.Fatalf("fixtures: %v (%d files)", err, len(files))
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			type result struct {
				Error    string    `json:"error,omitempty"`
				Mail     *Mail     `json:"mail,omitempty"`
				Requests []Request `json:"requests,omitempty"`
			}
			var res result
			m, err := Parse(raw)
			if err != nil {
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("error %v does not match ErrMalformed", err)
				}
				res.Error = err.Error()
			} else {
				res.Mail = m
				res.Requests = Extract(m, goldenOptions)
			}
			got, err := json.MarshalIndent(res, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			gf := filepath.Join("testdata", "golden", strings.TrimSuffix(name, ".eml")+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(gf), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(gf, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(gf)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s; got:\n%s", name, gf, got)
			}
		})
	}
}
