-- +goose Up
-- The catalog key of a line's reason, so that the import page says it in
-- the reader's language; '' on lines written before, shown in English.
ALTER TABLE ingest_job_lines ADD COLUMN reason_key TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE ingest_job_lines DROP COLUMN reason_key;
