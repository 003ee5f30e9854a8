-- name: DomainRestrictionInsert :one
INSERT INTO domain_restriction (id, org_id, provider, domains) VALUES ($1, $2, $3, $4)
RETURNING *;

-- name: DomainRestrictionGet :one
SELECT * FROM domain_restriction WHERE org_id = $1 AND id = $2;

-- name: DomainRestrictionGetForUpdate :one
SELECT * FROM domain_restriction WHERE org_id = $1 AND id = $2 FOR UPDATE;

-- name: DomainRestrictionList :many
SELECT * FROM domain_restriction
WHERE org_id = $1 AND (sqlc.narg(after_id)::uuid IS NULL OR id > sqlc.narg(after_id)::uuid)
ORDER BY id
LIMIT $2;

-- name: DomainRestrictionForProviders :many
SELECT * FROM domain_restriction WHERE org_id = $1 AND lower(provider) = ANY(@providers::text[]);

-- name: DomainRestrictionUpdate :one
UPDATE domain_restriction SET provider = $3, domains = $4, version = version + 1, updated_at = now()
WHERE org_id = $1 AND id = $2
RETURNING *;

-- name: DomainRestrictionDelete :one
DELETE FROM domain_restriction WHERE org_id = $1 AND id = $2 RETURNING *;
