-- +goose Up
-- The billing system's latest snapshot of citizens' municipal accounts, as
-- an admin imported it. An import replaces every row in one transaction,
-- so a citizen sees either the old snapshot or the new one, never a mix.
-- The national ID is kept only as a keyed hash (national_id_mac), as the
-- accounts tables keep it, so a copy of the database alone reveals no ID.
-- Money is in minor units (hundredths) so that no sum is ever rounded.
CREATE TABLE subscriptions_accounts (
    account_number      TEXT PRIMARY KEY,
    national_id_mac     TEXT NOT NULL,
    service             TEXT NOT NULL,
    address             TEXT NOT NULL,
    status              TEXT NOT NULL,
    balance_minor       BIGINT NOT NULL,
    last_payment_date   TEXT NOT NULL, -- YYYY-MM-DD, or '' when never paid
    last_payment_minor  BIGINT NOT NULL,
    line                BIGINT NOT NULL -- in the imported file, for support questions
);

CREATE INDEX subscriptions_accounts_citizen ON subscriptions_accounts (national_id_mac);

-- One row per accepted import, newest last: when, by whom, how many rows,
-- and the SHA-256 of the file, so the admin can tell which file is live.
CREATE TABLE subscriptions_imports (
    id          TEXT PRIMARY KEY,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    row_count   BIGINT NOT NULL,
    file_sha256 TEXT NOT NULL
);

CREATE INDEX subscriptions_imports_at ON subscriptions_imports (imported_at);

-- +goose Down
DROP TABLE subscriptions_imports;
DROP TABLE subscriptions_accounts;
