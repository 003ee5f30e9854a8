-- +goose Up

-- instance_secret holds per-installation random keys shared by every replica
-- (cursor signing), so no extra configuration is needed to scale out. The first process
-- to start generates each secret with crypto/rand; the rest read it.
CREATE TABLE instance_secret (
    name       text PRIMARY KEY,
    secret     bytea NOT NULL CHECK (length(secret) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE organization (
    id           uuid PRIMARY KEY,
    slug         text NOT NULL,
    name         text NOT NULL,
    region       text NOT NULL,
    settings     jsonb NOT NULL DEFAULT '{}'::jsonb,
    external_key text,
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz
);
-- Slugs stay reserved after a soft delete so links and SSO URLs never move to another org.
CREATE UNIQUE INDEX organization_slug_key ON organization (lower(slug));
CREATE UNIQUE INDEX organization_external_key ON organization (external_key) WHERE external_key IS NOT NULL;

CREATE TABLE api_key (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES organization (id),
    name         text NOT NULL,
    scopes       text[] NOT NULL,
    prefix       text NOT NULL,
    last4        text NOT NULL,
    secret_hash  bytea NOT NULL,
    created_by   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    rotated_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE UNIQUE INDEX api_key_secret_hash_key ON api_key (secret_hash);
CREATE INDEX api_key_org_idx ON api_key (org_id, id);

-- idempotency_record keeps the first response to a create for 24 hours, keyed by the
-- principal that sent it, so a retried POST never creates twice.
CREATE TABLE idempotency_record (
    principal    text NOT NULL,
    key          text NOT NULL,
    method       text NOT NULL,
    path         text NOT NULL,
    request_hash bytea NOT NULL,
    status       integer NOT NULL DEFAULT 0,
    headers      jsonb NOT NULL DEFAULT '{}'::jsonb,
    body         bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_record_created_idx ON idempotency_record (created_at);

-- audit_event is range-partitioned by month with no default partition: a row outside the
-- prepared months fails loudly instead of landing somewhere retention cannot find it.
CREATE TABLE audit_event (
    id                 uuid NOT NULL,
    occurred_at        timestamptz NOT NULL,
    event_type         text NOT NULL,
    category           text NOT NULL,
    actor_user_id      uuid,
    actor_type         text NOT NULL,
    actor_ip           inet,
    user_agent         text,
    session_id         text,
    org_id             uuid NOT NULL,
    workspace_id       uuid,
    target_entity_type text NOT NULL DEFAULT '',
    target_entity_id   text NOT NULL DEFAULT '',
    action_data        jsonb NOT NULL DEFAULT '{}'::jsonb,
    correlation_id     uuid,
    seq                bigint NOT NULL,
    ingested_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT audit_event_category_check CHECK (category IN
        ('AUTHENTICATION','CREDENTIALS','TEAMS','ORGANIZATION','PERMISSIONS','WORKFLOWS','FILES')),
    CONSTRAINT audit_event_actor_type_check CHECK (actor_type IN ('USER','API_KEY','SCIM','SYSTEM')),
    PRIMARY KEY (org_id, occurred_at, id)
) PARTITION BY RANGE (occurred_at);
CREATE SEQUENCE audit_event_seq;
CREATE INDEX audit_event_org_seq_idx ON audit_event (org_id, seq);

-- +goose StatementBegin
-- ensure_audit_partitions creates the monthly partitions covering [from_month, from_month + months).
-- It is idempotent and safe to run concurrently from several processes.
CREATE FUNCTION ensure_audit_partitions(from_month date, months integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    m       date := date_trunc('month', from_month)::date;
    created integer := 0;
    pname   text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('ensure_audit_partitions'));
    FOR i IN 0 .. months - 1 LOOP
        pname := format('audit_event_%s', to_char(m, 'YYYY_MM'));
        IF to_regclass(pname) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF audit_event FOR VALUES FROM (%L) TO (%L)',
                pname, m, (m + interval '1 month')::date);
            created := created + 1;
        END IF;
        m := (m + interval '1 month')::date;
    END LOOP;
    RETURN created;
END;
$$;
-- +goose StatementEnd

SELECT ensure_audit_partitions((date_trunc('month', now()) - interval '1 month')::date, 4);

-- +goose Down
DROP FUNCTION ensure_audit_partitions(date, integer);
DROP TABLE audit_event;
DROP SEQUENCE audit_event_seq;
DROP TABLE idempotency_record;
DROP TABLE api_key;
DROP TABLE organization;
DROP TABLE instance_secret;
