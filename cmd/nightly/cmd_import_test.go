package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb, func(string) string { return "" })
	return code, out.String(), errb.String()
}

// `nightly import plans FILE --json` prints the object and exits 0 for a good
// file, 1 with every bad row named for a bad one; export writes what import reads back.
func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "nightly.db")
	common := []string{"--db", db, "--out", filepath.Join(dir, "out")}
	if code, _, errs := runCmd(t, append([]string{"migrate"}, common...)...); code != exitOK {
		t.Fatalf("migrate: exit %d: %s", code, errs)
	}
	plans := filepath.Join("..", "..", "examples", "plans.csv")
	code, out, errs := runCmd(t, append([]string{"import", "plans", plans, "--json"}, common...)...)
	if code != exitOK {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	var res struct {
		File      string            `json:"file"`
		Kind      string            `json:"kind"`
		Rows      int               `json:"rows"`
		Created   int               `json:"created"`
		Updated   int               `json:"updated"`
		Unchanged int               `json:"unchanged"`
		Errors    []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("import --json printed %q: %v", out, err)
	}
	if res.File != plans || res.Kind != "plans" || res.Rows == 0 || res.Created != res.Rows || res.Errors == nil || len(res.Errors) != 0 {
		t.Errorf("import --json: %+v", res)
	}

	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("plan_code,name,kind,unit_price,valid_from,valid_to\nX1,Basic,lease,9000,2026-02-30,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCmd(t, append([]string{"import", "plans", bad, "--json"}, common...)...)
	if code != exitFailure || !strings.Contains(out, `"line":2,"column":"kind"`) || !strings.Contains(out, `"column":"valid_from"`) {
		t.Errorf("bad file: exit %d, %s", code, out)
	}

	exported := filepath.Join(dir, "plans-sjis.csv")
	if code, _, errs := runCmd(t, append([]string{"export", "plans", "--encoding", "sjis", "--file", exported}, common...)...); code != exitOK {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	code, out, errs = runCmd(t, append([]string{"import", "plans", exported}, common...)...)
	if code != exitOK || !strings.Contains(out, "0 created, 0 updated") {
		t.Errorf("re-import of export: exit %d: %s %s", code, out, errs)
	}
}
