-- +goose Up
-- Which leaves name a certificate (by its public reference, never its
-- number): the issuance, and any revocation or supersession. The verify page
-- reads a certificate's status from these leaves, with inclusion proofs, so
-- that deleting or inserting a revocation row cannot change what it says.
-- Leaves appended before this table are indexed by Migrate.
CREATE TABLE issuancelog_certs (
    cert_ref   TEXT NOT NULL,
    leaf_index BIGINT NOT NULL,
    PRIMARY KEY (cert_ref, leaf_index)
);

-- +goose Down
DROP TABLE issuancelog_certs;
