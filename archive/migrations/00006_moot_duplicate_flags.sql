-- +goose Up
-- A flag whose cause a correction took away is closed as 'moot'. A CHECK
-- constraint cannot be altered in SQLite, so the table is made again, the
-- same way on both databases.
CREATE TABLE duplicate_flags_new (
    id         TEXT PRIMARY KEY,
    reason     TEXT NOT NULL
        CHECK (reason IN ('same_bytes', 'same_reference', 'same_type_and_parcel')),
    record_id  TEXT NOT NULL REFERENCES records (id),
    other_id   TEXT NOT NULL REFERENCES records (id),
    detail     TEXT NOT NULL,
    flagged_at TEXT NOT NULL,
    status     TEXT NOT NULL
        CHECK (status IN ('open', 'not_duplicate', 'duplicate_kept', 'moot')),
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    note       TEXT NOT NULL,
    UNIQUE (reason, record_id, other_id)
);
INSERT INTO duplicate_flags_new (id, reason, record_id, other_id, detail, flagged_at, status,
    decided_by, decided_at, note)
    SELECT id, reason, record_id, other_id, detail, flagged_at, status, decided_by,
        decided_at, note FROM duplicate_flags;
DROP TABLE duplicate_flags;
ALTER TABLE duplicate_flags_new RENAME TO duplicate_flags;
CREATE INDEX duplicate_flags_status ON duplicate_flags (status, flagged_at);
CREATE INDEX duplicate_flags_other ON duplicate_flags (other_id);

-- +goose Down
-- Going back keeps the wider CHECK, which older code never violates, and
-- opens the moot flags again for the archivist to decide.
UPDATE duplicate_flags SET status = 'open', decided_by = '', decided_at = '', note = ''
    WHERE status = 'moot';
