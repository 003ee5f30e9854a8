-- name: AppRuleInsert :one
INSERT INTO app_rule (id, org_id, name, description, phase, action, target_type, target_id, scope_server_id,
    scope_tools, condition, priority, tags, enabled, mode, tests, external_key)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
RETURNING *;

-- name: AppRuleGet :one
SELECT * FROM app_rule WHERE org_id = $1 AND id = $2;

-- name: AppRuleGetForUpdate :one
SELECT * FROM app_rule WHERE org_id = $1 AND id = $2 FOR UPDATE;

-- name: AppRuleGetByKeyForUpdate :one
SELECT * FROM app_rule WHERE org_id = $1 AND external_key = @external_key::text FOR UPDATE;

-- name: AppRuleList :many
SELECT * FROM app_rule
WHERE org_id = $1 AND (sqlc.narg(after_id)::uuid IS NULL OR id > sqlc.narg(after_id)::uuid)
  AND (sqlc.narg(phase)::text IS NULL OR phase = sqlc.narg(phase)::text)
ORDER BY id
LIMIT $2;

-- name: AppRuleListEnabled :many
-- The org's rule set as the evaluator caches it.
SELECT * FROM app_rule WHERE org_id = $1 AND enabled ORDER BY id;

-- name: AppRuleGetMany :many
SELECT * FROM app_rule WHERE org_id = $1 AND id = ANY(@ids::uuid[]);

-- name: AppRuleUpdate :one
UPDATE app_rule
SET name = $3, description = $4, phase = $5, action = $6, target_type = $7, target_id = $8, scope_server_id = $9,
    scope_tools = $10, condition = $11, priority = $12, tags = $13, enabled = $14, mode = $15, tests = $16,
    external_key = $17, version = version + 1, updated_at = now()
WHERE org_id = $1 AND id = $2
RETURNING *;

-- name: AppRuleDelete :execrows
DELETE FROM app_rule WHERE org_id = $1 AND id = $2;

-- name: AppRuleVersionInsert :exec
INSERT INTO app_rule_version (org_id, rule_id, version, change, actor, snapshot)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: AppRuleVersionList :many
SELECT * FROM app_rule_version
WHERE org_id = $1 AND rule_id = $2 AND (sqlc.narg(before_version)::int IS NULL OR version < sqlc.narg(before_version)::int)
ORDER BY version DESC
LIMIT $3;
