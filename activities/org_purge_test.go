// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package activities

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
)

func TestOrgPurgeActivities(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	cfg, err := config.Load(func(string) (string, bool) { return "", false })
	require.NoError(t, err)
	ids := identity.NewService(pool, cfg)
	admin := orgadmin.NewService(pool, cfg)

	// Two orgs with data of every kind; only the deleted one is purged.
	var orgs [2]identity.Org
	for i, slug := range []string{"doomed", "keeper"} {
		orgs[i], err = ids.CreateOrg(ctx, identity.CreateOrgInput{Name: slug, Slug: slug})
		require.NoError(t, err)
		name := "eng"
		ws, err := admin.CreateWorkspace(ctx, orgs[i].ID, orgadmin.WorkspacePatch{Name: &name})
		require.NoError(t, err)
		g, err := admin.CreateGroup(ctx, orgs[i].ID, orgadmin.GroupPatch{Name: &name, ComponentDenylist: []string{"category:code"}})
		require.NoError(t, err)
		email := "ada@" + slug + ".example"
		m, err := admin.CreateMember(ctx, orgs[i].ID, orgadmin.MemberPatch{Email: &email, PermissionGroupID: &g.ID, WorkspaceIDs: []uuid.UUID{ws.ID}})
		require.NoError(t, err)
		_, _, err = ids.CreateAPIKey(ctx, orgs[i].ID, identity.CreateKeyInput{Name: "k", Scopes: []string{"admin"}, MemberID: &m.ID})
		require.NoError(t, err)
		_, err = admin.CreateDomain(ctx, orgs[i].ID, slug+".example")
		require.NoError(t, err)
	}
	count := func(org uuid.UUID) int64 {
		var n int64
		require.NoError(t, pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM workspace WHERE org_id = $1) + (SELECT count(*) FROM workspace_member WHERE org_id = $1) +
			(SELECT count(*) FROM member WHERE org_id = $1) + (SELECT count(*) FROM permission_group WHERE org_id = $1) +
			(SELECT count(*) FROM domain WHERE org_id = $1) + (SELECT count(*) FROM api_key WHERE org_id = $1) +
			(SELECT count(*) FROM audit_event WHERE org_id = $1)`, org).Scan(&n))
		return n
	}
	keeperBefore := count(orgs[1].ID)
	require.Positive(t, count(orgs[0].ID))

	// The confirmation must repeat the slug.
	_, err = ids.DeleteOrg(ctx, orgs[0].ID.String(), "keeper")
	require.Error(t, err)
	del, err := ids.DeleteOrg(ctx, orgs[0].ID.String(), "doomed")
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().AddDate(0, 0, identity.OrgDeletionGraceDays), del.PurgeAfter, time.Minute)

	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	a := &OrgPurge{IDs: ids}
	env.RegisterActivity(a)

	// Inside the grace period nothing is due, and a direct purge is refused.
	v, err := env.ExecuteActivity(a.OrgsDueForPurge, time.Now(), 10)
	require.NoError(t, err)
	var due []string
	require.NoError(t, v.Get(&due))
	require.Empty(t, due)
	_, err = env.ExecuteActivity(a.PurgeOrg, orgs[0].ID.String())
	require.Error(t, err)

	// After the grace period the org is due and its data goes; the other org keeps all of its.
	_, err = pool.Exec(ctx, `UPDATE organization SET purge_after = now() - interval '1 minute' WHERE id = $1`, orgs[0].ID)
	require.NoError(t, err)
	v, err = env.ExecuteActivity(a.OrgsDueForPurge, time.Now(), 10)
	require.NoError(t, err)
	require.NoError(t, v.Get(&due))
	require.Equal(t, []string{orgs[0].ID.String()}, due)
	v, err = env.ExecuteActivity(a.PurgeOrg, orgs[0].ID.String())
	require.NoError(t, err)
	var res PurgeResult
	require.NoError(t, v.Get(&res))
	require.Positive(t, res.RowsDeleted)
	require.Zero(t, count(orgs[0].ID))
	require.Equal(t, keeperBefore, count(orgs[1].ID))

	// A tombstone stays (the slug is never reused); running again is a no-op.
	var purged bool
	require.NoError(t, pool.QueryRow(ctx, `SELECT purged_at IS NOT NULL FROM organization WHERE id = $1`, orgs[0].ID).Scan(&purged))
	require.True(t, purged)
	_, err = ids.CreateOrg(ctx, identity.CreateOrgInput{Name: "again", Slug: "doomed"})
	require.Error(t, err)
	v, err = env.ExecuteActivity(a.PurgeOrg, orgs[0].ID.String())
	require.NoError(t, err)
	require.NoError(t, v.Get(&res))
	require.Zero(t, res.RowsDeleted)
	v, err = env.ExecuteActivity(a.OrgsDueForPurge, time.Now(), 10)
	require.NoError(t, err)
	require.NoError(t, v.Get(&due))
	require.Empty(t, due)
}
