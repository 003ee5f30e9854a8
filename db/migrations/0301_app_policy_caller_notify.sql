-- +goose Up

-- The policy evaluator caches each org's resolved callers (member, group, workspace). Any
-- change to those rows, by any writer, tells every replica to drop the org's cache, through
-- the same channel as rule changes (app_rule_notify sends the org id).
CREATE TRIGGER member_policy_notify AFTER INSERT OR UPDATE OR DELETE ON member
    FOR EACH ROW EXECUTE FUNCTION app_rule_notify();
CREATE TRIGGER permission_group_policy_notify AFTER INSERT OR UPDATE OR DELETE ON permission_group
    FOR EACH ROW EXECUTE FUNCTION app_rule_notify();
CREATE TRIGGER workspace_policy_notify AFTER INSERT OR UPDATE OR DELETE ON workspace
    FOR EACH ROW EXECUTE FUNCTION app_rule_notify();

-- +goose Down
DROP TRIGGER workspace_policy_notify ON workspace;
DROP TRIGGER permission_group_policy_notify ON permission_group;
DROP TRIGGER member_policy_notify ON member;
