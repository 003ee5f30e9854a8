-- name: ExecutionEventInsertBatch :execrows
-- The batch arrives as one JSON array (already validated and normalized by internal/events);
-- duplicates of earlier batches and within the batch are skipped, so the affected row count
-- is the number accepted.
INSERT INTO execution_event (org_id, execution_id, workflow_id, workflow_name, workflow_version, project_id,
    project_name, workspace_id, workspace_name, user_id, user_email, agent_id, trigger_type, status,
    started_at, finished_at, duration_ms, credits, cost_usd, error_code, error_message)
SELECT @org_id::uuid, x.execution_id, x.workflow_id, x.workflow_name, x.workflow_version, x.project_id,
    x.project_name, x.workspace_id, x.workspace_name, x.user_id, x.user_email, x.agent_id, x.trigger_type, x.status,
    x.started_at, x.finished_at, x.duration_ms, x.credits, x.cost_usd, x.error_code, x.error_message
FROM jsonb_populate_recordset(NULL::execution_event, @events::jsonb) AS x
ON CONFLICT (org_id, execution_id) DO NOTHING;

-- name: ExportExecutionsPage :many
-- Nullable columns come as non-null text ('' for NULL, which is how the CSV shows NULL): Postgres
-- renders them as cheaply as it sends them, and the scan needs no per-column pointer.
SELECT execution_id, workflow_id, CAST(COALESCE(workflow_name, '') AS text) AS workflow_name, CAST(COALESCE(workflow_version::text, '') AS text) AS workflow_version,
    CAST(COALESCE(project_id, '') AS text) AS project_id, CAST(COALESCE(project_name, '') AS text) AS project_name, CAST(COALESCE(workspace_id::text, '') AS text) AS workspace_id,
    CAST(COALESCE(workspace_name, '') AS text) AS workspace_name, CAST(COALESCE(user_id::text, '') AS text) AS user_id, CAST(COALESCE(user_email, '') AS text) AS user_email,
    CAST(COALESCE(agent_id, '') AS text) AS agent_id, CAST(COALESCE(trigger_type, '') AS text) AS trigger_type, status, started_at, finished_at, CAST(COALESCE(duration_ms::text, '') AS text) AS duration_ms,
    CAST(COALESCE(credits::text, '') AS text) AS credits, CAST(COALESCE(cost_usd::text, '') AS text) AS cost_usd, CAST(COALESCE(error_code, '') AS text) AS error_code, CAST(COALESCE(error_message, '') AS text) AS error_message
FROM execution_event
WHERE org_id = @org_id
  AND started_at >= @range_from AND started_at < @range_to
  AND (cardinality(@workspace_ids::uuid[]) = 0 OR workspace_id = ANY (@workspace_ids::uuid[]))
  AND pg_visible_in_snapshot(ingest_xid, CAST(@snapshot::text AS pg_snapshot))
  AND (started_at, execution_id) > (@after_time::timestamptz, @after_id::text)
ORDER BY started_at, execution_id
LIMIT @page_size;

-- name: ExportExecutionsCount :one
SELECT count(*) FROM execution_event
WHERE org_id = @org_id
  AND started_at >= @range_from AND started_at < @range_to
  AND (cardinality(@workspace_ids::uuid[]) = 0 OR workspace_id = ANY (@workspace_ids::uuid[]))
  AND pg_visible_in_snapshot(ingest_xid, CAST(@snapshot::text AS pg_snapshot));
