-- name: ToolCallEventInsertBatch :execrows
INSERT INTO tool_call_event (org_id, tool_call_id, occurred_at, execution_id, workflow_id, agent_id, workspace_id,
    project_id, user_id, user_email, component, action, status, duration_ms, credits, cost_usd, error_code, error_message)
SELECT @org_id::uuid, x.tool_call_id, x.occurred_at, x.execution_id, x.workflow_id, x.agent_id, x.workspace_id,
    x.project_id, x.user_id, x.user_email, x.component, x.action, x.status, x.duration_ms, x.credits, x.cost_usd,
    x.error_code, x.error_message
FROM jsonb_populate_recordset(NULL::tool_call_event, @events::jsonb) AS x
ON CONFLICT (org_id, tool_call_id) DO NOTHING;
