package mailintake

import (
	"context"
	"errors"
	"time"
)

// Message is one message as the mailbox holds it: the raw bytes, unchanged (the
// evidence), and when the server received it.
type Message struct {
	// UID identifies the message in its folder while State.UIDValidity stays the same.
	UID uint32
	// InternalDate is the server's INTERNALDATE: the instant deadlines go by.
	InternalDate time.Time
	// Raw is the whole message (RFC 822 bytes) as fetched.
	Raw []byte
}

// Entry is a message still in the folder, listed without its body.
type Entry struct {
	UID          uint32
	InternalDate time.Time
	Size         int64
	// MessageID is the Message-ID header without angle brackets ("" when absent).
	MessageID string
}

// State describes the folder when it was opened.
type State struct {
	// Folder is the folder read ("INBOX", or the directory of a DirSource).
	Folder string
	// UIDValidity is the folder's UIDVALIDITY. When it differs from the one stored with
	// the last processed UID, every UID is new: fetch from 0 and recognise messages by
	// SHA-256 and Message-ID (SPEC §7.2). 0 means the source has no lasting UIDs (a
	// DirSource): UIDs number the messages of this session only.
	UIDValidity uint32
	// UIDNext is the UID the next message will get (0 when unknown).
	UIDNext uint32
	// Messages is the number of messages in the folder.
	Messages uint32
}

// FetchResult says what Fetch did and how far the caller may move its mark.
type FetchResult struct {
	// Fetched is the number of messages handed to the batch function.
	Fetched int
	// Skipped are the UIDs left for a later run because their INTERNALDATE is at or
	// after the cutoff, in ascending order.
	Skipped []uint32
	// Mark is the highest UID the caller may store as processed once every batch is
	// committed: never at or above a skipped UID, never below afterUID.
	Mark uint32
}

// Source is a mailbox the intake reads: an IMAP folder or a directory of .eml files.
// Open must be called first; a Source is used by one goroutine at a time.
type Source interface {
	// Open connects (or reads the directory) and returns the folder's state.
	Open(ctx context.Context) (State, error)
	// Fetch hands the messages with UID > afterUID and INTERNALDATE before cutoff to
	// batch, in ascending UID order, whole and in batches; those at or after the cutoff
	// are left and reported in FetchResult.Skipped. An error from batch stops the fetch
	// and is returned. A zero cutoff means no cutoff.
	Fetch(ctx context.Context, afterUID uint32, cutoff time.Time, batch func([]Message) error) (FetchResult, error)
	// List returns the messages still in the folder (not yet moved or marked
	// processed), so that the caller can find those it already recorded before a
	// crash and move them (SPEC §7.2).
	List(ctx context.Context) ([]Entry, error)
	// MarkProcessed takes the messages out of the way of the next run (see the
	// implementation for how). Call it only after the database has committed them.
	MarkProcessed(ctx context.Context, uids []uint32) error
	// Close releases the connection or directory.
	Close() error
}

// ErrUIDValidityChanged is returned when the folder's UIDVALIDITY changed during a
// session (the folder was recreated between a dropped connection and the reconnect):
// the UIDs the caller holds are void; it should Open again and fetch from 0.
var ErrUIDValidityChanged = errors.New("mailintake: folder UIDVALIDITY changed; UIDs are void, fetch again from 0")

// ErrNotOpen is returned by a Source used before Open or after Close.
var ErrNotOpen = errors.New("mailintake: source is not open")

// mark computes FetchResult.Mark.
func mark(afterUID uint32, delivered []uint32, skipped []uint32) uint32 {
	m := afterUID
	for _, u := range delivered {
		if u > m {
			m = u
		}
	}
	if len(skipped) > 0 && skipped[0] > 0 && skipped[0]-1 < m {
		m = skipped[0] - 1
	}
	if m < afterUID {
		m = afterUID
	}
	return m
}
