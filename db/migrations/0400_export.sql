-- +goose Up

-- Event ingestion (SPEC §1.1, §4.3) and organization data exports.
--
-- Ingested rows are immutable (duplicates by client id are ignored, never updated), and each
-- records the transaction that inserted it (ingest_xid). An export stores the MVCC snapshot of
-- its request (pg_current_snapshot()) and every read filters with pg_visible_in_snapshot, so a
-- retried or resumed export activity reads exactly the rows the first attempt read: the same
-- row count and checksum as an uninterrupted run.

CREATE TABLE execution_event (
    org_id           uuid NOT NULL REFERENCES organization (id),
    execution_id     text NOT NULL,
    workflow_id      text NOT NULL,
    workflow_name    text,
    workflow_version integer,
    project_id       text,
    project_name     text,
    workspace_id     uuid,
    workspace_name   text,
    user_id          uuid,
    user_email       text,
    agent_id         text,
    trigger_type     text,
    status           text NOT NULL,
    started_at       timestamptz NOT NULL,
    finished_at      timestamptz,
    duration_ms      bigint,
    credits          numeric,
    cost_usd         numeric,
    error_code       text,
    error_message    text,
    ingest_xid       xid8 NOT NULL DEFAULT pg_current_xact_id(),
    ingested_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, execution_id)
);
-- The export's keyset order: (started_at, execution_id) is unique within an org.
CREATE INDEX execution_event_export_idx ON execution_event (org_id, started_at, execution_id);
CREATE INDEX execution_event_workspace_idx ON execution_event (org_id, workspace_id) WHERE workspace_id IS NOT NULL;

CREATE TABLE usage_event (
    org_id        uuid NOT NULL REFERENCES organization (id),
    usage_id      text NOT NULL,
    occurred_at   timestamptz NOT NULL,
    category      text NOT NULL CONSTRAINT usage_event_category_check CHECK (category IN ('WORKFLOW_RUN','AGENT_RUN','AI_CALL','TOOL_CALL')),
    user_id       uuid,
    user_email    text,
    workspace_id  uuid,
    project_id    text,
    workflow_id   text,
    execution_id  text,
    provider      text,
    model         text,
    input_tokens  bigint,
    output_tokens bigint,
    credits       numeric,
    cost_usd      numeric,
    ingest_xid    xid8 NOT NULL DEFAULT pg_current_xact_id(),
    ingested_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, usage_id)
);
CREATE INDEX usage_event_export_idx ON usage_event (org_id, occurred_at, usage_id);

-- Tool calls feed analytics and policy reports; they are not an export type of their own.
CREATE TABLE tool_call_event (
    org_id        uuid NOT NULL REFERENCES organization (id),
    tool_call_id  text NOT NULL,
    occurred_at   timestamptz NOT NULL,
    execution_id  text,
    workflow_id   text,
    agent_id      text,
    workspace_id  uuid,
    project_id    text,
    user_id       uuid,
    user_email    text,
    component     text NOT NULL,
    action        text NOT NULL,
    status        text NOT NULL,
    duration_ms   bigint,
    credits       numeric,
    cost_usd      numeric,
    error_code    text,
    error_message text,
    ingest_xid    xid8 NOT NULL DEFAULT pg_current_xact_id(),
    ingested_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, tool_call_id)
);
CREATE INDEX tool_call_event_time_idx ON tool_call_event (org_id, occurred_at, tool_call_id);

-- workflow_config keeps every version of a workflow's or agent's configuration; a PUT with
-- the same content as the latest version adds nothing.
CREATE TABLE workflow_config (
    org_id           uuid NOT NULL REFERENCES organization (id),
    workflow_id      text NOT NULL,
    version          integer NOT NULL CHECK (version >= 1),
    kind             text NOT NULL CONSTRAINT workflow_config_kind_check CHECK (kind IN ('WORKFLOW','AGENT')),
    name             text NOT NULL,
    workspace_id     uuid,
    project_id       text,
    created_by_email text,
    model            text,
    system_prompt    text,
    components_json  jsonb NOT NULL DEFAULT '[]'::jsonb,
    definition_json  jsonb NOT NULL DEFAULT '{}'::jsonb,
    content_sha256   bytea NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    ingest_xid       xid8 NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (org_id, workflow_id, version)
);
CREATE INDEX workflow_config_updated_idx ON workflow_config (org_id, updated_at);
CREATE INDEX workflow_config_workspace_idx ON workflow_config (org_id, workspace_id) WHERE workspace_id IS NOT NULL;

CREATE TABLE data_export (
    id              uuid PRIMARY KEY,
    org_id          uuid NOT NULL REFERENCES organization (id),
    type            text NOT NULL CONSTRAINT data_export_type_check CHECK (type IN ('EXECUTIONS','WORKFLOW_CONFIGS','USAGE','AUDIT_LOGS')),
    status          text NOT NULL DEFAULT 'REQUESTED'
                    CONSTRAINT data_export_status_check CHECK (status IN ('REQUESTED','IN_PROGRESS','COMPLETED','FAILED','CANCELLED')),
    range_from      timestamptz NOT NULL,
    range_to        timestamptz NOT NULL,
    workspace_ids   uuid[] NOT NULL DEFAULT '{}',
    -- snapshot is pg_current_snapshot() of the request's transaction, as text.
    snapshot        text NOT NULL,
    snapshot_at     timestamptz NOT NULL,
    object_key      text NOT NULL,
    rows_written    bigint NOT NULL DEFAULT 0,
    rows_estimated  bigint,
    row_count       bigint,
    size_bytes      bigint,
    sha256          text,
    error           text,
    requested_by    text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    file_deleted_at timestamptz,
    CHECK (range_from < range_to)
);
CREATE INDEX data_export_org_idx ON data_export (org_id, id DESC);

-- +goose Down
DROP TABLE data_export;
DROP TABLE workflow_config;
DROP TABLE tool_call_event;
DROP TABLE usage_event;
DROP TABLE execution_event;
