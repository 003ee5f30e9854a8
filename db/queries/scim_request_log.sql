-- name: SCIMRequestLogInsert :exec
INSERT INTO scim_request_log (id, org_id, token_id, method, path, status, scim_type, error, request_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- name: SCIMRequestLogTrim :exec
-- Keeps the newest @keep rows of an org.
DELETE FROM scim_request_log r
WHERE r.org_id = $1 AND r.id < (
    SELECT l.id FROM scim_request_log l WHERE l.org_id = $1 ORDER BY l.id DESC OFFSET @keep::integer LIMIT 1);

-- name: SCIMRequestLogList :many
SELECT * FROM scim_request_log
WHERE org_id = $1 AND (sqlc.narg(before_id)::uuid IS NULL OR id < sqlc.narg(before_id)::uuid)
ORDER BY id DESC
LIMIT $2;
