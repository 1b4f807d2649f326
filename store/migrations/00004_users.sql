-- Users of the web UI and their sessions (issue 9). Placeholders as in 00001_init.sql.
-- A password is stored only as a bcrypt hash; a session only as the SHA-256 of the
-- cookie's random value, so that a copy of the database does not log anyone in.

-- +goose Up
CREATE TABLE users (
  name          VARCHAR(64)  NOT NULL PRIMARY KEY,
  role          VARCHAR(12)  NOT NULL,             -- viewer | finance | admin
  password_hash VARCHAR(200) NOT NULL,
  disabled      BOOLEAN      NOT NULL DEFAULT FALSE,
  created_by    VARCHAR(64)  NOT NULL DEFAULT '',
  created_at    DATETIME     NOT NULL,
  updated_at    DATETIME     NOT NULL
) {{TABLE}};

CREATE TABLE sessions (
  token_sha256 VARCHAR(64) NOT NULL PRIMARY KEY, -- SHA-256 of the cookie value
  user_name    VARCHAR(64) NOT NULL,
  csrf         VARCHAR(64) NOT NULL,             -- the token every form of this session carries
  created_at   DATETIME    NOT NULL,
  expires_at   DATETIME    NOT NULL
) {{TABLE}};
CREATE INDEX sessions_user ON sessions (user_name);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- +goose Down
DROP TABLE sessions;
DROP TABLE users;
