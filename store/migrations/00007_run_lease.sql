-- The cluster-safe run lock (issue 18). Placeholders as in 00001_init.sql. Used on
-- MySQL/MariaDB only: SQLite keeps its lock file, and these tables stay empty there.
--
-- run_lease is the lease of the night: one row per lock name, written in transactions
-- (taken, renewed by a heartbeat, released), so that on a Galera cluster the
-- certification of those writes decides between two processes on two nodes, where
-- GET_LOCK only sees its own node. Times are the database's clock (UTC).
--
-- run_fence holds the same holder; every transaction of the night updates its row
-- before it commits, so that a night whose lease another process took over cannot
-- commit: the takeover and the night's write conflict. It is a row of its own so that
-- the heartbeat (which writes run_lease) never conflicts with the night's transactions.

-- +goose Up
CREATE TABLE run_lease (
  name         VARCHAR(40)  NOT NULL PRIMARY KEY, -- night
  holder       VARCHAR(100) NOT NULL,             -- random token of the holding process
  host         VARCHAR(255) NOT NULL,             -- machine of the holding process
  pid          INT          NOT NULL,
  node         VARCHAR(255) NOT NULL,             -- database server of its lock (@@hostname:@@port)
  run_date     DATE         NULL,                 -- the night it runs, when known
  acquired_at  DATETIME(6)  NOT NULL,
  heartbeat_at DATETIME(6)  NOT NULL,
  expires_at   DATETIME(6)  NOT NULL,             -- another process may take it after this
  renewals     BIGINT       NOT NULL DEFAULT 0
) {{TABLE}};

CREATE TABLE run_fence (
  name   VARCHAR(40)  NOT NULL PRIMARY KEY,
  holder VARCHAR(100) NOT NULL,
  writes BIGINT       NOT NULL DEFAULT 0          -- transactions committed under this holder
) {{TABLE}};

-- +goose Down
DROP TABLE run_fence;
DROP TABLE run_lease;
