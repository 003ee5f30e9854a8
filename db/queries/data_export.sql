-- name: DataExportInsert :one
-- The request's transaction snapshot is recorded so every attempt of the export reads the
-- same rows.
INSERT INTO data_export (id, org_id, type, range_from, range_to, workspace_ids, snapshot, snapshot_at, object_key, requested_by)
VALUES (@id, @org_id, @type, @range_from, @range_to, @workspace_ids, pg_current_snapshot()::text, now(), @object_key, @requested_by)
RETURNING *;

-- name: DataExportGet :one
SELECT * FROM data_export WHERE org_id = @org_id AND id = @id;

-- name: DataExportList :many
SELECT * FROM data_export
WHERE org_id = @org_id AND (sqlc.narg(after_id)::uuid IS NULL OR id < sqlc.narg(after_id)::uuid)
ORDER BY id DESC
LIMIT @page_size;

-- name: DataExportStart :one
UPDATE data_export SET status = 'IN_PROGRESS', started_at = COALESCE(started_at, now())
WHERE org_id = @org_id AND id = @id AND status IN ('REQUESTED', 'IN_PROGRESS')
RETURNING *;

-- name: DataExportSetEstimate :exec
UPDATE data_export SET rows_estimated = @rows_estimated WHERE org_id = @org_id AND id = @id AND rows_estimated IS NULL;

-- name: DataExportProgress :exec
UPDATE data_export SET rows_written = @rows_written WHERE org_id = @org_id AND id = @id AND status = 'IN_PROGRESS';

-- name: DataExportComplete :one
UPDATE data_export SET status = 'COMPLETED', row_count = @row_count, rows_written = @row_count,
    size_bytes = @size_bytes, sha256 = @sha256, finished_at = now()
WHERE org_id = @org_id AND id = @id AND status IN ('REQUESTED', 'IN_PROGRESS')
RETURNING *;

-- name: DataExportFinish :one
-- Ends a running export as FAILED or CANCELLED.
UPDATE data_export SET status = @status, error = sqlc.narg(error), finished_at = now()
WHERE org_id = @org_id AND id = @id AND status IN ('REQUESTED', 'IN_PROGRESS')
RETURNING *;

-- name: DataExportMarkFileDeleted :execrows
UPDATE data_export SET file_deleted_at = now()
WHERE org_id = @org_id AND id = @id AND status = 'COMPLETED' AND file_deleted_at IS NULL;

-- name: ExportKnownWorkspaces :many
-- A workspace may be named in an export when the org has it in its directory or its ingested
-- data refers to it; another org's workspace is neither.
SELECT w.id::uuid AS id FROM unnest(@ids::uuid[]) AS w(id)
WHERE EXISTS (SELECT 1 FROM workspace ws WHERE ws.org_id = @org_id AND ws.id = w.id)
   OR EXISTS (SELECT 1 FROM execution_event e WHERE e.org_id = @org_id AND e.workspace_id = w.id)
   OR EXISTS (SELECT 1 FROM workflow_config c WHERE c.org_id = @org_id AND c.workspace_id = w.id);

-- name: ExportAuditPage :many
-- Reads only the foundation's audit_event columns. The snapshot bound for audit rows is their
-- ingestion time (the table is owned by the audit domain and carries no ingest_xid).
SELECT id, occurred_at, event_type, category, actor_user_id, actor_type, actor_ip, user_agent, session_id, org_id,
    workspace_id, target_entity_type, target_entity_id, action_data::text AS action_data, correlation_id, seq
FROM audit_event
WHERE org_id = @org_id
  AND occurred_at >= @range_from AND occurred_at < @range_to
  AND ingested_at <= @snapshot_at
  AND (cardinality(@workspace_ids::uuid[]) = 0 OR workspace_id = ANY (@workspace_ids::uuid[]))
  AND (occurred_at, id) > (@after_time::timestamptz, @after_uuid::uuid)
ORDER BY occurred_at, id
LIMIT @page_size;

-- name: ExportAuditCount :one
SELECT count(*) FROM audit_event
WHERE org_id = @org_id
  AND occurred_at >= @range_from AND occurred_at < @range_to
  AND ingested_at <= @snapshot_at
  AND (cardinality(@workspace_ids::uuid[]) = 0 OR workspace_id = ANY (@workspace_ids::uuid[]));
