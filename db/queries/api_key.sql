-- name: APIKeyInsert :one
INSERT INTO api_key (id, org_id, name, scopes, prefix, last4, secret_hash, created_by, member_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING *;

-- name: APIKeyGet :one
SELECT * FROM api_key WHERE org_id = $1 AND id = $2;

-- name: APIKeyList :many
SELECT * FROM api_key
WHERE org_id = $1 AND (sqlc.narg(after_id)::uuid IS NULL OR id > sqlc.narg(after_id)::uuid)
  AND (sqlc.arg(include_revoked)::bool OR revoked_at IS NULL)
ORDER BY id
LIMIT $2;

-- name: APIKeyAuthenticate :many
-- The keys of several concurrent requests in one round trip (identity coalesces them). Joins
-- the org so a key of a deleted org stops working at once.
SELECT k.id, k.org_id, k.scopes, k.secret_hash, k.revoked_at, k.last_used_at, o.slug AS org_slug, o.region AS org_region
FROM unnest(@secret_hashes::bytea[]) AS h(secret_hash)
JOIN api_key k ON k.secret_hash = h.secret_hash
JOIN organization o ON o.id = k.org_id
WHERE o.deleted_at IS NULL;

-- name: APIKeyTouch :exec
-- Last-used is recorded at minute granularity so hot keys do not write on every request.
UPDATE api_key SET last_used_at = now()
WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');

-- name: APIKeyRevoke :one
UPDATE api_key SET revoked_at = now()
WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL
RETURNING *;

-- name: APIKeyRotate :one
UPDATE api_key SET secret_hash = $3, prefix = $4, last4 = $5, rotated_at = now()
WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL
RETURNING *;

-- name: APIKeyRevokeByMember :many
-- Revokes every live key that acts for a member (suspension, deprovisioning, removal).
UPDATE api_key SET revoked_at = now()
WHERE org_id = $1 AND member_id = $2 AND revoked_at IS NULL
RETURNING id;
