package evidence

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/npress/nightly/calendar"
)

func bankEntry() Entry {
	return Entry{
		Kind:         KindBankFile,
		Source:       "zengin/20261124-0001.txt",
		ReceivedAt:   time.Date(2026, 11, 24, 6, 30, 15, 0, calendar.Tokyo),
		Size:         1234,
		SHA256:       "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Date:         calendar.New(2026, 11, 24),
		Amount:       110000,
		HasAmount:    true,
		Counterparty: "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ",
	}
}

func mailEntry() Entry {
	return Entry{
		Kind:         KindMail,
		Source:       "INBOX:4711",
		ReceivedAt:   time.Date(2026, 11, 24, 0, 5, 0, 0, time.UTC),
		Size:         20480,
		SHA256:       "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752",
		Date:         calendar.New(2026, 11, 24),
		Counterparty: "山田商事株式会社 総務部",
	}
}

// TestCanonicalV1IsFrozen pins the v1 encoding and its hashes. These values are in
// ledgers that must verify for 7 years: if this test fails, the change is wrong, not
// the test. (doc.go shows the first example; `sha256sum` on these bytes gives the hash.)
func TestCanonicalV1IsFrozen(t *testing.T) {
	e1 := Next(Entry{}, bankEntry())
	want1 := "nightly evidence ledger v1\n" +
		"seq=1:1\n" +
		"kind=9:bank_file\n" +
		"source=24:zengin/20261124-0001.txt\n" +
		"received_at=20:2026-11-23T21:30:15Z\n" +
		"size=4:1234\n" +
		"sha256=64:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n" +
		"date=10:2026-11-24\n" +
		"amount=6:110000\n" +
		"counterparty=31:ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ\n" +
		"prev_hash=64:0000000000000000000000000000000000000000000000000000000000000000\n"
	if got := string(Canonical(e1)); got != want1 {
		t.Errorf("Canonical(row 1) =\n%s\nwant\n%s", got, want1)
	}
	if e1.Hash != "43786b83b18bc4dc2e8bf675cd843fc1a7ca02b2bf7d0df75c6ee85a9beb5ee8" {
		t.Errorf("row 1 hash = %s", e1.Hash)
	}

	e2 := Next(e1, mailEntry())
	want2 := "nightly evidence ledger v1\n" +
		"seq=1:2\n" +
		"kind=4:mail\n" +
		"source=10:INBOX:4711\n" +
		"received_at=20:2026-11-24T00:05:00Z\n" +
		"size=5:20480\n" +
		"sha256=64:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752\n" +
		"date=10:2026-11-24\n" +
		"amount=0:\n" +
		"counterparty=34:山田商事株式会社 総務部\n" +
		"prev_hash=64:43786b83b18bc4dc2e8bf675cd843fc1a7ca02b2bf7d0df75c6ee85a9beb5ee8\n"
	if got := string(Canonical(e2)); got != want2 {
		t.Errorf("Canonical(row 2) =\n%s\nwant\n%s", got, want2)
	}
	if e2.Hash != "bad478deda6cf498507fd914d0340c7591c889625469a3e31324840fc009414a" {
		t.Errorf("row 2 hash = %s", e2.Hash)
	}
}

func TestRowHashCoversEveryField(t *testing.T) {
	base := Next(Next(Entry{}, mailEntry()), bankEntry())
	changes := []struct {
		field string
		f     func(*Entry)
	}{
		{"Seq", func(e *Entry) { e.Seq++ }},
		{"Kind", func(e *Entry) { e.Kind = KindOrderFile }},
		{"Source", func(e *Entry) { e.Source += " " }},
		{"ReceivedAt", func(e *Entry) { e.ReceivedAt = e.ReceivedAt.Add(time.Second) }},
		{"Size", func(e *Entry) { e.Size++ }},
		{"SHA256", func(e *Entry) { e.SHA256 = strings.Repeat("a", 64) }},
		{"Date", func(e *Entry) { e.Date = e.Date.AddDays(1) }},
		{"Date removed", func(e *Entry) { e.Date = calendar.Date{} }},
		{"Amount", func(e *Entry) { e.Amount = 110001 }},
		{"Amount to zero", func(e *Entry) { e.Amount = 0 }},
		{"HasAmount", func(e *Entry) { e.HasAmount = false; e.Amount = 0 }},
		{"Counterparty", func(e *Entry) { e.Counterparty = "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ " }},
		{"PrevHash", func(e *Entry) { e.PrevHash = Genesis }},
	}
	for _, c := range changes {
		e := base
		c.f(&e)
		if RowHash(e) == base.Hash {
			t.Errorf("changing %s does not change the row hash", c.field)
		}
	}
	if RowHash(base) != base.Hash {
		t.Error("RowHash is not deterministic")
	}
	// The instant counts, not the zone it is written in.
	e := base
	e.ReceivedAt = e.ReceivedAt.In(calendar.Tokyo)
	if RowHash(e) != base.Hash {
		t.Error("the same instant in another zone hashes differently")
	}
}

func TestCanonicalIsUnambiguous(t *testing.T) {
	// Bytes moved from one field to the next must change the hash.
	a := mailEntry()
	a.Source, a.Counterparty = "INBOX:47", "11"
	b := mailEntry()
	b.Source, b.Counterparty = "INBOX:4", "711"
	if RowHash(a) == RowHash(b) {
		t.Error("moving bytes between source and counterparty keeps the hash")
	}
	// A value cannot impersonate the following fields.
	c := mailEntry()
	c.Source = "x\nsize=5:20480"
	d := mailEntry()
	d.Source = "x"
	if RowHash(c) == RowHash(d) {
		t.Error("a newline in a value forges a field")
	}
	// Zero amount and no amount differ.
	e := bankEntry()
	e.Amount, e.HasAmount = 0, true
	f := bankEntry()
	f.Amount, f.HasAmount = 0, false
	if RowHash(e) == RowHash(f) {
		t.Error("amount 0 and no amount hash the same")
	}
}

func TestNext(t *testing.T) {
	in := mailEntry()
	in.ReceivedAt = time.Date(2026, 11, 24, 9, 5, 0, 999_999_999, calendar.Tokyo)
	in.Amount = 77 // without HasAmount: not kept
	in.Seq, in.PrevHash, in.Hash = 99, "junk", "junk"
	first := Next(Entry{}, in)
	if first.Seq != 1 || first.PrevHash != Genesis {
		t.Errorf("first row: seq %d prev %q; want 1 and Genesis", first.Seq, first.PrevHash)
	}
	if want := time.Date(2026, 11, 24, 0, 5, 0, 0, time.UTC); !first.ReceivedAt.Equal(want) || first.ReceivedAt.Location() != time.UTC {
		t.Errorf("ReceivedAt = %v, want %v (UTC, whole seconds)", first.ReceivedAt, want)
	}
	if first.Amount != 0 {
		t.Errorf("Amount without HasAmount = %d, want 0", first.Amount)
	}
	if first.Hash != RowHash(first) {
		t.Error("Hash is not RowHash of the row")
	}
	second := Next(first, bankEntry())
	if second.Seq != 2 || second.PrevHash != first.Hash {
		t.Errorf("second row: seq %d prev %s; want 2 and %s", second.Seq, second.PrevHash, first.Hash)
	}

	long := mailEntry()
	long.Source = strings.Repeat("件", 400)
	long.Counterparty = "株式会社\xff\xfe" + strings.Repeat("あ", 300)
	got := Next(Entry{}, long)
	if n := utf8.RuneCountInString(got.Source); n != MaxSourceLen {
		t.Errorf("Source cut to %d characters, want %d", n, MaxSourceLen)
	}
	if n := utf8.RuneCountInString(got.Counterparty); n != MaxCounterpartyLen || !utf8.ValidString(got.Counterparty) {
		t.Errorf("Counterparty: %d characters, valid UTF-8 %v; want %d, true", n, utf8.ValidString(got.Counterparty), MaxCounterpartyLen)
	}
	if !strings.HasPrefix(got.Counterparty, "株式会社\uFFFDあ") {
		t.Errorf("invalid bytes not replaced: %q", got.Counterparty[:20])
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		f    func(*Entry)
		want string // part of the error; "" for none
	}{
		{"good", func(*Entry) {}, ""},
		{"unknown kind", func(e *Entry) { e.Kind = "fax" }, `kind "fax"`},
		{"no source", func(e *Entry) { e.Source = "" }, "source is empty"},
		{"no time", func(e *Entry) { e.ReceivedAt = time.Time{} }, "received time"},
		{"negative size", func(e *Entry) { e.Size = -1 }, "size -1"},
		{"upper-case sha", func(e *Entry) { e.SHA256 = strings.ToUpper(e.SHA256) }, "sha256"},
		{"short sha", func(e *Entry) { e.SHA256 = "abc" }, "sha256"},
	}
	for _, tt := range tests {
		e := bankEntry()
		tt.f(&e)
		err := e.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: err = %v, want it to mention %q", tt.name, err, tt.want)
		}
	}
}
