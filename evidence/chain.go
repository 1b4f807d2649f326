package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/npress/nightly/calendar"
)

// Kinds of evidence item (Entry.Kind).
const (
	KindBankFile    = "bank_file"    // a bank statement file as received (Zengin 01/03, CSV)
	KindMail        = "mail"         // a raw message from the request mailbox
	KindInvoicePDF  = "invoice_pdf"  // an issued invoice, 適格請求書の写し
	KindReminderPDF = "reminder_pdf" // an issued payment reminder
	KindNoticePDF   = "notice_pdf"   // an issued notice (suspension, reply to a request)
	KindOrderFile   = "order_file"   // an order or master-data file as received
)

// Kinds lists every Kind, for validation and for the search form.
var Kinds = []string{KindBankFile, KindMail, KindInvoicePDF, KindReminderPDF, KindNoticePDF, KindOrderFile}

// Column widths of the ledger table, in characters. Next cuts Source and Counterparty to
// them so that what is hashed is exactly what the database keeps.
const (
	MaxSourceLen       = 300
	MaxCounterpartyLen = 200
)

// Genesis is the PrevHash of the first ledger row (Seq 1): 64 zeros.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Entry is one row of the evidence ledger (証憑台帳): what was received or issued,
// when, the SHA-256 of the stored original, the attributes it is searched by (取引年月日,
// 取引金額, 取引先 — the three the 電子帳簿保存法 requires) and the hash chain.
type Entry struct {
	Seq          int64         // 1, 2, 3… without gaps
	Kind         string        // one of Kinds
	Source       string        // file name, IMAP folder and UID, invoice number
	ReceivedAt   time.Time     // when it was received or issued; UTC, whole seconds
	Size         int64         // bytes of the original
	SHA256       string        // of the original; also its name in the Store
	Date         calendar.Date // business date: value date, issue date, or received date in JST
	Amount       int64         // yen; meaningful only when HasAmount
	HasAmount    bool          // false for items without an amount (most mail)
	Counterparty string        // customer, payer or sender name
	PrevHash     string        // Hash of the row Seq-1; Genesis for Seq 1
	Hash         string        // RowHash of this row
}

// Validate reports the first field of e (before Next) that would make a bad ledger row.
func (e Entry) Validate() error {
	switch {
	case !isKind(e.Kind):
		return fmt.Errorf("evidence: kind %q is not one of %s", e.Kind, strings.Join(Kinds, ", "))
	case e.Source == "":
		return errors.New("evidence: source is empty (want a file name, mailbox UID or document number)")
	case e.ReceivedAt.IsZero():
		return errors.New("evidence: received time is not set")
	case e.Size < 0:
		return fmt.Errorf("evidence: size %d is negative", e.Size)
	case !ValidSHA256(e.SHA256):
		return fmt.Errorf("evidence: sha256 %q: %w", e.SHA256, ErrBadHash)
	}
	return nil
}

func isKind(k string) bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Next returns e as the row that follows head (the zero Entry when the ledger is empty):
// it sets Seq and PrevHash, normalises the fields the way the database keeps them
// (ReceivedAt in UTC truncated to the second, Amount 0 without HasAmount, Source and
// Counterparty as valid UTF-8 cut to the column widths) and computes Hash.
func Next(head Entry, e Entry) Entry {
	e.Seq = head.Seq + 1
	e.PrevHash = head.Hash
	if head.Seq == 0 {
		e.PrevHash = Genesis
	}
	e.ReceivedAt = e.ReceivedAt.UTC().Truncate(time.Second)
	if !e.HasAmount {
		e.Amount = 0
	}
	e.Source = clip(e.Source, MaxSourceLen)
	e.Counterparty = clip(e.Counterparty, MaxCounterpartyLen)
	e.Hash = RowHash(e)
	return e
}

// Append chains es after head (the zero Entry for an empty ledger) as Next would one at
// a time, except an entry whose SHA-256 is in kept (kept already, or earlier in es): its
// kept entry stands for it and nothing is added. It returns the ledger entry of each of
// es, in order, and the entries to add.
func Append(head Entry, es []Entry, kept map[string]Entry) (all, added []Entry) {
	all = make([]Entry, len(es))
	for i, e := range es {
		if k, ok := kept[e.SHA256]; ok {
			all[i] = k
			continue
		}
		head = Next(head, e)
		all[i], kept[e.SHA256] = head, head
		added = append(added, head)
	}
	return all, added
}

// clip makes s valid UTF-8 and at most n characters long.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := 0; k < n; k++ {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return s[:i]
}

// RowHash returns the SHA-256 (lowercase hex) of Canonical(e): the hash that chains the
// ledger. Every field but Hash itself is covered.
func RowHash(e Entry) string {
	sum := sha256.Sum256(Canonical(e))
	return hex.EncodeToString(sum[:])
}

// canonicalHeader names the encoding. Never change it or the layout below: rows written
// under v1 must hash the same for as long as the ledger is kept (7 years and more).
const canonicalHeader = "nightly evidence ledger v1\n"

// Canonical returns the byte encoding of e that RowHash hashes (doc.go describes it):
// a header line, then one line per field in a fixed order, each as
// name=<byte length>:<value>.
func Canonical(e Entry) []byte {
	b := make([]byte, 0, 512)
	b = append(b, canonicalHeader...)
	field := func(name, v string) {
		b = append(b, name...)
		b = append(b, '=')
		b = strconv.AppendInt(b, int64(len(v)), 10)
		b = append(b, ':')
		b = append(b, v...)
		b = append(b, '\n')
	}
	field("seq", strconv.FormatInt(e.Seq, 10))
	field("kind", e.Kind)
	field("source", e.Source)
	field("received_at", e.ReceivedAt.UTC().Format("2006-01-02T15:04:05Z"))
	field("size", strconv.FormatInt(e.Size, 10))
	field("sha256", e.SHA256)
	date := ""
	if !e.Date.IsZero() {
		date = fmt.Sprintf("%04d-%02d-%02d", e.Date.Year, int(e.Date.Month), e.Date.Day)
	}
	field("date", date)
	amount := ""
	if e.HasAmount {
		amount = strconv.FormatInt(e.Amount, 10)
	}
	field("amount", amount)
	field("counterparty", e.Counterparty)
	field("prev_hash", e.PrevHash)
	return b
}
