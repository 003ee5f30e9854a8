-- name: DirectoryConnectionInsert :one
INSERT INTO directory_connection (id, org_id, kind, name, base_url, settings, secret_ciphertext, enabled)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING *;

-- name: DirectoryConnectionGet :one
SELECT * FROM directory_connection WHERE org_id = $1 AND id = $2;

-- name: DirectoryConnectionGetForUpdate :one
SELECT * FROM directory_connection WHERE org_id = $1 AND id = $2 FOR UPDATE;

-- name: DirectoryConnectionEnabled :one
SELECT * FROM directory_connection WHERE org_id = $1 AND enabled;

-- name: DirectoryConnectionList :many
SELECT * FROM directory_connection
WHERE org_id = $1 AND (sqlc.narg(after_id)::uuid IS NULL OR id > sqlc.narg(after_id)::uuid)
ORDER BY id
LIMIT $2;

-- name: DirectoryConnectionUpdate :one
UPDATE directory_connection
SET name = $3, base_url = $4, settings = $5, secret_ciphertext = $6, enabled = $7, version = version + 1, updated_at = now()
WHERE org_id = $1 AND id = $2
RETURNING *;

-- name: DirectoryConnectionDelete :execrows
DELETE FROM directory_connection WHERE org_id = $1 AND id = $2;

-- name: DirectorySyncRunInsert :one
-- Fails on directory_sync_run_running_key while another run of the org is RUNNING.
INSERT INTO directory_sync_run (id, org_id, connection_id, workflow_id, trigger, dry_run)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING *;

-- name: DirectorySyncRunByWorkflow :one
SELECT * FROM directory_sync_run WHERE workflow_id = $1;

-- name: DirectorySyncRunGet :one
SELECT * FROM directory_sync_run WHERE org_id = $1 AND id = $2;

-- name: DirectorySyncRunRunning :one
SELECT * FROM directory_sync_run WHERE org_id = $1 AND status = 'RUNNING';

-- name: DirectorySyncRunList :many
SELECT * FROM directory_sync_run
WHERE org_id = $1 AND (sqlc.narg(before_id)::uuid IS NULL OR id < sqlc.narg(before_id)::uuid)
ORDER BY id DESC
LIMIT $2;

-- name: DirectorySyncRunSetPhase :exec
UPDATE directory_sync_run SET phase = $3, counts = counts || @counts::jsonb WHERE org_id = $1 AND id = $2;

-- name: DirectorySyncRunFinish :one
UPDATE directory_sync_run
SET status = $3, finished_at = now(), phase = 'DONE', counts = counts || @counts::jsonb, drift = @drift::jsonb, errors = @errors::jsonb
WHERE org_id = $1 AND id = $2 AND status = 'RUNNING'
RETURNING *;

-- name: DirectorySyncRunAbandon :execrows
-- A RUNNING row whose workflow is long gone (timed out, terminated) must not block the org.
UPDATE directory_sync_run SET status = 'FAILED', finished_at = now(), errors = errors || '["abandoned: the run did not finish"]'::jsonb
WHERE org_id = $1 AND status = 'RUNNING' AND started_at < @older_than::timestamptz;

-- name: DirectoryStageUsers :exec
INSERT INTO directory_staged_user (run_id, org_id, external_id, user_name, email, given_name, family_name, display_name, active)
SELECT @run_id::uuid, @org_id::uuid, unnest(@external_ids::text[]), unnest(@user_names::text[]), unnest(@emails::text[]),
       unnest(@given_names::text[]), unnest(@family_names::text[]), unnest(@display_names::text[]), unnest(@actives::boolean[])
ON CONFLICT (run_id, external_id) DO UPDATE
SET user_name = EXCLUDED.user_name, email = EXCLUDED.email, given_name = EXCLUDED.given_name,
    family_name = EXCLUDED.family_name, display_name = EXCLUDED.display_name, active = EXCLUDED.active;

-- name: DirectoryStageGroups :exec
INSERT INTO directory_staged_group (run_id, org_id, external_id, display_name)
SELECT @run_id::uuid, @org_id::uuid, unnest(@external_ids::text[]), unnest(@display_names::text[])
ON CONFLICT (run_id, external_id) DO UPDATE SET display_name = EXCLUDED.display_name;

-- name: DirectoryStageMemberships :exec
INSERT INTO directory_staged_membership (run_id, org_id, group_external_id, user_external_id)
SELECT @run_id::uuid, @org_id::uuid, @group_external_id::text, unnest(@user_external_ids::text[])
ON CONFLICT DO NOTHING;

-- name: DirectoryStagedGroupsAfter :many
SELECT * FROM directory_staged_group WHERE run_id = $1 AND external_id > @after::text ORDER BY external_id LIMIT $2;

-- name: DirectoryStagedUsersAfter :many
SELECT * FROM directory_staged_user WHERE run_id = $1 AND external_id > @after::text ORDER BY external_id LIMIT $2;

-- name: DirectoryStagedCounts :one
SELECT (SELECT count(*) FROM directory_staged_user su WHERE su.run_id = $1) AS users,
       (SELECT count(*) FROM directory_staged_group sg WHERE sg.run_id = $1) AS groups,
       (SELECT count(*) FROM directory_staged_membership sm WHERE sm.run_id = $1) AS memberships;

-- name: DirectoryLocalUsersFor :many
-- The local SCIM users matching staged users, by external id or userName (case-insensitive).
SELECT u.* FROM scim_user u WHERE u.org_id = $1 AND u.member_id IN (
    SELECT x.member_id FROM unnest(@external_ids::text[]) AS e(id) JOIN scim_user x ON x.org_id = $1 AND x.external_id = e.id
    UNION
    SELECT y.member_id FROM unnest(@user_names::text[]) AS n(name) JOIN scim_user y ON y.org_id = $1 AND lower(y.user_name) = n.name);

-- name: DirectoryLocalUsersMissing :many
-- Live, active local users that the directory no longer lists (to suspend), in id order.
SELECT u.* FROM scim_user u
WHERE u.org_id = $1 AND u.deleted_at IS NULL AND u.active AND u.member_id > @after::uuid
  AND NOT EXISTS (SELECT 1 FROM directory_staged_user s WHERE s.run_id = @run_id::uuid AND s.external_id = u.external_id)
  AND NOT EXISTS (SELECT 1 FROM directory_staged_user s WHERE s.run_id = @run_id::uuid AND lower(s.user_name) = lower(u.user_name))
ORDER BY u.member_id
LIMIT $2;

-- name: DirectoryLocalGroupsFor :many
SELECT g.* FROM scim_group g WHERE g.org_id = $1 AND g.id IN (
    SELECT x.id FROM unnest(@external_ids::text[]) AS e(id) JOIN scim_group x ON x.org_id = $1 AND x.external_id = e.id
    UNION
    SELECT y.id FROM unnest(@display_names::text[]) AS n(name) JOIN scim_group y ON y.org_id = $1 AND lower(y.display_name) = n.name);

-- name: DirectoryLocalGroupsMissing :many
-- Groups this sync created earlier that the directory no longer lists.
SELECT g.* FROM scim_group g
WHERE g.org_id = $1 AND g.source = 'DIRECTORY_SYNC'
  AND NOT EXISTS (SELECT 1 FROM directory_staged_group s WHERE s.run_id = @run_id::uuid AND s.external_id = g.external_id);

-- name: DirectoryMembershipsToAdd :many
-- Members the directory lists in a group that the local group lacks. The users phase has
-- given every synced user the directory's id as externalId, so the match is by that alone.
SELECT DISTINCT u.member_id FROM directory_staged_membership sm
JOIN scim_user u ON u.org_id = sm.org_id AND u.external_id = sm.user_external_id AND u.deleted_at IS NULL
WHERE sm.run_id = @run_id::uuid AND sm.group_external_id = @group_external_id::text
  AND NOT EXISTS (SELECT 1 FROM scim_group_member gm WHERE gm.group_id = @group_id::uuid AND gm.member_id = u.member_id);

-- name: DirectoryMembershipsToRemove :many
-- Members of the local group the directory does not list in it.
SELECT gm.member_id FROM scim_group_member gm
JOIN scim_user u ON u.member_id = gm.member_id
WHERE gm.org_id = $1 AND gm.group_id = @group_id::uuid
  AND NOT EXISTS (SELECT 1 FROM directory_staged_membership sm
      WHERE sm.run_id = @run_id::uuid AND sm.group_external_id = @group_external_id::text AND sm.user_external_id = u.external_id);

-- name: DirectoryBatchGet :one
SELECT * FROM directory_sync_batch WHERE run_id = $1 AND batch_key = $2;

-- name: DirectoryBatchInsert :exec
INSERT INTO directory_sync_batch (run_id, org_id, batch_key, counts, drift, next_after) VALUES ($1, $2, $3, $4, $5, $6);

-- name: DirectoryBatches :many
SELECT * FROM directory_sync_batch WHERE run_id = $1 ORDER BY batch_key;

-- name: DirectoryStagingClear :exec
-- Staged pages are only needed while the run is in flight.
DELETE FROM directory_staged_membership WHERE run_id = $1;

-- name: DirectoryStagingClearUsers :exec
DELETE FROM directory_staged_user WHERE run_id = $1;

-- name: DirectoryStagingClearGroups :exec
DELETE FROM directory_staged_group WHERE run_id = $1;

-- name: DirectoryConnectionsEnabledAll :many
-- Every org's enabled connection (to reconcile the per-org schedules at start).
SELECT c.org_id FROM directory_connection c JOIN organization o ON o.id = c.org_id
WHERE c.enabled AND o.deleted_at IS NULL ORDER BY c.org_id;
