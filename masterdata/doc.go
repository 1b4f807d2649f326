// Package masterdata reads, validates and writes the reseller's master data — plans
// (the price list), customers, contracts and orders — as CSV and .xlsx files, the way a
// Japanese back office keeps them in Excel and an EC store exports them.
//
// It is pure: Read takes the bytes of a file and returns its records or every row
// error, Write takes records and writes a file, Diff and Merge compare and combine a
// stored record with one read from a file. It does not touch the database, the audit
// trail or the file system: the `nightly import/export` commands and the night's orders
// step (package jobs) do that, answering Read's questions about stored records through
// a Lookup (usually an Index loaded from the store).
//
// # Files
//
// CSV is read as Japanese Excel and sales systems write it: UTF-8 with or without BOM,
// else Shift_JIS (CP932), detected from the bytes (valid UTF-8 is UTF-8); CRLF or LF;
// quoted fields with commas and line breaks (encoding/csv). An .xlsx workbook is
// recognised by its bytes; Read takes its first sheet or Options.Sheet, and date cells
// are Excel serial numbers. Line 1 is the header; blank rows are skipped. A row's line
// is the line where the record starts (a quoted field may span lines), or the sheet row.
//
// Headers are the fixed English names or Japanese names (matched after NFKC, ignoring
// case, spaces, underscores and a trailing note in parentheses such as 単価(税抜)).
// Columns marked * must be in the header; a column left out is left as stored (Merge).
//
//	plans       plan_code* プランコード, name* プラン名, kind* 種別 (subscription|perpetual,
//	            or サブスクリプション|永続), unit_price* 単価 (yen per seat per year, tax
//	            excluded), valid_from* 適用開始日, valid_to 適用終了日 (empty: open-ended)
//	customers   customer_no* お客様番号, name* 会社名, kana* フリガナ, postal_code* 郵便番号,
//	            address* 住所, contact 担当者, email メールアドレス, payer_names 振込依頼人名
//	            (several separated by ;), parent_customer_no 親会社お客様番号,
//	            parent_share 親会社出資比率 (percent), country 国 (ISO code, default JP),
//	            corporate_no 法人番号
//	contracts   contract_no* 契約番号, customer_no* お客様番号, plan_code* プランコード,
//	            seats* 数量 (or シート数), unit_price* 単価, term_start* 契約開始日,
//	            auto_renew 自動更新 (1/0, default 1; 0 for a perpetual licence)
//	orders      order_no* 注文番号, kind* 注文種別 (new|addition|migration, or
//	            新規|追加|移行), customer_no* お客様番号, contract_no 契約番号 (additions
//	            only), plan_code* プランコード, seats* 数量, order_date* 注文日,
//	            desired_start* 利用開始希望月 (YYYY-MM)
//
// Some other Japanese headers are accepted as well (顧客番号, シート数, …); see columns.go.
//
// # Values
//
//   - Dates: 2026/4/1, 2026-04-01, 2026年4月1日, 20260401, 令和8年4月1日, R8.4.1 (also
//     平成 and 元年), with an optional time of day that is ignored; Excel serial numbers in
//     .xlsx only. Refused: dates that do not exist (2026-02-30), day-first or two-digit
//     years (1/2/2026, 26/4/1), dates outside their era, years outside 1990–2100.
//   - Months (desired_start): 2026-06, 2026/6, 2026年6月, 202606, 令和8年6月, R8.6, or the
//     first day of the month (Excel turns a typed 2026/6 into 2026/6/1).
//   - Amounts: whole yen, with thousands separators, a leading ¥ or ￥ (or the backslash
//     Shift_JIS shows for it) or a trailing 円; never through a float; at most ¥100,000,000.
//   - Seats: a whole number from 1 to 1,000,000.
//   - Customer numbers: 6 digits. Contract numbers: Options.ContractPattern (default
//     NP- and 7 digits), after folding full-width characters, letter case and dashes.
//   - 郵便番号: NNN-NNNN; a leading 〒, full-width digits, any dash, or the bare 7 digits
//     are accepted and written back as half-width NNN-NNNN.
//   - フリガナ: katakana, ー, ・ and spaces; half-width is accepted and stored full-width.
//   - 振込依頼人名: katakana (either width), A–Z, digits, spaces and ( ) . , - / as a bank
//     shows them; stored in half-width katakana, the form of a bank statement.
//   - 法人番号: 13 digits with a valid check digit (T+13 digits is accepted as well).
//   - parent_share: a percentage with at most two decimals (Share).
//
// # Rules checked across rows
//
// Every bad row is reported (RowError: line, column, reason), not just the first:
// unknown, repeated or missing header columns; a row with more or fewer fields than the
// header; a number used twice in the file (customer_no, contract_no, order_no, a plan's
// valid_from); an overseas customer (country other than JP, SPEC §3.4); a subsidiary
// whose parent share is below the threshold (default "51% or more"; exactly 51% is
// accepted with a Warning for staff) or whose parent is neither in the file nor stored,
// or whose parent chain loops; a plan's price periods that overlap, in the file or with
// the stored rows the file does not replace, or a plan whose kind changes; a contract
// whose customer or plan is unknown, or whose number is stored for another customer or
// plan, or a perpetual licence set to renew; an order for an unknown or overseas
// customer, or a subsidiary below the threshold, for an unknown plan or one with no
// price on the order date (new and migration), an addition without a contract or with a
// contract of another customer or plan, or on a perpetual licence, a new order naming a
// contract, a desired start month before the month of the order date.
//
// Write writes the same columns in the same forms, so that export, edit in Excel and
// import again changes nothing: CSV in UTF-8 with BOM (Excel's "CSV UTF-8") or
// Shift_JIS, CRLF; or .xlsx with codes as text cells, amounts as numbers and dates as
// date cells.
package masterdata
