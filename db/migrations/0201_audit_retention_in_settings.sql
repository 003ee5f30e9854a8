-- +goose Up
-- The retention policy moves into organization.settings (audit_hot_days, audit_retention_days),
-- which GET/PATCH /api/v1/settings already expose: one source of truth for both endpoints.
UPDATE organization o
SET settings = o.settings || jsonb_build_object('audit_hot_days', r.hot_days, 'audit_retention_days', r.retention_days)
FROM audit_retention r WHERE r.org_id = o.id;
DROP TABLE audit_retention;

-- +goose Down
CREATE TABLE audit_retention (
    org_id         uuid PRIMARY KEY REFERENCES organization (id),
    hot_days       integer NOT NULL CHECK (hot_days BETWEEN 1 AND 2555),
    retention_days integer NOT NULL CHECK (retention_days BETWEEN 1 AND 2555),
    version        integer NOT NULL DEFAULT 1,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (hot_days <= retention_days)
);
INSERT INTO audit_retention (org_id, hot_days, retention_days)
SELECT id, (settings->>'audit_hot_days')::int, (settings->>'audit_retention_days')::int FROM organization
WHERE settings ? 'audit_hot_days' AND settings ? 'audit_retention_days';
