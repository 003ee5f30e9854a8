-- name: AuditEventIDClaim :exec
INSERT INTO audit_event_id (org_id, id, occurred_at) VALUES (sqlc.arg(org_id), sqlc.arg(id), sqlc.arg(occurred_at));

-- name: AuditEventInsert :exec
INSERT INTO audit_event (id, occurred_at, event_type, category, actor_user_id, actor_type, actor_ip,
    user_agent, session_id, org_id, workspace_id, target_entity_type, target_entity_id, action_data,
    correlation_id, seq)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, nextval('audit_event_seq'));

-- name: AuditEventListByOrg :many
-- Newest first; used by tests and the admin trail.
SELECT * FROM audit_event
WHERE org_id = $1
ORDER BY occurred_at DESC, id DESC
LIMIT $2;

-- name: AuditEnsurePartitions :one
SELECT ensure_audit_partitions(@from_month::date, @months::int)::int AS created;

-- name: AuditEventRegisterIDs :many
-- Claims client ids for the org and returns the ones that were new; the rest are duplicates.
-- A concurrent batch with the same id waits on the unique index, so exactly one wins.
INSERT INTO audit_event_id (org_id, id, occurred_at)
SELECT @org_id::uuid, unnest(@ids::uuid[]), unnest(@occurred_ats::timestamptz[])
ON CONFLICT DO NOTHING
RETURNING id;

-- name: AuditEventCopy :copyfrom
INSERT INTO audit_event (id, occurred_at, event_type, category, actor_user_id, actor_type, actor_ip,
    user_agent, session_id, org_id, workspace_id, target_entity_type, target_entity_id, action_data,
    correlation_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15);

-- name: AuditEventList :many
-- Newest first with a keyset position on (occurred_at, id); every filter is optional.
SELECT * FROM audit_event
WHERE org_id = @org_id
  AND (cardinality(@event_types::text[]) = 0 OR event_type = ANY(@event_types::text[]))
  AND (sqlc.narg(category)::text IS NULL OR category = sqlc.narg(category)::text)
  AND (sqlc.narg(from_at)::timestamptz IS NULL OR occurred_at >= sqlc.narg(from_at)::timestamptz)
  AND (sqlc.narg(to_at)::timestamptz IS NULL OR occurred_at < sqlc.narg(to_at)::timestamptz)
  AND (sqlc.narg(actor_user_id)::uuid IS NULL OR actor_user_id = sqlc.narg(actor_user_id)::uuid)
  AND (sqlc.narg(target_entity_type)::text IS NULL OR target_entity_type = sqlc.narg(target_entity_type)::text)
  AND (sqlc.narg(target_entity_id)::text IS NULL OR target_entity_id = sqlc.narg(target_entity_id)::text)
  AND (sqlc.narg(workspace_id)::uuid IS NULL OR workspace_id = sqlc.narg(workspace_id)::uuid)
  AND (sqlc.narg(correlation_id)::uuid IS NULL OR correlation_id = sqlc.narg(correlation_id)::uuid)
  AND (sqlc.narg(q)::text IS NULL OR to_tsvector('simple', action_data) @@ plainto_tsquery('simple', sqlc.narg(q)::text))
  AND (sqlc.narg(before_at)::timestamptz IS NULL
       OR (occurred_at, id) < (sqlc.narg(before_at)::timestamptz, sqlc.narg(before_id)::uuid))
ORDER BY occurred_at DESC, id DESC
LIMIT @lim;

-- name: AuditEventGet :one
-- With occurred_at from the registry this is one probe in one partition.
SELECT * FROM audit_event WHERE org_id = @org_id AND occurred_at = @occurred_at AND id = @id;

-- name: AuditEventIDLookup :one
SELECT occurred_at FROM audit_event_id WHERE org_id = @org_id AND id = @id;

-- name: AuditEventByCorrelation :many
SELECT * FROM audit_event
WHERE org_id = @org_id AND correlation_id = @correlation_id
ORDER BY occurred_at, id
LIMIT @lim;

-- name: AuditEventStream :many
-- Ingestion order is (xid, seq). Only rows of transactions older than every transaction still
-- in flight are handed out: a later commit can then never land behind the caller's cursor.
SELECT * FROM audit_event
WHERE org_id = @org_id
  AND (xid, seq) > (@after_xid::bigint, @after_seq::bigint)
  AND xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
ORDER BY xid, seq
LIMIT @lim;

-- name: AuditEventRange :many
-- The rows of one sealed block (inclusive (xid, seq) bounds), in chain order.
SELECT * FROM audit_event
WHERE org_id = @org_id
  AND (xid, seq) >= (@first_xid::bigint, @first_seq::bigint)
  AND (xid, seq) <= (@last_xid::bigint, @last_seq::bigint)
ORDER BY xid, seq;

-- name: AuditSealLock :exec
-- Serialises sealers of one org (only sealers; writers never take it).
SELECT pg_advisory_xact_lock(hashtextextended(concat('audit_seal:', sqlc.arg(org_id)::uuid), 0));

-- name: AuditSealHead :one
SELECT * FROM audit_seal WHERE org_id = @org_id ORDER BY block_no DESC LIMIT 1;

-- name: AuditSealGet :one
SELECT * FROM audit_seal WHERE org_id = @org_id AND block_no = @block_no;

-- name: AuditSealInsert :exec
INSERT INTO audit_seal (org_id, block_no, first_xid, first_seq, last_xid, last_seq, event_count,
    min_occurred_at, max_occurred_at, prev_hash, hash)
VALUES (@org_id, @block_no, @first_xid, @first_seq, @last_xid, @last_seq, @event_count,
    @min_occurred_at, @max_occurred_at, @prev_hash, @hash);

-- name: AuditSealOverlapping :many
-- Blocks holding events in [from_at, to_at), in chain order.
SELECT * FROM audit_seal
WHERE org_id = @org_id AND max_occurred_at >= @from_at AND min_occurred_at < @to_at
  AND block_no > @after_block
ORDER BY block_no
LIMIT @lim;

-- name: AuditUnsealedCount :one
SELECT count(*)::bigint FROM audit_event
WHERE org_id = @org_id AND (xid, seq) > (@after_xid::bigint, @after_seq::bigint)
  AND occurred_at >= @from_at AND occurred_at < @to_at;

-- name: AuditRetentionGet :one
-- The policy lives in the org's settings (shared with GET/PATCH /api/v1/settings); missing
-- keys read as the defaults. The org's version is the ETag of both resources.
SELECT coalesce((settings->>'audit_hot_days')::int, @default_hot_days::int)::int AS hot_days,
       coalesce((settings->>'audit_retention_days')::int, @default_retention_days::int)::int AS retention_days,
       version, updated_at
FROM organization WHERE id = @org_id AND deleted_at IS NULL
FOR UPDATE;

-- name: AuditRetentionUpdate :one
UPDATE organization
SET settings = settings || jsonb_build_object('audit_hot_days', @hot_days::int, 'audit_retention_days', @retention_days::int),
    version = version + 1, updated_at = now()
WHERE id = @org_id AND deleted_at IS NULL
RETURNING version, updated_at;

-- name: AuditRetentionOrgs :many
-- Every live org of this region with its effective policy (defaults when it has none), and
-- every purged org with a zero policy: OrgPurgeWorkflow removes their rows, retention then
-- removes their archive objects. Soft-deleted orgs in their grace period are left alone.
SELECT o.id AS org_id,
       CASE WHEN o.purged_at IS NOT NULL THEN 0
            ELSE coalesce((o.settings->>'audit_hot_days')::int, @default_hot_days::int) END::int AS hot_days,
       CASE WHEN o.purged_at IS NOT NULL THEN 0
            ELSE coalesce((o.settings->>'audit_retention_days')::int, @default_retention_days::int) END::int AS retention_days
FROM organization o
WHERE (o.deleted_at IS NULL OR o.purged_at IS NOT NULL) AND o.region = @region
ORDER BY o.id;

-- name: AuditHotDays :many
-- UTC days that still have hot rows older than the cutoff.
SELECT DISTINCT (occurred_at AT TIME ZONE 'UTC')::date AS day
FROM audit_event
WHERE org_id = @org_id AND occurred_at < @cutoff
ORDER BY day;

-- name: AuditEventDayBatch :many
-- Sealed rows of one UTC day in chain order, after a position (for parts).
SELECT * FROM audit_event
WHERE org_id = @org_id AND occurred_at >= @day_start AND occurred_at < @day_end
  AND (xid, seq) > (@after_xid::bigint, @after_seq::bigint)
  AND (xid, seq) <= (@head_xid::bigint, @head_seq::bigint)
ORDER BY xid, seq
LIMIT @lim;

-- name: AuditArchiveNextPart :one
SELECT (coalesce(max(part), 0) + 1)::int AS part FROM audit_archive WHERE org_id = @org_id AND day = @day;

-- name: AuditArchiveInsert :exec
INSERT INTO audit_archive (org_id, day, part, object_key, manifest_key, row_count, min_occurred_at,
    max_occurred_at, sha256, size_bytes, chain_head, chain_block)
VALUES (@org_id, @day, @part, @object_key, @manifest_key, @row_count, @min_occurred_at,
    @max_occurred_at, @sha256, @size_bytes, @chain_head, @chain_block);

-- name: AuditEventDeleteIDs :execrows
DELETE FROM audit_event
WHERE org_id = @org_id AND occurred_at >= @day_start AND occurred_at < @day_end AND id = ANY(@ids::uuid[]);

-- name: AuditArchiveRange :many
-- Cold objects whose rows may fall in [from_at, to_at).
SELECT * FROM audit_archive
WHERE org_id = @org_id AND max_occurred_at >= @from_at AND min_occurred_at < @to_at
ORDER BY day DESC, part;

-- name: AuditArchiveExpired :many
SELECT * FROM audit_archive WHERE org_id = @org_id AND day < @before_day ORDER BY day, part;

-- name: AuditArchiveDelete :exec
DELETE FROM audit_archive WHERE org_id = @org_id AND day = @day AND part = @part;

-- name: AuditEventIDPurge :execrows
DELETE FROM audit_event_id WHERE org_id = @org_id AND occurred_at < @before;

-- name: AuditUnsealedExists :one
SELECT EXISTS (
    SELECT 1 FROM audit_event WHERE org_id = @org_id AND (xid, seq) > (@after_xid::bigint, @after_seq::bigint)
)::bool AS pending;
