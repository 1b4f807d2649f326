package jobs

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/store"
)

// BankFeed is the bank feed step (SPEC §5.1 step 1, §6): every file in the inbox's
// bank/ folder, in name order, is parsed and validated whole; a malformed one is kept
// as evidence, reported with its record and field and moved to rejected/bank/. A good
// one is handled in one transaction: kept as evidence, its new transfers stored
// (multiset merge per account and payment source, §6.3), matched and applied, its
// cancellations reversed (§6.4); then it moves to archive/bank/YYYY-MM-DD/. A file seen
// before (same SHA-256) is skipped. A crash before the move leaves the file in the
// inbox, and the rerun finds it recorded and only moves it. In a dry run nothing moves.
// A Zengin file above 64 MiB is never read whole (bigBankFile streams it in two passes);
// a refused file's exception names its first defects and how many there are.
func BankFeed(ctx context.Context, n *Night) (Result, error) {
	res := newResult()
	dir := filepath.Join(n.Config.InboxDir, "bank")
	names, err := inboxFiles(dir)
	if err != nil {
		return res, err
	}
	res.Seen["bank_files"] = len(names)
	if len(names) == 0 {
		n.progress("  bank: no file in %s", dir)
		return res, nil
	}
	opts := bankOptions(n)
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		path := filepath.Join(dir, name)
		big, err := streamed(path, name, opts)
		if err != nil {
			return res, fmt.Errorf("bank file %s: %w", path, err)
		}
		var out fileOutcome
		if big {
			if out, err = bigBankFile(ctx, n, name, path, opts); err != nil {
				return res, fmt.Errorf("bank file %s: %w", path, err)
			}
		} else {
			data, err := os.ReadFile(path)
			if err != nil {
				return res, fmt.Errorf("bank file %s: %w", path, err)
			}
			st, perr := bankfeed.Parse(name, data, opts)
			if perr != nil {
				perr = allDefects(name, data, opts, perr)
			}
			err = n.Tx(ctx, func(tx *sqlx.Tx) error {
				var err error
				if out, err = bankFile(ctx, n, tx, name, data, st, perr); err != nil {
					return err
				}
				return n.fault("bankfeed.before_commit")
			})
			if err != nil {
				return res, fmt.Errorf("bank file %s: %w", path, err)
			}
		}
		if err := n.fault("bankfeed.after_commit"); err != nil {
			return res, err
		}
		out.count(res)
		if n.DryRun {
			continue
		}
		target := filepath.Join(n.Config.InboxDir, "archive", "bank", n.Date.String())
		if out.status == store.BankFileRejected {
			target = filepath.Join(n.Config.InboxDir, "rejected", "bank")
		}
		if err := os.MkdirAll(target, 0o755); err != nil {
			return res, fmt.Errorf("bank file %s: %w", path, err)
		}
		if err := os.Rename(path, filepath.Join(target, name)); err != nil {
			return res, fmt.Errorf("move bank file: %w", err)
		}
		n.progress("  bank file %s (%s) → %s", name, out.status, target)
	}
	return res, nil
}

// inboxFiles lists the regular files of dir in name order; a missing dir has none.
func inboxFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("inbox %s: %w", dir, err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// bankOptions turns the configuration into parse options: the CSV profiles, the era
// per account, the run date.
func bankOptions(n *Night) bankfeed.ParseOptions {
	o := bankfeed.ParseOptions{Era: n.Config.Bank.Era, RunDate: n.Date, Normalizer: bankNormalizer(n.Env)}
	for _, a := range n.Config.Bank.Accounts {
		if a.Era != "" {
			if o.Eras == nil {
				o.Eras = map[string]string{}
			}
			o.Eras[a.Account] = a.Era
		}
	}
	for _, p := range n.Config.Bank.Profiles {
		o.Profiles = append(o.Profiles, bankfeed.CSVProfile{Name: p.Name, Encoding: p.Encoding, SkipRows: p.SkipRows, Date: p.Date,
			DateLayout: p.DateLayout, Amount: p.Amount, Payer: p.Payer, Ref: p.Ref, EDI: p.EDI, Account: p.Account,
			DefaultAccount: p.DefaultAccount})
	}
	return o
}

// bankNormalizer is the payer-name normalizer with the configured extra abbreviations
// ("ｶﾌﾞ=株式会社").
func bankNormalizer(env *Env) *bankfeed.Normalizer {
	var extra []bankfeed.LegalForm
	for _, a := range env.Config.Bank.Abbreviations {
		abbr, full, ok := strings.Cut(a, "=")
		if !ok || abbr == "" {
			continue
		}
		lf := bankfeed.LegalForm{Abbrev: strings.TrimSpace(abbr)}
		if full = strings.TrimSpace(full); full != "" {
			lf.Full = []string{full}
		}
		extra = append(extra, lf)
	}
	return bankfeed.NewNormalizer(extra)
}

// fileOutcome is what became of one bank file.
type fileOutcome struct {
	status                         string // applied | rejected | evidence_only | skipped
	inserted, duplicates, payments int
	exceptions, reversals          int
}

func (o fileOutcome) count(res Result) {
	switch o.status {
	case "skipped":
		res.Seen["files_skipped"]++
	case store.BankFileRejected:
		res.Changes["files_rejected"]++
	case store.BankFileEvidenceOnly:
		res.Changes["files_evidence_only"]++
	default:
		res.Changes["files_applied"]++
	}
	res.Changes["transfers"] += o.inserted
	res.Seen["transfers_known"] += o.duplicates
	res.Changes["payments"] += o.payments
	res.Changes["exceptions"] += o.exceptions
	res.Changes["reversals"] += o.reversals
}

// fileDetail is bank_files.detail: what the file held and, for an evidence-only
// account, how it compares with the account's payment source.
type fileDetail struct {
	Error    string          `json:"error,omitempty"`
	Accounts []accountDetail `json:"accounts,omitempty"`
}

type accountDetail struct {
	Account     string `json:"account"`
	Name        string `json:"name,omitempty"`
	Source      string `json:"source"`
	Applied     bool   `json:"applied"`
	Credits     int    `json:"credits"`
	CreditTotal int64  `json:"credit_total"`
	// For an evidence-only account: its credits found in the payment source, and those not.
	Found   int      `json:"found,omitempty"`
	Missing []string `json:"missing,omitempty"`
}

// bankFile records one bank file in tx and applies what it holds.
func bankFile(ctx context.Context, n *Night, tx *sqlx.Tx, name string, data []byte, st *bankfeed.Statement, perr error) (fileOutcome, error) {
	var out fileOutcome
	sha := sha256Hex(data)
	if f, err := store.GetBankFile(ctx, tx, sha); err == nil {
		out.status = "skipped"
		if f.Status == store.BankFileRejected {
			out.status = store.BankFileRejected
		}
		return out, nil
	} else if !store.IsNoRows(err) {
		return out, err
	}
	entry := evidence.Entry{Kind: evidence.KindBankFile, Source: "inbox/bank/" + name, ReceivedAt: n.Now, Date: n.Date}
	if perr != nil {
		out.status = store.BankFileRejected
		if _, err := n.Keep(ctx, tx, entry, data); err != nil {
			return out, err
		}
		return out, rejectFile(ctx, n, tx, name, sha, perr)
	}

	var credits int64
	last := calendar.Date{}
	for _, t := range st.Txns {
		if t.IsPayment() {
			credits += t.Amount
		}
		if t.ValueDate.After(last) {
			last = t.ValueDate
		}
	}
	if last.IsZero() {
		last = n.Date
	}
	entry.Date, entry.Amount, entry.HasAmount = last, credits, true
	if len(st.Accounts) > 0 {
		a := st.Accounts[0]
		entry.Counterparty = strings.TrimSpace(strings.TrimSpace(a.BankName+" "+a.BranchName) + " " + a.Name)
		if entry.Counterparty == "" {
			entry.Counterparty = a.Key
		}
	}
	if _, err := n.Keep(ctx, tx, entry, data); err != nil {
		return out, err
	}

	if strings.HasPrefix(st.Format, "csv:") {
		if err := fillAccounts(ctx, n, tx, st); err != nil {
			return out, err
		}
		if err := canonicalAccounts(ctx, tx, st); err != nil {
			return out, err
		}
	}
	// One payment source per account (§6.3).
	applied := map[string]bool{}
	sources := map[string]string{}
	var det fileDetail
	for _, a := range st.Accounts {
		if a.Key == "" { // rows whose account could not be decided: stored, held for staff
			sources[a.Key], applied[a.Key] = st.Format, true
			continue
		}
		src, ok, err := store.AccountSource(ctx, tx, a.Key)
		if err != nil {
			return out, err
		}
		if !ok {
			src = configuredSource(n, a)
			if src == "" {
				src = st.Format
			}
			if err := store.SetAccountSource(ctx, tx, a.Key, src, a.Era, n.Now); err != nil {
				return out, err
			}
		}
		sources[a.Key] = src
		applied[a.Key] = src == st.Format
	}
	perAccount := map[string]*accountDetail{}
	for _, a := range st.Accounts {
		perAccount[a.Key] = &accountDetail{Account: a.Key, Name: a.Name, Source: sources[a.Key], Applied: applied[a.Key]}
	}

	// Store the new transfers: the n-th occurrence of a key in this file is ordinal n,
	// so an overlapping file adds only what earlier files did not have.
	type stored struct {
		txn bankfeed.Txn
		row store.BankTxn
	}
	var payments, reversals []stored
	seen := map[string]int{}
	ts := &txnStorer{n: n, tx: tx, format: st.Format, sha: sha, perAccount: perAccount, applied: applied}
	for _, t := range st.Txns {
		row, ok, err := ts.add(ctx, t, func(k string) int { seen[t.Account+"\x00"+k]++; return seen[t.Account+"\x00"+k] })
		if err != nil {
			return out, err
		}
		if row.Status == "" { // an evidence-only account: compared, not stored
			continue
		}
		if !ok {
			out.duplicates++
			continue
		}
		out.inserted++
		switch {
		case t.IsPayment():
			payments = append(payments, stored{t, row})
		case t.Cancelled || t.Reversal:
			reversals = append(reversals, stored{t, row})
		}
	}
	keys := make([]string, 0, len(perAccount))
	for k := range perAccount {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	anyApplied := false
	for _, k := range keys {
		det.Accounts = append(det.Accounts, *perAccount[k])
		anyApplied = anyApplied || perAccount[k].Applied
	}
	out.status = store.BankFileApplied
	if !anyApplied {
		out.status = store.BankFileEvidenceOnly
	}
	detail, _ := json.Marshal(det)
	if _, err := store.AddBankFile(ctx, tx, store.BankFile{SHA256: sha, Name: name, Format: st.Format, RunDate: n.Date,
		Status: out.status, Detail: string(detail), Records: len(st.Txns), CreatedAt: n.Now}); err != nil {
		return out, err
	}

	b := nightBooks(n, tx)
	var txns []bankfeed.Txn
	var ids []store.BankTxn
	for _, p := range payments {
		if p.row.Account == "" { // §6.1: the account cannot be decided, staff resolve it
			nx, err := b.holdWhole(ctx, p.row, accountUnknown(p.row))
			if err != nil {
				return out, err
			}
			out.exceptions += nx
			continue
		}
		txns, ids = append(txns, p.txn), append(ids, p.row)
	}
	if len(txns) > 0 {
		results, err := matchPayments(ctx, n.Env, tx, txns)
		if err != nil {
			return out, err
		}
		for _, r := range results {
			np, nx, err := b.bookResult(ctx, ids[r.Index], r)
			if err != nil {
				return out, err
			}
			out.payments += np
			out.exceptions += nx
		}
	}
	for _, rv := range reversals {
		ok, err := reverse(ctx, n, tx, rv.row, rv.txn, sha)
		if err != nil {
			return out, err
		}
		if ok {
			out.reversals++
		} else {
			out.exceptions++
		}
	}
	return out, nil
}

// rejectFile records a malformed bank file (already kept as evidence) and the
// exception that tells staff what is wrong with it.
func rejectFile(ctx context.Context, n *Night, tx *sqlx.Tx, name, sha string, perr error) error {
	det, _ := json.Marshal(fileDetail{Error: perr.Error()})
	if _, err := store.AddBankFile(ctx, tx, store.BankFile{SHA256: sha, Name: name, Format: "", RunDate: n.Date,
		Status: store.BankFileRejected, Detail: string(det), CreatedAt: n.Now}); err != nil {
		return err
	}
	_, err := store.AddException(ctx, tx, store.Exception{NKey: "bank_file:" + sha, RunDate: n.Date, Kind: "bank_file_rejected",
		Subject: name, Message: fmt.Sprintf("銀行ファイル %s に不備があるため、ファイル全体を取り込んでいません（1件も入金処理していません）: %s", name, describeFormatError(perr)),
		Action: fmt.Sprintf("銀行から正しいファイルを取り寄せ（または再ダウンロードし）、受信フォルダの bank/ に置いてください。元のファイルは rejected/bank/%s にあります。", name)})
	return err
}

// maxDefectsShown is how many defects of a refused file the exception names.
const maxDefectsShown = 10

// allDefects turns the first defect Parse found in a Zengin file into every defect of
// the file (the first maxDefectsShown and the count), so that the report says how
// broken it is; other errors are returned as they are.
func allDefects(name string, data []byte, o bankfeed.ParseOptions, perr error) error {
	var fe *bankfeed.FormatError
	if !errors.As(perr, &fe) {
		return perr
	}
	if f, err := bankfeed.Detect(name, data, o); err != nil || !strings.HasPrefix(f, "zengin") {
		return perr
	}
	o.Format = "zengin"
	if err := bankfeed.Check(name, bytes.NewReader(data), o, maxDefectsShown); err != nil {
		return err
	}
	return perr
}

// describeFormatError says in Japanese where a malformed file is wrong.
func describeFormatError(err error) string {
	var fes *bankfeed.FormatErrors
	if errors.As(err, &fes) && fes.Count > 1 {
		var b strings.Builder
		fmt.Fprintf(&b, "不備のあるレコードが %s 件あります。", groupDigits(int64(fes.Count)))
		if len(fes.First) < fes.Count {
			fmt.Fprintf(&b, "最初の %d 件: ", len(fes.First))
		}
		for i, fe := range fes.First {
			if i > 0 {
				b.WriteString("; ")
			}
			describeOne(&b, fe)
		}
		return b.String()
	}
	var fe *bankfeed.FormatError
	if errors.As(err, &fe) {
		var b strings.Builder
		if fe.Record > 0 {
			fmt.Fprintf(&b, "%d件目のレコード", fe.Record)
		} else {
			b.WriteString("ファイル全体")
		}
		if fe.Field != "" {
			fmt.Fprintf(&b, "、項目「%s」", fe.Field)
		}
		fmt.Fprintf(&b, "（%s）", err.Error())
		return b.String()
	}
	return err.Error()
}

// configuredSource is the payment source the configuration fixes for an account.
func configuredSource(n *Night, a bankfeed.Account) string {
	for _, c := range n.Config.Bank.Accounts {
		if c.Source != "" && (c.Account == a.Key || (a.Number != "" && c.Account == a.Number)) {
			return c.Source
		}
	}
	return ""
}

// txnKey identifies a transfer within its account and source (SPEC §6.3): 勘定日 and
// 照会番号 when the bank gave one, else 勘定日, amount and payer. The kind is part of the
// key, so that a cancellation never merges with the transfer it cancels.
func txnKey(t bankfeed.Txn) string {
	tag := "C"
	switch {
	case t.Cancelled:
		tag = "X"
	case t.Kind == bankfeed.Debit:
		tag = "D"
	}
	if t.RefNo != "" {
		return fmt.Sprintf("%s|%s|ref:%s", tag, t.ValueDate, t.RefNo)
	}
	key := fmt.Sprintf("%s|%s|%d|%s", tag, t.ValueDate, t.Amount, t.PayerNormalized)
	if len(key) > 190 {
		key = key[:190]
	}
	return key
}

// inSource reports whether the account's payment source holds a credit like t (same
// 勘定日, amount and payer), for comparing an evidence-only file.
func inSource(ctx context.Context, q sqlx.ExtContext, source string, t bankfeed.Txn) (bool, error) {
	var c int
	err := sqlx.GetContext(ctx, q, &c, `SELECT COUNT(*) FROM bank_txns WHERE account = ? AND source = ? AND value_date = ?
		AND amount = ? AND payer_normalized = ? AND kind = 'credit'`, t.Account, source, t.ValueDate, t.Amount, t.PayerNormalized)
	return c > 0, err
}

// matchPayments runs the matcher over txns against the books as they are in q.
func matchPayments(ctx context.Context, env *Env, q sqlx.ExtContext, txns []bankfeed.Txn) ([]bankfeed.Result, error) {
	in, err := matchInput(ctx, env, q)
	if err != nil {
		return nil, err
	}
	in.Txns = txns
	return bankfeed.Match(in), nil
}

// matchInput reads the books the matcher needs from q: matchable invoices, customers'
// names, learned aliases and fees.
func matchInput(ctx context.Context, env *Env, q sqlx.ExtContext) (bankfeed.MatchInput, error) {
	invs, err := store.MatchableInvoices(ctx, q)
	if err != nil {
		return bankfeed.MatchInput{}, err
	}
	in := bankfeed.MatchInput{FeeList: env.Config.Bank.FeeList, SimilarityThreshold: env.Config.Bank.SimilarityThreshold,
		Normalizer: bankNormalizer(env)}
	for _, inv := range invs {
		in.Invoices = append(in.Invoices, bankfeed.OpenInvoice{Number: inv.Number, CustomerNo: inv.CustomerNo, Open: inv.Total - inv.Paid,
			Total: inv.Total, DueDate: inv.DueDate})
	}
	custs, err := store.ListCustomers(ctx, q)
	if err != nil {
		return in, err
	}
	for _, c := range custs {
		names := []string{c.Kana, c.Name}
		for _, p := range strings.Split(c.PayerNames, ";") {
			if p = strings.TrimSpace(p); p != "" {
				names = append(names, p)
			}
		}
		in.Payers = append(in.Payers, bankfeed.Payer{CustomerNo: c.No, Names: names})
	}
	aliases, err := store.PayerAliases(ctx, q)
	if err != nil {
		return in, err
	}
	for _, a := range aliases {
		in.Aliases = append(in.Aliases, bankfeed.Alias{Name: a.Name, CustomerNo: a.CustomerNo})
	}
	if in.LearnedFees, err = store.LearnedFees(ctx, q); err != nil {
		return in, err
	}
	if in.Replaced, err = store.Replacements(ctx, q); err != nil {
		return in, err
	}
	return in, nil
}

// txnSubject names a transfer for staff.
func txnSubject(t store.BankTxn) string {
	return fmt.Sprintf("振込 %d: %s %s %s", t.ID, t.ValueDate, t.Payer, Yen(t.Amount))
}

// TxnExceptionKey is the key of the exception about transfer id.
func TxnExceptionKey(id int64) string { return fmt.Sprintf("bank_txn:%d", id) }

// SuggestionJSON is a suggestion as stored in exceptions.suggestions.
type SuggestionJSON struct {
	Invoices   []string `json:"invoices"`
	CustomerNo string   `json:"customer_no"`
	Amount     int64    `json:"amount"`
	Fee        int64    `json:"fee,omitempty"`
	Score      int      `json:"score"`
	Reason     string   `json:"reason"`
}

func suggestionsJSON(ss []bankfeed.Suggestion) string {
	out := make([]SuggestionJSON, 0, len(ss))
	for _, s := range ss {
		out = append(out, SuggestionJSON{Invoices: s.Invoices, CustomerNo: s.CustomerNo, Amount: s.Amount, Fee: s.Fee, Score: s.Score, Reason: s.Reason})
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func statusJa(s string) string {
	switch s {
	case store.InvoiceLapsed:
		return "失効"
	case store.InvoiceVoid:
		return "無効"
	case store.InvoicePaid:
		return "入金済"
	case store.InvoicePartiallyPaid:
		return "一部入金"
	}
	return "未入金"
}

// reverse undoes what the credit a cancellation or 訂正/組戻し debit mirrors did
// (SPEC §6.4); it reports false (and records an exception) when no original is found.
func reverse(ctx context.Context, n *Night, tx *sqlx.Tx, rv store.BankTxn, t bankfeed.Txn, sha string) (bool, error) {
	var orig store.BankTxn
	var err error
	if t.Reverses > 0 {
		orig, err = store.BankTxnOfRecord(ctx, tx, sha, t.Reverses)
	} else {
		orig, err = store.OriginalCredit(ctx, tx, rv.Account, rv.Source, rv.Amount, rv.PayerNormalized, rv.ValueDate)
	}
	if err != nil && !store.IsNoRows(err) {
		return false, err
	}
	if err != nil || orig.Status == store.TxnReversed {
		_, err := store.AddException(ctx, tx, store.Exception{NKey: TxnExceptionKey(rv.ID), RunDate: n.Date, Kind: "reversal_unmatched",
			Subject: txnSubject(rv), Message: fmt.Sprintf("%s は取消・訂正ですが、取り消す元の入金が見つかりません。", txnSubject(rv)),
			Action: "銀行に元の入金を確認し、必要なら入金の取り消しを手作業で行ってから `nightly exceptions close " + TxnExceptionKey(rv.ID) + " --why 理由`。"})
		return false, err
	}
	if err := nightBooks(n, tx).reverse(ctx, orig.ID, rv, fmt.Sprintf("取消（振込 %d）により入金自体が取り消されました", rv.ID)); err != nil {
		return false, err
	}
	if err := store.SetTxnStatus(ctx, tx, orig.ID, store.TxnReversed); err != nil {
		return false, err
	}
	return true, store.Audit(ctx, tx, store.AuditEntry{At: n.Now.UTC(), RunDate: n.Date, Who: "nightly", Action: "payment_reversed",
		Subject: fmt.Sprintf("bank_txn:%d", orig.ID), Field: "status", FromValue: orig.Status, ToValue: store.TxnReversed,
		Why: fmt.Sprintf("取消・訂正 振込 %d（%s 第%dレコード）", rv.ID, rv.ValueDate, rv.Record)})
}

// BankReport is the bank feed's part of the morning report (issue 5 point 6).
type BankReport struct {
	Payments []store.PaymentRow // applied tonight, reversed ones included
	ByRule   []RuleCount
	Fees     int64 // bank fees absorbed tonight
	Files    []BankFileLine
	// Exceptions are the open bank exceptions with their suggestions.
	Exceptions []BankException
}

// RuleCount is how many payments a matching rule made tonight, and their amount.
type RuleCount struct {
	Rule     int
	RuleName string
	N        int
	Amount   int64
}

// BankFileLine is a bank file of the night with what it held.
type BankFileLine struct {
	store.BankFile
	Accounts []accountDetail
	Error    string
}

// BankException is an open bank exception with its suggestions decoded.
type BankException struct {
	store.Exception
	Suggested []SuggestionJSON
}

func (n *Night) bankReport(ctx context.Context) (BankReport, error) {
	q := n.Q()
	var br BankReport
	var err error
	if br.Payments, err = store.PaymentRows(ctx, q, n.Date); err != nil {
		return br, err
	}
	idx := map[string]int{}
	for _, p := range br.Payments {
		if p.Reversed {
			continue
		}
		k := fmt.Sprintf("%d %s", p.Rule, p.RuleName)
		i, ok := idx[k]
		if !ok {
			i = len(br.ByRule)
			idx[k] = i
			br.ByRule = append(br.ByRule, RuleCount{Rule: p.Rule, RuleName: p.RuleName})
		}
		br.ByRule[i].N++
		br.ByRule[i].Amount += p.Amount
		br.Fees += p.Fee
	}
	sort.Slice(br.ByRule, func(a, b int) bool {
		x, y := br.ByRule[a], br.ByRule[b]
		return x.Rule < y.Rule || (x.Rule == y.Rule && x.RuleName < y.RuleName)
	})
	files, err := store.BankFilesOn(ctx, q, n.Date)
	if err != nil {
		return br, err
	}
	for _, f := range files {
		var d fileDetail
		json.Unmarshal([]byte(f.Detail), &d)
		br.Files = append(br.Files, BankFileLine{BankFile: f, Accounts: d.Accounts, Error: d.Error})
	}
	xs, err := store.OpenExceptions(ctx, q)
	if err != nil {
		return br, err
	}
	for _, x := range xs {
		if !strings.HasPrefix(x.NKey, "bank_txn:") && !strings.HasPrefix(x.NKey, "bank_file:") {
			continue
		}
		be := BankException{Exception: x}
		json.Unmarshal([]byte(x.Suggestions), &be.Suggested)
		br.Exceptions = append(br.Exceptions, be)
	}
	return br, nil
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// fillAccounts gives the rows of a bank CSV without an account the account they belong
// to (SPEC §6.1): the profile's default_account (set by the parser), `[bank]
// default_account` for the built-in standard profile, else the only account the
// reseller has configured or the night has seen. Rows it cannot decide keep an empty
// account: they are stored and held for staff, never dropped.
func fillAccounts(ctx context.Context, n *Night, tx sqlx.ExtContext, st *bankfeed.Statement) error {
	missing := false
	for _, t := range st.Txns {
		missing = missing || t.Account == ""
	}
	if !missing {
		return nil
	}
	def := ""
	if st.Format == "csv:standard" {
		def = n.Config.Bank.DefaultAccount
	}
	if def == "" {
		known := map[string]bool{}
		for _, a := range n.Config.Bank.Accounts {
			known[a.Account] = true
		}
		keys, err := store.AccountKeys(ctx, tx)
		if err != nil {
			return err
		}
		for _, k := range keys {
			known[k] = true
		}
		if len(known) == 1 {
			for k := range known {
				def = k
			}
		}
	}
	if def == "" {
		return nil
	}
	for i := range st.Txns {
		if st.Txns[i].Account == "" {
			st.Txns[i].Account = def
		}
	}
	for i := range st.Accounts {
		if st.Accounts[i].Key == "" {
			st.Accounts[i].Key, st.Accounts[i].Number = def, def
		}
	}
	return nil
}

// canonicalAccounts gives a CSV's accounts, printed as bare numbers, the key of the
// known Zengin account with that number, so that both files are of one account.
func canonicalAccounts(ctx context.Context, q sqlx.ExtContext, st *bankfeed.Statement) error {
	keys := map[string]string{}
	for i := range st.Txns {
		a := st.Txns[i].Account
		k, ok := keys[a]
		if !ok {
			k = a
			if a != "" && !strings.Contains(a, "-") {
				known, err := store.AccountKeyByNumber(ctx, q, a)
				if err != nil {
					return err
				}
				if known != "" {
					k = known
				}
			}
			keys[a] = k
		}
		st.Txns[i].Account = k
	}
	for i := range st.Accounts {
		if k, ok := keys[st.Accounts[i].Key]; ok {
			st.Accounts[i].Key = k
		}
	}
	return nil
}

// describeOne writes one defect: "12件目のレコード、項目「金額」: reason".
func describeOne(b *strings.Builder, fe *bankfeed.FormatError) {
	if fe.Record > 0 {
		fmt.Fprintf(b, "%d件目のレコード", fe.Record)
	} else {
		b.WriteString("ファイル全体")
	}
	if fe.Field != "" {
		fmt.Fprintf(b, "、項目「%s」", fe.Field)
	}
	fmt.Fprintf(b, ": %s", fe.Reason)
}

// groupDigits writes n with thousands separators (10,000).
func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// txnStorer stores the transfers of one bank file (SPEC §6.3) and keeps the per-account
// figures of bank_files.detail.
type txnStorer struct {
	n          *Night
	tx         *sqlx.Tx
	format     string
	sha        string
	perAccount map[string]*accountDetail
	applied    map[string]bool
}

// add counts t in its account and, for an account whose payment source is this file's
// format, stores it with the ordinal that ordinal gives its key: it returns the row and
// whether it is new (false: an earlier file had it). For an evidence-only account it
// only compares t with the payment source and returns a zero row.
func (s *txnStorer) add(ctx context.Context, t bankfeed.Txn, ordinal func(key string) int) (store.BankTxn, bool, error) {
	n, tx := s.n, s.tx
	d := s.perAccount[t.Account]
	if d == nil && t.Account == "" {
		d = &accountDetail{Source: s.format, Applied: true}
		s.perAccount[""], s.applied[""] = d, true
	}
	if d == nil { // a CSV account not in the header list
		d = &accountDetail{Account: t.Account, Source: s.format, Applied: true}
		s.perAccount[t.Account] = d
		src, ok, err := store.AccountSource(ctx, tx, t.Account)
		if err != nil {
			return store.BankTxn{}, false, err
		}
		if !ok {
			if src = configuredSource(n, bankfeed.Account{Key: t.Account}); src == "" {
				src = s.format
			}
			if err := store.SetAccountSource(ctx, tx, t.Account, src, "", n.Now); err != nil {
				return store.BankTxn{}, false, err
			}
		}
		d.Source, d.Applied = src, src == s.format
		s.applied[t.Account] = d.Applied
	}
	if t.IsPayment() {
		d.Credits++
		d.CreditTotal += t.Amount
	}
	if !s.applied[t.Account] {
		if t.IsPayment() {
			found, err := inSource(ctx, tx, d.Source, t)
			if err != nil {
				return store.BankTxn{}, false, err
			}
			if found {
				d.Found++
			} else if len(d.Missing) < 50 {
				d.Missing = append(d.Missing, fmt.Sprintf("%s %s %s", t.ValueDate, Yen(t.Amount), t.Payer))
			}
		}
		return store.BankTxn{}, false, nil
	}
	key := txnKey(t)
	row := store.BankTxn{Account: t.Account, Source: s.format, TKey: key, Ordinal: ordinal(key), FileSHA256: s.sha,
		Record: t.Record, RefNo: t.RefNo, ValueDate: t.ValueDate, Amount: t.Amount, Payer: t.Payer, PayerNormalized: t.PayerNormalized,
		EDI: t.EDI, Kind: t.Kind.String(), Cancelled: t.Cancelled, Status: store.TxnNew, RunDate: n.Date}
	switch {
	case t.Cancelled || t.Reversal:
		row.Status = store.TxnReversal
	case t.Kind == bankfeed.Debit:
		row.Status = store.TxnIgnored
	}
	ok, err := store.AddBankTxn(ctx, tx, &row)
	return row, ok, err
}

// streamAbove is the size above which a Zengin bank file is streamed (read twice,
// record by record) instead of read whole; tests lower it.
var streamAbove int64 = 64 << 20

// streamChunk is how many transfers of a streamed file are stored and matched at once.
const streamChunk = 10000

// streamed reports whether the bank file at path is a Zengin file above streamAbove.
// Smaller files, and CSV files of any size, are read whole.
func streamed(path, name string, o bankfeed.ParseOptions) (bool, error) {
	fi, err := os.Stat(path)
	if err != nil || fi.Size() <= streamAbove {
		return false, err
	}
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, bankfeed.RecordLen)
	k, _ := io.ReadFull(f, head)
	format, err := bankfeed.Detect(name, head[:k], o)
	return err == nil && strings.HasPrefix(format, "zengin"), nil
}

// KeepFile is Keep for a file too big to hold in memory: the file at path, whose
// SHA-256 the caller read as sha, is copied into the evidence store while it is hashed
// (evidence.Store.PutFile: written, flushed, then linked), and its ledger row appended
// in tx. A file that changed since the caller hashed it is an error.
func (n *Night) KeepFile(ctx context.Context, tx sqlx.ExtContext, e evidence.Entry, path, sha string, size int64) (evidence.Entry, error) {
	if row, err := store.EvidenceBySHA(ctx, tx, sha); err == nil {
		return entryOf(row), nil
	} else if !store.IsNoRows(err) {
		return e, err
	}
	if !n.DryRun {
		got, gotSize, err := n.Evidence.PutFile(path)
		if err != nil {
			return e, err
		}
		if got != sha || gotSize != size {
			return e, fmt.Errorf("keep %s: the file changed while it was read (%d bytes, SHA-256 %s; then %d bytes, %s)", path, size, sha, gotSize, got)
		}
	}
	e.SHA256, e.Size = sha, size
	e.ReceivedAt = e.ReceivedAt.UTC().Truncate(1e9)
	head, ok, err := store.EvidenceHead(ctx, tx)
	if err != nil {
		return e, err
	}
	var prev evidence.Entry
	if ok {
		prev = entryOf(head)
	}
	e = evidence.Next(prev, e)
	return e, store.AppendEvidence(ctx, tx, rowOf(e))
}

// survey is what the first pass over a streamed file learned.
type survey struct {
	sha      string
	size     int64
	format   string
	accounts []bankfeed.Account
	records  int
	credits  int64
	last     calendar.Date
	repeats  *keyFilter // keys that may occur more than once in the file
	err      error      // the file's defects (*bankfeed.FormatErrors), if any
}

// payerCache normalizes payer names, remembering a bounded number of them (payers repeat).
type payerCache struct {
	norm *bankfeed.Normalizer
	m    map[string]string
}

func (c *payerCache) normalize(t *bankfeed.Txn) {
	if v, ok := c.m[t.Payer]; ok {
		t.PayerNormalized = v
		return
	}
	t.PayerNormalized = c.norm.Normalize(t.Payer)
	if len(c.m) < 1<<16 {
		c.m[t.Payer] = t.PayerNormalized
	}
}

// scanFile runs a Zengin Scanner over the file at path, hashing what it reads, and calls
// each for every data record (with PayerNormalized filled).
func scanFile(path, name string, o bankfeed.ParseOptions, pc *payerCache, collect bool, each func(bankfeed.Txn) error) (*bankfeed.Scanner, string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	cr := &countingReader{r: io.TeeReader(f, h)}
	o.Normalizer = nil
	sc := bankfeed.NewScanner(name, bufio.NewReaderSize(cr, 1<<20), o)
	if collect {
		sc.CollectErrors(maxDefectsShown)
	}
	for sc.Scan() {
		t := sc.Txn()
		pc.normalize(&t)
		if err := each(t); err != nil {
			return sc, "", 0, err
		}
	}
	if _, err := io.Copy(io.Discard, cr); err != nil { // hash what the Scanner left unread
		return sc, "", 0, err
	}
	return sc, hex.EncodeToString(h.Sum(nil)), cr.n, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	return k, err
}

// surveyFile is the first pass over a streamed file: its hash and size, every defect
// (the file is refused whole if it has any), its accounts and credit total, and the
// keys that may repeat within it (for ordinals: SPEC §6.3).
func surveyFile(path, name string, o bankfeed.ParseOptions, pc *payerCache) (survey, error) {
	sv := survey{repeats: newKeyFilter()}
	once := newKeyFilter()
	sc, sha, size, err := scanFile(path, name, o, pc, true, func(t bankfeed.Txn) error {
		sv.records++
		if t.IsPayment() {
			sv.credits += t.Amount
		}
		if t.ValueDate.After(sv.last) {
			sv.last = t.ValueDate
		}
		k := t.Account + "\x00" + txnKey(t)
		if once.has(k) {
			sv.repeats.add(k)
		} else {
			once.add(k)
		}
		return nil
	})
	if err != nil {
		return sv, err
	}
	sv.sha, sv.size, sv.format, sv.accounts = sha, size, sc.Format(), sc.Accounts()
	if err := sc.Err(); err != nil {
		var fe *bankfeed.FormatError
		if !errors.As(err, &fe) {
			return sv, err // an I/O error, not a defect of the file
		}
		sv.err = err
	}
	return sv, nil
}

// bigBankFile handles a bank file too big to read whole, as bankFile does a small one:
// a first pass hashes and validates it whole (any defect: the file is refused, with its
// first defects and their count); then, in one transaction (a crash midway leaves the
// file unprocessed, as for a small file), it is kept as evidence by streaming, and a
// second pass stores its transfers and matches them streamChunk at a time against the
// books loaded once (bankfeed.Matcher carries what each chunk booked to the next).
// Cancellations and reversals are matched to their originals in the database
// (store.OriginalCredit: the latest earlier credit of the same amount and payer), this
// file's earlier chunks included, instead of by record number within the file.
func bigBankFile(ctx context.Context, n *Night, name, path string, opts bankfeed.ParseOptions) (fileOutcome, error) {
	var out fileOutcome
	pc := &payerCache{norm: bankNormalizer(n.Env), m: map[string]string{}}
	n.progress("  bank file %s: large file, streamed", name)
	sv, err := surveyFile(path, name, opts, pc)
	if err != nil {
		return out, err
	}
	err = n.Tx(ctx, func(tx *sqlx.Tx) error {
		out = fileOutcome{}
		if f, err := store.GetBankFile(ctx, tx, sv.sha); err == nil {
			out.status = "skipped"
			if f.Status == store.BankFileRejected {
				out.status = store.BankFileRejected
			}
			return nil
		} else if !store.IsNoRows(err) {
			return err
		}
		entry := evidence.Entry{Kind: evidence.KindBankFile, Source: "inbox/bank/" + name, ReceivedAt: n.Now, Date: n.Date}
		if sv.err != nil {
			out.status = store.BankFileRejected
			if _, err := n.KeepFile(ctx, tx, entry, path, sv.sha, sv.size); err != nil {
				return err
			}
			if err := rejectFile(ctx, n, tx, name, sv.sha, sv.err); err != nil {
				return err
			}
			return n.fault("bankfeed.before_commit")
		}
		if err := applyBigFile(ctx, n, tx, name, path, opts, pc, sv, entry, &out); err != nil {
			return err
		}
		return n.fault("bankfeed.before_commit")
	})
	return out, err
}

func applyBigFile(ctx context.Context, n *Night, tx *sqlx.Tx, name, path string, opts bankfeed.ParseOptions, pc *payerCache,
	sv survey, entry evidence.Entry, out *fileOutcome) error {
	entry.Date, entry.Amount, entry.HasAmount = sv.last, sv.credits, true
	if entry.Date.IsZero() {
		entry.Date = n.Date
	}
	if len(sv.accounts) > 0 {
		a := sv.accounts[0]
		entry.Counterparty = strings.TrimSpace(strings.TrimSpace(a.BankName+" "+a.BranchName) + " " + a.Name)
		if entry.Counterparty == "" {
			entry.Counterparty = a.Key
		}
	}
	if _, err := n.KeepFile(ctx, tx, entry, path, sv.sha, sv.size); err != nil {
		return err
	}
	ts := &txnStorer{n: n, tx: tx, format: sv.format, sha: sv.sha, perAccount: map[string]*accountDetail{}, applied: map[string]bool{}}
	for _, a := range sv.accounts {
		src, ok, err := store.AccountSource(ctx, tx, a.Key)
		if err != nil {
			return err
		}
		if !ok {
			if src = configuredSource(n, a); src == "" {
				src = sv.format
			}
			if err := store.SetAccountSource(ctx, tx, a.Key, src, a.Era, n.Now); err != nil {
				return err
			}
		}
		ts.applied[a.Key] = src == sv.format
		if d := ts.perAccount[a.Key]; d == nil {
			ts.perAccount[a.Key] = &accountDetail{Account: a.Key, Name: a.Name, Source: src, Applied: src == sv.format}
		}
	}
	in, err := matchInput(ctx, n.Env, tx)
	if err != nil {
		return err
	}
	m := bankfeed.NewMatcher(in)
	counts := map[string]int{} // ordinals of the keys that may repeat
	ordinal := func(acct string) func(string) int {
		return func(k string) int {
			full := acct + "\x00" + k
			if !sv.repeats.has(full) {
				return 1
			}
			counts[full]++
			return counts[full]
		}
	}
	var chunk []bankfeed.Txn
	var rows []store.BankTxn
	flush := func() error {
		if err := ctx.Err(); err != nil {
			return err
		}
		var pay []bankfeed.Txn
		var payRows []store.BankTxn
		for i, t := range chunk {
			if t.IsPayment() {
				pay, payRows = append(pay, t), append(payRows, rows[i])
			}
		}
		for _, r := range m.Match(pay) {
			np, nx, err := nightBooks(n, tx).bookResult(ctx, payRows[r.Index], r)
			if err != nil {
				return err
			}
			out.payments += np
			out.exceptions += nx
		}
		for i, t := range chunk {
			if !t.Cancelled && !t.Reversal {
				continue
			}
			ok, err := reverse(ctx, n, tx, rows[i], t, sv.sha)
			if err != nil {
				return err
			}
			if ok {
				out.reversals++
			} else {
				out.exceptions++
			}
		}
		chunk, rows = chunk[:0], rows[:0]
		return nil
	}
	_, sha, _, err := scanFile(path, name, opts, pc, false, func(t bankfeed.Txn) error {
		row, ok, err := ts.add(ctx, t, ordinal(t.Account))
		if err != nil || row.Status == "" {
			return err
		}
		if !ok {
			out.duplicates++
			return nil
		}
		out.inserted++
		if t.IsPayment() || t.Cancelled || t.Reversal {
			t.Reverses = 0
			chunk, rows = append(chunk, t), append(rows, row)
		}
		if len(chunk) >= streamChunk {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if sha != sv.sha {
		return fmt.Errorf("the file changed while it was read (SHA-256 %s, then %s); rerun the night", sv.sha, sha)
	}
	if err := flush(); err != nil {
		return err
	}
	var det fileDetail
	keys := make([]string, 0, len(ts.perAccount))
	for k := range ts.perAccount {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out.status = store.BankFileEvidenceOnly
	for _, k := range keys {
		det.Accounts = append(det.Accounts, *ts.perAccount[k])
		if ts.perAccount[k].Applied {
			out.status = store.BankFileApplied
		}
	}
	detail, _ := json.Marshal(det)
	_, err = store.AddBankFile(ctx, tx, store.BankFile{SHA256: sv.sha, Name: name, Format: sv.format, RunDate: n.Date,
		Status: out.status, Detail: string(detail), Records: sv.records, CreatedAt: n.Now})
	return err
}

// keyFilter is a Bloom filter of fixed size (8 MiB) over transfer keys: it tells which
// keys may occur more than once in a streamed file, so that only those are counted
// exactly for their ordinals and memory stays flat however big the file is. A false
// "may" only costs a map entry; a "no" is certain.
type keyFilter struct{ bits []uint64 }

const keyFilterBits = 1 << 26

func newKeyFilter() *keyFilter { return &keyFilter{bits: make([]uint64, keyFilterBits/64)} }

func (f *keyFilter) positions(k string) [4]uint32 {
	h := fnv.New64a()
	h.Write([]byte(k))
	x := h.Sum64()
	a, b := uint32(x), uint32(x>>32)|1
	var p [4]uint32
	for i := range p {
		p[i] = (a + uint32(i)*b) % keyFilterBits
	}
	return p
}

func (f *keyFilter) add(k string) {
	for _, p := range f.positions(k) {
		f.bits[p/64] |= 1 << (p % 64)
	}
}

func (f *keyFilter) has(k string) bool {
	for _, p := range f.positions(k) {
		if f.bits[p/64]&(1<<(p%64)) == 0 {
			return false
		}
	}
	return true
}
