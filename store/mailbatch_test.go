package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// A batch of fetched messages learns in a few queries which of its messages are
// recorded (by SHA-256 or Message-ID, a long Message-ID as stored), which contracts it
// names and their customers, and keeps that up to date as it records.
func TestLoadMailBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		seed(t, db) // 100001, NP-0000001
		longID := "<" + strings.Repeat("x", 300) + "@example.jp>"
		for i, id := range []string{"<a@example.jp>", longID} {
			m := store.MailMessage{SHA256: fmt.Sprintf("%064d", i+1), Folder: "INBOX", UID: int64(i + 1), UIDValidity: 7,
				ReceivedAt: now, MessageID: id, Status: store.MailRecorded, RunDate: d("2026-12-03"), CreatedAt: now}
			if _, err := store.InsertMailMessage(ctx, db, m); err != nil {
				t.Fatal(err)
			}
		}
		err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			b, err := store.LoadMailBatch(ctx, tx, []string{fmt.Sprintf("%064d", 1), fmt.Sprintf("%064d", 9)},
				[]string{"<a@example.jp>", longID, "<new@example.jp>", ""}, []string{"NP-0000001", "NP-0000001", "NP-9999999"})
			if err != nil {
				return err
			}
			if !b.SHA[fmt.Sprintf("%064d", 1)] || b.SHA[fmt.Sprintf("%064d", 9)] {
				t.Errorf("recorded by SHA-256: %v", b.SHA)
			}
			if !b.MessageID["<a@example.jp>"] || !b.MessageID[longID] || b.MessageID["<new@example.jp>"] || b.MessageID[""] {
				t.Errorf("recorded by Message-ID: %v", b.MessageID)
			}
			c, ok := b.Contracts["NP-0000001"]
			if len(b.Contracts) != 1 || !ok || b.Customers[c.CustomerNo].No != c.CustomerNo {
				t.Errorf("contracts %v, customers %v", b.Contracts, b.Customers)
			}
			m := store.MailMessage{SHA256: fmt.Sprintf("%064d", 9), Folder: "INBOX", UID: 9, UIDValidity: 7, ReceivedAt: now,
				MessageID: "<new@example.jp>", Status: store.MailRecorded, RunDate: d("2026-12-03"), CreatedAt: now}
			if err := b.Insert(ctx, tx, m); err != nil {
				return err
			}
			if !b.SHA[m.SHA256] || !b.MessageID[m.MessageID] {
				t.Errorf("an inserted message is not noted in the batch: %v %v", b.SHA, b.MessageID)
			}
			cus, err := store.CustomersByNo(ctx, tx, []string{c.CustomerNo, "999999", c.CustomerNo})
			if err != nil {
				return err
			}
			if len(cus) != 1 || cus[c.CustomerNo].Name == "" {
				t.Errorf("CustomersByNo = %v", cus)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
