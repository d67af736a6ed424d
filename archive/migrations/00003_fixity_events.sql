-- +goose Up
-- What happened to the archive, one row per event. Details never carry a
-- national ID: events are read by auditors who need not see them.
CREATE TABLE events (
    id         TEXT PRIMARY KEY,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    record_id  TEXT REFERENCES records (id),
    object_key TEXT NOT NULL,
    detail     TEXT NOT NULL
);

CREATE INDEX events_record_at ON events (record_id, at);
CREATE INDEX events_kind_at ON events (kind, at);

-- The hash and size of a derived object (a page image) as first seen by a
-- fixity check: ingest does not record them, so later checks compare with
-- this baseline.
CREATE TABLE fixity_baselines (
    object_key  TEXT PRIMARY KEY,
    record_id   TEXT NOT NULL REFERENCES records (id),
    sha256      TEXT NOT NULL,
    size_bytes  BIGINT NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE INDEX fixity_baselines_record ON fixity_baselines (record_id);

-- When each record was last checked, for the nightly rota, and whether its
-- original may be downloaded: blocked_since is NULL unless the last check
-- failed.
CREATE TABLE fixity_records (
    record_id     TEXT PRIMARY KEY REFERENCES records (id),
    checked_at    TEXT NOT NULL,
    blocked_since TEXT,
    failure       TEXT NOT NULL
);

CREATE INDEX fixity_records_checked_at ON fixity_records (checked_at);

-- +goose Down
DROP TABLE fixity_records;
DROP TABLE fixity_baselines;
DROP TABLE events;
