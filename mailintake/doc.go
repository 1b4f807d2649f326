// Package mailintake turns the reduction and cancellation e-mails of the esales
// mailbox into requests (SPEC §4.4, §7).
//
// It has three parts. The mailbox (Source): an IMAP folder read with go-imap v2 over
// TLS or STARTTLS, password or XOAUTH2, fetched by UID above the caller's mark with
// UIDVALIDITY reported, messages whole with their INTERNALDATE, processed messages
// moved away (IMAPSource); or a directory of .eml files behind the same interface
// (DirSource). Reading a message (Parse): MIME, the Japanese charsets, HTML-only mail,
// and the new text separated from quotes, forwarded parts and the signature. The
// request (Extract, Evaluate): the contract number, contractor, product, seats, kind
// and requested term read from the text, and the outcome — accepted, incomplete, late,
// mismatch, duplicate or unverified (a sender the customer has not registered) — with
// the term it applies to and the reply-by date.
//
// Parse, Extract and Evaluate are pure: values in, values out, no clock, no database.
// The package does not store anything: keeping the raw message as evidence, recording
// requests and moving the mark are the caller's (jobs/), in this order: fetch a batch,
// store the evidence, commit the requests and the mark, then MarkProcessed.
package mailintake
