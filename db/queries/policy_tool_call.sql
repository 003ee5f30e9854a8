-- name: PolicyToolCallCopy :copyfrom
INSERT INTO policy_tool_call (id, org_id, occurred_at, phase, user_id, agent_id, workspace_id, server_id, tool_name,
    args, output, caller, execution_id, correlation_id, decision, reason, tags, matched)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18);

-- name: PolicyToolCallRange :many
-- Recorded calls of one phase in a time window, newest first, for simulation.
SELECT * FROM policy_tool_call
WHERE org_id = $1 AND occurred_at >= @from_at AND occurred_at < @to_at
ORDER BY occurred_at DESC, id DESC
LIMIT $2;

-- name: PolicyToolCallPurge :execrows
-- Deletes up to max_rows records past the retention window; the caller repeats until 0.
DELETE FROM policy_tool_call
WHERE ctid = ANY(ARRAY(SELECT t.ctid FROM policy_tool_call t WHERE t.occurred_at < @before_at::timestamptz LIMIT @max_rows::int));

-- name: PolicyToolCallEraseUser :execrows
-- GDPR erasure: a user's recorded calls hold their arguments; they go entirely.
DELETE FROM policy_tool_call WHERE org_id = $1 AND user_id = $2;

-- name: PolicyToolCallInsert :exec
INSERT INTO policy_tool_call (id, org_id, occurred_at, phase, user_id, agent_id, workspace_id, server_id, tool_name,
    args, output, caller, execution_id, correlation_id, decision, reason, tags, matched)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18);
