-- name: MemberInsert :one
INSERT INTO member (id, org_id, user_id, email, name, role, status, source, permission_group_id, external_key, status_changed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $7 <> 'ACTIVE' THEN now() END)
ON CONFLICT (org_id, external_key) WHERE external_key IS NOT NULL DO NOTHING
RETURNING *;

-- name: MemberGet :one
SELECT * FROM member WHERE org_id = $1 AND id = $2;

-- name: MemberGetForUpdate :one
SELECT * FROM member WHERE org_id = $1 AND id = $2 FOR UPDATE;

-- name: MemberGetByKey :one
SELECT * FROM member WHERE org_id = $1 AND external_key = @external_key::text;

-- name: MemberGetByKeyForUpdate :one
SELECT * FROM member WHERE org_id = $1 AND external_key = @external_key::text FOR UPDATE;

-- name: MemberGetByEmail :one
SELECT * FROM member WHERE org_id = $1 AND lower(email) = lower(@email::text);

-- name: MemberGetByUser :one
SELECT * FROM member WHERE org_id = $1 AND user_id = $2;

-- name: MemberList :many
SELECT * FROM member
WHERE org_id = $1 AND (sqlc.narg(after_id)::uuid IS NULL OR id > sqlc.narg(after_id)::uuid)
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status)::text)
  AND (sqlc.narg(permission_group_id)::uuid IS NULL OR permission_group_id = sqlc.narg(permission_group_id)::uuid)
  AND (sqlc.narg(email)::text IS NULL OR lower(email) = lower(sqlc.narg(email)::text))
ORDER BY id
LIMIT $2;

-- name: MemberUpdate :one
UPDATE member
SET email = $3, name = $4, role = $5, status = $6, permission_group_id = $7, external_key = $8,
    status_changed_at = CASE WHEN status <> $6 THEN now() ELSE status_changed_at END,
    version = version + 1, updated_at = now()
WHERE org_id = $1 AND id = $2
RETURNING *;

-- name: MemberDelete :execrows
DELETE FROM member WHERE org_id = $1 AND id = $2;

-- name: MemberMoveGroup :execrows
-- Moves every member of one group to another (deleting a group moves its members to Default).
UPDATE member SET permission_group_id = @to_group, version = version + 1, updated_at = now()
WHERE org_id = $1 AND permission_group_id = @from_group;

-- name: MemberCountInGroup :one
SELECT count(*) FROM member WHERE org_id = $1 AND permission_group_id = $2;
