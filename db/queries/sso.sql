-- name: SSOConnectionInsert :one
INSERT INTO sso_connection (id, org_id, protocol, provider, name, enabled, jit_provisioning, attribute_mapping, config, secret)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
RETURNING *;

-- name: SSOConnectionGet :one
SELECT * FROM sso_connection WHERE org_id = $1 AND id = $2;

-- name: SSOConnectionGetForUpdate :one
SELECT * FROM sso_connection WHERE org_id = $1 AND id = $2 FOR UPDATE;

-- name: SSOConnectionList :many
SELECT * FROM sso_connection
WHERE org_id = $1 AND (sqlc.narg(after_id)::uuid IS NULL OR id > sqlc.narg(after_id)::uuid)
ORDER BY id
LIMIT $2;

-- name: SSOConnectionListEnabled :many
SELECT * FROM sso_connection WHERE org_id = $1 AND enabled ORDER BY id LIMIT 2;

-- name: SSOConnectionUpdate :one
UPDATE sso_connection
SET provider = $3, name = $4, enabled = $5, jit_provisioning = $6, attribute_mapping = $7, config = $8, secret = $9,
    version = version + 1, updated_at = now()
WHERE org_id = $1 AND id = $2
RETURNING *;

-- name: SSOConnectionDelete :execrows
DELETE FROM sso_connection WHERE org_id = $1 AND id = $2;

-- name: SSOIdentityGet :one
SELECT * FROM sso_identity WHERE connection_id = $1 AND subject = $2;

-- name: SSOIdentityInsert :one
INSERT INTO sso_identity (id, org_id, connection_id, subject, member_id, email)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING *;

-- name: SSOIdentityTouch :exec
UPDATE sso_identity SET last_login_at = now(), email = $2 WHERE id = $1;

-- name: SSOLoginRequestInsert :exec
INSERT INTO sso_login_request (id, org_id, connection_id, browser_hash, return_to, nonce, pkce_verifier, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- name: SSOLoginRequestConsume :one
-- Single use: the row is deleted as it is read, so a second callback finds nothing.
DELETE FROM sso_login_request
WHERE id = $1 AND org_id = $2 AND browser_hash = $3
RETURNING *;

-- name: SSOAssertionConsume :execrows
-- 0 rows: the assertion id was already seen for this connection (a replay).
INSERT INTO sso_assertion_replay (org_id, connection_id, assertion_id, expires_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (connection_id, assertion_id) DO UPDATE SET expires_at = EXCLUDED.expires_at
    WHERE sso_assertion_replay.expires_at < now();

-- name: SSOCodeInsert :exec
INSERT INTO sso_code (code_hash, org_id, member_id, connection_id, expires_at)
VALUES ($1, $2, $3, $4, $5);

-- name: SSOCodeConsume :one
DELETE FROM sso_code WHERE code_hash = $1 AND org_id = $2 RETURNING *;

-- name: SessionInsert :one
INSERT INTO session (id, org_id, member_id, user_id, connection_id, token_hash, idle_timeout, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING *;

-- name: SessionAuthenticate :one
-- Joins the member and the org: a session of a suspended or deprovisioned member, or of a
-- deleted org, stops working at once whoever changed them.
SELECT s.id, s.org_id, s.member_id, s.user_id, s.connection_id, s.idle_timeout, s.created_at, s.last_seen_at,
       s.expires_at, s.revoked_at, m.status AS member_status, m.role AS member_role, m.email AS member_email,
       m.name AS member_name, m.permission_group_id, o.slug AS org_slug, o.name AS org_name, o.region AS org_region
FROM session s
JOIN member m ON m.org_id = s.org_id AND m.id = s.member_id
JOIN organization o ON o.id = s.org_id
WHERE s.token_hash = $1 AND o.deleted_at IS NULL;

-- name: SessionTouch :exec
-- Sliding idle timeout, recorded at most every 30 s so busy sessions do not write per request.
UPDATE session SET last_seen_at = now()
WHERE id = $1 AND revoked_at IS NULL AND last_seen_at < now() - interval '30 seconds';

-- name: SessionRevoke :one
UPDATE session SET revoked_at = now(), revoke_reason = $3
WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL
RETURNING *;

-- name: SSOGroupForIdPGroups :one
-- The permission group a JIT-provisioned member starts in: the highest-priority group mapped
-- (directory_group_mapping, shared with SCIM) from any IdP group named in the assertion or
-- token, by id or case-insensitive display name; ties go to the oldest group, as in SCIM.
SELECT pg.id FROM directory_group_mapping dm
JOIN permission_group pg ON pg.org_id = dm.org_id AND pg.id = dm.permission_group_id
WHERE dm.org_id = $1 AND (
    (dm.match_by = 'ID' AND dm.idp_group = ANY(@groups::text[]))
    OR (dm.match_by = 'DISPLAY_NAME' AND lower(dm.idp_group) = ANY(@lower_groups::text[])))
ORDER BY pg.priority DESC, pg.id
LIMIT 1;

-- name: SSOPurgeExpired :exec
-- Housekeeping: replay ids past their expiry, unused codes, and sessions ended a week ago.
WITH a AS (DELETE FROM sso_assertion_replay WHERE expires_at < now()),
     c AS (DELETE FROM sso_code WHERE expires_at < now()),
     l AS (DELETE FROM sso_login_request WHERE expires_at < now())
DELETE FROM session WHERE expires_at < now() - interval '7 days' OR revoked_at < now() - interval '7 days';

-- name: SSOIdentityExistsForMember :one
SELECT EXISTS (SELECT 1 FROM sso_identity WHERE connection_id = $1 AND member_id = $2);

-- name: SessionRevokeByMember :execrows
UPDATE session SET revoked_at = now(), revoke_reason = $3
WHERE org_id = $1 AND member_id = $2 AND revoked_at IS NULL;

-- name: SSOCodeDeleteByMember :execrows
DELETE FROM sso_code WHERE org_id = $1 AND member_id = $2;
