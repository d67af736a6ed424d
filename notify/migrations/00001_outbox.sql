-- +goose Up
-- The development outbox: every message a notifier would have sent by SMS
-- or e-mail, kept so that a developer or a demo can read it. Production
-- sends through a gateway and keeps no bodies. at is UTC, fixed width.
CREATE TABLE notify_outbox (
    id      TEXT PRIMARY KEY,
    at      TEXT NOT NULL,
    user_id TEXT NOT NULL,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body    TEXT NOT NULL
);

CREATE INDEX notify_outbox_at ON notify_outbox (at);

-- +goose Down
DROP TABLE notify_outbox;
