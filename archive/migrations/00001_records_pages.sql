-- +goose Up
-- Timestamps are TEXT in RFC 3339 UTC with a fixed six-digit fraction
-- ("2006-01-02T15:04:05.000000Z"), so that they sort as strings in both
-- SQLite and PostgreSQL.
CREATE TABLE records (
    id          TEXT PRIMARY KEY,
    sha256      TEXT NOT NULL UNIQUE,
    filename    TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size_bytes  BIGINT NOT NULL,
    page_count  INTEGER NOT NULL,
    record_type TEXT NOT NULL,
    reference   TEXT NOT NULL,
    title       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE INDEX records_created_at ON records (created_at);

CREATE TABLE pages (
    record_id TEXT NOT NULL REFERENCES records (id),
    number    INTEGER NOT NULL,
    width     INTEGER NOT NULL,
    height    INTEGER NOT NULL,
    rotation  INTEGER NOT NULL,
    image_key TEXT NOT NULL,
    text_key  TEXT NOT NULL,
    text      TEXT NOT NULL,
    PRIMARY KEY (record_id, number)
);

-- +goose Down
DROP TABLE pages;
DROP TABLE records;
