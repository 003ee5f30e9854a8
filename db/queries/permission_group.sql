-- name: PermissionGroupInsert :one
INSERT INTO permission_group (id, org_id, name, description, is_default, priority, feature_restrictions,
    rate_limits, oauth_scope_allowlist, component_denylist, external_key)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (org_id, external_key) WHERE external_key IS NOT NULL DO NOTHING
RETURNING *;

-- name: PermissionGroupInsertDefault :exec
-- The Default group every org is created with.
INSERT INTO permission_group (id, org_id, name, is_default) VALUES ($1, $2, 'Default', true);

-- name: PermissionGroupGet :one
SELECT * FROM permission_group WHERE org_id = $1 AND id = $2;

-- name: PermissionGroupGetForUpdate :one
SELECT * FROM permission_group WHERE org_id = $1 AND id = $2 FOR UPDATE;

-- name: PermissionGroupGetByKey :one
SELECT * FROM permission_group WHERE org_id = $1 AND external_key = @external_key::text;

-- name: PermissionGroupGetByKeyForUpdate :one
SELECT * FROM permission_group WHERE org_id = $1 AND external_key = @external_key::text FOR UPDATE;

-- name: PermissionGroupGetDefault :one
SELECT * FROM permission_group WHERE org_id = $1 AND is_default;

-- name: PermissionGroupList :many
SELECT * FROM permission_group
WHERE org_id = $1 AND (sqlc.narg(after_id)::uuid IS NULL OR id > sqlc.narg(after_id)::uuid)
ORDER BY id
LIMIT $2;

-- name: PermissionGroupHighest :one
-- The highest-priority group among ids; ties go to the oldest group (UUIDv7 order), so the
-- answer never depends on the order the ids were given in.
SELECT * FROM permission_group WHERE org_id = $1 AND id = ANY(@ids::uuid[])
ORDER BY priority DESC, id
LIMIT 1;

-- name: PermissionGroupUpdate :one
UPDATE permission_group
SET name = $3, description = $4, priority = $5, feature_restrictions = $6, rate_limits = $7,
    oauth_scope_allowlist = $8, component_denylist = $9, external_key = $10,
    version = version + 1, updated_at = now()
WHERE org_id = $1 AND id = $2
RETURNING *;

-- name: PermissionGroupDelete :execrows
DELETE FROM permission_group WHERE org_id = $1 AND id = $2 AND NOT is_default;
