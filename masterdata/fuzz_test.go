package masterdata

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// fuzzKinds picks the kind a fuzzed file is read as.
var fuzzKinds = Kinds()

// FuzzReadCSV reads any bytes as each kind of CSV: Read never panics, says where every
// problem is, and a file it accepts writes out and reads back to the same records.
func FuzzReadCSV(f *testing.F) {
	for i, k := range fuzzKinds {
		data, err := os.ReadFile(filepath.Join("..", "examples", string(k)+".csv"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), data)
	}
	f.Add(uint8(3), []byte("order_no,kind,customer_no,contract_no,plan_code,seats,order_date,desired_start\n'=1,new,100001,,P,1,2026-01-01,2026-02\n"))
	f.Fuzz(func(t *testing.T, k uint8, data []byte) {
		kind := fuzzKinds[int(k)%len(fuzzKinds)]
		file, err := Read(kind, "fuzz.csv", data, Options{})
		if err != nil {
			return // not text: refused as a whole
		}
		for _, e := range file.Errors {
			if e.Line < 0 || e.Reason == "" {
				t.Fatalf("row error without a place or a reason: %+v", e)
			}
		}
		if len(file.Errors) > 0 {
			return
		}
		var b bytes.Buffer
		if err := Write(&b, file, WriteOptions{}); err != nil {
			t.Fatalf("write what was read: %v", err)
		}
		back, err := Read(kind, "back.csv", b.Bytes(), Options{})
		if err != nil || len(back.Errors) > 0 {
			t.Fatalf("read back what was written: %v %v\n%s", err, back.Errors, b.Bytes())
		}
		if !reflect.DeepEqual(records(file), records(back)) {
			t.Fatalf("records changed in a round trip:\n%v\n%v", records(file), records(back))
		}
	})
}

// FuzzReadXLSX reads any bytes as an .xlsx workbook, within small limits: Read never
// panics and either refuses the file or reads it (issue 13: bad input never stops the
// night).
func FuzzReadXLSX(f *testing.F) {
	files, _ := examples(f)
	for i, k := range fuzzKinds {
		var b bytes.Buffer
		if err := Write(&b, files[k], WriteOptions{Format: XLSX}); err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), b.Bytes())
	}
	f.Add(uint8(0), []byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, k uint8, data []byte) {
		kind := fuzzKinds[int(k)%len(fuzzKinds)]
		file, err := Read(kind, "fuzz.xlsx", data, Options{MaxXLSXBytes: 1 << 20, MaxCells: 20_000})
		var le *LimitError
		if errors.As(err, &le) && le.Size <= le.Max {
			t.Fatalf("refused within the limit: %v", err)
		}
		if err == nil && file.Format != XLSX {
			t.Fatalf("read as %s", file.Format)
		}
	})
}
