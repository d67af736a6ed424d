-- +goose Up
-- The short code printed under the QR, which a verifier may type or send by
-- SMS instead of scanning.
ALTER TABLE certificates ADD COLUMN check_code TEXT;
CREATE UNIQUE INDEX certificates_check_code ON certificates (check_code);

-- +goose Down
DROP INDEX certificates_check_code;
ALTER TABLE certificates DROP COLUMN check_code;
