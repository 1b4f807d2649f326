package store_test

import (
	"context"
	"database/sql"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// poisonText is longer than any VARCHAR of the schema and broken in every way.
var poisonText = brokenText(2100, false, "end")

// poisoned returns v with every string field (and every sql.NullString) set to
// poisonText and every zero date set to the demo's night, so that a write function
// offers each of its text columns the worst value.
func poisoned[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	var walk func(reflect.Value)
	walk = func(s reflect.Value) {
		for i := range s.NumField() {
			f := s.Field(i)
			if !f.CanSet() {
				continue
			}
			switch {
			case f.Kind() == reflect.String:
				f.SetString(poisonText)
			case f.Type() == reflect.TypeOf(sql.NullString{}):
				f.Set(reflect.ValueOf(sql.NullString{String: poisonText, Valid: true}))
			case f.Type() == reflect.TypeOf(calendar.Date{}):
				f.Set(reflect.ValueOf(calendar.New(2026, 11, 24)))
			case f.Type() == reflect.TypeOf(time.Time{}):
				f.Set(reflect.ValueOf(time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)))
			case f.Kind() == reflect.Struct:
				walk(f)
			}
		}
	}
	walk(rv)
	return v
}

// The store's own write functions, named INSERTs and positional UPDATEs alike, store
// the worst value as valid text cut to each column, and a long key written through one
// function is found again by the others (closing an exception, completing a task,
// deciding a request).
func TestWriteFunctionsFitText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)
		day := calendar.New(2026, 11, 24)
		must := func(what string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %.300v", what, err)
			}
		}
		must("customer", store.PutCustomer(ctx, db, poisoned(store.Customer{}), now))
		must("plan", store.PutPlan(ctx, db, poisoned(store.Plan{}), now))
		must("contract", store.PutContract(ctx, db, poisoned(store.Contract{Seats: 1}), now))
		must("hold", store.SetContractHold(ctx, db, poisonText, day.AddDays(1), "x"+poisonText, now))
		must("order", store.PutOrder(ctx, db, poisoned(store.Order{Seats: 1}), now))
		x := poisoned(store.Exception{})
		x.Status = "open"
		_, err := store.AddException(ctx, db, x)
		must("exception", err)
		closed, err := store.CloseException(ctx, db, x.NKey, poisonText, poisonText, now)
		must("close exception", err)
		if !closed {
			t.Error("the exception stored under a long key was not found to close")
		}
		got, err := store.GetException(ctx, db, x.NKey)
		must("read exception", err)
		if got.Status != "closed" || utf8.RuneCountInString(got.ClosedWhy) != store.Width("exceptions", "closed_why") {
			t.Errorf("exception read back %q, closed_why %d long", got.Status, utf8.RuneCountInString(got.ClosedWhy))
		}
		task := poisoned(store.Task{})
		task.DoneAt = sql.NullTime{}
		_, err = store.AddTask(ctx, db, task)
		must("task", err)
		done, err := store.CompleteTask(ctx, db, task.NKey, poisonText, now)
		must("complete task", err)
		if !done {
			t.Error("the task stored under a long key was not found to complete")
		}
		_, err = store.InsertMailMessage(ctx, db, poisoned(store.MailMessage{}))
		must("mail message", err)
		known, err := store.MailMessageIDKnown(ctx, db, poisonText)
		must("message id", err)
		if !known {
			t.Error("a long Message-ID is not found again")
		}
		id, _, err := store.InsertRequest(ctx, db, poisoned(store.Request{}))
		must("request", err)
		must("decide request", store.DecideRequest(ctx, db, id, poisonText, poisonText, poisonText, day))
		must("audit", store.Audit(ctx, db, poisoned(store.AuditEntry{})))
		must("payer alias", store.PutPayerAlias(ctx, db, poisoned(store.PayerAlias{})))
		must("user", store.AddUser(ctx, db, poisoned(store.User{}), now))
		run, err := store.StartRun(ctx, db, poisoned(store.Run{}))
		must("run", err)
		must("finish run", store.FinishRun(ctx, db, run, poisonText, `{"steps":[]}`, poisonText, now))
		storetest.CheckText(t, db)
		var name string
		must("read customer", db.GetContext(ctx, &name, "SELECT name FROM customers"))
		if utf8.RuneCountInString(name) != 200 || !strings.Contains(name, "\uFFFD") {
			t.Errorf("customer name read back %d characters: %.40q", utf8.RuneCountInString(name), name)
		}
	})
}
