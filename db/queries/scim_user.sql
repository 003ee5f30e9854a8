-- name: SCIMUserInsert :one
INSERT INTO scim_user (member_id, org_id, user_name, external_id, active, attrs, source)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: SCIMUserGet :one
SELECT * FROM scim_user WHERE org_id = $1 AND member_id = $2 AND deleted_at IS NULL;

-- name: SCIMUserGetForUpdate :one
SELECT * FROM scim_user WHERE org_id = $1 AND member_id = $2 AND deleted_at IS NULL FOR UPDATE;

-- name: SCIMUserGetAnyForUpdate :one
-- Includes a deprovisioned user (a new create with the same member revives it).
SELECT * FROM scim_user WHERE org_id = $1 AND member_id = $2 FOR UPDATE;

-- name: SCIMUserUpdate :one
UPDATE scim_user
SET user_name = $3, external_id = $4, active = $5, attrs = $6, deleted_at = NULL,
    version = version + 1, updated_at = now()
WHERE org_id = $1 AND member_id = $2
RETURNING *;

-- name: SCIMUserMarkDeleted :one
UPDATE scim_user SET deleted_at = now(), active = false, version = version + 1, updated_at = now()
WHERE org_id = $1 AND member_id = $2 AND deleted_at IS NULL
RETURNING *;

-- name: SCIMUsersDueForPurge :many
-- Deprovisioned SCIM users whose org's retention has passed (default 30 days).
SELECT u.org_id, u.member_id FROM scim_user u JOIN organization o ON o.id = u.org_id
WHERE u.deleted_at IS NOT NULL
  AND u.deleted_at < sqlc.arg(now)::timestamptz - interval '1 day' * COALESCE((o.settings->>'deprovision_retention_days')::integer, 30)
ORDER BY u.deleted_at
LIMIT $1;

-- name: SCIMMemberHardDelete :execrows
-- Removes a deprovisioned member for good (the scim_user row and memberships cascade).
DELETE FROM member WHERE org_id = $1 AND id = $2 AND status = 'DEPROVISIONED';

-- name: SCIMGroupInsert :one
INSERT INTO scim_group (id, org_id, display_name, external_id, attrs, source)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING *;

-- name: SCIMGroupGet :one
SELECT * FROM scim_group WHERE org_id = $1 AND id = $2;

-- name: SCIMGroupGetForUpdate :one
SELECT * FROM scim_group WHERE org_id = $1 AND id = $2 FOR UPDATE;

-- name: SCIMGroupUpdate :one
UPDATE scim_group SET display_name = $3, external_id = $4, attrs = $5, version = version + 1, updated_at = now()
WHERE org_id = $1 AND id = $2
RETURNING *;

-- name: SCIMGroupTouch :exec
UPDATE scim_group SET version = version + 1, updated_at = now() WHERE org_id = $1 AND id = $2;

-- name: SCIMGroupDelete :execrows
DELETE FROM scim_group WHERE org_id = $1 AND id = $2;

-- name: SCIMGroupMembersAdd :many
-- Adds members (live SCIM-visible members of the org only); returns those actually added.
INSERT INTO scim_group_member (org_id, group_id, member_id)
SELECT $1, $2, m.id FROM member m
WHERE m.org_id = $1 AND m.id = ANY(@member_ids::uuid[])
ON CONFLICT DO NOTHING
RETURNING member_id;

-- name: SCIMGroupMembersRemove :many
DELETE FROM scim_group_member WHERE org_id = $1 AND group_id = $2 AND member_id = ANY(@member_ids::uuid[])
RETURNING member_id;

-- name: SCIMGroupMembersRemoveAll :many
DELETE FROM scim_group_member WHERE org_id = $1 AND group_id = $2
RETURNING member_id;

-- name: SCIMGroupMemberList :many
SELECT gm.member_id, COALESCE(u.user_name, m.email) AS display
FROM scim_group_member gm
JOIN member m ON m.org_id = gm.org_id AND m.id = gm.member_id
LEFT JOIN scim_user u ON u.member_id = gm.member_id
WHERE gm.org_id = $1 AND gm.group_id = $2
ORDER BY gm.member_id;

-- name: SCIMGroupsOfMembers :many
SELECT gm.member_id, g.id AS group_id, g.display_name
FROM scim_group_member gm JOIN scim_group g ON g.id = gm.group_id
WHERE gm.org_id = $1 AND gm.member_id = ANY(@member_ids::uuid[])
ORDER BY gm.member_id, g.id;

-- name: SCIMMembersExisting :many
SELECT m.id FROM member m WHERE m.org_id = $1 AND m.id = ANY(@member_ids::uuid[]);

-- name: SCIMMembersOfGroups :many
SELECT DISTINCT member_id FROM scim_group_member WHERE org_id = $1 AND group_id = ANY(@group_ids::uuid[]);

-- name: SCIMMemberIDsWithGroups :many
SELECT DISTINCT member_id FROM scim_group_member WHERE org_id = $1;

-- name: SCIMRecomputeTargets :many
-- The permission group each member should be in: the highest-priority group mapped from any
-- of their IdP groups (by id, external id or display name), ties to the oldest group, else
-- the Default group. Only members whose group would change are returned.
WITH target AS (
    SELECT m.id AS member_id, m.permission_group_id AS current_group,
        COALESCE((
            SELECT pg.id FROM scim_group_member gm
            JOIN scim_group g ON g.id = gm.group_id
            JOIN directory_group_mapping dm ON dm.org_id = g.org_id AND (
                (dm.match_by = 'ID' AND (dm.idp_group = g.id::text OR dm.idp_group = g.external_id))
                OR (dm.match_by = 'DISPLAY_NAME' AND lower(dm.idp_group) = lower(g.display_name)))
            JOIN permission_group pg ON pg.org_id = dm.org_id AND pg.id = dm.permission_group_id
            WHERE gm.org_id = m.org_id AND gm.member_id = m.id
            ORDER BY pg.priority DESC, pg.id
            LIMIT 1
        ), (SELECT d.id FROM permission_group d WHERE d.org_id = m.org_id AND d.is_default)) AS target_group
    FROM member m
    WHERE m.org_id = $1 AND m.id = ANY(@member_ids::uuid[])
)
SELECT member_id, current_group, target_group::uuid AS target_group FROM target WHERE target_group IS DISTINCT FROM current_group;

-- name: SCIMMemberSetGroup :exec
UPDATE member SET permission_group_id = $3, version = version + 1, updated_at = now()
WHERE org_id = $1 AND id = $2;

-- name: DirectoryGroupMappingInsert :one
INSERT INTO directory_group_mapping (id, org_id, match_by, idp_group, permission_group_id)
VALUES ($1, $2, $3, $4, $5)
RETURNING *;

-- name: DirectoryGroupMappingList :many
SELECT * FROM directory_group_mapping
WHERE org_id = $1 AND (sqlc.narg(after_id)::uuid IS NULL OR id > sqlc.narg(after_id)::uuid)
ORDER BY id
LIMIT $2;

-- name: DirectoryGroupMappingGet :one
SELECT * FROM directory_group_mapping WHERE org_id = $1 AND id = $2;

-- name: DirectoryGroupMappingDelete :one
DELETE FROM directory_group_mapping WHERE org_id = $1 AND id = $2 RETURNING *;

-- name: SCIMLiveMemberIDs :many
SELECT member_id FROM scim_user WHERE org_id = $1 AND deleted_at IS NULL ORDER BY member_id;

-- name: SCIMMemberGetByEmailForUpdate :one
SELECT * FROM member WHERE org_id = $1 AND lower(email) = lower(@email::text) FOR UPDATE;

-- name: SCIMUserNameTaken :one
SELECT EXISTS (SELECT 1 FROM scim_user WHERE org_id = $1 AND lower(user_name) = lower(@user_name::text)
    AND deleted_at IS NULL AND member_id <> @except_id::uuid);

-- name: SCIMBulkInsertMembers :many
-- Directory sync's bulk path for users new to the org: one statement for a whole batch.
-- Rows that collide with any unique key are skipped (the caller handles them one by one).
INSERT INTO member (id, org_id, user_id, email, name, role, status, source, permission_group_id, status_changed_at)
SELECT t.id, @org_id::uuid, t.user_id, t.email, t.name, 'MEMBER', t.status, 'DIRECTORY_SYNC', @group_id::uuid,
       CASE WHEN t.status <> 'ACTIVE' THEN now() END
FROM (SELECT unnest(@ids::uuid[]) AS id, unnest(@user_ids::uuid[]) AS user_id, unnest(@emails::text[]) AS email,
             unnest(@names::text[]) AS name, unnest(@statuses::text[]) AS status) AS t
ON CONFLICT DO NOTHING
RETURNING id;

-- name: SCIMBulkInsertUsers :many
INSERT INTO scim_user (member_id, org_id, user_name, external_id, active, attrs, source)
SELECT unnest(@member_ids::uuid[]), @org_id::uuid, unnest(@user_names::text[]), unnest(@external_ids::text[]),
       unnest(@actives::boolean[]), unnest(@attrs::jsonb[]), 'DIRECTORY_SYNC'
ON CONFLICT DO NOTHING
RETURNING member_id;

-- name: SCIMMembersByEmails :many
-- Joins with unnest rather than "= ANY": a cached generic plan for "= ANY($n)" may scan the
-- whole table per call, which is quadratic over a large first sync.
SELECT lower(m.email)::text AS email FROM unnest(@emails::text[]) AS e(email)
JOIN member m ON m.org_id = $1 AND lower(m.email) = e.email;

-- name: SCIMUserNamesTaken :many
SELECT lower(u.user_name)::text AS user_name FROM unnest(@user_names::text[]) AS n(name)
JOIN scim_user u ON u.org_id = $1 AND u.deleted_at IS NULL AND lower(u.user_name) = n.name;

-- name: SCIMMembersDelete :exec
DELETE FROM member WHERE org_id = $1 AND id = ANY(@ids::uuid[]);
