package ledger

import (
	"strings"
	"testing"

	"github.com/npress/nightly/accounting"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/config"
)

// The export warns for a fee booked as 売上値引 of ¥10,000 or more (a 返還インボイス is
// needed), for characters Shift_JIS lacks and for a freee file over 5 MB.
func TestExportWarnings(t *testing.T) {
	c := config.Default()
	day := calendar.MustParse("2026-11-20")
	fee := func(yen int64) accounting.Entry {
		return accounting.Entry{ID: "credit:1", Date: day, Lines: []accounting.Line{{Side: accounting.Debit, Account: accounting.Fee, Amount: yen}}}
	}
	entries := []accounting.Entry{fee(9999), fee(10000)}
	ws := exportWarnings(c, JournalOptions{Format: accounting.FormatFreee}, entries, ExportResult{Stats: accounting.Stats{Replaced: 2}}, freeeMaxBytes+1)
	got := strings.Join(ws, "\n")
	for _, want := range []string{"〓", "5 MB", "¥10,000 は 1 万円以上"} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings do not say %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "¥9,999") {
		t.Errorf("a fee under ¥10,000 was warned about:\n%s", got)
	}
	c.Accounting.Fee = "expense"
	if ws := exportWarnings(c, JournalOptions{Format: accounting.FormatYayoi}, entries, ExportResult{}, 10); len(ws) != 0 {
		t.Errorf("fee = expense: %v", ws)
	}
}
