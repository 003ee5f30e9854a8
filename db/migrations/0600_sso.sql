-- +goose Up
-- Single sign-on (SPEC §3.2): connections, SSO identities, outstanding login requests,
-- the SAML assertion replay store, one-time hand-off codes and user sessions.

CREATE TABLE sso_connection (
    id               uuid PRIMARY KEY,
    org_id           uuid NOT NULL REFERENCES organization (id),
    protocol         text NOT NULL CONSTRAINT sso_connection_protocol_check CHECK (protocol IN ('SAML', 'OIDC')),
    provider         text NOT NULL,
    name             text NOT NULL DEFAULT '',
    enabled          boolean NOT NULL DEFAULT true,
    jit_provisioning boolean NOT NULL DEFAULT false,
    -- attribute_mapping holds only the admin's overrides; the preset fills the rest.
    attribute_mapping jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- config is the protocol block without secrets (issuer, client id, scopes, tenants, IdP
    -- metadata, skew); secret is the key-ring ciphertext of the client secret / SP key.
    config           jsonb NOT NULL DEFAULT '{}'::jsonb,
    secret           bytea,
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
CREATE INDEX sso_connection_org_idx ON sso_connection (org_id, id);

-- An SSO identity is keyed by (connection, stable subject) and never linked by email.
CREATE TABLE sso_identity (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL,
    connection_id uuid NOT NULL,
    subject       text NOT NULL,
    member_id     uuid NOT NULL,
    email         text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, connection_id) REFERENCES sso_connection (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, member_id) REFERENCES member (org_id, id) ON DELETE CASCADE,
    UNIQUE (connection_id, subject)
);
CREATE INDEX sso_identity_member_idx ON sso_identity (org_id, member_id);

-- An outstanding login: the SAML AuthnRequest id or the OIDC state, bound to the browser
-- by a cookie holding binding (only its hash is here), consumed once.
CREATE TABLE sso_login_request (
    id             text PRIMARY KEY,
    org_id         uuid NOT NULL,
    connection_id  uuid NOT NULL,
    browser_hash   bytea NOT NULL,
    return_to      text NOT NULL,
    nonce          text NOT NULL DEFAULT '',
    pkce_verifier  text NOT NULL DEFAULT '',
    expires_at     timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, connection_id) REFERENCES sso_connection (org_id, id) ON DELETE CASCADE
);
CREATE INDEX sso_login_request_expiry_idx ON sso_login_request (expires_at);

-- SAML assertion ids seen, kept until the assertion expires (replay store shared by replicas).
CREATE TABLE sso_assertion_replay (
    org_id        uuid NOT NULL,
    connection_id uuid NOT NULL,
    assertion_id  text NOT NULL,
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (connection_id, assertion_id)
);
CREATE INDEX sso_assertion_replay_expiry_idx ON sso_assertion_replay (expires_at);

-- One-time hand-off codes (60 s); only the hash is stored.
CREATE TABLE sso_code (
    code_hash     bytea PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES organization (id),
    member_id     uuid NOT NULL,
    connection_id uuid NOT NULL,
    expires_at    timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, member_id) REFERENCES member (org_id, id) ON DELETE CASCADE
);
CREATE INDEX sso_code_expiry_idx ON sso_code (expires_at);

-- Server-side user sessions: opaque bcs_ tokens, stored as their hash.
CREATE TABLE session (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES organization (id),
    member_id     uuid NOT NULL,
    user_id       uuid NOT NULL,
    connection_id uuid,
    token_hash    bytea NOT NULL UNIQUE,
    idle_timeout  integer NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz,
    revoke_reason text,
    FOREIGN KEY (org_id, member_id) REFERENCES member (org_id, id) ON DELETE CASCADE
);
CREATE INDEX session_member_idx ON session (org_id, member_id) WHERE revoked_at IS NULL;

-- Whoever moves a member out of ACTIVE (Admin API, SCIM, directory sync, a future path), the
-- member's sessions die in the same transaction. Authentication also checks the status, so
-- this is belt and braces, but it leaves no live session rows behind for introspection.
-- +goose StatementBegin
CREATE FUNCTION session_revoke_on_member_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> 'ACTIVE' AND NEW.status IS DISTINCT FROM OLD.status THEN
        UPDATE session SET revoked_at = now(), revoke_reason = 'MEMBER_' || NEW.status
        WHERE org_id = NEW.org_id AND member_id = NEW.id AND revoked_at IS NULL;
        DELETE FROM sso_code WHERE org_id = NEW.org_id AND member_id = NEW.id;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER member_status_revokes_sessions AFTER UPDATE OF status ON member
    FOR EACH ROW EXECUTE FUNCTION session_revoke_on_member_status();

-- +goose Down
DROP TRIGGER member_status_revokes_sessions ON member;
DROP FUNCTION session_revoke_on_member_status();
DROP TABLE session;
DROP TABLE sso_code;
DROP TABLE sso_assertion_replay;
DROP TABLE sso_login_request;
DROP TABLE sso_identity;
DROP TABLE sso_connection;
