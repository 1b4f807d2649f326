// Package evidence keeps the originals that the 電子帳簿保存法 (Act on Electronic Books)
// requires a business to keep for 7 years, and proves they were not altered (SPEC §7.5):
// every bank file, every raw request message, and the PDF of every issued invoice
// (適格請求書の写し, 消費税法 57条の4), reminder and notice.
//
// It owns two things, both free of SQL:
//
//   - Store, a content-addressed, write-once file store. An original is kept byte for
//     byte under dir/ab/cd/<sha256>, mode 0400 (0440 for file_group) in directories of
//     mode 0750. It is written to dir/.tmp, flushed to disk, and only then linked to its final name, which
//     is never replaced: storing the same content again is a no-op, and a different file
//     under that name is reported as tampering. Batch flushes many items at once (mail
//     intake stores each fetch as one batch). Get and Open hand out only content that
//     still matches its name.
//
//   - The hash chain over the ledger rows (Entry): each row's Hash covers all its fields
//     and the Hash of the row before it, so a row changed, removed from the middle or
//     inserted breaks the chain. Next builds the next row; Verify walks the rows, checks
//     the chain and re-hashes every stored original. Rows cut off the end leave a chain
//     that is sound in itself, so the morning report prints the ledger's Summary
//     (COUNT:HASH) and `nightly evidence verify --head COUNT:HASH` checks the ledger still
//     reaches it; rows added after that report are fine.
//
// The ledger rows themselves live in the database table `evidence` (store/ reads and
// writes them; jobs/ stores the original, then appends the row in the transaction that
// records what the original caused). Searching the ledger is SQL in store/; Query.Match
// states the same rule over values. This package does not decide what is evidence, read
// the clock, or talk to the database.
//
// # Row hash encoding, version 1
//
// RowHash is the lowercase hex SHA-256 of Canonical(e). The encoding must stay the same
// for as long as any ledger written with it is kept; a future change would be a new
// version with its own header, never an edit of this one. It is the line
//
//	nightly evidence ledger v1
//
// followed by one line per field, in this order, each written as
// name=<length>:<value> and ended by "\n", where <length> is the number of bytes of the
// value in decimal, so that no value (even one containing "\n" or "=") can be taken for
// another field:
//
//	seq           decimal, 1 for the first row
//	kind          bank_file | mail | invoice_pdf | reminder_pdf | notice_pdf | order_file
//	source        UTF-8 as stored
//	received_at   UTC to the second: 2026-11-24T00:05:00Z
//	size          decimal bytes
//	sha256        64 lowercase hex digits
//	date          YYYY-MM-DD, or empty for no date
//	amount        decimal yen (may be negative or 0), or empty for no amount
//	counterparty  UTF-8 as stored
//	prev_hash     64 lowercase hex digits; Genesis (64 zeros) for row 1
//
// The first row of a ledger might be encoded as (the counterparty, a Zengin payer name,
// is ")" and 10 half-width katakana and voiced marks of 3 bytes each):
//
//	nightly evidence ledger v1
//	seq=1:1
//	kind=9:bank_file
//	source=24:zengin/20261124-0001.txt
//	received_at=20:2026-11-23T21:30:15Z
//	size=4:1234
//	sha256=64:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//	date=10:2026-11-24
//	amount=6:110000
//	counterparty=31:ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ
//	prev_hash=64:0000000000000000000000000000000000000000000000000000000000000000
//
// and its hash is 43786b83b18bc4dc2e8bf675cd843fc1a7ca02b2bf7d0df75c6ee85a9beb5ee8, which
// `sha256sum` of those bytes (each line ended by "\n") reproduces: an auditor can check
// the ledger without this program.
//
// Next stores values the way the database keeps them (UTC seconds, valid UTF-8, Source
// and Counterparty cut to the column widths MaxSourceLen and MaxCounterpartyLen in
// characters), so that a row read back from MySQL or SQLite hashes the same.
package evidence
