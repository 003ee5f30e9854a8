-- name: OrganizationInsert :one
INSERT INTO organization (id, slug, name, region, settings, external_key)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING *;

-- name: OrganizationGet :one
SELECT * FROM organization WHERE id = $1 AND deleted_at IS NULL;

-- name: OrganizationGetBySlug :one
SELECT * FROM organization WHERE lower(slug) = lower(@slug::text) AND deleted_at IS NULL;

-- name: OrganizationList :many
SELECT * FROM organization
WHERE deleted_at IS NULL AND (sqlc.narg(after_id)::uuid IS NULL OR id > sqlc.narg(after_id)::uuid)
ORDER BY id
LIMIT $1;

-- name: OrganizationCount :one
SELECT count(*) FROM organization WHERE deleted_at IS NULL;

-- name: OrganizationUpdate :one
UPDATE organization
SET name = $2, settings = $3, version = version + 1, updated_at = now()
WHERE id = $1 AND deleted_at IS NULL
RETURNING *;

-- name: OrganizationSoftDelete :execrows
UPDATE organization SET deleted_at = now(), version = version + 1, updated_at = now()
WHERE id = $1 AND deleted_at IS NULL;

-- name: OrganizationLockForUpdate :one
SELECT * FROM organization WHERE id = $1 AND deleted_at IS NULL FOR UPDATE;
