-- Failed logins of the web UI, kept so that a restart does not forget them (issue 13).
-- One row per (user name, client address), keyed by a SHA-256 of the pair so that no
-- name an attacker typed is stored: how many failures in a row, and from when the next
-- attempt is allowed (a delay that grows with each failure, never a lock-out). Rows
-- without a failure for a day are deleted. Placeholders as in 00001_init.sql.

-- +goose Up
CREATE TABLE login_throttle (
  tkey            VARCHAR(64) NOT NULL PRIMARY KEY, -- SHA-256 of the user name and the client address
  failures        INT         NOT NULL,
  last_failure_at DATETIME    NOT NULL,
  next_attempt_at DATETIME    NOT NULL
) {{TABLE}};
CREATE INDEX login_throttle_last ON login_throttle (last_failure_at);

-- +goose Down
DROP TABLE login_throttle;
