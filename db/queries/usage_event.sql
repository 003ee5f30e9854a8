-- name: UsageEventInsertBatch :execrows
INSERT INTO usage_event (org_id, usage_id, occurred_at, category, user_id, user_email, workspace_id, project_id,
    workflow_id, execution_id, provider, model, input_tokens, output_tokens, credits, cost_usd)
SELECT @org_id::uuid, x.usage_id, x.occurred_at, x.category, x.user_id, x.user_email, x.workspace_id, x.project_id,
    x.workflow_id, x.execution_id, x.provider, x.model, x.input_tokens, x.output_tokens, x.credits, x.cost_usd
FROM jsonb_populate_recordset(NULL::usage_event, @events::jsonb) AS x
ON CONFLICT (org_id, usage_id) DO NOTHING;

-- name: ExportUsagePage :many
SELECT occurred_at, usage_id, category, CAST(COALESCE(user_id::text, '') AS text) AS user_id, CAST(COALESCE(user_email, '') AS text) AS user_email,
    CAST(COALESCE(workspace_id::text, '') AS text) AS workspace_id, CAST(COALESCE(project_id, '') AS text) AS project_id, CAST(COALESCE(workflow_id, '') AS text) AS workflow_id, CAST(COALESCE(execution_id, '') AS text) AS execution_id,
    CAST(COALESCE(provider, '') AS text) AS provider, CAST(COALESCE(model, '') AS text) AS model, CAST(COALESCE(input_tokens::text, '') AS text) AS input_tokens, CAST(COALESCE(output_tokens::text, '') AS text) AS output_tokens, CAST(COALESCE(credits::text, '') AS text) AS credits, CAST(COALESCE(cost_usd::text, '') AS text) AS cost_usd
FROM usage_event
WHERE org_id = @org_id
  AND occurred_at >= @range_from AND occurred_at < @range_to
  AND pg_visible_in_snapshot(ingest_xid, CAST(@snapshot::text AS pg_snapshot))
  AND (occurred_at, usage_id) > (@after_time::timestamptz, @after_id::text)
ORDER BY occurred_at, usage_id
LIMIT @page_size;

-- name: ExportUsageCount :one
SELECT count(*) FROM usage_event
WHERE org_id = @org_id
  AND occurred_at >= @range_from AND occurred_at < @range_to
  AND pg_visible_in_snapshot(ingest_xid, CAST(@snapshot::text AS pg_snapshot));
