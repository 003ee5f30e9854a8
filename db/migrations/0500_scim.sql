-- +goose Up

-- SCIM 2.0 provisioning and directory sync (SPEC §3.4, §3.5).

-- scim_token is the bearer an IdP uses on /scim/v2 of one org. Only the hash is kept; two
-- may be live at once so an admin can rotate without a gap.
CREATE TABLE scim_token (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES organization (id),
    name         text NOT NULL,
    prefix       text NOT NULL,
    last4        text NOT NULL,
    secret_hash  bytea NOT NULL,
    expires_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE UNIQUE INDEX scim_token_secret_hash_key ON scim_token (secret_hash);
CREATE INDEX scim_token_org_idx ON scim_token (org_id, id);

-- scim_user is the SCIM view of a member: the SCIM id is the member id, so a suspended or
-- reactivated user keeps it. attrs holds the resource as last written (canonical attribute
-- names, unmodelled attributes kept); the searchable scalars are mirrored into columns.
-- userName is unique per org case-insensitively among live users (a deprovisioned user's
-- name may be provisioned again; it then revives the same member).
CREATE TABLE scim_user (
    member_id     uuid PRIMARY KEY,
    org_id        uuid NOT NULL,
    user_name     text NOT NULL,
    external_id   text,
    active        boolean NOT NULL DEFAULT true,
    attrs         jsonb NOT NULL DEFAULT '{}'::jsonb,
    source        text NOT NULL DEFAULT 'SCIM' CONSTRAINT scim_user_source_check CHECK (source IN ('SCIM', 'DIRECTORY_SYNC')),
    deleted_at    timestamptz,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, member_id),
    FOREIGN KEY (org_id, member_id) REFERENCES member (org_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX scim_user_user_name_key ON scim_user (org_id, lower(user_name)) WHERE deleted_at IS NULL;
CREATE INDEX scim_user_external_idx ON scim_user (org_id, external_id);
CREATE INDEX scim_user_org_idx ON scim_user (org_id, member_id);
CREATE INDEX scim_user_deleted_idx ON scim_user (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE scim_group (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES organization (id),
    display_name text NOT NULL,
    external_id  text,
    attrs        jsonb NOT NULL DEFAULT '{}'::jsonb,
    source       text NOT NULL DEFAULT 'SCIM' CONSTRAINT scim_group_source_check CHECK (source IN ('SCIM', 'DIRECTORY_SYNC')),
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
CREATE UNIQUE INDEX scim_group_display_name_key ON scim_group (org_id, lower(display_name));
CREATE INDEX scim_group_external_idx ON scim_group (org_id, external_id);

-- Memberships are rows, so a PATCH adds or removes only the members it names (deltas) and a
-- group of any size is never rewritten whole.
CREATE TABLE scim_group_member (
    org_id    uuid NOT NULL,
    group_id  uuid NOT NULL,
    member_id uuid NOT NULL,
    PRIMARY KEY (group_id, member_id),
    FOREIGN KEY (org_id, group_id) REFERENCES scim_group (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, member_id) REFERENCES member (org_id, id) ON DELETE CASCADE
);
CREATE INDEX scim_group_member_member_idx ON scim_group_member (org_id, member_id);

-- directory_group_mapping maps an IdP group (by SCIM id / external id, or by display name)
-- to a permission group.
CREATE TABLE directory_group_mapping (
    id                  uuid PRIMARY KEY,
    org_id              uuid NOT NULL REFERENCES organization (id),
    match_by            text NOT NULL CONSTRAINT directory_group_mapping_match_check CHECK (match_by IN ('ID', 'DISPLAY_NAME')),
    idp_group           text NOT NULL,
    permission_group_id uuid NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, permission_group_id) REFERENCES permission_group (org_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX directory_group_mapping_key ON directory_group_mapping (org_id, match_by, lower(idp_group));

-- scim_request_log keeps the last requests per org so admins can see what the IdP sent.
CREATE TABLE scim_request_log (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES organization (id),
    token_id   uuid,
    method     text NOT NULL,
    path       text NOT NULL,
    status     integer NOT NULL,
    scim_type  text,
    error      text,
    request_id text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX scim_request_log_org_idx ON scim_request_log (org_id, id DESC);

-- directory_connection is a pull source: Okta, Entra ID (Graph) or a remote SCIM server.
-- At most one enabled connection per org is synced by the org's schedule.
CREATE TABLE directory_connection (
    id                uuid PRIMARY KEY,
    org_id            uuid NOT NULL REFERENCES organization (id),
    kind              text NOT NULL CONSTRAINT directory_connection_kind_check CHECK (kind IN ('OKTA', 'ENTRA_ID', 'SCIM')),
    name              text NOT NULL,
    base_url          text NOT NULL,
    settings          jsonb NOT NULL DEFAULT '{}'::jsonb,
    secret_ciphertext bytea NOT NULL,
    enabled           boolean NOT NULL DEFAULT true,
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
CREATE UNIQUE INDEX directory_connection_enabled_key ON directory_connection (org_id) WHERE enabled;

-- directory_sync_run is one DirectorySyncWorkflow execution. Only one may run per org.
CREATE TABLE directory_sync_run (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES organization (id),
    connection_id uuid NOT NULL,
    workflow_id   text NOT NULL,
    trigger       text NOT NULL CONSTRAINT directory_sync_run_trigger_check CHECK (trigger IN ('SCHEDULE', 'MANUAL')),
    dry_run       boolean NOT NULL DEFAULT false,
    status        text NOT NULL DEFAULT 'RUNNING' CONSTRAINT directory_sync_run_status_check CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED')),
    counts        jsonb NOT NULL DEFAULT '{}'::jsonb,
    drift         jsonb NOT NULL DEFAULT '[]'::jsonb,
    errors        jsonb NOT NULL DEFAULT '[]'::jsonb,
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    FOREIGN KEY (org_id, connection_id) REFERENCES directory_connection (org_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX directory_sync_run_workflow_key ON directory_sync_run (workflow_id);
CREATE UNIQUE INDEX directory_sync_run_running_key ON directory_sync_run (org_id) WHERE status = 'RUNNING';
CREATE INDEX directory_sync_run_org_idx ON directory_sync_run (org_id, id DESC);

-- Pages fetched from the directory are staged here (never in workflow payloads); a re-fetched
-- page upserts the same rows, so a retried activity changes nothing.
CREATE TABLE directory_staged_user (
    run_id       uuid NOT NULL REFERENCES directory_sync_run (id) ON DELETE CASCADE,
    org_id       uuid NOT NULL,
    external_id  text NOT NULL,
    user_name    text NOT NULL,
    email        text NOT NULL,
    given_name   text NOT NULL DEFAULT '',
    family_name  text NOT NULL DEFAULT '',
    display_name text NOT NULL DEFAULT '',
    active       boolean NOT NULL,
    PRIMARY KEY (run_id, external_id)
);
CREATE TABLE directory_staged_group (
    run_id       uuid NOT NULL REFERENCES directory_sync_run (id) ON DELETE CASCADE,
    org_id       uuid NOT NULL,
    external_id  text NOT NULL,
    display_name text NOT NULL,
    PRIMARY KEY (run_id, external_id)
);
CREATE TABLE directory_staged_membership (
    run_id            uuid NOT NULL REFERENCES directory_sync_run (id) ON DELETE CASCADE,
    org_id            uuid NOT NULL,
    group_external_id text NOT NULL,
    user_external_id  text NOT NULL,
    PRIMARY KEY (run_id, group_external_id, user_external_id)
);
-- directory_sync_batch records each applied batch with its counts in the batch's own
-- transaction, so a retried batch is recognised and never counted twice.
CREATE TABLE directory_sync_batch (
    run_id    uuid NOT NULL REFERENCES directory_sync_run (id) ON DELETE CASCADE,
    org_id    uuid NOT NULL,
    batch_key text NOT NULL,
    counts    jsonb NOT NULL,
    drift     jsonb NOT NULL DEFAULT '[]'::jsonb,
    PRIMARY KEY (run_id, batch_key)
);

-- +goose Down
DROP TABLE directory_sync_batch;
DROP TABLE directory_staged_membership;
DROP TABLE directory_staged_group;
DROP TABLE directory_staged_user;
DROP TABLE directory_sync_run;
DROP TABLE directory_connection;
DROP TABLE scim_request_log;
DROP TABLE directory_group_mapping;
DROP TABLE scim_group_member;
DROP TABLE scim_group;
DROP TABLE scim_user;
DROP TABLE scim_token;
