package mailintake

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestDirSource(t *testing.T) {
	dir := t.TempDir()
	cutoff := time.Date(2026, 11, 24, 0, 0, 0, 0, time.FixedZone("JST", 9*3600))
	files := []struct {
		name string
		at   time.Time
	}{{"b.eml", cutoff.Add(-2 * time.Hour)}, {"a.eml", cutoff.Add(-time.Second)}, {"c.eml", cutoff}, {"notes.txt", cutoff.Add(-time.Hour)}}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, fixtureBytes(t, "02_prose_iso2022jp.eml"), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, f.at, f.at)
	}
	ctx := context.Background()
	src := NewDirSource(dir, DirOptions{})
	st, err := src.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.UIDValidity != 0 || st.Messages != 3 {
		t.Fatalf("state %+v", st)
	}
	var c collected
	res, err := src.Fetch(ctx, 0, cutoff, c.add)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(c.uids()) != "[1 2]" || src.FileName(1) != "b.eml" || fmt.Sprint(res.Skipped) != "[3]" || res.Mark != 0 {
		t.Fatalf("uids %v (%s), %+v", c.uids(), src.FileName(1), res)
	}
	if !c.msgs[0].InternalDate.Equal(cutoff.Add(-2 * time.Hour)) {
		t.Errorf("received %v, want the modification time", c.msgs[0].InternalDate)
	}
	if err := src.MarkProcessed(ctx, c.uids()); err != nil {
		t.Fatal(err)
	}
	left, _ := src.List(ctx)
	if len(left) != 1 || src.FileName(left[0].UID) != "c.eml" || left[0].MessageID != "02_prose_iso2022jp@mail.example.co.jp" {
		t.Errorf("left %+v", left)
	}
	for _, n := range []string{"a.eml", "b.eml"} {
		if _, err := os.Stat(filepath.Join(dir, "processed", n)); err != nil {
			t.Errorf("%s not moved: %v", n, err)
		}
	}
	if err := src.MarkProcessed(ctx, c.uids()); err != nil {
		t.Errorf("second move: %v", err)
	}
	src.Close()
	// Next night: only the file left is there; the processed folder is not read.
	src = NewDirSource(dir, DirOptions{})
	if st, _ := src.Open(ctx); st.Messages != 1 {
		t.Errorf("next night sees %d files", st.Messages)
	}
}

func TestDirReceivedHeader(t *testing.T) {
	dir := t.TempDir()
	raw := "Received: from mx.example.jp by imap.npress.jp; Mon, 1 Mar 2027 23:59:59 +0900\r\nReceived: from a by b; Mon, 1 Mar 2027 20:00:00 +0900\r\nFrom: a@example.jp\r\nSubject: x\r\n\r\nbody\r\n"
	os.WriteFile(filepath.Join(dir, "m.eml"), []byte(raw), 0o644)
	src := NewDirSource(dir, DirOptions{Received: ReceivedHeader})
	if _, err := src.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	var c collected
	src.Fetch(context.Background(), 0, time.Time{}, c.add)
	want := time.Date(2027, 3, 1, 23, 59, 59, 0, time.FixedZone("", 9*3600))
	if len(c.msgs) != 1 || !c.msgs[0].InternalDate.Equal(want) {
		t.Errorf("received %v, want %v", c.msgs, want)
	}
}
