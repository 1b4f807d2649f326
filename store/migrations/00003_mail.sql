-- Mail intake (SPEC §4.4, §7): what a request row needs beyond the first schema, so
-- that the report and the reply draft can say what was asked, what was decided and
-- which printed invoice it voids.

-- +goose Up
ALTER TABLE requests ADD COLUMN outcome VARCHAR(16) NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN asked_term DATE NULL;
ALTER TABLE requests ADD COLUMN deadline DATE NULL;
ALTER TABLE requests ADD COLUMN contractor VARCHAR(200) NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN product VARCHAR(200) NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN voids_invoice VARCHAR(16) NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN superseded_by BIGINT NULL;

-- +goose Down
ALTER TABLE requests DROP COLUMN superseded_by;
ALTER TABLE requests DROP COLUMN voids_invoice;
ALTER TABLE requests DROP COLUMN product;
ALTER TABLE requests DROP COLUMN contractor;
ALTER TABLE requests DROP COLUMN deadline;
ALTER TABLE requests DROP COLUMN asked_term;
ALTER TABLE requests DROP COLUMN outcome;
