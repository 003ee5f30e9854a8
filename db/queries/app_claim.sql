-- name: AppClaimInsert :one
INSERT INTO app_claim (id, org_id, provider, external_workspace_id, display_name, enabled)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING *;

-- name: AppClaimGet :one
SELECT * FROM app_claim WHERE org_id = $1 AND id = $2;

-- name: AppClaimGetForUpdate :one
SELECT * FROM app_claim WHERE org_id = $1 AND id = $2 FOR UPDATE;

-- name: AppClaimList :many
SELECT * FROM app_claim
WHERE org_id = $1 AND (sqlc.narg(after_id)::uuid IS NULL OR id > sqlc.narg(after_id)::uuid)
ORDER BY id
LIMIT $2;

-- name: AppClaimUpdate :one
UPDATE app_claim SET display_name = $3, enabled = $4, version = version + 1, updated_at = now()
WHERE org_id = $1 AND id = $2
RETURNING *;

-- name: AppClaimDelete :one
DELETE FROM app_claim WHERE org_id = $1 AND id = $2 RETURNING *;

-- name: AppClaimHolder :one
-- The enabled claim on (provider, external workspace), with whether its org is deleted.
SELECT c.*, (o.deleted_at IS NOT NULL)::bool AS org_deleted
FROM app_claim c JOIN organization o ON o.id = c.org_id
WHERE lower(c.provider) = lower(@provider::text) AND c.external_workspace_id = @external_workspace_id::text AND c.enabled;

-- name: AppClaimRelease :many
-- Releases (disables) the enabled claims of a deleted org.
UPDATE app_claim SET enabled = false, version = version + 1, updated_at = now()
WHERE org_id = $1 AND enabled
RETURNING *;

-- name: AppClaimForeignHolders :many
-- Enabled claims of live orgs other than org_id on any of the providers and workspaces (a
-- superset of the asked pairs; the caller matches pairs exactly).
SELECT c.provider, c.external_workspace_id, c.org_id
FROM app_claim c JOIN organization o ON o.id = c.org_id
WHERE c.enabled AND o.deleted_at IS NULL AND c.org_id <> @org_id
  AND lower(c.provider) = ANY(@providers::text[]) AND c.external_workspace_id = ANY(@workspaces::text[]);
