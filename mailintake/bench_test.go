package mailintake

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParseExtract parses and extracts every fixture that is a readable message.
func BenchmarkParseExtract(b *testing.B) {
	files, _ := filepath.Glob("testdata/*.eml")
	var raws [][]byte
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		if _, err := Parse(raw); err == nil {
			raws = append(raws, raw)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		raw := raws[i%len(raws)]
		m, err := Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		Extract(m, goldenOptions)
	}
}
