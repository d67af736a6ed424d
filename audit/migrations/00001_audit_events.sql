-- +goose Up
-- The audit trail: one row per action a person took (a view of a citizen's
-- request or a restricted record, a decision, an import). Rows are only
-- ever inserted. Each carries the SHA-256 (hex) of its content chained to
-- the previous row's, so a row deleted or edited afterwards breaks the
-- chain where audit.Verify looks. at is UTC, fixed width, so that text
-- order is time order in both databases.
CREATE TABLE audit_events (
    seq         BIGINT PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    request_id  TEXT NOT NULL,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);

CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);
CREATE INDEX audit_events_object ON audit_events (object_kind, object_id, seq);
CREATE INDEX audit_events_action ON audit_events (action, seq);
CREATE INDEX audit_events_at ON audit_events (at);

-- The head of the chain: the last row's number and hash. An append updates
-- it first, and the row lock that takes lasts to the end of the caller's
-- transaction, which serialises appends in PostgreSQL as SQLite's single
-- writer does. It also lets Verify notice rows cut from the end.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);

INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- +goose Down
DROP TABLE audit_head;
DROP TABLE audit_events;
