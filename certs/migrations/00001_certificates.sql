-- +goose Up
-- One row per issued certificate. The canonical content is kept so that the
-- verify page can show what was certified and prove it matches the signed
-- digest; it is base64 text because SQLite and PostgreSQL share no binary
-- column type. Times are Unix seconds, UTC.
CREATE TABLE certificates (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    issued_at   BIGINT NOT NULL,
    content     TEXT NOT NULL,
    token       TEXT NOT NULL UNIQUE,
    pdf_key     TEXT NOT NULL,
    pdf_sha256  TEXT NOT NULL
);

-- +goose Down
DROP TABLE certificates;
