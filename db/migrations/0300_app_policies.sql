-- +goose Up

-- App policies (SPEC §5): rules with their history, the tool calls they decided (kept 30
-- days for simulation), app claims and OAuth domain restrictions.

CREATE TABLE app_rule (
    id              uuid PRIMARY KEY,
    org_id          uuid NOT NULL REFERENCES organization (id),
    name            text NOT NULL,
    description     text NOT NULL DEFAULT '',
    phase           text NOT NULL CONSTRAINT app_rule_phase_check CHECK (phase IN ('PRE_EXECUTION', 'POST_EXECUTION')),
    action          text NOT NULL CONSTRAINT app_rule_action_check CHECK (action IN ('BLOCK', 'TAG')),
    target_type     text NOT NULL CONSTRAINT app_rule_target_check CHECK (target_type IN ('ORGANIZATION', 'PERMISSION_GROUP', 'USER', 'AGENT')),
    target_id       text NOT NULL DEFAULT '',
    scope_server_id text NOT NULL DEFAULT '',
    scope_tools     text[] NOT NULL DEFAULT '{}',
    condition       text NOT NULL,
    priority        integer NOT NULL DEFAULT 0,
    tags            text[] NOT NULL DEFAULT '{}',
    enabled         boolean NOT NULL DEFAULT true,
    mode            text NOT NULL DEFAULT 'ENFORCE' CONSTRAINT app_rule_mode_check CHECK (mode IN ('ENFORCE', 'SHADOW')),
    tests           jsonb NOT NULL DEFAULT '[]'::jsonb,
    external_key    text,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX app_rule_org_idx ON app_rule (org_id, id);
CREATE UNIQUE INDEX app_rule_external_key ON app_rule (org_id, external_key) WHERE external_key IS NOT NULL;

-- app_rule_version keeps every version of every rule, deleted rules included (no foreign
-- key), so decisions recorded with (rule id, version) can always be explained.
CREATE TABLE app_rule_version (
    org_id     uuid NOT NULL REFERENCES organization (id),
    rule_id    uuid NOT NULL,
    version    integer NOT NULL,
    change     text NOT NULL CONSTRAINT app_rule_version_change_check CHECK (change IN ('CREATED', 'UPDATED', 'DELETED')),
    actor      text NOT NULL DEFAULT '',
    snapshot   jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, rule_id, version)
);

-- +goose StatementBegin
-- Every change to an org's rules tells every API replica to drop its cached rule set. NOTIFY
-- is transactional: replicas hear of a change exactly when it commits.
CREATE FUNCTION app_rule_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('bytechef_app_policy', COALESCE(NEW.org_id, OLD.org_id)::text);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER app_rule_notify AFTER INSERT OR UPDATE OR DELETE ON app_rule
    FOR EACH ROW EXECUTE FUNCTION app_rule_notify();

-- policy_tool_call is every evaluated tool call with the resolved caller context and the
-- decision, for simulation (replay) and investigation. Kept 30 days; erasable per user.
CREATE TABLE policy_tool_call (
    id             uuid NOT NULL,
    org_id         uuid NOT NULL REFERENCES organization (id),
    occurred_at    timestamptz NOT NULL,
    phase          text NOT NULL,
    user_id        uuid NOT NULL,
    agent_id       text,
    workspace_id   uuid NOT NULL,
    server_id      text NOT NULL,
    tool_name      text NOT NULL,
    args           jsonb NOT NULL,
    output         jsonb,
    caller         jsonb NOT NULL,
    execution_id   text,
    correlation_id uuid,
    decision       text NOT NULL,
    reason         text NOT NULL,
    tags           text[] NOT NULL DEFAULT '{}',
    matched        jsonb NOT NULL DEFAULT '[]'::jsonb,
    PRIMARY KEY (org_id, occurred_at, id)
);
CREATE INDEX policy_tool_call_user_idx ON policy_tool_call (org_id, user_id);
CREATE INDEX policy_tool_call_retention_idx ON policy_tool_call (occurred_at);

-- app_claim: an enabled claim on (provider, external workspace) belongs to one org.
CREATE TABLE app_claim (
    id                    uuid PRIMARY KEY,
    org_id                uuid NOT NULL REFERENCES organization (id),
    provider              text NOT NULL,
    external_workspace_id text NOT NULL,
    display_name          text NOT NULL DEFAULT '',
    enabled               boolean NOT NULL DEFAULT true,
    version               integer NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX app_claim_org_idx ON app_claim (org_id, id);
CREATE UNIQUE INDEX app_claim_enabled_key ON app_claim (lower(provider), external_workspace_id) WHERE enabled;
CREATE UNIQUE INDEX app_claim_org_key ON app_claim (org_id, lower(provider), external_workspace_id);

-- domain_restriction: the email domains allowed to connect a provider's OAuth account.
CREATE TABLE domain_restriction (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES organization (id),
    provider   text NOT NULL,
    domains    text[] NOT NULL,
    version    integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX domain_restriction_org_idx ON domain_restriction (org_id, id);
CREATE UNIQUE INDEX domain_restriction_provider_key ON domain_restriction (org_id, lower(provider));

-- +goose Down
DROP TABLE domain_restriction;
DROP TABLE app_claim;
DROP TABLE policy_tool_call;
DROP TRIGGER app_rule_notify ON app_rule;
DROP FUNCTION app_rule_notify();
DROP TABLE app_rule_version;
DROP TABLE app_rule;
