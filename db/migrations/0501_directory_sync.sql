-- +goose Up

-- A batch records the position after it, so a retried apply activity that finds its batch
-- already committed continues from there without recounting it.
ALTER TABLE directory_sync_batch ADD COLUMN next_after text NOT NULL DEFAULT '';
-- Where the sync stands (fetch and apply positions), for operators and for resuming.
ALTER TABLE directory_sync_run ADD COLUMN phase text NOT NULL DEFAULT 'FETCH';
CREATE INDEX directory_staged_user_name_idx ON directory_staged_user (run_id, lower(user_name));
CREATE INDEX directory_staged_membership_user_idx ON directory_staged_membership (run_id, user_external_id);
CREATE INDEX scim_user_user_name_idx ON scim_user (org_id, lower(user_name));

-- +goose Down
DROP INDEX scim_user_user_name_idx;
DROP INDEX directory_staged_membership_user_idx;
DROP INDEX directory_staged_user_name_idx;
ALTER TABLE directory_sync_run DROP COLUMN phase;
ALTER TABLE directory_sync_batch DROP COLUMN next_after;
