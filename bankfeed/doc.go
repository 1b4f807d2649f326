// Package bankfeed reads bank statements and matches the transfers in them to open
// invoices (SPEC §6). It is pure: bytes in, values or a precise error out; it opens no
// file, speaks no SQL and reads no clock (the run date is a parameter). Storing files as
// evidence, deduplicating transfers across files (§6.3), applying payments and
// reversals, and moving files to archive/ or rejected/ belong to jobs/.
//
// # Formats
//
// Parse detects and reads:
//
//   - 全銀協 振込入金通知 (種別コード 01) and 入出金取引明細 (種別コード 03): 200-byte
//     records in JIS X 0201 (half-width katakana decoded with golang.org/x/text's
//     Shift_JIS decoder), separated by CR/LF, LF, CR or nothing; one or several
//     header…trailer groups (accounts) before the end record; an EOF byte (0x1A) and
//     line breaks after it are accepted. Every record is checked, and each trailer's
//     counts and totals against its data records (01: normal and cancelled notices
//     apart; 03: credits, debits and the record count). EBCDIC files (コード区分 1) are
//     refused. Dates YYMMDD are read as 和暦 (令和 or 平成, whichever is nearer the run
//     date) or 西暦, per account: ParseOptions.Era / Eras, default "auto" (the reading of
//     the header's 作成日 nearer the run date, then used for the whole account).
//   - bank CSV exports through a CSVProfile (Shift_JIS or UTF-8 with or without BOM,
//     rows to skip, columns by header text or 1-based index), read with encoding/csv.
//
// From an 03 file, credits (入金) are payments; a debit with 取引区分 19 (訂正) or 摘要
// ｸﾐﾓﾄﾞｼ (組戻し) is a reversal (Txn.Reversal; Txn.Reverses links the credit it mirrors
// when that is in the same file); other debits are counted in Statement.Ignored. From
// an 01 file, 取消区分 1 marks a cancellation (Txn.Cancelled).
//
// A malformed file gives a *FormatError naming the file, the record (or CSV line), the
// field and its bytes; errors.Is tells the kind (ErrEBCDIC, ErrTrailer, ErrDate, ...).
// For files too big for memory, a Scanner streams records and checks each trailer as it
// comes: its transactions count only once Scan has returned false with Err() == nil.
//
// # The built-in CSV profile "standard"
//
// It works with no configuration and is detected by its header row. Columns, each by
// header text, alternatives separated by "|":
//
//	date     日付 | 取引日 | 勘定日                 required; 2026/11/24, 2026-11-24, 20261124, 2026年11月24日
//	amount   入金額 | 入金金額 | お預入れ金額         required; "132,000", ¥132,000, 132000円, full width
//	payer    振込依頼人名 | 依頼人名 | 振込依頼人     required
//	ref      照会番号                                 optional, kept as text (leading zeros)
//	edi      EDI | EDI情報                            optional
//	account  口座番号                                 optional
//	debit    出金額 | 出金金額 | お引出し金額         optional: a row with only this is a debit
//	summary  摘要 | 摘要内容                          optional
//
// Encoding is detected: valid UTF-8 (a BOM is skipped) or else Shift_JIS. Blank rows
// are skipped. Configured profiles are tried first and replace a built-in one of the
// same name.
//
// # Names and matching
//
// Normalize (§6.5) makes payer names and registered names comparable; LegalForm lists
// the corporate abbreviations it removes (DefaultLegalForms, extensible). Match (§6.6,
// §6.7) matches payments to open invoices through indexes by invoice number, customer,
// amount and normalized name, in a deterministic order, and records for each its rule,
// the amounts applied, the fee, and ranked suggestions for staff.
package bankfeed
