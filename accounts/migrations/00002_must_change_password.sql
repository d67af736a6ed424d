-- +goose Up
-- A password someone else chose (an admin's initial password for a staff
-- member) must be replaced at first sign-in, before any other page opens.
ALTER TABLE accounts_users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE accounts_users DROP COLUMN must_change_password;
