package jobs_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/masterdata"
	"github.com/npress/nightly/masterimport"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

func importFile(t *testing.T, env *jobs.Env, kind masterdata.Kind, name string, data []byte, apply bool) masterimport.Result {
	t.Helper()
	r, err := masterimport.Import(context.Background(), env.DB, masterimport.Input{Kind: kind, Name: name, Data: data, Opts: masterimport.Options{Apply: apply}, Config: env.Config, Who: env.Who, Now: env.Now()})
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return r
}

func importExamples(t *testing.T, env *jobs.Env) map[masterdata.Kind]masterimport.Result {
	t.Helper()
	out := map[masterdata.Kind]masterimport.Result{}
	for _, k := range masterdata.Kinds() {
		data, err := os.ReadFile(filepath.Join("..", "examples", string(k)+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		out[k] = importFile(t, env, k, string(k)+".csv", data, false)
	}
	return out
}

// The examples import into a fresh database in order, all created; a second import
// changes nothing; a changed contract is shown and applied only with Apply, and audited.
func TestImportExamples(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		env := newEnv(t, db, dsn, t.TempDir())
		for k, r := range importExamples(t, env) {
			if len(r.Errors) != 0 || r.Rows == 0 || r.Created != r.Rows || r.Updated != 0 || !r.Applied {
				t.Errorf("%s first import: %+v, want all %d rows created", k, r, r.Rows)
			}
		}
		dump := dumpDB(t, db)
		for k, r := range importExamples(t, env) {
			if len(r.Errors) != 0 || r.Unchanged != r.Rows || r.Created != 0 || r.Updated != 0 {
				t.Errorf("%s second import: %+v, want all unchanged", k, r)
			}
		}
		if d := dumpDB(t, db); d != dump {
			t.Errorf("second import changed the database:\n%s", diffLines(dump, d))
		}

		changed := []byte("contract_no,customer_no,plan_code,seats,unit_price,term_start,auto_renew\r\n" +
			"NP-0000101,100001,M365-BS,30,\"22,488\",2025-06-01,0\r\n")
		r := importFile(t, env, masterdata.Contracts, "changed.csv", changed, false)
		if r.Updated != 1 || r.Applied || len(r.Changes) != 2 {
			t.Fatalf("changed file without apply: %+v, want 1 updated, 2 changes, not applied", r)
		}
		if c, _ := store.GetContract(ctx, db, "NP-0000101"); c.Seats != 25 {
			t.Errorf("not applied, yet seats = %d", c.Seats)
		}
		r = importFile(t, env, masterdata.Contracts, "changed.csv", changed, true)
		if r.Updated != 1 || !r.Applied {
			t.Fatalf("changed file with apply: %+v", r)
		}
		c, _ := store.GetContract(ctx, db, "NP-0000101")
		if c.Seats != 30 || c.AutoRenew || c.Status != store.StatusActive {
			t.Errorf("applied contract: %+v", c)
		}
		audit, err := store.AuditOf(ctx, db, "NP-0000101")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]store.AuditEntry{}
		for _, a := range audit {
			got[a.Field] = a
		}
		if a := got["seats"]; a.FromValue != "25" || a.ToValue != "30" || a.Who != "test" || a.Action != "import" || len(a.FileSHA256) != 64 {
			t.Errorf("audit of seats: %+v (all: %+v)", a, audit)
		}
		if _, ok := got["auto_renew"]; !ok {
			t.Errorf("no audit row for auto_renew: %+v", audit)
		}
	})
}

// A file with a bad row stores nothing and names every bad row.
func TestImportBadFileStoresNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		env := newEnv(t, db, dsn, t.TempDir())
		dump := dumpDB(t, db)
		bad := []byte("plan_code,name,kind,unit_price,valid_from,valid_to\n" +
			"M365-BB,Basic,subscription,9000,2026-04-01,\n" +
			"M365-BS,Standard,subscription,9000,2026-02-30,\n" +
			"M365-BP,Premium,lease,9000,2026-04-01,\n")
		r := importFile(t, env, masterdata.Plans, "bad.csv", bad, true)
		if r.Applied || r.Created != 0 {
			t.Errorf("bad file: %+v, want nothing applied", r)
		}
		lines := map[int]string{}
		for _, e := range r.Errors {
			lines[e.Line] = e.Column
		}
		if lines[3] != "valid_from" || lines[4] != "kind" || len(r.Errors) != 2 {
			t.Errorf("errors %+v, want line 3 valid_from and line 4 kind", r.Errors)
		}
		if d := dumpDB(t, db); d != dump {
			t.Errorf("bad file changed the database:\n%s", diffLines(dump, d))
		}
	})
}

// Export then import changes nothing, for CSV in Shift_JIS and UTF-8 and for .xlsx.
func TestExportImportRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		env := newEnv(t, db, dsn, t.TempDir())
		importExamples(t, env)
		dump := dumpDB(t, db)
		for _, o := range []masterdata.WriteOptions{
			{Format: masterdata.CSV, Encoding: masterdata.ShiftJIS},
			{Format: masterdata.CSV, Encoding: masterdata.UTF8},
			{Format: masterdata.XLSX},
		} {
			for _, k := range masterdata.Kinds() {
				var buf bytes.Buffer
				if err := masterimport.Export(ctx, env.DB, string(k), &buf, o); err != nil {
					t.Fatalf("export %s %+v: %v", k, o, err)
				}
				name := string(k) + "." + string(o.Format)
				r := importFile(t, env, k, name, buf.Bytes(), false)
				if len(r.Errors) != 0 || r.Rows == 0 || r.Unchanged != r.Rows || r.Created+r.Updated != 0 {
					t.Errorf("%s %s/%s export → import: %+v, want all unchanged", k, o.Format, o.Encoding, r)
				}
			}
		}
		if d := dumpDB(t, db); d != dump {
			t.Errorf("export → import changed the database:\n%s", diffLines(dump, d))
		}
	})
}

// The night imports a good order file from the inbox and rejects a bad one whole.
func TestOrdersStep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		out := t.TempDir()
		env := newEnv(t, db, dsn, out)
		for _, k := range []masterdata.Kind{masterdata.Plans, masterdata.Customers, masterdata.Contracts} {
			data, err := os.ReadFile(filepath.Join("..", "examples", string(k)+".csv"))
			if err != nil {
				t.Fatal(err)
			}
			importFile(t, env, k, string(k)+".csv", data, false)
		}
		inbox := filepath.Join(env.Config.InboxDir, "orders")
		if err := os.MkdirAll(inbox, 0o755); err != nil {
			t.Fatal(err)
		}
		good, err := os.ReadFile(filepath.Join("..", "examples", "orders.csv"))
		if err != nil {
			t.Fatal(err)
		}
		bad := []byte("order_no,kind,customer_no,contract_no,plan_code,seats,order_date,desired_start\n" +
			"EC-20260601-0009,new,100007,,M365-BB,20,2026-06-01,2026-07\n" +
			"EC-20260601-0010,new,999999,,M365-BB,0,2026-06-01,2026-07\n")
		for name, data := range map[string][]byte{"a-good.csv": good, "b-bad.csv": bad} {
			if err := os.WriteFile(filepath.Join(inbox, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// A dry run moves nothing and keeps nothing.
		runNight(t, env, jobs.Options{DryRun: true, Only: []string{"orders"}})
		if os, _ := store.ListOrders(ctx, db); len(os) != 0 {
			t.Errorf("dry run stored %d orders", len(os))
		}
		if _, err := os.Stat(filepath.Join(inbox, "b-bad.csv")); err != nil {
			t.Errorf("dry run moved the bad file: %v", err)
		}

		s := runNight(t, env, jobs.Options{Only: []string{"orders"}})
		if c := changes(s); c["orders.orders_created"] != 5 || c["orders.files_rejected"] != 1 {
			t.Errorf("orders step changes %v, want 5 created and 1 file rejected", c)
		}
		if _, err := store.GetOrder(ctx, db, "EC-20260508-0001"); err != nil {
			t.Errorf("good order not stored: %v", err)
		}
		if _, err := store.GetOrder(ctx, db, "EC-20260601-0009"); !store.IsNoRows(err) {
			t.Errorf("valid row of the rejected file was stored: %v", err)
		}
		if _, err := os.Stat(filepath.Join(env.Config.InboxDir, "rejected", "orders", "b-bad.csv")); err != nil {
			t.Errorf("bad file not in rejected/orders: %v", err)
		}
		if _, err := os.Stat(filepath.Join(env.Config.InboxDir, "archive", "orders", demo.Date.String(), "a-good.csv")); err != nil {
			t.Errorf("good file not archived: %v", err)
		}
		xs, err := store.OpenExceptions(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, x := range xs {
			if x.Kind == "order_file_rejected" && x.Subject == "b-bad.csv" {
				found = true
				if !strings.Contains(x.Message, "3行目 お客様番号") || !strings.Contains(x.Message, "3行目 数量") {
					t.Errorf("exception message does not name each bad row: %s", x.Message)
				}
			}
		}
		if !found {
			t.Errorf("no order_file_rejected exception in %+v", xs)
		}
		// The next night finds an empty inbox and changes nothing.
		if c := nonZero(changes(runNight(t, env, jobs.Options{Only: []string{"orders"}}))); len(c) != 0 {
			t.Errorf("second night changed %v", c)
		}
	})
}
