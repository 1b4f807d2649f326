package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// The staff's contracts list finds a company by name, by kana however it is typed and
// stored, by number and by status, takes % and _ literally, and pages by contract number.
func TestListContracts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		seed(t, db) // 100001 株式会社ミライ東京 (ミライトウキョウ), NP-0000001 active
		err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			for i, c := range []store.Customer{
				{No: "100002", Name: "青葉商事株式会社", Kana: "ｱｵﾊﾞｼｮｳｼﾞ", PostalCode: "100-0001", Country: "JP"}, // kana stored half width
				{No: "100003", Name: "100%_商事", Kana: "ヒャクパーセントショウジ", PostalCode: "100-0001", Country: "JP"},
			} {
				if err := store.PutCustomer(ctx, tx, c, now); err != nil {
					return err
				}
				for j := range 2 {
					status := store.StatusActive
					if j == 1 {
						status = store.StatusSuspended
					}
					if err := store.PutContract(ctx, tx, store.Contract{No: fmt.Sprintf("NP-000%d%03d", i+1, j), CustomerNo: c.No, PlanCode: "M365-BS",
						Seats: 1, UnitPrice: 18000, TermStart: d("2026-04-15"), TermEnd: d("2027-04-14"), Status: status, AutoRenew: true}, now); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			q    store.ContractQuery
			want string
		}{
			{store.ContractQuery{}, "NP-0000001 NP-0001000 NP-0001001 NP-0002000 NP-0002001"},
			{store.ContractQuery{Text: "青葉"}, "NP-0001000 NP-0001001"},
			{store.ContractQuery{Text: "アオバ"}, "NP-0001000 NP-0001001"},
			{store.ContractQuery{Text: "あおば"}, "NP-0001000 NP-0001001"},
			{store.ContractQuery{Text: "ﾐﾗｲ"}, "NP-0000001"},
			{store.ContractQuery{Text: "np-0002"}, "NP-0002000 NP-0002001"},
			{store.ContractQuery{Text: "１００００３"}, "NP-0002000 NP-0002001"},
			{store.ContractQuery{Text: "%"}, "NP-0002000 NP-0002001"},
			{store.ContractQuery{Text: "_"}, "NP-0002000 NP-0002001"},
			{store.ContractQuery{Text: "存在しない"}, ""},
			{store.ContractQuery{Status: store.StatusSuspended}, "NP-0001001 NP-0002001"},
			{store.ContractQuery{Text: "アオバ", Status: store.StatusSuspended}, "NP-0001001"},
			{store.ContractQuery{After: "NP-0001000", Limit: 2}, "NP-0001001 NP-0002000"},
			{store.ContractQuery{Text: "商事", After: "NP-0001001", Limit: 2}, "NP-0002000 NP-0002001"},
		} {
			q := c.q
			if q.Limit == 0 {
				q.Limit = 200
			}
			rows, err := store.ListContracts(ctx, db, q)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			for i, r := range rows {
				if i > 0 {
					got += " "
				}
				got += r.No
				if r.CustomerName == "" || r.CustomerKana == "" || r.PlanName != "Microsoft 365 Business Standard" {
					t.Errorf("%+v: row %s without its customer or plan: %+v", c.q, r.No, r)
				}
			}
			if got != c.want {
				t.Errorf("%+v: %q, want %q", c.q, got, c.want)
			}
			q.After = ""
			if n, err := store.CountContracts(ctx, db, q); err != nil || c.q.After == "" && c.q.Limit == 0 && n != len(rows) {
				t.Errorf("%+v: count %d %v, listed %d", c.q, n, err, len(rows))
			}
		}
	})
}
