-- The facts the accountant's journal needs beyond 00005 (issue 17). Placeholders as in
-- 00001_init.sql. An exported journal entry is never edited, so every fact it is
-- derived from must stay; these tables keep what the booking door used to overwrite or
-- never wrote down. New tables only: the rows of existing tables keep their columns.
--
-- payment_unbookings: a payment taken back when staff booked its transfer again
-- (ResolvePayment), kept with the business day it was taken back; the payment's own
-- entry was exported and stays, the correction is a new entry on that day.
-- exception_releases: how, and on which business day, an exception stopped holding its
-- transfer's money without a refund: "resolved" (staff booked the transfer) or
-- "reversed" (the bank cancelled it). A refund is in exceptions.refund/refunded_on.
-- txn_reversals: the cancellation or 訂正/組戻し record that reversed a credit, with its
-- 勘定日, the date of the reversing entry.

-- +goose Up
CREATE TABLE payment_unbookings (
  id             BIGINT       NOT NULL PRIMARY KEY, -- the payment's id
  txn_id         BIGINT       NOT NULL,
  invoice_number VARCHAR(16)  NOT NULL,
  amount         BIGINT       NOT NULL,
  fee            BIGINT       NOT NULL DEFAULT 0,
  rule           INT          NOT NULL,
  rule_name      VARCHAR(40)  NOT NULL,
  run_date       DATE         NOT NULL,
  created_by     VARCHAR(64)  NOT NULL DEFAULT '',
  created_at     DATETIME     NOT NULL,
  unbooked_on    DATE         NOT NULL,
  unbooked_by    VARCHAR(64)  NOT NULL DEFAULT ''
) {{TABLE}};
CREATE INDEX payment_unbookings_txn ON payment_unbookings (txn_id);

CREATE TABLE exception_releases (
  nkey        VARCHAR(190) NOT NULL PRIMARY KEY, -- the exception
  txn_id      BIGINT       NOT NULL,
  how         VARCHAR(12)  NOT NULL,             -- resolved | reversed
  released_on DATE         NOT NULL
) {{TABLE}};

CREATE TABLE txn_reversals (
  txn_id      BIGINT NOT NULL PRIMARY KEY, -- the credit reversed
  reversal_id BIGINT NOT NULL,             -- the cancellation or 訂正/組戻し record
  value_date  DATE   NOT NULL,             -- its 勘定日
  run_date    DATE   NOT NULL
) {{TABLE}};

-- +goose Down
DROP TABLE txn_reversals;
DROP TABLE exception_releases;
DROP TABLE payment_unbookings;
