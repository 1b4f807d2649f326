-- The schema of nightly. This file is written once for both databases: the store
-- package replaces {{ID}} (an auto-increment primary key), {{TEXT}} (long text) and
-- {{TABLE}} (table options) for MySQL/MariaDB or SQLite before goose applies it.
-- Money is integer yen (BIGINT); business dates are DATE (Asia/Tokyo civil dates);
-- timestamps are DATETIME in UTC.

-- +goose Up
CREATE TABLE customers (
  customer_no        VARCHAR(6)   NOT NULL PRIMARY KEY,
  name               VARCHAR(200) NOT NULL,
  kana               VARCHAR(200) NOT NULL DEFAULT '',
  payer_names        VARCHAR(500) NOT NULL DEFAULT '',
  postal_code        VARCHAR(8)   NOT NULL DEFAULT '',
  address            VARCHAR(400) NOT NULL DEFAULT '',
  contact            VARCHAR(200) NOT NULL DEFAULT '',
  email              VARCHAR(254) NOT NULL DEFAULT '',
  country            VARCHAR(2)   NOT NULL DEFAULT 'JP',
  corporate_no       VARCHAR(13)  NOT NULL DEFAULT '',
  parent_customer_no VARCHAR(6)   NULL,
  parent_share       INT          NOT NULL DEFAULT 0,
  created_at         DATETIME     NOT NULL,
  updated_at         DATETIME     NOT NULL
) {{TABLE}};

CREATE TABLE plans (
  plan_code  VARCHAR(40)  NOT NULL PRIMARY KEY,
  name       VARCHAR(200) NOT NULL,
  kind       VARCHAR(12)  NOT NULL, -- subscription | perpetual
  created_at DATETIME     NOT NULL,
  updated_at DATETIME     NOT NULL
) {{TABLE}};

CREATE TABLE plan_prices (
  plan_code  VARCHAR(40) NOT NULL,
  valid_from DATE        NOT NULL,
  valid_to   DATE        NULL,     -- NULL: open
  unit_price BIGINT      NOT NULL, -- yen per seat per year, tax excluded
  PRIMARY KEY (plan_code, valid_from)
) {{TABLE}};

CREATE TABLE contracts (
  contract_no        VARCHAR(20) NOT NULL PRIMARY KEY,
  customer_no        VARCHAR(6)  NOT NULL,
  plan_code          VARCHAR(40) NOT NULL,
  seats              INT         NOT NULL,
  unit_price         BIGINT      NOT NULL, -- locked for the current term
  term_start         DATE        NULL,     -- NULL while pending activation
  term_end           DATE        NULL,
  status             VARCHAR(12) NOT NULL, -- pending | active | suspended | ended
  auto_renew         BOOLEAN     NOT NULL DEFAULT TRUE,
  next_seats         INT         NULL,     -- seats of the next term after accepted reductions
  cancel_at_term_end BOOLEAN     NOT NULL DEFAULT FALSE,
  hold_until         DATE        NULL,
  hold_reason        VARCHAR(400) NOT NULL DEFAULT '',
  order_no           VARCHAR(64) NULL,
  status_changed_on  DATE        NULL,     -- run date of the last lifecycle change
  created_at         DATETIME    NOT NULL,
  updated_at         DATETIME    NOT NULL
) {{TABLE}};
CREATE INDEX contracts_customer ON contracts (customer_no);
CREATE INDEX contracts_term_end ON contracts (status, term_end);

CREATE TABLE orders (
  order_no      VARCHAR(64) NOT NULL PRIMARY KEY,
  kind          VARCHAR(12) NOT NULL, -- new | addition | migration
  customer_no   VARCHAR(6)  NOT NULL,
  contract_no   VARCHAR(20) NULL,
  plan_code     VARCHAR(40) NOT NULL,
  seats         INT         NOT NULL,
  order_date    DATE        NOT NULL,
  desired_start VARCHAR(7)  NOT NULL DEFAULT '', -- YYYY-MM
  status        VARCHAR(12) NOT NULL DEFAULT 'received',
  source_sha256 VARCHAR(64) NOT NULL DEFAULT '',
  created_at    DATETIME    NOT NULL,
  updated_at    DATETIME    NOT NULL
) {{TABLE}};

-- Gapless invoice numbers per calendar year (SPEC §8.3): the counter row is updated in
-- the transaction that stores the invoice.
CREATE TABLE invoice_counters (
  year     INT NOT NULL PRIMARY KEY,
  last_seq INT NOT NULL
) {{TABLE}};

CREATE TABLE invoices (
  number         VARCHAR(16)  NOT NULL PRIMARY KEY, -- 2026-000123
  year           INT          NOT NULL,
  seq            INT          NOT NULL,
  nkey           VARCHAR(120) NOT NULL, -- what it bills: renewal:<contract>:<term start>, order:<order>:<term start>
  revision       INT          NOT NULL DEFAULT 0,
  kind           VARCHAR(12)  NOT NULL, -- new | addition | renewal
  customer_no    VARCHAR(6)   NOT NULL,
  contract_no    VARCHAR(20)  NOT NULL DEFAULT '',
  order_no       VARCHAR(64)  NOT NULL DEFAULT '',
  term_start     DATE         NULL,
  issue_date     DATE         NOT NULL,
  due_date       DATE         NOT NULL,
  subtotal       BIGINT       NOT NULL,
  tax            BIGINT       NOT NULL,
  total          BIGINT       NOT NULL,
  paid           BIGINT       NOT NULL DEFAULT 0,
  status         VARCHAR(16)  NOT NULL DEFAULT 'open', -- open | partially_paid | paid | void | lapsed
  replaces       VARCHAR(16)  NOT NULL DEFAULT '',
  void_reason    VARCHAR(400) NOT NULL DEFAULT '',
  reissue_needed BOOLEAN      NOT NULL DEFAULT FALSE,
  short_notice   BOOLEAN      NOT NULL DEFAULT FALSE,
  seats          INT          NOT NULL DEFAULT 0,
  unit_price     BIGINT       NOT NULL DEFAULT 0,
  to_name        VARCHAR(200) NOT NULL DEFAULT '',
  to_postal_code VARCHAR(8)   NOT NULL DEFAULT '',
  to_address     VARCHAR(400) NOT NULL DEFAULT '',
  pdf_sha256     VARCHAR(64)  NULL,
  pages          INT          NOT NULL DEFAULT 0,
  posted_at      DATETIME     NULL,
  voided_on      DATE         NULL,
  created_at     DATETIME     NOT NULL,
  UNIQUE (year, seq),
  UNIQUE (nkey, revision)
) {{TABLE}};
CREATE INDEX invoices_customer ON invoices (customer_no, status);
CREATE INDEX invoices_contract ON invoices (contract_no, kind, term_start);
CREATE INDEX invoices_issue ON invoices (issue_date);
CREATE INDEX invoices_status ON invoices (status, due_date);

CREATE TABLE invoice_lines (
  invoice_number VARCHAR(16)  NOT NULL,
  line_no        INT          NOT NULL,
  description    VARCHAR(400) NOT NULL,
  period_start   DATE         NULL,
  period_end     DATE         NULL,
  quantity       INT          NOT NULL,
  unit_price     BIGINT       NOT NULL,
  amount         BIGINT       NOT NULL,
  tax_rate       INT          NOT NULL, -- percent
  PRIMARY KEY (invoice_number, line_no)
) {{TABLE}};

-- Reminders (お支払いのお願い) and notices of cancellation (請求書取消のお知らせ).
CREATE TABLE notices (
  number         VARCHAR(24)  NOT NULL PRIMARY KEY, -- <invoice number>-R or -C<n>
  kind           VARCHAR(16)  NOT NULL,             -- reminder | cancellation
  invoice_number VARCHAR(16)  NOT NULL,
  replaced_by    VARCHAR(16)  NOT NULL DEFAULT '',
  run_date       DATE         NOT NULL,
  customer_no    VARCHAR(6)   NOT NULL,
  pdf_sha256     VARCHAR(64)  NULL,
  pages          INT          NOT NULL DEFAULT 0,
  posted_at      DATETIME     NULL,
  created_at     DATETIME     NOT NULL
) {{TABLE}};

CREATE TABLE bank_files (
  sha256       VARCHAR(64)  NOT NULL PRIMARY KEY,
  name         VARCHAR(255) NOT NULL,
  format       VARCHAR(40)  NOT NULL,
  run_date     DATE         NOT NULL,
  status       VARCHAR(16)  NOT NULL, -- applied | rejected | evidence_only
  detail       {{TEXT}}     NOT NULL,
  records      INT          NOT NULL DEFAULT 0,
  created_at   DATETIME     NOT NULL
) {{TABLE}};

-- Each bank account has one payment source (SPEC §6.3).
CREATE TABLE bank_accounts (
  account    VARCHAR(40) NOT NULL PRIMARY KEY,
  source     VARCHAR(40) NOT NULL,
  era        VARCHAR(10) NOT NULL DEFAULT 'auto',
  created_at DATETIME    NOT NULL
) {{TABLE}};

-- A transfer. (account, source, tkey, ordinal) is its natural key: the n-th transfer of a
-- key in a file has ordinal n, so overlapping files merge as multisets (SPEC §6.3).
CREATE TABLE bank_txns (
  id               {{ID}},
  account          VARCHAR(40)  NOT NULL,
  source           VARCHAR(40)  NOT NULL,
  tkey             VARCHAR(190) NOT NULL,
  ordinal          INT          NOT NULL,
  file_sha256      VARCHAR(64)  NOT NULL,
  record           INT          NOT NULL,
  ref_no           VARCHAR(20)  NOT NULL DEFAULT '',
  value_date       DATE         NOT NULL,
  amount           BIGINT       NOT NULL,
  payer            VARCHAR(200) NOT NULL DEFAULT '',
  payer_normalized VARCHAR(200) NOT NULL DEFAULT '',
  edi              VARCHAR(40)  NOT NULL DEFAULT '',
  kind             VARCHAR(8)   NOT NULL, -- credit | debit
  cancelled        BOOLEAN      NOT NULL DEFAULT FALSE,
  status           VARCHAR(16)  NOT NULL DEFAULT 'new', -- new | matched | exception | reversed | reversal | ignored
  run_date         DATE         NOT NULL,
  UNIQUE (account, source, tkey, ordinal)
) {{TABLE}};
CREATE INDEX bank_txns_status ON bank_txns (status);

CREATE TABLE payments (
  id             {{ID}},
  txn_id         BIGINT       NOT NULL,
  invoice_number VARCHAR(16)  NOT NULL,
  amount         BIGINT       NOT NULL,
  fee            BIGINT       NOT NULL DEFAULT 0,
  rule           INT          NOT NULL, -- SPEC §6.6 rule 1-4; 0 = staff
  rule_name      VARCHAR(40)  NOT NULL,
  review         BOOLEAN      NOT NULL DEFAULT FALSE,
  run_date       DATE         NOT NULL,
  reversed       BOOLEAN      NOT NULL DEFAULT FALSE,
  created_by     VARCHAR(64)  NOT NULL DEFAULT 'nightly',
  created_at     DATETIME     NOT NULL,
  UNIQUE (txn_id, invoice_number)
) {{TABLE}};
CREATE INDEX payments_invoice ON payments (invoice_number);

CREATE TABLE payer_aliases (
  name        VARCHAR(200) NOT NULL PRIMARY KEY, -- normalized payer name
  customer_no VARCHAR(6)   NOT NULL,
  learned_by  VARCHAR(64)  NOT NULL,
  learned_at  DATETIME     NOT NULL
) {{TABLE}};

CREATE TABLE learned_fees (
  customer_no VARCHAR(6) NOT NULL PRIMARY KEY,
  fee         BIGINT     NOT NULL,
  learned_by  VARCHAR(64) NOT NULL,
  learned_at  DATETIME   NOT NULL
) {{TABLE}};

-- Where mail intake stopped in each folder (SPEC §7.2).
CREATE TABLE mail_marks (
  folder       VARCHAR(200) NOT NULL PRIMARY KEY,
  uid_validity BIGINT       NOT NULL,
  last_uid     BIGINT       NOT NULL,
  updated_at   DATETIME     NOT NULL
) {{TABLE}};

CREATE TABLE mail_messages (
  sha256       VARCHAR(64)  NOT NULL PRIMARY KEY,
  message_id   VARCHAR(250) NOT NULL DEFAULT '',
  folder       VARCHAR(200) NOT NULL DEFAULT '',
  uid          BIGINT       NOT NULL DEFAULT 0,
  uid_validity BIGINT       NOT NULL DEFAULT 0,
  received_at  DATETIME     NOT NULL,
  sender       VARCHAR(300) NOT NULL DEFAULT '',
  subject      VARCHAR(500) NOT NULL DEFAULT '',
  status       VARCHAR(16)  NOT NULL DEFAULT 'recorded', -- recorded | malformed
  moved        BOOLEAN      NOT NULL DEFAULT FALSE,
  run_date     DATE         NOT NULL,
  created_at   DATETIME     NOT NULL
) {{TABLE}};
CREATE INDEX mail_messages_message_id ON mail_messages (message_id);

CREATE TABLE requests (
  id             {{ID}},
  message_sha256 VARCHAR(64)  NOT NULL,
  contract_no    VARCHAR(20)  NOT NULL DEFAULT '',
  kind           VARCHAR(16)  NOT NULL DEFAULT '', -- reduction | cancellation
  seats_after    INT          NULL,
  term_start     DATE         NULL,                -- the term it applies to
  status         VARCHAR(16)  NOT NULL,            -- accepted | incomplete | late | mismatch | duplicate | rejected | superseded
  missing        VARCHAR(200) NOT NULL DEFAULT '',
  reason         VARCHAR(500) NOT NULL DEFAULT '',
  received_at    DATETIME     NOT NULL,
  reply_by       DATE         NOT NULL,
  run_date       DATE         NOT NULL,
  applied        BOOLEAN      NOT NULL DEFAULT FALSE,
  decided_by     VARCHAR(64)  NOT NULL DEFAULT '',
  decided_why    VARCHAR(500) NOT NULL DEFAULT '',
  created_at     DATETIME     NOT NULL,
  UNIQUE (message_sha256, contract_no)
) {{TABLE}};
CREATE INDEX requests_contract ON requests (contract_no, term_start);

-- The evidence ledger (SPEC §7.5): append-only, each row chaining the previous row's hash.
CREATE TABLE evidence (
  seq          BIGINT       NOT NULL PRIMARY KEY,
  kind         VARCHAR(20)  NOT NULL,
  source       VARCHAR(300) NOT NULL,
  received_at  DATETIME     NOT NULL,
  size         BIGINT       NOT NULL,
  sha256       VARCHAR(64)  NOT NULL,
  doc_date     DATE         NULL,
  amount       BIGINT       NULL,
  counterparty VARCHAR(200) NOT NULL DEFAULT '',
  prev_hash    VARCHAR(64)  NOT NULL,
  hash         VARCHAR(64)  NOT NULL,
  UNIQUE (sha256),
  UNIQUE (hash)
) {{TABLE}};
CREATE INDEX evidence_date ON evidence (doc_date);

CREATE TABLE tasks (
  nkey           VARCHAR(120) NOT NULL PRIMARY KEY, -- activate:<order>, add_seats:<order>:<term>, stop:<contract>:<term end>
  kind           VARCHAR(16)  NOT NULL,             -- activate | add_seats | stop_service
  contract_no    VARCHAR(20)  NOT NULL DEFAULT '',
  order_no       VARCHAR(64)  NOT NULL DEFAULT '',
  invoice_number VARCHAR(16)  NOT NULL DEFAULT '',
  detail         VARCHAR(400) NOT NULL DEFAULT '',
  due_date       DATE         NOT NULL,
  run_date       DATE         NOT NULL,
  done_at        DATETIME     NULL,
  done_by        VARCHAR(64)  NOT NULL DEFAULT ''
) {{TABLE}};

CREATE TABLE exceptions (
  nkey        VARCHAR(190) NOT NULL PRIMARY KEY, -- what it is about, so a rerun does not repeat it
  run_date    DATE         NOT NULL,
  kind        VARCHAR(40)  NOT NULL,
  subject     VARCHAR(200) NOT NULL DEFAULT '',
  message     VARCHAR(1000) NOT NULL,
  action      VARCHAR(1000) NOT NULL DEFAULT '',
  suggestions {{TEXT}}     NOT NULL,
  status      VARCHAR(12)  NOT NULL DEFAULT 'open', -- open | closed
  closed_by   VARCHAR(64)  NOT NULL DEFAULT '',
  closed_why  VARCHAR(500) NOT NULL DEFAULT '',
  closed_at   DATETIME     NULL
) {{TABLE}};
CREATE INDEX exceptions_status ON exceptions (status, run_date);

CREATE TABLE runs (
  id         {{ID}},
  run_date   DATE         NOT NULL,
  trigger_by VARCHAR(12)  NOT NULL, -- cron | manual | demo
  who        VARCHAR(64)  NOT NULL,
  started_at DATETIME     NOT NULL,
  ended_at   DATETIME     NULL,
  status     VARCHAR(12)  NOT NULL, -- running | ok | failed | dry-run
  steps      {{TEXT}}     NOT NULL, -- JSON: per step changes and seen
  error      VARCHAR(2000) NOT NULL DEFAULT ''
) {{TABLE}};
CREATE INDEX runs_date ON runs (run_date);

-- Who changed what, when and why: staff actions, imports and the night's own changes.
CREATE TABLE audit (
  id          {{ID}},
  at          DATETIME     NOT NULL,
  run_date    DATE         NULL,
  who         VARCHAR(64)  NOT NULL,
  action      VARCHAR(40)  NOT NULL,
  subject     VARCHAR(120) NOT NULL,
  field       VARCHAR(60)  NOT NULL DEFAULT '',
  from_value  VARCHAR(500) NOT NULL DEFAULT '',
  to_value    VARCHAR(500) NOT NULL DEFAULT '',
  why         VARCHAR(1000) NOT NULL DEFAULT '',
  file_sha256 VARCHAR(64)  NOT NULL DEFAULT ''
) {{TABLE}};
CREATE INDEX audit_subject ON audit (subject);
CREATE INDEX audit_run_date ON audit (run_date, action);

-- +goose Down
DROP TABLE audit;
DROP TABLE runs;
DROP TABLE exceptions;
DROP TABLE tasks;
DROP TABLE evidence;
DROP TABLE requests;
DROP TABLE mail_messages;
DROP TABLE mail_marks;
DROP TABLE learned_fees;
DROP TABLE payer_aliases;
DROP TABLE payments;
DROP TABLE bank_txns;
DROP TABLE bank_accounts;
DROP TABLE bank_files;
DROP TABLE notices;
DROP TABLE invoice_lines;
DROP TABLE invoices;
DROP TABLE invoice_counters;
DROP TABLE orders;
DROP TABLE contracts;
DROP TABLE plan_prices;
DROP TABLE plans;
DROP TABLE customers;
