-- name: SCIMTokenInsert :one
INSERT INTO scim_token (id, org_id, name, prefix, last4, secret_hash, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: SCIMTokenCountLive :one
-- Live tokens of an org; the caller holds the org row lock so two creates cannot both pass.
SELECT count(*) FROM scim_token
WHERE org_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now());

-- name: SCIMTokenList :many
SELECT * FROM scim_token
WHERE org_id = $1 AND (sqlc.narg(after_id)::uuid IS NULL OR id > sqlc.narg(after_id)::uuid)
  AND (@include_revoked::boolean OR revoked_at IS NULL)
ORDER BY id
LIMIT $2;

-- name: SCIMTokenRevoke :one
UPDATE scim_token SET revoked_at = now()
WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL
RETURNING *;

-- name: SCIMTokenAuthenticate :one
SELECT t.*, o.slug AS org_slug, o.region AS org_region
FROM scim_token t JOIN organization o ON o.id = t.org_id
WHERE t.secret_hash = $1 AND o.deleted_at IS NULL;

-- name: SCIMTokenTouch :exec
-- Touch at most once a minute per token, so a busy IdP does not write on every request.
UPDATE scim_token SET last_used_at = now()
WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');

-- name: OrganizationLockForSCIM :one
SELECT id FROM organization WHERE id = $1 FOR UPDATE;
