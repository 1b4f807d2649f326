// Package contract holds the rules of a contract's life (SPEC §2–§4) as pure functions
// over values: terms and monthly cycles, the billing of additions, renewal issue and due
// dates, request deadlines and reply-by dates, and the nightly lifecycle decision
// (roll over, suspend, end, hold). It reads no clock and no database: the run date and
// the contract's state are parameters, and jobs/ applies the decisions.
//
// It is not the price list, the invoice (package invoice) or the business calendar
// (package calendar, passed in where business days count).
//
// # Choices where the SPEC is silent
//
//   - Terms. NextStart is the same date a year later, except Feb 29 → Mar 1 (§2.4);
//     TermEnd is NextStart − 1 day. The term after a 2024-02-29 start begins 2025-03-01,
//     and its cycles then fall on the 1st.
//   - Monthly cycles are counted from the term start each time (start + i months,
//     clamped), never from the previous cycle: a 1/31 term has cycles on 2/28, 3/31,
//     4/30, … and not 2/28, 3/28, ….
//   - Additions. BillAddition takes the cycle that starts in the desired month; a month
//     in which no cycle of the current term starts is refused (ErrOutsideTerm) rather
//     than moved, and it does not look at the order date: a desired month already past
//     is billed as asked, and EffectiveCycle with the report's flag covers the month not
//     served. AdditionAmount is exact integer arithmetic, floored also for negative
//     figures; a result beyond int64 saturates.
//   - EffectiveCycle counts cycle starts strictly after the confirmation date (a payment
//     confirmed on a cycle start takes effect at the next one), and runs on into the
//     following terms.
//   - Renewal dates. The minimum notice of a caught-up invoice equals the due lead
//     (both 14 days; RenewalPolicy sets them apart). "Less than 14 days" is counted in
//     calendar days from the run date to the scheduled due date. An invoice is caught up
//     when the run date is after the scheduled issue date; on the issue date itself it is
//     on time. A non-positive day count in configuration means the default.
//   - DueDate of new and addition invoices is issue + 14 days, moved to the previous
//     business day when banks are closed (§4.1 as amended: every due date of every kind).
//   - RequestDeadline is a date; a request is on time when its INTERNALDATE, read in
//     Asia/Tokyo, falls on or before it (RequestOnTime).
//   - Reply-by and provisioning deadlines count business days strictly after the day
//     received or confirmed (§2.3).
//   - Decide. Perpetual licences and contracts that are not active need nothing. A term
//     has ended on the first run date after TermEnd. A cancellation or auto-renew off
//     ends the contract even if a renewal was paid (the overpayment is the payment
//     step's exception, §4.7). A voided renewal counts as none. A hold covers run dates
//     up to and including HoldUntil; once it lapses the contract is suspended on the next
//     run. Overdue starts the day after the due date and is not reported for a contract
//     that is cancelled or not renewing; the reminder is due from due date + 7 days
//     (inclusive), once, so a missed night still sends it late. StopsOn is the last day
//     of service: the term end, or the hold's end when that is later. An inconsistent
//     state gives ActionInvalid rather than a guess.
package contract
