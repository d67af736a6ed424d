-- +goose Up
-- A bulk import: one job per run of a manifest. A re-run of the same
-- manifest (same SHA-256) resumes the job that is not finished yet.
-- finished_at is '' while the job runs, so that every column is NOT NULL.
CREATE TABLE ingest_jobs (
    id              TEXT PRIMARY KEY,
    manifest_path   TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    finished_at     TEXT NOT NULL
);

CREATE INDEX ingest_jobs_manifest ON ingest_jobs (manifest_sha256, finished_at);

-- One row per data line of a manifest, numbered as in the file. record_id
-- is '' until the line is done; reason says why a line was refused or
-- failed.
CREATE TABLE ingest_job_lines (
    job_id    TEXT NOT NULL REFERENCES ingest_jobs (id),
    line      INTEGER NOT NULL,
    file      TEXT NOT NULL,
    state     TEXT NOT NULL CHECK (state IN ('pending', 'done', 'refused', 'failed')),
    record_id TEXT NOT NULL,
    reason    TEXT NOT NULL,
    PRIMARY KEY (job_id, line)
);

-- What a manifest says about a record, written after the record commits.
-- The first line that names a file wins; a later duplicate keeps its own
-- line in ingest_job_lines. Names and national IDs are ';'-separated.
CREATE TABLE record_manifest_metadata (
    record_id     TEXT PRIMARY KEY REFERENCES records (id),
    job_id        TEXT NOT NULL REFERENCES ingest_jobs (id),
    line          INTEGER NOT NULL,
    record_type   TEXT NOT NULL,
    reference     TEXT NOT NULL,
    record_date   TEXT NOT NULL,
    names         TEXT NOT NULL,
    national_ids  TEXT NOT NULL,
    parcel        TEXT NOT NULL,
    plot          TEXT NOT NULL,
    neighbourhood TEXT NOT NULL,
    street        TEXT NOT NULL,
    source        TEXT NOT NULL
);

-- +goose Down
DROP TABLE record_manifest_metadata;
DROP TABLE ingest_job_lines;
DROP TABLE ingest_jobs;
