-- +goose Up
-- Imports are ordered by a counter, not by their clock: two imports in the
-- same microsecond, or a clock set back, must not bring an old snapshot's
-- description back.
ALTER TABLE subscriptions_imports ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE subscriptions_imports DROP COLUMN seq;
