package masterdata

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkReadCustomers10k reads a 10,000-customer Shift_JIS CSV, the size of a large
// reseller's customer list.
func BenchmarkReadCustomers10k(b *testing.B) {
	f := &File{Kind: Customers}
	for i := range 10000 {
		f.Customers = append(f.Customers, Customer{No: fmt.Sprintf("%06d", 100000+i), Name: "株式会社山本精機", Kana: "ヤマモトセイキ",
			PostalCode: "450-0002", Address: "愛知県名古屋市中村区名駅4丁目5番28号", Email: "soumu@yamamoto-seiki.co.jp",
			PayerNames: []string{"ｶ)ﾔﾏﾓﾄｾｲｷ"}, Country: "JP", CorporateNo: "5180001034512"})
	}
	var buf bytes.Buffer
	if err := Write(&buf, f, WriteOptions{Encoding: ShiftJIS}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		got, err := Read(Customers, "customers.csv", buf.Bytes(), Options{})
		if err != nil || len(got.Errors) != 0 || len(got.Customers) != 10000 {
			b.Fatalf("%v %v", err, got.Errors)
		}
	}
}

// BenchmarkWriteXLSX10k writes 10,000 contracts as .xlsx.
func BenchmarkWriteXLSX10k(b *testing.B) {
	f := &File{Kind: Contracts}
	for i := range 10000 {
		f.Contracts = append(f.Contracts, Contract{No: fmt.Sprintf("NP-%07d", i), CustomerNo: "100001", PlanCode: "M365-BS", Seats: 10, UnitPrice: 22488, AutoRenew: true})
	}
	for b.Loop() {
		if err := Write(&bytes.Buffer{}, f, WriteOptions{Format: XLSX}); err != nil {
			b.Fatal(err)
		}
	}
}
