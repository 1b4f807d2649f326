// Package accounting turns what nightly records — invoices issued, voided and lapsed,
// bank transfers and what they paid, money held for staff, refunds and bank reversals —
// into the accountant's journal entries (仕訳), the receivables aging (売掛金年齢表) and
// the monthly balance per customer (売掛金残高一覧表), and writes the entries in the
// import formats of 弥生会計, マネーフォワード クラウド会計 and freee会計 (issue 17).
//
// It is pure: Build takes the facts as values (Facts) and returns a Book; the writers
// take a Book and an io.Writer. It knows nothing of SQL, files or the clock: "today"
// is an option.
//
// One entry per business event, dated with the event's date:
//
//   - an invoice issued: 売掛金 / 売上高 (or 前受金, revenue recognised monthly);
//   - a credit on its 勘定日: 普通預金 / 売掛金 for what the night applied, the rest to
//     仮受金 or the account its exception holds it in (預り金);
//   - a booking staff made later: 仮受金 / 売掛金 on that day (taking back what the night
//     had booked from the same transfer first);
//   - money moved off a void or lapsed invoice: 売掛金 of the old invoice / 売掛金 of
//     the replacement, or 預り金;
//   - an invoice voided or lapsed: the sale reversed on that day;
//   - a refund: 預り金 or 仮受金 / 普通預金; a bank reversal: the credit's entry reversed;
//   - with monthly revenue, 前受金 / 売上高 at each month end of the service period.
//
// 仮受金 is the clearing account of a transfer: every event is written as balanced
// postings through it, so that every entry balances by construction, and its balance per
// transfer is what the transfer's open exceptions hold. The 売掛金 lines of the journal
// are the only source of the aging and the monthly balance, so that the three agree.
package accounting
