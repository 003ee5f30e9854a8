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

-- name: OrganizationMarkDeleted :one
-- Soft delete: the org disappears at once (keys stop working); its data is purged after the grace period.
UPDATE organization SET deleted_at = now(), purge_after = now() + make_interval(days => @grace_days::int),
    version = version + 1, updated_at = now()
WHERE id = $1 AND deleted_at IS NULL
RETURNING *;

-- name: OrganizationDueForPurge :many
SELECT id FROM organization
WHERE deleted_at IS NOT NULL AND purged_at IS NULL AND purge_after <= @now::timestamptz
ORDER BY purge_after, id
LIMIT $1;

-- name: OrganizationPurgeData :one
SELECT purge_org_data(@org_id::uuid, @max_rows::int)::bigint AS deleted;

-- name: OrganizationMarkPurged :execrows
-- Leaves a tombstone (slug stays reserved); the settings are data too and go.
UPDATE organization SET purged_at = now(), settings = '{}'::jsonb, external_key = NULL
WHERE id = $1 AND deleted_at IS NOT NULL AND purged_at IS NULL AND purge_after <= now();

-- name: OrganizationGetDeleted :one
SELECT * FROM organization WHERE id = $1 AND deleted_at IS NOT NULL;
