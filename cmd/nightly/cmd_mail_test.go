package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/store"
)

// `nightly mail parse` on every fixture: the keys, exactly, one object per
// request, with the values the parser's golden files record; a malformed message is a
// clear error and exit 1, never a crash.
func TestMailParseEveryFixture(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "mailintake", "testdata", "*.eml"))
	if err != nil || len(files) < 15 {
		t.Fatalf("fixtures: %v %v", files, err)
	}
	keys := []string{"body", "contract", "contractor", "decoded_as", "from", "kind", "label_lied", "message_id", "missing", "product", "received",
		"requested_term", "seats_after", "seats_removed", "subject", "text"}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".eml")
		t.Run(name, func(t *testing.T) {
			gb, err := os.ReadFile(filepath.Join("..", "..", "mailintake", "testdata", "golden", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var golden struct {
				Error string `json:"error"`
				Mail  struct {
					MessageID string `json:"message_id"`
					From      string `json:"from"`
					Subject   string `json:"subject"`
					Text      string `json:"text"`
					DecodedAs string `json:"decoded_as"`
					LabelLied bool   `json:"label_lied"`
				} `json:"mail"`
				Requests []map[string]any `json:"requests"`
			}
			if err := json.Unmarshal(gb, &golden); err != nil {
				t.Fatal(err)
			}
			code, out, errs := runCmd(t, "mail", "parse", f)
			if golden.Error != "" {
				if code != exitFailure || out != "" || !strings.Contains(errs, filepath.Base(f)) || !strings.Contains(errs, "malformed") {
					t.Errorf("malformed %s: exit %d, stdout %q, stderr %q", name, code, out, errs)
				}
				return
			}
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(lines) != len(golden.Requests) {
				t.Fatalf("%d lines, want %d requests", len(lines), len(golden.Requests))
			}
			for i, l := range lines {
				var obj map[string]any
				if err := json.Unmarshal([]byte(l), &obj); err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
				var got []string
				for k := range obj {
					got = append(got, k)
				}
				slices.Sort(got)
				if !reflect.DeepEqual(got, keys) {
					t.Errorf("keys %v, want %v", got, keys)
				}
				if obj["message_id"] != golden.Mail.MessageID || obj["from"] != golden.Mail.From || obj["subject"] != golden.Mail.Subject || obj["text"] != golden.Mail.Text ||
					obj["decoded_as"] != golden.Mail.DecodedAs || obj["label_lied"] != golden.Mail.LabelLied {
					t.Errorf("line %d headers/text/charset differ from the golden file", i+1)
				}
				for _, k := range []string{"contract", "contractor", "product", "seats_after", "seats_removed", "kind", "requested_term", "missing"} {
					want := golden.Requests[i][k]
					if want == nil && k == "missing" {
						want = []any{}
					}
					if !reflect.DeepEqual(obj[k], want) {
						t.Errorf("line %d %s = %v, want %v", i+1, k, obj[k], want)
					}
				}
			}
		})
	}
}

// `nightly mail parse` says which charset a message was read in and that its label
// lied: Shift_JIS bytes under a UTF-8 label, UTF-8 bytes under ISO-2022-JP.
func TestMailParseCharsetLie(t *testing.T) {
	for file, want := range map[string]string{"d05_utf8_label_sjis_bytes.eml": "shift_jis", "d06_jis_label_utf8_bytes.eml": "utf-8"} {
		code, out, errs := runCmd(t, "mail", "parse", filepath.Join("..", "..", "mailintake", "testdata", "decode", file))
		var obj map[string]any
		if code != exitOK || json.Unmarshal([]byte(out), &obj) != nil {
			t.Fatalf("%s: exit %d %s %s", file, code, out, errs)
		}
		if obj["decoded_as"] != want || obj["label_lied"] != true || obj["contract"] != "NP-0001234" || obj["kind"] != "cancellation" {
			t.Errorf("%s: %v", file, obj)
		}
	}
}

func TestMailParseUsage(t *testing.T) {
	if code, _, _ := runCmd(t, "mail", "parse"); code != exitUsage {
		t.Errorf("mail parse without a file: exit %d", code)
	}
	if code, _, errs := runCmd(t, "mail", "parse", filepath.Join(t.TempDir(), "none.eml")); code != exitFailure || !strings.Contains(errs, "none.eml") {
		t.Errorf("missing file: exit %d, %q", code, errs)
	}
}

// `nightly requests list` and `decide`: staff see the requests and reject one with why.
func TestRequestsCommand(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "nightly.db")
	common := []string{"--db", dsn, "--out", filepath.Join(dir, "out")}
	if code, _, errs := runCmd(t, append([]string{"migrate"}, common...)...); code != exitOK {
		t.Fatalf("migrate: %s", errs)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	day := calendar.MustParse("2026-11-24")
	sha := strings.Repeat("ab", 32)
	if _, err := store.InsertMailMessage(ctx, db, store.MailMessage{SHA256: sha, Folder: "env", ReceivedAt: now, Sender: "山田 <y@example.jp>",
		Status: store.MailRecorded, RunDate: day, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	id, _, err := store.InsertRequest(ctx, db, store.Request{MessageSHA256: sha, ContractNo: "NP-0001234", Kind: "reduction",
		Status: "incomplete", Outcome: "incomplete", Missing: "seats", ReceivedAt: now, ReplyBy: calendar.MustParse("2026-11-24"), RunDate: day, CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out, errs := runCmd(t, append([]string{"requests", "list", "--json"}, common...)...)
	var obj map[string]any
	if code != exitOK || json.Unmarshal([]byte(out), &obj) != nil || obj["status"] != "incomplete" || obj["sender"] != "山田 <y@example.jp>" {
		t.Fatalf("list: exit %d %q %s", code, out, errs)
	}
	ids := strconv.FormatInt(id, 10)
	if code, _, errs := runCmd(t, append([]string{"requests", "decide", ids, "reject"}, common...)...); code != exitFailure || !strings.Contains(errs, "--why") {
		t.Errorf("decide without --why: exit %d %s", code, errs)
	}
	if code, out, errs := runCmd(t, append([]string{"requests", "decide", ids, "reject", "--why", "お客様が取り下げ"}, common...)...); code != exitOK || !strings.Contains(out, "rejected") {
		t.Errorf("decide: exit %d %q %s", code, out, errs)
	}
	if code, out, _ := runCmd(t, append([]string{"requests", "list", "--status", "rejected"}, common...)...); code != exitOK || !strings.Contains(out, "NP-0001234") || !strings.Contains(out, "却下") {
		t.Errorf("list --status rejected: %q", out)
	}
	if code, _, _ := runCmd(t, append([]string{"requests", "decide", "x", "accept", "--why", "w"}, common...)...); code != exitFailure {
		t.Errorf("decide with a bad id: exit %d", code)
	}
}
