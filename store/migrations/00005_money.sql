-- Every yen accounted for (SPEC §4.2, §4.7, §4.8). Placeholders as in 00001_init.sql.
--
-- payments.moved_to: a payment taken off a void or lapsed invoice names where its money
-- went (the replacing invoice's number, or "exception:<key>"); only payments neither
-- reversed nor moved count as applied.
-- exceptions.txn_id/held: the transfer an exception is about and the yen it holds for
-- staff (all of an unknown payer's transfer, an overpayment's excess, money moved off a
-- void invoice); refund/refunded_on: what staff recorded as refunded when closing it.
-- seat_additions: one row per addition invoice (the current term's, and the next term's
-- second one), with when its payment was confirmed and its seats take effect.

-- +goose Up
ALTER TABLE payments ADD COLUMN moved_to VARCHAR(40) NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN moved_on DATE NULL;
ALTER TABLE exceptions ADD COLUMN txn_id BIGINT NULL;
ALTER TABLE exceptions ADD COLUMN held BIGINT NOT NULL DEFAULT 0;
ALTER TABLE exceptions ADD COLUMN refund BIGINT NOT NULL DEFAULT 0;
ALTER TABLE exceptions ADD COLUMN refunded_on DATE NULL;
CREATE INDEX exceptions_txn ON exceptions (txn_id);
CREATE INDEX payments_txn ON payments (txn_id);

CREATE TABLE seat_additions (
  akey           VARCHAR(120) NOT NULL PRIMARY KEY, -- the addition invoice's natural key: order:<order>[:next]
  contract_no    VARCHAR(20)  NOT NULL,
  order_no       VARCHAR(64)  NOT NULL,
  term_start     DATE         NOT NULL, -- the term the seats are added to
  seats          INT          NOT NULL,
  ordered_on     DATE         NOT NULL,
  first_cycle    DATE         NOT NULL, -- the first cycle its invoice bills
  invoice_number VARCHAR(16)  NOT NULL, -- the latest revision of its invoice
  confirmed_on   DATE         NULL,     -- its payment confirmed
  effective_on   DATE         NULL,     -- its seats take effect (§4.2)
  applied_on     DATE         NULL,     -- the night that put it in effect
  in_base        BOOLEAN      NOT NULL DEFAULT FALSE, -- part of its term's base since the roll-over
  billed_by      VARCHAR(16)  NOT NULL DEFAULT '',    -- what bills its next term: a renewal or a next-term addition invoice
  provisioned_by VARCHAR(64)  NOT NULL DEFAULT '',
  provisioned_at DATETIME     NULL
) {{TABLE}};
CREATE INDEX seat_additions_contract ON seat_additions (contract_no, term_start);
CREATE INDEX seat_additions_invoice ON seat_additions (invoice_number);

-- +goose Down
-- The added columns and indexes stay: SQLite cannot drop an indexed column, and an older
-- program reads the tables without them.
DROP TABLE seat_additions;
