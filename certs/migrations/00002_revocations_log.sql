-- +goose Up
-- Where each certificate's issuance sits in the public log, so the verify
-- page can fetch its leaf and prove inclusion.
ALTER TABLE certificates ADD COLUMN log_index BIGINT;

-- A certificate that stopped being current. Reasons are public codes; the
-- note is the supervisor's internal text and is never published.
CREATE TABLE revocations (
    cert_id      TEXT PRIMARY KEY REFERENCES certificates(id),
    status       TEXT NOT NULL,
    at           BIGINT NOT NULL,
    reason       TEXT NOT NULL,
    replaced_by  TEXT REFERENCES certificates(id),
    note         TEXT NOT NULL,
    log_index    BIGINT NOT NULL
);

-- +goose Down
DROP TABLE revocations;
ALTER TABLE certificates DROP COLUMN log_index;
