-- +goose Up

-- Organization administration (SPEC §3.1): workspaces, members, permission groups, domains.
-- Every table carries org_id, and references between them are composite (org_id, id) foreign
-- keys, so a row can never point at another org's row even if a query forgot a filter.

-- purge_after is when a soft-deleted org's data may be removed (grace period); purged_at marks
-- the tombstone left afterwards (the row stays so the slug is never reused).
ALTER TABLE organization ADD COLUMN purge_after timestamptz, ADD COLUMN purged_at timestamptz;
CREATE INDEX organization_purge_idx ON organization (purge_after) WHERE deleted_at IS NOT NULL AND purged_at IS NULL;

CREATE TABLE workspace (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES organization (id),
    name         text NOT NULL,
    external_key text,
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
CREATE INDEX workspace_org_idx ON workspace (org_id, id);
CREATE UNIQUE INDEX workspace_external_key ON workspace (org_id, external_key) WHERE external_key IS NOT NULL;

CREATE TABLE permission_group (
    id                    uuid PRIMARY KEY,
    org_id                uuid NOT NULL REFERENCES organization (id),
    name                  text NOT NULL,
    description           text NOT NULL DEFAULT '',
    is_default            boolean NOT NULL DEFAULT false,
    priority              integer NOT NULL DEFAULT 0,
    feature_restrictions  jsonb NOT NULL DEFAULT '{}'::jsonb,
    rate_limits           jsonb NOT NULL DEFAULT '{}'::jsonb,
    oauth_scope_allowlist jsonb NOT NULL DEFAULT '{}'::jsonb,
    component_denylist    text[] NOT NULL DEFAULT '{}',
    external_key          text,
    version               integer NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
-- Exactly one Default group per org (created with the org, never deleted).
CREATE UNIQUE INDEX permission_group_default_key ON permission_group (org_id) WHERE is_default;
CREATE UNIQUE INDEX permission_group_name_key ON permission_group (org_id, lower(name));
CREATE UNIQUE INDEX permission_group_external_key ON permission_group (org_id, external_key) WHERE external_key IS NOT NULL;

-- A member is a user in an org. permission_group_id is NOT NULL: "a user is in exactly one
-- group" is a property of the row, so concurrent moves cannot leave a user in two or none.
CREATE TABLE member (
    id                  uuid PRIMARY KEY,
    org_id              uuid NOT NULL REFERENCES organization (id),
    user_id             uuid NOT NULL,
    email               text NOT NULL,
    name                text NOT NULL DEFAULT '',
    role                text NOT NULL DEFAULT 'MEMBER' CONSTRAINT member_role_check CHECK (role IN ('ADMIN', 'MEMBER')),
    status              text NOT NULL DEFAULT 'ACTIVE' CONSTRAINT member_status_check CHECK (status IN ('ACTIVE', 'SUSPENDED', 'DEPROVISIONED')),
    source              text NOT NULL DEFAULT 'MANUAL' CONSTRAINT member_source_check CHECK (source IN ('MANUAL', 'SSO_JIT', 'SCIM', 'DIRECTORY_SYNC')),
    permission_group_id uuid NOT NULL,
    external_key        text,
    version             integer NOT NULL DEFAULT 1,
    status_changed_at   timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, permission_group_id) REFERENCES permission_group (org_id, id)
);
CREATE INDEX member_org_idx ON member (org_id, id);
CREATE UNIQUE INDEX member_email_key ON member (org_id, lower(email));
CREATE UNIQUE INDEX member_user_key ON member (org_id, user_id);
CREATE UNIQUE INDEX member_external_key ON member (org_id, external_key) WHERE external_key IS NOT NULL;
CREATE INDEX member_group_idx ON member (org_id, permission_group_id);

CREATE TABLE workspace_member (
    org_id       uuid NOT NULL,
    workspace_id uuid NOT NULL,
    member_id    uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, member_id),
    FOREIGN KEY (org_id, workspace_id) REFERENCES workspace (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, member_id) REFERENCES member (org_id, id) ON DELETE CASCADE
);
CREATE INDEX workspace_member_member_idx ON workspace_member (org_id, member_id);

-- A domain may be claimed (pending) by several orgs, so nobody can squat on another company's
-- domain by claiming it first; only one org can hold it verified.
CREATE TABLE domain (
    id                 uuid PRIMARY KEY,
    org_id             uuid NOT NULL REFERENCES organization (id),
    domain             text NOT NULL CONSTRAINT domain_lowercase_check CHECK (domain = lower(domain)),
    verification_token text NOT NULL,
    verified_at        timestamptz,
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX domain_org_idx ON domain (org_id, id);
CREATE UNIQUE INDEX domain_org_domain_key ON domain (org_id, domain);
CREATE UNIQUE INDEX domain_verified_key ON domain (domain) WHERE verified_at IS NOT NULL;

-- An API key may act for a member; suspending or removing the member revokes it.
ALTER TABLE api_key ADD COLUMN member_id uuid,
    ADD CONSTRAINT api_key_member_fk FOREIGN KEY (org_id, member_id) REFERENCES member (org_id, id) ON DELETE SET NULL (member_id);
CREATE INDEX api_key_member_idx ON api_key (org_id, member_id) WHERE member_id IS NOT NULL;

-- Every existing org gets its Default group.
INSERT INTO permission_group (id, org_id, name, is_default)
SELECT gen_random_uuid(), id, 'Default', true FROM organization;

-- +goose StatementBegin
-- purge_org_data deletes up to max_rows rows per table of one org from every table that has
-- an org_id column (leaf partitions included, the organization row itself excluded), so
-- tables added by later features are covered without changing this function. Tables whose
-- rows are still referenced (foreign keys) are retried after their children in the same
-- call. It returns the number of rows deleted; the caller repeats until it returns 0.
CREATE FUNCTION purge_org_data(org uuid, max_rows integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    t       record;
    n       bigint;
    total   bigint := 0;
    pass    integer := 0;
    blocked integer;
    deleted bigint;
BEGIN
    LOOP
        pass := pass + 1;
        blocked := 0;
        deleted := 0;
        FOR t IN
            SELECT c.oid::regclass AS rel
            FROM pg_class c
            JOIN pg_namespace ns ON ns.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
            WHERE c.relkind = 'r' AND ns.nspname = current_schema() AND c.relname <> 'organization'
            ORDER BY c.relname
        LOOP
            BEGIN
                EXECUTE format('DELETE FROM %s WHERE ctid = ANY(ARRAY(SELECT ctid FROM %s WHERE org_id = $1 LIMIT $2))', t.rel, t.rel)
                    USING org, max_rows;
                GET DIAGNOSTICS n = ROW_COUNT;
                deleted := deleted + n;
            EXCEPTION WHEN foreign_key_violation THEN
                blocked := blocked + 1;
            END;
        END LOOP;
        total := total + deleted;
        EXIT WHEN blocked = 0 OR deleted = 0 OR pass >= 10;
    END LOOP;
    IF blocked > 0 AND total = 0 THEN
        RAISE EXCEPTION 'purge_org_data: % table(s) of org % stay referenced', blocked, org;
    END IF;
    RETURN total;
END;
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION purge_org_data(uuid, integer);
DROP INDEX api_key_member_idx;
ALTER TABLE api_key DROP CONSTRAINT api_key_member_fk, DROP COLUMN member_id;
DROP TABLE domain;
DROP TABLE workspace_member;
DROP TABLE member;
DROP TABLE permission_group;
DROP TABLE workspace;
DROP INDEX organization_purge_idx;
ALTER TABLE organization DROP COLUMN purge_after, DROP COLUMN purged_at;
