-- name: DomainInsert :one
INSERT INTO domain (id, org_id, domain, verification_token)
VALUES ($1, $2, $3, $4)
ON CONFLICT (org_id, domain) DO NOTHING
RETURNING *;

-- name: DomainGet :one
SELECT * FROM domain WHERE org_id = $1 AND id = $2;

-- name: DomainGetByName :one
SELECT * FROM domain WHERE org_id = $1 AND domain = @domain::text;

-- name: DomainList :many
SELECT * FROM domain
WHERE org_id = $1 AND (sqlc.narg(after_id)::uuid IS NULL OR id > sqlc.narg(after_id)::uuid)
ORDER BY id
LIMIT $2;

-- name: DomainMarkVerified :one
UPDATE domain SET verified_at = now(), version = version + 1, updated_at = now()
WHERE org_id = $1 AND id = $2 AND verified_at IS NULL
RETURNING *;

-- name: DomainDelete :one
DELETE FROM domain WHERE org_id = $1 AND id = $2 RETURNING *;

-- name: DomainVerifiedOwner :one
-- The org (if any, and not deleted) that holds a domain verified.
SELECT d.org_id FROM domain d JOIN organization o ON o.id = d.org_id
WHERE d.domain = @domain::text AND d.verified_at IS NOT NULL AND o.deleted_at IS NULL;

-- name: DomainIsVerifiedByOrg :one
SELECT EXISTS (SELECT 1 FROM domain WHERE org_id = $1 AND domain = @domain::text AND verified_at IS NOT NULL);
