-- +goose Up
-- Citizens' requests for a certificate. ref is the reference number the
-- citizen reads on the phone and the key every page uses. form and draft
-- are JSON: the citizen's form as submitted, and the certificate fields the
-- clerk drafted with the archive records linked as proof. version grows by
-- one at every change, so that two staff acting at once cannot both move
-- the request (the second update finds the version gone). Times are UTC
-- text at a fixed width, so that text order is time order in both
-- databases.
CREATE TABLE requests_requests (
    ref           TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    owner_id      TEXT NOT NULL,
    state         TEXT NOT NULL,
    form          TEXT NOT NULL,
    assignee_id   TEXT NOT NULL DEFAULT '',
    drafter_id    TEXT NOT NULL DEFAULT '',
    draft         TEXT NOT NULL DEFAULT '',
    approver_id   TEXT NOT NULL DEFAULT '',
    issue_key     TEXT NOT NULL DEFAULT '',
    cert_id       TEXT NOT NULL DEFAULT '',
    pdf_key       TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    issued_at     TEXT NOT NULL DEFAULT '',
    version       BIGINT NOT NULL DEFAULT 1
);

CREATE INDEX requests_requests_owner ON requests_requests (owner_id, created_at);
CREATE INDEX requests_requests_queue ON requests_requests (state, created_at);
CREATE INDEX requests_requests_assignee ON requests_requests (assignee_id, state);
CREATE INDEX requests_requests_issued ON requests_requests (issued_at);

-- The timeline of a request: one row per step, in order. by_role is what
-- the citizen is shown of who acted (citizen, clerk, supervisor, office),
-- never a staff member's name; actor_id is for staff pages only. note is
-- public: the citizen reads it; staff_note is for staff only.
CREATE TABLE requests_events (
    ref        TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    at         TEXT NOT NULL,
    action     TEXT NOT NULL,
    state      TEXT NOT NULL,
    by_role    TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    staff_note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (ref, seq)
);

-- Supporting files of a request or a ticket (parent is its ref). The bytes
-- are in the blob store under blob_key, images re-encoded without their
-- metadata.
CREATE TABLE requests_files (
    id           TEXT PRIMARY KEY,
    parent       TEXT NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    blob_key     TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    at           TEXT NOT NULL
);

CREATE INDEX requests_files_parent ON requests_files (parent, at);

-- Complaints and inquiries. lat and lon are decimal text, empty when no
-- point was given.
CREATE TABLE requests_tickets (
    ref        TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    owner_id   TEXT NOT NULL,
    category   TEXT NOT NULL,
    body       TEXT NOT NULL,
    place      TEXT NOT NULL DEFAULT '',
    lat        TEXT NOT NULL DEFAULT '',
    lon        TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1
);

CREATE INDEX requests_tickets_owner ON requests_tickets (owner_id, created_at);
CREATE INDEX requests_tickets_status ON requests_tickets (status, created_at);

-- The conversation on a ticket: the citizen's follow-ups and staff replies.
CREATE TABLE requests_ticket_messages (
    ref       TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    at        TEXT NOT NULL,
    by_role   TEXT NOT NULL,
    actor_id  TEXT NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (ref, seq)
);

-- +goose Down
DROP TABLE requests_ticket_messages;
DROP TABLE requests_tickets;
DROP TABLE requests_files;
DROP TABLE requests_events;
DROP TABLE requests_requests;
