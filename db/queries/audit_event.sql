-- name: AuditEventInsert :exec
INSERT INTO audit_event (id, occurred_at, event_type, category, actor_user_id, actor_type, actor_ip,
    user_agent, session_id, org_id, workspace_id, target_entity_type, target_entity_id, action_data,
    correlation_id, seq)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, nextval('audit_event_seq'));

-- name: AuditEventListByOrg :many
-- Newest first; used by tests and the admin trail until the full audit query lands.
SELECT * FROM audit_event
WHERE org_id = $1
ORDER BY occurred_at DESC, id DESC
LIMIT $2;

-- name: AuditEnsurePartitions :one
SELECT ensure_audit_partitions(@from_month::date, @months::int)::int AS created;
