// Package calendar is the business calendar of nightly: civil dates in Asia/Tokyo
// (Date), Japanese public holidays and the 営業日 of SPEC §1 and §2.3.
//
// Holidays are computed from the rules of the 国民の祝日に関する法律 as it stood in each
// year — fixed days, Happy Monday days (2000, 2003), the equinoxes by the usual
// astronomical approximation, 振替休日 (the Monday before 2007, the next non-holiday
// from 2007), 国民の休日, and the amendments of 2007, 2016 and 2019–2021 with the one-off
// days of 2019 — so that the night never stops at a year's end for want of a list. The
// Cabinet Office's published list (reference/calendar.md) is the test oracle in
// testdata/, never the data. When the law changes faster than the code, Options adds
// or removes dates, and BeyondAnnounced tells the report that a date lies past the last
// official announcement.
//
// A business day is a day that is not a Saturday, Sunday, public holiday, or
// Dec 31–Jan 3 (銀行休業日). Calendar caches each year it has computed and is safe for
// concurrent use.
//
// The package does no I/O and reads no clock: "today" is always a parameter. It knows
// nothing of contracts; the rules that use business days (due dates, reply-by dates)
// live in package contract.
package calendar
