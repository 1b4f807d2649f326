// Package invoice is the invoice as a value and its printed form.
//
// The value half (Invoice, Line, Compute and the builders NewFirstTerm, NewAddition,
// NewRenewal) is pure: plain values in, plain values out, no database types and no
// clock. It applies SPEC §3.2 (additions billed by whole monthly cycles, no daily
// proration) and §3.3 (consumption tax computed once per invoice per tax rate on the
// rate's sum, never per line).
//
// The printed half (Renderer) turns an Invoice, a Reminder (お支払いのお願い, §4.5) or a
// CancellationNotice (請求書取消のお知らせ, §4.4) into a Japanese A4 PDF with the IPAex
// Gothic font embedded as a subset, laid out for a 長形3号 window envelope. Wording,
// issuer data, bank account, seal and layout come from templates/ (§8.2). The font is
// parsed once per Renderer, which is safe for concurrent use, and rendering is
// deterministic: the same value and templates give the same bytes. Bundle streams
// already rendered PDFs into one print bundle, and EnvelopeSheet renders the separator
// sheet (封入票) put before the documents that share one envelope.
//
// It is not the place for numbering (§8.3, assigned by store/ in the issuing
// transaction), for deciding which invoices are due (contract/ and jobs/), or for
// storing PDFs as evidence (evidence/).
package invoice
