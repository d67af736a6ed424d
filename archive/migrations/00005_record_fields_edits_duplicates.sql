-- +goose Up
-- What describes a record beyond its file: from the manifest or the upload
-- form at ingest, corrected by the archivist later. These columns are what
-- search indexes; record_manifest_metadata keeps what the manifest said.
-- record_date is YYYY-MM-DD or ''; record_year is 0 when unknown. names and
-- national_ids are ';'-separated; national IDs are never indexed or logged.
-- origin is where the original was read from (a file's absolute path, or ''
-- for a web upload): the same bytes seen again from the same place are a
-- resumed import, not a duplicate.
ALTER TABLE records ADD COLUMN record_date TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN record_year INTEGER NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN names TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN national_ids TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN parcel TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN plot TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN neighbourhood TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN street TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN origin TEXT NOT NULL DEFAULT '';
-- A restricted record may be seen by staff, and every view is an event.
ALTER TABLE records ADD COLUMN restricted BOOLEAN NOT NULL DEFAULT FALSE;

-- Records archived from a manifest before these columns existed take what
-- their manifest line said. Their digits stay as typed: only new values are
-- normalised to ASCII digits. Search folds digits anyway; the duplicate
-- checks compare stored values, so an old parcel typed ١٢ does not meet a
-- new 12. TODO(#4): normalise the old values once, from Go.
UPDATE records SET (record_date, names, national_ids, parcel, plot, neighbourhood,
        street, source) =
    (SELECT m.record_date, m.names, m.national_ids, m.parcel, m.plot, m.neighbourhood,
        m.street, m.source
     FROM record_manifest_metadata m WHERE m.record_id = records.id)
WHERE id IN (SELECT record_id FROM record_manifest_metadata);
UPDATE records SET record_year = CAST(SUBSTR(record_date, 1, 4) AS INTEGER)
WHERE record_date <> '';

-- For the duplicate checks at ingest and after an edit.
CREATE INDEX records_reference ON records (reference);
CREATE INDEX records_type_parcel ON records (record_type, parcel);

-- Who did what: a staff member's name or account for edits, decisions and
-- views; '' for the machine's own events (fixity, ingest by a script).
ALTER TABLE events ADD COLUMN actor TEXT NOT NULL DEFAULT '';

-- Two records that may be one document, found at ingest or after an edit.
-- Nothing is dropped: the archivist decides. record_id is the earlier
-- record, other_id the later; for same_bytes both are the one record, and
-- detail says where the second copy came from. One flag per pair and
-- reason, so that a re-run of an import raises nothing new. decided_by and
-- decided_at are '' while the flag is open.
CREATE TABLE duplicate_flags (
    id         TEXT PRIMARY KEY,
    reason     TEXT NOT NULL
        CHECK (reason IN ('same_bytes', 'same_reference', 'same_type_and_parcel')),
    record_id  TEXT NOT NULL REFERENCES records (id),
    other_id   TEXT NOT NULL REFERENCES records (id),
    detail     TEXT NOT NULL,
    flagged_at TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('open', 'not_duplicate', 'duplicate_kept')),
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    note       TEXT NOT NULL,
    UNIQUE (reason, record_id, other_id)
);

CREATE INDEX duplicate_flags_status ON duplicate_flags (status, flagged_at);
CREATE INDEX duplicate_flags_other ON duplicate_flags (other_id);

-- Every correction of a record's field (page 0) or of a page's OCR text
-- (page N, field 'text'), with the value before and after.
CREATE TABLE record_edits (
    id        TEXT PRIMARY KEY,
    record_id TEXT NOT NULL REFERENCES records (id),
    page      INTEGER NOT NULL,
    field     TEXT NOT NULL,
    old_value TEXT NOT NULL,
    new_value TEXT NOT NULL,
    edited_by TEXT NOT NULL,
    edited_at TEXT NOT NULL,
    reason    TEXT NOT NULL
);

CREATE INDEX record_edits_record_at ON record_edits (record_id, edited_at);

-- +goose Down
DROP TABLE record_edits;
DROP TABLE duplicate_flags;
ALTER TABLE events DROP COLUMN actor;
DROP INDEX records_type_parcel;
DROP INDEX records_reference;
ALTER TABLE records DROP COLUMN restricted;
ALTER TABLE records DROP COLUMN origin;
ALTER TABLE records DROP COLUMN source;
ALTER TABLE records DROP COLUMN street;
ALTER TABLE records DROP COLUMN neighbourhood;
ALTER TABLE records DROP COLUMN plot;
ALTER TABLE records DROP COLUMN parcel;
ALTER TABLE records DROP COLUMN national_ids;
ALTER TABLE records DROP COLUMN names;
ALTER TABLE records DROP COLUMN record_year;
ALTER TABLE records DROP COLUMN record_date;
