-- +goose Up
-- The public issuance log: an append-only RFC 6962 Merkle tree. Nothing here
-- is ever updated or deleted except the head row's size, which only grows.

-- One row per leaf, in log order. The leaf is the canonical CBOR entry in
-- base64 (SQLite and PostgreSQL share no binary column type); leaf_hash is
-- its RFC 6962 leaf hash in hex, unique so that a leaf is found by its hash
-- and an entry cannot be logged twice.
CREATE TABLE issuancelog_leaves (
    leaf_index BIGINT PRIMARY KEY,
    leaf       TEXT NOT NULL,
    leaf_hash  TEXT NOT NULL UNIQUE
);

-- The hash (hex) of every complete subtree, written when its last leaf is
-- appended: level 0 holds the leaf hashes, level k the subtree of 2^k leaves
-- numbered node_index from the left. Any proof is made of these nodes.
CREATE TABLE issuancelog_nodes (
    level      INTEGER NOT NULL,
    node_index BIGINT NOT NULL,
    hash       TEXT NOT NULL,
    PRIMARY KEY (level, node_index)
);

-- The single head row holds the number of leaves. An append updates it
-- first, and the row lock that takes is held to the end of the transaction,
-- which serialises appends in PostgreSQL as SQLite's one writer does.
CREATE TABLE issuancelog_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size BIGINT NOT NULL
);

INSERT INTO issuancelog_head (id, size) VALUES (1, 0);

-- +goose Down
DROP TABLE issuancelog_head;
DROP TABLE issuancelog_nodes;
DROP TABLE issuancelog_leaves;
