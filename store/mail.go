package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
)

// MailMark is where mail intake stopped in one folder (SPEC §7.2): the last UID
// processed while the folder had UIDValidity.
type MailMark struct {
	Folder      string    `db:"folder"`
	UIDValidity int64     `db:"uid_validity"`
	LastUID     int64     `db:"last_uid"`
	UpdatedAt   time.Time `db:"updated_at"`
}

// GetMailMark returns the mark of folder; ok is false when the folder was never read.
func GetMailMark(ctx context.Context, e sqlx.ExtContext, folder string) (m MailMark, ok bool, err error) {
	err = get(ctx, e, &m, "SELECT * FROM mail_marks WHERE folder = ?", fit("mail_marks", "folder", folder))
	if IsNoRows(err) {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("mail mark of %s: %w", folder, err)
	}
	return m, true, nil
}

// SetMailMark stores the mark of a folder; it reports whether anything changed (a rerun
// that fetched nothing new changes nothing, not even the timestamp).
func SetMailMark(ctx context.Context, e sqlx.ExtContext, m MailMark) (bool, error) {
	old, ok, err := GetMailMark(ctx, e, m.Folder)
	if err != nil {
		return false, err
	}
	if ok && old.UIDValidity == m.UIDValidity && old.LastUID == m.LastUID {
		return false, nil
	}
	m.UpdatedAt = m.UpdatedAt.UTC()
	q := insertSQL(e, "mail_marks", []string{"folder", "uid_validity", "last_uid", "updated_at"}, "update",
		[]string{"folder"}, []string{"uid_validity", "last_uid", "updated_at"})
	if _, err := namedExec(ctx, e, q, m); err != nil {
		return false, fmt.Errorf("store mail mark of %s: %w", m.Folder, err)
	}
	return true, nil
}

// The statuses of a mail_messages row.
const (
	MailRecorded      = "recorded"        // read; its requests are in requests
	MailMalformed     = "malformed"       // could not be read: an exception for staff
	MailSameMessageID = "same_message_id" // other bytes under a Message-ID already recorded
)

// MailMessage is one message the intake has stored as evidence and read.
type MailMessage struct {
	SHA256      string        `db:"sha256"`
	MessageID   string        `db:"message_id"`
	Folder      string        `db:"folder"`
	UID         int64         `db:"uid"`
	UIDValidity int64         `db:"uid_validity"`
	ReceivedAt  time.Time     `db:"received_at"`
	Sender      string        `db:"sender"`
	Subject     string        `db:"subject"`
	Status      string        `db:"status"`
	Moved       bool          `db:"moved"`
	RunDate     calendar.Date `db:"run_date"`
	CreatedAt   time.Time     `db:"created_at"`
}

var mailMessageCols = []string{"sha256", "message_id", "folder", "uid", "uid_validity", "received_at", "sender",
	"subject", "status", "moved", "run_date", "created_at"}

// InsertMailMessage records a message by its SHA-256; it reports false (and changes
// nothing) when the message was recorded before.
func InsertMailMessage(ctx context.Context, e sqlx.ExtContext, m MailMessage) (bool, error) {
	m.ReceivedAt, m.CreatedAt = m.ReceivedAt.UTC(), m.CreatedAt.UTC()
	return insertIgnore(ctx, e, "mail_messages", mailMessageCols, []string{"sha256"}, m)
}

// GetMailMessage returns the message with this SHA-256; IsNoRows(err) when unknown.
func GetMailMessage(ctx context.Context, e sqlx.ExtContext, sha string) (MailMessage, error) {
	var m MailMessage
	if err := get(ctx, e, &m, "SELECT * FROM mail_messages WHERE sha256 = ?", sha); err != nil {
		return m, fmt.Errorf("mail message %s: %w", sha, err)
	}
	return m, nil
}

// MailMessageIDKnown reports whether a message with this Message-ID was recorded.
func MailMessageIDKnown(ctx context.Context, e sqlx.ExtContext, messageID string) (bool, error) {
	if messageID == "" {
		return false, nil
	}
	var n int
	if err := get(ctx, e, &n, "SELECT COUNT(*) FROM mail_messages WHERE message_id = ?", fit("mail_messages", "message_id", messageID)); err != nil {
		return false, fmt.Errorf("mail message <%s>: %w", messageID, err)
	}
	return n > 0, nil
}

// MailMessagesInFolder returns the recorded messages of a folder, for matching what is
// still in the folder after a crash (SPEC §7.2).
func MailMessagesInFolder(ctx context.Context, e sqlx.ExtContext, folder string) ([]MailMessage, error) {
	var ms []MailMessage
	if err := selectAll(ctx, e, &ms, "SELECT * FROM mail_messages WHERE folder = ?", fit("mail_messages", "folder", folder)); err != nil {
		return nil, fmt.Errorf("mail messages of %s: %w", folder, err)
	}
	return ms, nil
}

// SetMailMoved records that messages left the folder; it returns how many rows changed.
// The rows are updated a few hundred at a time, not one statement per message.
func SetMailMoved(ctx context.Context, e sqlx.ExtContext, shas []string) (int, error) {
	total := 0
	for len(shas) > 0 {
		part := shas[:min(len(shas), inChunk)]
		shas = shas[len(part):]
		q, args, err := sqlx.In("UPDATE mail_messages SET moved = ? WHERE sha256 IN (?) AND moved = ?", true, part, false)
		if err != nil {
			return total, fmt.Errorf("mark mail messages moved: %w", err)
		}
		n, err := exec(ctx, e, fmt.Sprintf("mark %d mail messages moved", len(part)), e.Rebind(q), args...)
		if err != nil {
			return total, err
		}
		total += int(n)
	}
	return total, nil
}

// inChunk is how many values one IN (...) list holds at most, well under the
// placeholder limits of SQLite and MySQL.
const inChunk = 500

// KnownMail says which of these SHA-256s and Message-IDs are recorded in mail_messages:
// the intake's per-batch lookup (one query per few hundred values, not two per message).
// Empty Message-IDs are never known.
func KnownMail(ctx context.Context, e sqlx.ExtContext, shas, messageIDs []string) (bySHA, byMessageID map[string]bool, err error) {
	bySHA, byMessageID = map[string]bool{}, map[string]bool{}
	if err := selectIn(ctx, e, "SELECT sha256 FROM mail_messages WHERE sha256 IN (?)", shas, bySHA); err != nil {
		return nil, nil, fmt.Errorf("recorded mail messages: %w", err)
	}
	ids := make([]string, 0, len(messageIDs))
	stored := map[string]string{} // a Message-ID as stored (see Fit) → as given
	for _, id := range messageIDs {
		if id != "" {
			f := fit("mail_messages", "message_id", id)
			stored[f] = id
			ids = append(ids, f)
		}
	}
	found := map[string]bool{}
	if err := selectIn(ctx, e, "SELECT DISTINCT message_id FROM mail_messages WHERE message_id IN (?)", ids, found); err != nil {
		return nil, nil, fmt.Errorf("recorded Message-IDs: %w", err)
	}
	for f := range found {
		byMessageID[stored[f]] = true
	}
	return bySHA, byMessageID, nil
}

// selectIn runs q, whose one IN (?) takes vals, in chunks, and adds the single string
// column it returns to into.
func selectIn(ctx context.Context, e sqlx.ExtContext, q string, vals []string, into map[string]bool) error {
	for len(vals) > 0 {
		part := vals[:min(len(vals), inChunk)]
		vals = vals[len(part):]
		qq, args, err := sqlx.In(q, part)
		if err != nil {
			return err
		}
		var got []string
		if err := selectAll(ctx, e, &got, e.Rebind(qq), args...); err != nil {
			return err
		}
		for _, g := range got {
			into[g] = true
		}
	}
	return nil
}

// ContractsAndCustomers returns the contracts with these numbers (locked on MySQL, as
// GetContract does) and their customers, by number; numbers not found are absent. It
// lets the intake read the contracts a batch of messages names with two queries.
func ContractsAndCustomers(ctx context.Context, e sqlx.ExtContext, nos []string) (map[string]Contract, map[string]Customer, error) {
	cs, cus := map[string]Contract{}, map[string]Customer{}
	nos = slices.Clone(nos)
	slices.Sort(nos)
	nos = slices.Compact(nos)
	var custNos []string
	for len(nos) > 0 {
		part := nos[:min(len(nos), inChunk)]
		nos = nos[len(part):]
		q, args, err := sqlx.In("SELECT * FROM contracts WHERE contract_no IN (?) ORDER BY contract_no"+forUpdate(e), part)
		if err != nil {
			return nil, nil, fmt.Errorf("contracts %s…: %w", part[0], err)
		}
		var rows []Contract
		if err := selectAll(ctx, e, &rows, e.Rebind(q), args...); err != nil {
			return nil, nil, fmt.Errorf("contracts %s…: %w", part[0], err)
		}
		for _, c := range rows {
			cs[c.No] = c
			custNos = append(custNos, c.CustomerNo)
		}
	}
	cus, err := CustomersByNo(ctx, e, custNos)
	if err != nil {
		return nil, nil, err
	}
	return cs, cus, nil
}

// CustomersByNo returns the customers with these numbers, by number, read a few
// hundred at a time; numbers not found are absent.
func CustomersByNo(ctx context.Context, e sqlx.ExtContext, nos []string) (map[string]Customer, error) {
	cus := map[string]Customer{}
	nos = slices.Clone(nos)
	slices.Sort(nos)
	nos = slices.Compact(nos)
	for len(nos) > 0 {
		part := nos[:min(len(nos), inChunk)]
		nos = nos[len(part):]
		q, args, err := sqlx.In("SELECT * FROM customers WHERE customer_no IN (?)", part)
		if err != nil {
			return nil, fmt.Errorf("customers %s…: %w", part[0], err)
		}
		var rows []Customer
		if err := selectAll(ctx, e, &rows, e.Rebind(q), args...); err != nil {
			return nil, fmt.Errorf("customers %s…: %w", part[0], err)
		}
		for _, c := range rows {
			cus[c.No] = c
		}
	}
	return cus, nil
}

// MailBatch is what the database holds about one batch of fetched messages, read with
// a few queries at the start of the batch's transaction and kept up to date as the
// batch is recorded: the messages recorded before, by SHA-256 and by Message-ID, and
// the contracts the batch's requests name with their customers. The contract fields
// the intake reads (seats, term, status, plan, customer) are not changed by the
// intake, so they stay valid for the whole transaction.
type MailBatch struct {
	SHA       map[string]bool
	MessageID map[string]bool
	Contracts map[string]Contract
	Customers map[string]Customer
}

// LoadMailBatch reads, in e, the batch's messages recorded before (shas, Message-IDs
// ids) and the contracts nos with their customers.
func LoadMailBatch(ctx context.Context, e sqlx.ExtContext, shas, ids, nos []string) (*MailBatch, error) {
	b := &MailBatch{}
	var err error
	if b.SHA, b.MessageID, err = KnownMail(ctx, e, shas, ids); err != nil {
		return nil, err
	}
	if b.Contracts, b.Customers, err = ContractsAndCustomers(ctx, e, nos); err != nil {
		return nil, err
	}
	return b, nil
}

// Insert inserts m and notes it in the batch.
func (b *MailBatch) Insert(ctx context.Context, e sqlx.ExtContext, m MailMessage) error {
	if _, err := InsertMailMessage(ctx, e, m); err != nil {
		return err
	}
	b.SHA[m.SHA256] = true
	if m.MessageID != "" {
		b.MessageID[m.MessageID] = true
	}
	return nil
}

// The statuses of a request (SPEC §7.4) beyond the outcomes of evaluation.
const (
	RequestAccepted   = "accepted"
	RequestIncomplete = "incomplete"
	RequestLate       = "late"
	RequestMismatch   = "mismatch"
	RequestDuplicate  = "duplicate"
	RequestUnverified = "unverified" // from a sender the customer has not registered: staff confirm first
	RequestRejected   = "rejected"   // staff rejected it
	RequestSuperseded = "superseded" // a later request for the same contract and term replaced it
)

// Request is a reduction or cancellation request read from one message for one
// contract. Outcome is what the night decided; Status is where it stands now (staff
// decisions and supersession change it).
type Request struct {
	ID            int64          `db:"id"`
	MessageSHA256 string         `db:"message_sha256"`
	ContractNo    string         `db:"contract_no"`
	Kind          string         `db:"kind"`
	SeatsAfter    sql.NullInt64  `db:"seats_after"`
	TermStart     calendar.Date  `db:"term_start"`
	Status        string         `db:"status"`
	Missing       string         `db:"missing"`
	Reason        string         `db:"reason"`
	ReceivedAt    time.Time      `db:"received_at"`
	ReplyBy       calendar.Date  `db:"reply_by"`
	RunDate       calendar.Date  `db:"run_date"`
	Applied       bool           `db:"applied"`
	DecidedBy     string         `db:"decided_by"`
	DecidedWhy    string         `db:"decided_why"`
	CreatedAt     time.Time      `db:"created_at"`
	Outcome       string         `db:"outcome"`
	AskedTerm     calendar.Date  `db:"asked_term"`
	Deadline      calendar.Date  `db:"deadline"`
	Contractor    string         `db:"contractor"`
	Product       string         `db:"product"`
	VoidsInvoice  string         `db:"voids_invoice"`
	SupersededBy  sql.NullInt64  `db:"superseded_by"`
	Sender        sql.NullString `db:"sender"`  // from mail_messages, read only
	Subject       sql.NullString `db:"subject"` // from mail_messages, read only
	// RegisteredEmail is the e-mail field of the contract's customer (addresses
	// separated by ";"), shown beside Sender; read only.
	RegisteredEmail sql.NullString `db:"registered_email"`
}

var requestCols = []string{"message_sha256", "contract_no", "kind", "seats_after", "term_start", "status", "missing",
	"reason", "received_at", "reply_by", "run_date", "applied", "decided_by", "decided_why", "created_at", "outcome",
	"asked_term", "deadline", "contractor", "product", "voids_invoice"}

const requestSelect = `SELECT r.*, m.sender AS sender, m.subject AS subject, cu.email AS registered_email FROM requests r
	LEFT JOIN mail_messages m ON m.sha256 = r.message_sha256
	LEFT JOIN contracts c ON c.contract_no = r.contract_no
	LEFT JOIN customers cu ON cu.customer_no = c.customer_no`

// InsertRequest stores a request under its natural key (message SHA-256, contract);
// it returns the row's id and whether it was inserted now (false: recorded before).
func InsertRequest(ctx context.Context, e sqlx.ExtContext, r Request) (int64, bool, error) {
	r.ReceivedAt, r.CreatedAt = r.ReceivedAt.UTC(), r.CreatedAt.UTC()
	ok, err := insertIgnore(ctx, e, "requests", requestCols, []string{"message_sha256", "contract_no"}, r)
	if err != nil {
		return 0, false, err
	}
	var id int64
	if err := get(ctx, e, &id, "SELECT id FROM requests WHERE message_sha256 = ? AND contract_no = ?",
		fit("requests", "message_sha256", r.MessageSHA256), fit("requests", "contract_no", r.ContractNo)); err != nil {
		return 0, false, fmt.Errorf("request %s/%s: %w", r.MessageSHA256, r.ContractNo, err)
	}
	return id, ok, nil
}

// GetRequest returns one request; IsNoRows(err) when there is none.
func GetRequest(ctx context.Context, e sqlx.ExtContext, id int64) (Request, error) {
	var r Request
	if err := get(ctx, e, &r, requestSelect+" WHERE r.id = ?", id); err != nil {
		return r, fmt.Errorf("request %d: %w", id, err)
	}
	return r, nil
}

// RequestsOfContract returns the requests recorded for a contract, oldest first
// (without Sender and Subject: this is the intake's per-message lookup).
func RequestsOfContract(ctx context.Context, e sqlx.ExtContext, contractNo string) ([]Request, error) {
	var rs []Request
	// Sorted here rather than by ORDER BY, which costs SQLite a temporary b-tree on
	// every call of the intake's per-message lookup.
	if err := selectAll(ctx, e, &rs, "SELECT * FROM requests WHERE contract_no = ?", contractNo); err != nil {
		return nil, fmt.Errorf("requests of %s: %w", contractNo, err)
	}
	slices.SortFunc(rs, func(a, b Request) int {
		if c := a.ReceivedAt.Compare(b.ReceivedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return rs, nil
}

// RequestFilter selects requests for ListRequests; zero fields select everything.
type RequestFilter struct {
	Status  string
	RunDate calendar.Date
	Limit   int
}

// ListRequests returns the requests that pass f, the earliest reply-by first.
func ListRequests(ctx context.Context, e sqlx.ExtContext, f RequestFilter) ([]Request, error) {
	q := requestSelect + " WHERE 1=1"
	var args []any
	if f.Status != "" {
		q += " AND r.status = ?"
		args = append(args, f.Status)
	}
	if !f.RunDate.IsZero() {
		q += " AND r.run_date = ?"
		args = append(args, f.RunDate)
	}
	q += " ORDER BY r.reply_by, r.received_at, r.id"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	var rs []Request
	if err := selectAll(ctx, e, &rs, q, args...); err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	return rs, nil
}

// SetRequestStatus moves a request from one status to another; it reports whether the
// request was in `from`.
func SetRequestStatus(ctx context.Context, e sqlx.ExtContext, id int64, from, to string) (bool, error) {
	n, err := exec(ctx, e, fmt.Sprintf("set status of request %d", id),
		"UPDATE requests SET status = ? WHERE id = ? AND status = ?", to, id, from)
	return n == 1, err
}

// SupersedeRequest marks an earlier request replaced by a later one; it reports whether
// it changed (a request already superseded, rejected or applied by staff stays).
func SupersedeRequest(ctx context.Context, e sqlx.ExtContext, id, by int64) (bool, error) {
	n, err := exec(ctx, e, fmt.Sprintf("supersede request %d", id),
		"UPDATE requests SET status = ?, superseded_by = ? WHERE id = ? AND status IN ('incomplete', 'mismatch', 'unverified', 'accepted', 'late')",
		RequestSuperseded, by, id)
	return n == 1, err
}

// DecideRequest records a staff decision on a request: its new status, who and why.
func DecideRequest(ctx context.Context, e sqlx.ExtContext, id int64, status, who, why string, term calendar.Date) error {
	_, err := exec(ctx, e, fmt.Sprintf("decide request %d", id),
		"UPDATE requests SET status = ?, decided_by = ?, decided_why = ?, term_start = ?, applied = ? WHERE id = ?",
		status, who, why, term, false, id)
	return err
}

// ApplyRequest records that a request's change is now on its contract and which issued
// invoice it voids ("" for none); it reports whether the request was not applied before.
func ApplyRequest(ctx context.Context, e sqlx.ExtContext, id int64, voids string) (bool, error) {
	n, err := exec(ctx, e, fmt.Sprintf("apply request %d", id),
		"UPDATE requests SET applied = ?, voids_invoice = ? WHERE id = ? AND applied = ?", true, voids, id, false)
	return n == 1, err
}

// PendingRequests returns the accepted or late requests not yet on their contract, in
// the order they were received.
func PendingRequests(ctx context.Context, e sqlx.ExtContext) ([]Request, error) {
	var rs []Request
	if err := selectAll(ctx, e, &rs, requestSelect+" WHERE r.status IN ('accepted', 'late') AND r.applied = ? ORDER BY r.received_at, r.id", false); err != nil {
		return nil, fmt.Errorf("pending requests: %w", err)
	}
	return rs, nil
}

// SetContractNextTerm sets what the contract's next term will be: its seats (NULL: as
// now) and whether it is cancelled at term end. It reports whether anything changed.
func SetContractNextTerm(ctx context.Context, e sqlx.ExtContext, no string, nextSeats sql.NullInt64, cancel bool, now time.Time) (bool, error) {
	n, err := exec(ctx, e, "set next term of contract "+no, `UPDATE contracts SET next_seats = ?, cancel_at_term_end = ?, updated_at = ?
		WHERE contract_no = ? AND NOT (cancel_at_term_end = ? AND COALESCE(next_seats, -1) = ?)`,
		nextSeats, cancel, now.UTC(), no, cancel, nullOr(nextSeats, -1))
	return n == 1, err
}

func nullOr(v sql.NullInt64, or int64) int64 {
	if v.Valid {
		return v.Int64
	}
	return or
}
