-- Invoicing (SPEC §8): what the renderer needs to print an issued invoice again exactly
-- as it was built, beyond the accounting columns of invoices and invoice_lines (the
-- subject, period notes, months billed, 備考 and the request deadline). A crash between
-- the issuing transaction and the rendering leaves the invoice with its doc, so the
-- rerun renders the same bytes. Placeholders as in 00001_init.sql.

-- +goose Up
CREATE TABLE invoice_docs (
  invoice_number VARCHAR(16) NOT NULL PRIMARY KEY,
  doc            {{TEXT}}    NOT NULL -- JSON of the invoice value (package invoice) as issued
) {{TABLE}};

-- +goose Down
DROP TABLE invoice_docs;
