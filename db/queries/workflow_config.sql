-- name: WorkflowConfigLatest :one
SELECT * FROM workflow_config
WHERE org_id = @org_id AND workflow_id = @workflow_id
ORDER BY version DESC
LIMIT 1;

-- name: WorkflowConfigInsert :one
INSERT INTO workflow_config (org_id, workflow_id, version, kind, name, workspace_id, project_id, created_by_email,
    model, system_prompt, components_json, definition_json, content_sha256, created_at)
VALUES (@org_id, @workflow_id, @version, @kind, @name, @workspace_id, @project_id, @created_by_email,
    @model, @system_prompt, @components_json, @definition_json, @content_sha256,
    COALESCE(sqlc.narg(created_at)::timestamptz, now()))
RETURNING *;

-- name: ExportWorkflowConfigsPage :many
SELECT workflow_id, kind, name, version, workspace_id, project_id, created_by_email, created_at, updated_at,
    model, system_prompt, components_json::text AS components_json, definition_json::text AS definition_json
FROM workflow_config
WHERE org_id = @org_id
  AND updated_at >= @range_from AND updated_at < @range_to
  AND (cardinality(@workspace_ids::uuid[]) = 0 OR workspace_id = ANY (@workspace_ids::uuid[]))
  AND pg_visible_in_snapshot(ingest_xid, CAST(@snapshot::text AS pg_snapshot))
  AND (workflow_id, version) > (@after_id::text, @after_version::integer)
ORDER BY workflow_id, version
LIMIT @page_size;

-- name: ExportWorkflowConfigsCount :one
SELECT count(*) FROM workflow_config
WHERE org_id = @org_id
  AND updated_at >= @range_from AND updated_at < @range_to
  AND (cardinality(@workspace_ids::uuid[]) = 0 OR workspace_id = ANY (@workspace_ids::uuid[]))
  AND pg_visible_in_snapshot(ingest_xid, CAST(@snapshot::text AS pg_snapshot));
