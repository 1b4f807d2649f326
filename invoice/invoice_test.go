package invoice

import (
	"errors"
	"testing"

	"github.com/npress/nightly/calendar"
)

var d = calendar.MustParse

func TestAdditionAmount(t *testing.T) {
	// floor(unit × seats × months / 12), computed by hand.
	tests := []struct {
		unit         int64
		seats, month int
		want         int64
	}{
		{18000, 3, 10, 45000}, // SPEC §3.2 example
		{18000, 3, 1, 4500},
		{18000, 3, 2, 9000},
		{18000, 3, 3, 13500},
		{18000, 3, 4, 18000},
		{18000, 3, 5, 22500},
		{18000, 3, 6, 27000},
		{18000, 3, 7, 31500},
		{18000, 3, 8, 36000},
		{18000, 3, 9, 40500},
		{18000, 3, 11, 49500},
		{18000, 3, 12, 54000},
		// non-integral monthly amounts: 1,000/12 = 83.33… per seat-month
		{1000, 1, 1, 83},     // 83.33
		{1000, 1, 7, 583},    // 583.33
		{1000, 1, 11, 916},   // 916.66 → floor, not rounded
		{1000, 5, 7, 2916},   // 35000/12 = 2916.66; per seat floor would give 583×5 = 2915
		{13200, 7, 5, 38500}, // 462000/12 = 38500 exactly
		{15640, 3, 5, 19550}, // 234600/12 = 19550
		{15641, 3, 5, 19551}, // 234615/12 = 19551.25
		{0, 3, 5, 0},         // free plan
	}
	for _, tt := range tests {
		got, err := AdditionAmount(tt.unit, tt.seats, tt.month)
		if err != nil || got != tt.want {
			t.Errorf("AdditionAmount(%d, %d, %d) = %d, %v; want %d", tt.unit, tt.seats, tt.month, got, err, tt.want)
		}
	}
}

func TestAdditionAmountRejects(t *testing.T) {
	for _, tt := range []struct {
		unit          int64
		seats, months int
	}{
		{18000, 3, 0}, {18000, 3, 13}, {18000, 0, 5}, {18000, -1, 5}, {-1, 3, 5}, {1 << 40, 1 << 30, 12},
	} {
		if _, err := AdditionAmount(tt.unit, tt.seats, tt.months); !errors.Is(err, ErrInput) {
			t.Errorf("AdditionAmount(%d, %d, %d): err = %v, want ErrInput", tt.unit, tt.seats, tt.months, err)
		}
	}
}

func TestComputeTaxOncePerRate(t *testing.T) {
	// Three lines of 1,999 yen: per line tax 199.9 → 199 each, 597 in all; on the sum
	// 5,997 × 10% = 599.7 → 599 (down), 600 (up), 600 (half up).
	three := []Line{{Amount: 1999, TaxRate: 10}, {Amount: 1999, TaxRate: 10}, {Amount: 1999, TaxRate: 10}}
	// Mixed rates: 10% on 1,005 + 1,005 = 2,010 → 201; 8% on 1,010 + 1,010 = 2,020 →
	// 161.6 → 161 down, 162 up/half up. Per line 8% would be 80 + 80 = 160.
	mixed := []Line{{Amount: 1005, TaxRate: 10}, {Amount: 1010, TaxRate: 8}, {Amount: 1005, TaxRate: 10}, {Amount: 1010, TaxRate: 8}}
	tests := []struct {
		name      string
		lines     []Line
		r         Rounding
		taxes     []RateTotal
		sub, tax  int64
		wantTotal int64
	}{
		{"down", three, RoundDown, []RateTotal{{10, 5997, 599}}, 5997, 599, 6596},
		{"up", three, RoundUp, []RateTotal{{10, 5997, 600}}, 5997, 600, 6597},
		{"halfup", three, RoundHalfUp, []RateTotal{{10, 5997, 600}}, 5997, 600, 6597},
		{"halfup below half", []Line{{Amount: 1234, TaxRate: 10}}, RoundHalfUp, []RateTotal{{10, 1234, 123}}, 1234, 123, 1357},
		{"halfup exact half", []Line{{Amount: 1235, TaxRate: 10}}, RoundHalfUp, []RateTotal{{10, 1235, 124}}, 1235, 124, 1359},
		{"mixed down", mixed, RoundDown, []RateTotal{{10, 2010, 201}, {8, 2020, 161}}, 4030, 362, 4392},
		{"mixed up", mixed, RoundUp, []RateTotal{{10, 2010, 201}, {8, 2020, 162}}, 4030, 363, 4393},
		{"credit down", []Line{{Amount: -1999, TaxRate: 10}}, RoundDown, []RateTotal{{10, -1999, -199}}, -1999, -199, -2198},
		{"empty", nil, RoundDown, nil, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			taxes, sub, tax, total, err := Compute(tt.lines, tt.r)
			if err != nil {
				t.Fatal(err)
			}
			if sub != tt.sub || tax != tt.tax || total != tt.wantTotal {
				t.Errorf("sub, tax, total = %d, %d, %d; want %d, %d, %d", sub, tax, total, tt.sub, tt.tax, tt.wantTotal)
			}
			if len(taxes) != len(tt.taxes) {
				t.Fatalf("taxes = %v, want %v", taxes, tt.taxes)
			}
			for i := range taxes {
				if taxes[i] != tt.taxes[i] {
					t.Errorf("taxes[%d] = %v, want %v", i, taxes[i], tt.taxes[i])
				}
			}
		})
	}
	if _, _, _, _, err := Compute([]Line{{Amount: 1, TaxRate: 101}}, RoundDown); !errors.Is(err, ErrInput) {
		t.Errorf("rate 101%%: err = %v, want ErrInput", err)
	}
}

func TestParseRounding(t *testing.T) {
	for in, want := range map[string]Rounding{"": RoundDown, "down": RoundDown, "UP": RoundUp, "halfup": RoundHalfUp, "half_up": RoundHalfUp} {
		got, err := ParseRounding(in)
		if err != nil || got != want {
			t.Errorf("ParseRounding(%q) = %v, %v; want %v", in, got, err, want)
		}
		if back, _ := ParseRounding(got.String()); back != got {
			t.Errorf("%v does not round-trip through String", got)
		}
	}
	if _, err := ParseRounding("nearest"); !errors.Is(err, ErrBadRounding) {
		t.Errorf("ParseRounding(nearest): err = %v", err)
	}
}

func common() Common {
	return Common{
		IssueDate: d("2026-11-24"), DueDate: d("2026-12-08"),
		To:         Party{CustomerNo: "000123", Name: "株式会社テスト", PostalCode: "100-0001", Address: "東京都千代田区千代田1-1"},
		ContractNo: "NP-0001234", Product: "Microsoft 365 Business Standard",
	}
}

func TestBuilders(t *testing.T) {
	t.Run("addition 10 months (§3.2 example)", func(t *testing.T) {
		inv, err := NewAddition(common(), 18000, 3, d("2026-06-15"), d("2027-04-14"), 10)
		if err != nil {
			t.Fatal(err)
		}
		// 45,000 + 4,500 tax = 49,500
		if inv.Kind != KindAddition || inv.Subtotal != 45000 || inv.Tax != 4500 || inv.Total != 49500 {
			t.Errorf("got %s %d + %d = %d", inv.Kind, inv.Subtotal, inv.Tax, inv.Total)
		}
		if l := inv.Lines[0]; l.Months != 10 || l.Quantity != 3 || l.UnitPrice != 18000 || l.Period != (Period{d("2026-06-15"), d("2027-04-14")}) {
			t.Errorf("line = %+v", l)
		}
	})
	t.Run("addition month-end clamped cycle", func(t *testing.T) {
		// term 2026-01-31 to 2027-01-30; cycle starting 2026-02-28 (clamped), 11 months.
		// floor(1000 × 5 × 11 / 12) = floor(4583.33) = 4583; tax floor(458.3) = 458.
		inv, err := NewAddition(common(), 1000, 5, d("2026-02-28"), d("2027-01-30"), 11)
		if err != nil {
			t.Fatal(err)
		}
		if inv.Subtotal != 4583 || inv.Tax != 458 || inv.Total != 5041 {
			t.Errorf("got %d + %d = %d", inv.Subtotal, inv.Tax, inv.Total)
		}
	})
	t.Run("addition months do not fit the period", func(t *testing.T) {
		if _, err := NewAddition(common(), 18000, 3, d("2026-06-15"), d("2027-04-14"), 9); !errors.Is(err, ErrInput) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("renewal", func(t *testing.T) {
		// 12 seats × 15,640 = 187,680; tax 18,768; total 206,448.
		inv, err := NewRenewal(common(), 15640, 12, Period{d("2026-12-24"), d("2027-12-23")})
		if err != nil {
			t.Fatal(err)
		}
		if inv.Kind != KindRenewal || inv.Subtotal != 187680 || inv.Tax != 18768 || inv.Total != 206448 {
			t.Errorf("got %s %d + %d = %d", inv.Kind, inv.Subtotal, inv.Tax, inv.Total)
		}
		if inv.Subject != "Microsoft 365 Business Standard 次年度ご利用料金（自動継続）" {
			t.Errorf("subject = %q", inv.Subject)
		}
	})
	t.Run("first term and perpetual", func(t *testing.T) {
		inv, err := NewFirstTerm(common(), 9999, 3, false)
		if err != nil {
			t.Fatal(err)
		}
		// 29,997; tax floor(2,999.7) = 2,999; total 32,996.
		if inv.Kind != KindNew || inv.Total != 32996 || inv.Lines[0].PeriodNote == "" || inv.Perpetual {
			t.Errorf("got %+v", inv)
		}
		p, err := NewFirstTerm(common(), 39800, 1, true)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Perpetual || !p.Lines[0].Period.IsZero() || p.Total != 43780 {
			t.Errorf("perpetual = %+v", p)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		c := common()
		c.DueDate = d("2026-11-01")
		if _, err := NewRenewal(c, 100, 1, Period{d("2026-12-24"), d("2027-12-23")}); !errors.Is(err, ErrInput) {
			t.Errorf("due before issue: err = %v", err)
		}
		c = common()
		c.To.Name = " "
		if _, err := NewFirstTerm(c, 100, 1, false); !errors.Is(err, ErrInput) {
			t.Errorf("no recipient: err = %v", err)
		}
		if _, err := NewRenewal(common(), 100, 0, Period{d("2026-12-24"), d("2027-12-23")}); !errors.Is(err, ErrInput) {
			t.Errorf("0 seats: err = %v", err)
		}
		if _, err := Build("refund", common(), []Line{{Amount: 1, TaxRate: 10}}); !errors.Is(err, ErrInput) {
			t.Errorf("bad kind: err = %v", err)
		}
	})
}

// 御中 and 様 are never written together: a company addressed through a named contact
// gets 様 on the contact line and no 御中.
func TestHonorifics(t *testing.T) {
	for _, c := range []struct {
		p             Party
		name, contact string
	}{
		{Party{Name: "株式会社ミライ東京"}, "御中", ""},
		{Party{Name: "株式会社ミライ東京", Contact: "山本 拓也"}, "", "山本 拓也 様"},
		{Party{Name: "株式会社ミライ東京", Contact: "総務部 ご担当者様"}, "", "総務部 ご担当者様"},
		{Party{Name: "株式会社ミライ東京", Contact: "情報システム部 御中"}, "", "情報システム部 御中"},
		{Party{Name: "株式会社ミライ東京", Contact: "経理部"}, "", "経理部 ご担当者様"},
		{Party{Name: "株式会社ミライ東京", Contact: "総務課"}, "", "総務課 ご担当者様"},
		{Party{Name: "株式会社ミライ東京", Contact: "管理本部 経理グループ"}, "", "管理本部 経理グループ ご担当者様"},
		{Party{Name: "山田 太郎", Person: true}, "様", ""},
	} {
		if got := c.p.Honorific(); got != c.name {
			t.Errorf("%+v: Honorific %q, want %q", c.p, got, c.name)
		}
		if got := c.p.ContactLine(); got != c.contact {
			t.Errorf("%+v: ContactLine %q, want %q", c.p, got, c.contact)
		}
	}
}
