-- name: PolicyCallerByUser :one
-- The caller context of a tool call: the member, their one permission group and its OAuth axes.
SELECT m.user_id, m.email, m.role, m.status, g.id AS group_id, g.name AS group_name,
       g.oauth_scope_allowlist, g.component_denylist
FROM member m JOIN permission_group g ON g.org_id = m.org_id AND g.id = m.permission_group_id
WHERE m.org_id = $1 AND m.user_id = $2;

-- name: PolicyWorkspaceGet :one
SELECT id, name FROM workspace WHERE org_id = $1 AND id = $2;
