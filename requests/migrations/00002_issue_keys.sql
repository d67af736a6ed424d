-- +goose Up
-- Which certificate each issue key produced (see requests.Issuer). The row
-- is written inside the transaction that records the certificate, so the
-- primary key lets at most one certificate per key ever commit, and a
-- retry after a lost answer finds the certificate instead of making one.
CREATE TABLE requests_issue_keys (
    issue_key  TEXT PRIMARY KEY,
    cert_id    TEXT NOT NULL,
    pdf_key    TEXT NOT NULL,
    at         TEXT NOT NULL
);

-- +goose Down
DROP TABLE requests_issue_keys;
