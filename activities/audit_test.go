// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package activities

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/testenv"
)

// TestAuditRetentionActivities runs the retention activities against real Postgres and a
// real S3 gateway: list orgs with their policy, archive, purge, drop partitions.
func TestAuditRetentionActivities(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	svc := audit.NewService(pool, testenv.Bucket(t), nil, nil)
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	a := &AuditRetention{Audit: svc, Region: "us"}
	env.RegisterActivity(a)
	ctx := context.Background()
	org := uuid.New()
	purged := uuid.New()
	_, err := pool.Exec(ctx, `INSERT INTO organization (id, slug, name, region, deleted_at, purged_at) VALUES
		($1, 'acme', 'Acme', 'us', NULL, NULL), ($2, 'euro', 'Euro', 'eu', NULL, NULL),
		($3, 'gone', 'Gone', 'us', now() - interval '40 days', now() - interval '1 day'),
		($4, 'grace', 'Grace', 'us', now(), NULL)`, org, uuid.New(), purged, uuid.New())
	require.NoError(t, err)
	_, err = svc.PutPolicy(ctx, org, 5, 8, nil)
	require.NoError(t, err)
	now := time.Now().UTC()
	var items []audit.IngestItem
	for _, age := range []int{10, 10, 6, 1} {
		items = append(items, audit.IngestItem{ID: uuid.NewString(), OccurredAt: now.AddDate(0, 0, -age).Format(time.RFC3339),
			EventType: "workflow.executed", Category: "WORKFLOWS", ActionData: json.RawMessage(`{}`)})
	}
	_, err = svc.Ingest(ctx, org, items)
	require.NoError(t, err)
	// Only sealed events are archived, and sealing waits for the server-wide horizon, which
	// other tests' transactions on the same server can hold back for a moment.
	require.Eventually(t, func() bool {
		v, err := svc.Verify(ctx, org, now.AddDate(0, 0, -30), now.Add(time.Hour))
		return err == nil && v.UnsealedEvents == 0
	}, 60*time.Second, 50*time.Millisecond)

	v, err := env.ExecuteActivity(a.ListRetentionOrgs, ListRetentionOrgsInput{Limit: 10})
	require.NoError(t, err)
	var orgs []RetentionOrg
	require.NoError(t, v.Get(&orgs))
	want := []RetentionOrg{{OrgID: org.String(), HotDays: 5, RetentionDays: 8}, {OrgID: purged.String()}}
	if purged.String() < org.String() {
		want[0], want[1] = want[1], want[0]
	}
	// This region's live orgs with their policy; purged orgs with a zero policy (their archives
	// go); soft-deleted orgs in their grace period are left alone.
	require.Equal(t, want, orgs)

	v, err = env.ExecuteActivity(a.ArchiveOrg, ArchiveOrgInput{OrgID: org.String(), HotDays: 5, Now: now})
	require.NoError(t, err)
	var ar ArchiveOrgResult
	require.NoError(t, v.Get(&ar))
	require.Equal(t, ArchiveOrgResult{Days: 2, Parts: 2, Events: 3}, ar)

	v, err = env.ExecuteActivity(a.PurgeOrgArchives, PurgeOrgInput{OrgID: org.String(), RetentionDays: 8, Now: now})
	require.NoError(t, err)
	var pr PurgeOrgResult
	require.NoError(t, v.Get(&pr))
	require.Equal(t, 1, pr.Parts)
	require.Equal(t, 2, pr.Objects) // the part and its manifest

	v, err = env.ExecuteActivity(a.DropEmptyPartitions, now)
	require.NoError(t, err)
	var dropped []string
	require.NoError(t, v.Get(&dropped))

	_, err = env.ExecuteActivity(a.ArchiveOrg, ArchiveOrgInput{OrgID: "not-a-uuid", HotDays: 5, Now: now})
	require.ErrorContains(t, err, "invalid org id")
}
