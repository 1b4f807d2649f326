// Package web is the morning review in a browser (issue 9): staff log in, read the
// nights and their reports live from the database, open the PDFs, search the evidence
// ledger, and act on what the night could not decide. It is a plain net/http handler
// with html/template pages from templates/defaults/web (overridable like every
// template) and a little JavaScript; there is no front-end build.
//
// Every action is a POST that calls, through the Backend the web defines for itself
// (jobs.Staff satisfies it), the function the matching command calls, as the
// logged-in user (an Actor), so the audit trail shows who did it. The actions are one
// table (builtinActions in actions.go, in four parts); adding one is one entry: {Name,
// Role, Command, Fields, Do}. Pages name the buttons, never the commands (issue 16):
// what staff read is Japanese, from the catalogue in package wording.
//
// Wired now (all of issue 9 point 3):
//   - exceptions/close → Backend.CloseException (nightly exceptions close ID --why TEXT),
//     the button 対応済みにする or 確認した, by the exception's kind (wording.StepOf)
//   - exceptions/refund → Backend.RefundException (nightly exceptions close ID --refund YEN
//     --on D --why TEXT), the button 返金した of 過入金, 停止後の入金 and any exception that
//     holds a customer's money
//   - tasks/done       → Backend.CompleteTask    (nightly tasks done ID)
//   - contracts/hold   → Backend.HoldContract    (nightly contracts hold NO --until D --why TEXT)
//   - payments/resolve → Backend.ResolvePayment  (nightly payments resolve TXN --invoice N[,N…] [--fee YEN] --why TEXT),
//     finance: on the exceptions page and the night's report, every exception of a bank
//     transfer (an exception with its TxnID) lists the ranked suggestions the night
//     stored (store.Suggestions) with what the invoices owe
//     now; choosing one fills the invoice and fee fields (the radio's value
//     "N1,N2;FEE" is also read when script is off); typed fields win over the choice.
//   - requests/decide  → Backend.DecideRequest   (nightly requests decide ID accept|reject --why TEXT), finance.
//   - invoices/posted  → Backend.MarkPosted      (nightly invoices posted NUMBER… | --bundle DATE), finance:
//     per invoice or notice, or the whole print bundle of a date (Backend.BundleNumbers).
//   - invoices/void    → Backend.VoidInvoice     (nightly invoices void NUMBER --why TEXT [--reissue]), admin only.
//   - run              → Backend.Run in the background, with a progress page that polls
//     /runs/{id}/status (nightly run --date D [--dry-run]); store.ErrLockHeld is shown.
//
// The 売掛金 page (/receivables, issue 17 point 6, web/receivables.go) reads through
// Books (ledger.Books, wired by cmd/nightly beside the Backend): the aging as of a day
// with each customer's open invoices a click away (/receivables/customers/{no}), the
// monthly balance of a month, and that month's journal for 弥生, MF and freee
// (/receivables/journal?format=F&month=YYYY-MM), the files `nightly export journal`
// writes. Every logged-in user may read it; it changes nothing.
//
// Numbers and amounts typed by staff are read by Form.ID and Form.Yen ("¥1,100" and
// full-width digits are accepted); a bad one, a missing field or a refusal from jobs is
// answered 400 with the page the form was on shown again and the reason on top (the
// error page when there is no page to go back to). A role too low is answered 403, and
// viewers are shown no forms at all.
//
// Access: users and roles (viewer, finance, admin) live in the database (store/users.go,
// `nightly users add`), passwords as bcrypt hashes. A login is a server-side session
// whose cookie is HttpOnly, SameSite=Strict and Secure over TLS; every form carries a
// CSRF token and a POST without a valid one is answered 403 before anything else. Failed
// logins are rate-limited per user name and per address (in memory) and logged. Only
// /healthz, /login and /static/ answer without a login.
//
// It is not an API for other programs, and it does not replace the command line: what
// it cannot do yet is done with `nightly`.
package web
