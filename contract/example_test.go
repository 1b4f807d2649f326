package contract_test

import (
	"fmt"
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
)

// The worked example of SPEC §3.2: term 2026-04-15 to 2027-04-14, 3 seats at ¥18,000,
// desired start June 2026.
func ExampleBillAddition() {
	start := calendar.MustParse("2026-04-15")
	add, err := contract.BillAddition(start, contract.YearMonth{Year: 2026, Month: time.June})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(add.FirstCycle, add.Months, contract.AdditionAmount(18000, 3, add.Months))
	// Output: 2026-06-15 10 45000
}

func ExampleRenewalDates() {
	cal := calendar.NewCalendar(calendar.Options{})
	r := contract.RenewalDates(cal, calendar.MustParse("2027-01-14"), calendar.MustParse("2026-12-14"), 14)
	fmt.Println(r.IssueDate, r.DueDate) // due 2026-12-31 is a bank closure
	// Output: 2026-12-14 2026-12-30
}
