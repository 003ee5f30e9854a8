-- name: WorkspaceInsert :one
INSERT INTO workspace (id, org_id, name, external_key)
VALUES ($1, $2, $3, $4)
ON CONFLICT (org_id, external_key) WHERE external_key IS NOT NULL DO NOTHING
RETURNING *;

-- name: WorkspaceGet :one
SELECT * FROM workspace WHERE org_id = $1 AND id = $2;

-- name: WorkspaceGetForUpdate :one
SELECT * FROM workspace WHERE org_id = $1 AND id = $2 FOR UPDATE;

-- name: WorkspaceGetByKey :one
SELECT * FROM workspace WHERE org_id = $1 AND external_key = @external_key::text;

-- name: WorkspaceGetByKeyForUpdate :one
SELECT * FROM workspace WHERE org_id = $1 AND external_key = @external_key::text FOR UPDATE;

-- name: WorkspaceList :many
SELECT * FROM workspace
WHERE org_id = $1 AND (sqlc.narg(after_id)::uuid IS NULL OR id > sqlc.narg(after_id)::uuid)
ORDER BY id
LIMIT $2;

-- name: WorkspaceUpdate :one
UPDATE workspace SET name = $3, external_key = $4, version = version + 1, updated_at = now()
WHERE org_id = $1 AND id = $2
RETURNING *;

-- name: WorkspaceDelete :execrows
DELETE FROM workspace WHERE org_id = $1 AND id = $2;

-- name: WorkspaceCountIn :one
-- Counts which of the given ids are workspaces of the org (to validate references).
SELECT count(*) FROM workspace WHERE org_id = $1 AND id = ANY(@ids::uuid[]);

-- name: WorkspaceMemberAdd :execrows
INSERT INTO workspace_member (org_id, workspace_id, member_id) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING;

-- name: WorkspaceMemberRemove :execrows
DELETE FROM workspace_member WHERE org_id = $1 AND workspace_id = $2 AND member_id = $3;

-- name: WorkspaceMemberList :many
-- The members of one workspace, keyset on member id.
SELECT m.* FROM member m JOIN workspace_member wm ON wm.org_id = m.org_id AND wm.member_id = m.id
WHERE wm.org_id = $1 AND wm.workspace_id = $2
  AND (sqlc.narg(after_id)::uuid IS NULL OR m.id > sqlc.narg(after_id)::uuid)
ORDER BY m.id
LIMIT $3;

-- name: WorkspaceIDsOfMembers :many
SELECT member_id, workspace_id FROM workspace_member
WHERE org_id = $1 AND member_id = ANY(@member_ids::uuid[])
ORDER BY member_id, workspace_id;
