// Package web is the morning review in a browser (issue 9): staff log in, read the
// nights and their reports live from the database, open the PDFs, search the evidence
// ledger, and act on what the night could not decide. It is a plain net/http handler
// with html/template pages from templates/defaults/web (overridable like every
// template) and a little JavaScript; there is no front-end build.
//
// Every action is a POST that calls the same jobs function as the matching command,
// on a shallow copy of jobs.Env whose Who is the logged-in user, so the audit trail
// shows who did it. The actions are one table (builtinActions in actions.go); adding
// one is one entry: {Name, Role, Command, Fields, Do}.
//
// Wired now:
//   - exceptions/close → jobs.CloseException (nightly exceptions close ID --why TEXT)
//   - tasks/done       → jobs.CompleteTask    (nightly tasks done ID)
//   - contracts/hold   → jobs.HoldContract    (nightly contracts hold NO --until D --why TEXT)
//   - run              → jobs.Run in the background, with a progress page that polls
//     /runs/{id}/status (nightly run --date D [--dry-run]); store.ErrLockHeld is shown.
//
// Waiting: their jobs functions are being written by other work in progress and are
// not wired, so that this package never depends on code that has not landed. With the
// signatures seen in the working tree today, each is one entry in builtinActions (plus
// a form on its page):
//
//	{Name: "payments/resolve", Role: roleFinance, Command: "nightly payments resolve", Fields: []string{"txn", "invoice", "why"},
//		Do: func(ctx context.Context, env *jobs.Env, f Form) (Done, error) { /* parse txn, fee */ return Done{}, jobs.ResolvePayment(ctx, env, txn, f["invoice"], fee, f.Get("why")) }},
//	{Name: "requests/decide", Role: roleFinance, Command: "nightly requests decide ID accept|reject --why TEXT", Fields: []string{"id", "decision", "why"},
//		Do: func(ctx context.Context, env *jobs.Env, f Form) (Done, error) { /* parse id */ _, err := jobs.DecideRequest(ctx, env, id, f.Get("decision"), f.Get("why")); return Done{}, err }},
//	{Name: "invoices/posted", Role: roleFinance, Command: "nightly invoices posted NUMBER…", Fields: []string{"number"},
//		Do: func(ctx context.Context, env *jobs.Env, f Form) (Done, error) { _, err := jobs.MarkPosted(ctx, env, f["number"]); return Done{}, err }},
//	{Name: "invoices/void", Role: roleAdmin, Command: "nightly invoices void NUMBER --why TEXT [--reissue]", Fields: []string{"number", "why"},
//		Do: func(ctx context.Context, env *jobs.Env, f Form) (Done, error) { return Done{}, jobs.VoidInvoice(ctx, env, f.Get("number"), f.Get("why"), f.Bool("reissue")) }},
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
