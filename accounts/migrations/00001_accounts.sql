-- +goose Up
-- People who sign in: citizens (by national ID) and staff (by login name,
-- with roles and a TOTP second factor). A citizen's national ID is kept as
-- a keyed hash for lookup (national_id_mac) and encrypted for display
-- (national_id_enc), so a copy of the database alone reveals no ID. Times
-- are UTC, fixed width, so text order is time order.
CREATE TABLE accounts_users (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('citizen', 'staff')),
    login           TEXT UNIQUE,
    national_id_mac TEXT UNIQUE,
    national_id_enc TEXT NOT NULL,
    full_name       TEXT NOT NULL,
    phone           TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    totp_secret     TEXT NOT NULL,
    totp_last_step  BIGINT NOT NULL,
    disabled        BOOLEAN NOT NULL,
    created_at      TEXT NOT NULL
);

-- A staff member's roles: clerk, supervisor, archivist, admin.
CREATE TABLE accounts_roles (
    user_id TEXT NOT NULL REFERENCES accounts_users (id),
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- Signed-in browsers. Only the SHA-256 of a session token is kept, so a
-- copy of this table signs nobody in.
CREATE TABLE accounts_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES accounts_users (id),
    created_at TEXT NOT NULL,
    seen_at    TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE INDEX accounts_sessions_user ON accounts_sessions (user_id);

-- One pending password-reset code per account, as a keyed hash.
CREATE TABLE accounts_reset_codes (
    user_id    TEXT PRIMARY KEY REFERENCES accounts_users (id),
    code_mac   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts   INTEGER NOT NULL
);

-- +goose Down
DROP TABLE accounts_reset_codes;
DROP TABLE accounts_sessions;
DROP TABLE accounts_roles;
DROP TABLE accounts_users;
