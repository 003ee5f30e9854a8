-- +goose Up

-- seq and xid are filled by defaults so the bulk COPY path needs no per-row round trip.
-- xid is the writing transaction's id: the SIEM stream and the tamper-evidence sealer hand out
-- rows in (xid, seq) order and only below the oldest transaction still in flight
-- (pg_snapshot_xmin), so a transaction that commits late can never slip in behind a cursor.
ALTER TABLE audit_event ALTER COLUMN seq SET DEFAULT nextval('audit_event_seq');
-- (xid8 as bigint: 64-bit, never wraps, and keeps the generated row type plain.)
ALTER TABLE audit_event ADD COLUMN xid bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
-- PII (actor_user_id, actor_ip, user_agent, session_id) enters the tamper-evidence chain only as
-- sha256(pii_salt || fields). GDPR erasure stores that digest in pii_digest, then clears the
-- fields and the salt: the chain still verifies and the digest no longer links to the person.
-- data_digest plays the same role for action_data when erasure redacts keys in it.
ALTER TABLE audit_event ADD COLUMN pii_salt bytea DEFAULT uuid_send(gen_random_uuid());
ALTER TABLE audit_event ADD COLUMN pii_digest bytea;
ALTER TABLE audit_event ADD COLUMN data_digest bytea;
ALTER TABLE audit_event ADD COLUMN pseudonymised_at timestamptz;

CREATE INDEX audit_event_org_xid_idx ON audit_event (org_id, xid, seq);
CREATE INDEX audit_event_org_type_idx ON audit_event (org_id, event_type, occurred_at, id);
CREATE INDEX audit_event_org_actor_idx ON audit_event (org_id, actor_user_id, occurred_at, id) WHERE actor_user_id IS NOT NULL;
CREATE INDEX audit_event_org_target_idx ON audit_event (org_id, target_entity_type, target_entity_id, occurred_at, id);
CREATE INDEX audit_event_org_corr_idx ON audit_event (org_id, correlation_id) WHERE correlation_id IS NOT NULL;
CREATE INDEX audit_event_fts_idx ON audit_event USING gin (to_tsvector('simple', action_data));
DROP INDEX audit_event_org_seq_idx;

-- audit_event_id makes client ids unique per org whatever occurred_at they come with: the
-- partitioned table's primary key must include the partition key, so it cannot do this alone.
-- Rows outlive the hot tier (until retention_days) so a replay of an archived event is still a
-- duplicate.
CREATE TABLE audit_event_id (
    org_id      uuid NOT NULL,
    id          uuid NOT NULL,
    occurred_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX audit_event_id_org_time_idx ON audit_event_id (org_id, occurred_at);
INSERT INTO audit_event_id (org_id, id, occurred_at) SELECT org_id, id, occurred_at FROM audit_event ON CONFLICT DO NOTHING;

-- audit_seal is the per-org hash chain: each block covers the events after the previous block
-- in (xid, seq) order; hash = sha256(prev_hash || leaf_1 || ... || leaf_n).
CREATE TABLE audit_seal (
    org_id          uuid NOT NULL,
    block_no        bigint NOT NULL,
    first_xid       bigint NOT NULL,
    first_seq       bigint NOT NULL,
    last_xid        bigint NOT NULL,
    last_seq        bigint NOT NULL,
    event_count     integer NOT NULL,
    min_occurred_at timestamptz NOT NULL,
    max_occurred_at timestamptz NOT NULL,
    prev_hash       bytea NOT NULL,
    hash            bytea NOT NULL,
    sealed_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, block_no)
);
CREATE INDEX audit_seal_org_time_idx ON audit_seal (org_id, max_occurred_at);

-- audit_retention is the per-org policy; orgs without a row use the defaults (90/365).
CREATE TABLE audit_retention (
    org_id         uuid PRIMARY KEY REFERENCES organization (id),
    hot_days       integer NOT NULL CHECK (hot_days BETWEEN 1 AND 2555),
    retention_days integer NOT NULL CHECK (retention_days BETWEEN 1 AND 2555),
    version        integer NOT NULL DEFAULT 1,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (hot_days <= retention_days)
);

-- audit_archive lists the cold objects. A row is written in the same transaction that deletes
-- the archived rows from audit_event, so every event is in exactly one tier; an object in S3
-- without a row here is an interrupted attempt and is overwritten by the next one.
CREATE TABLE audit_archive (
    org_id          uuid NOT NULL,
    day             date NOT NULL,
    part            integer NOT NULL,
    object_key      text NOT NULL,
    manifest_key    text NOT NULL,
    row_count       integer NOT NULL,
    min_occurred_at timestamptz NOT NULL,
    max_occurred_at timestamptz NOT NULL,
    sha256          text NOT NULL,
    size_bytes      bigint NOT NULL,
    chain_head      text NOT NULL,
    chain_block     bigint NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, day, part)
);

-- +goose Down
DROP TABLE audit_archive;
DROP TABLE audit_retention;
DROP TABLE audit_seal;
DROP TABLE audit_event_id;
CREATE INDEX audit_event_org_seq_idx ON audit_event (org_id, seq);
DROP INDEX audit_event_fts_idx;
DROP INDEX audit_event_org_corr_idx;
DROP INDEX audit_event_org_target_idx;
DROP INDEX audit_event_org_actor_idx;
DROP INDEX audit_event_org_type_idx;
DROP INDEX audit_event_org_xid_idx;
ALTER TABLE audit_event DROP COLUMN pseudonymised_at;
ALTER TABLE audit_event DROP COLUMN data_digest;
ALTER TABLE audit_event DROP COLUMN pii_digest;
ALTER TABLE audit_event DROP COLUMN pii_salt;
ALTER TABLE audit_event DROP COLUMN xid;
ALTER TABLE audit_event ALTER COLUMN seq DROP DEFAULT;
