-- The renewals of a night are read a page at a time in contract-number order among the
-- active contracts (store.RenewalCandidates, issue 19): this index gives that order
-- without sorting every active contract whose term ends soon for each page (a page of
-- the 20,000-contract peak night: 43 ms → 12 ms on SQLite). 00010 is the Go migration
-- of migrate_keys.go.

-- +goose Up
CREATE INDEX contracts_status_no ON contracts (status, contract_no);

-- +goose Down
-- The index is left: DROP INDEX is written differently by the two engines, and it
-- changes nothing a row holds.
