// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package workflows

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/bytechefhq/bytechef-ee/activities"
	"github.com/bytechefhq/bytechef-ee/internal/directory"
	"github.com/bytechefhq/bytechef-ee/internal/directory/dirtest"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/crypto"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
	"github.com/bytechefhq/bytechef-ee/internal/platform/testenv"
	"github.com/bytechefhq/bytechef-ee/internal/scim"
)

func TestDirectoryNamesMatch(t *testing.T) {
	require.Equal(t, directory.WorkflowName, WorkflowDirectorySync)
	require.Equal(t, directory.Feature, FeatureSCIM)
}

type liveDir struct {
	t     testing.TB
	pool  *pgxpool.Pool
	c     client.Client
	queue string
	org   uuid.UUID
	admin *orgadmin.Service
	scim  *scim.Service
	dir   *directory.Service
}

func newLiveDir(t testing.TB) *liveDir {
	t.Helper()
	return newLiveDirOn(t, dbtest.New(t))
}

// newLiveDirOn is newLiveDir on a given database (e.g. a private cluster the test crashes).
func newLiveDirOn(t testing.TB, pool *pgxpool.Pool) *liveDir {
	t.Helper()
	l := &liveDir{t: t, pool: pool, c: testenv.SharedTemporal(t).Client(t)}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	l.queue = "dirsync-" + hex.EncodeToString(b)
	cfg := config.Config{Region: "us"}
	org, err := identity.NewService(l.pool, cfg).CreateOrg(context.Background(), identity.CreateOrgInput{Name: "Acme", Slug: "acme"})
	require.NoError(t, err)
	l.org = org.ID
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	keys, err := crypto.New([]config.Key{{ID: "k1", Secret: key}})
	require.NoError(t, err)
	l.admin = orgadmin.NewService(l.pool, cfg)
	l.scim = scim.NewService(l.pool, l.admin)
	l.dir = directory.NewService(l.pool, keys, l.scim, directory.TemporalScheduler{Client: l.c, TaskQueue: l.queue})
	return l
}

func (l *liveDir) startWorker(budget time.Duration) worker.Worker {
	wk := worker.New(l.c, l.queue, worker.Options{})
	Register(wk, Activities{Directory: &activities.Directory{Service: l.dir, SCIM: l.scim, Budget: budget}})
	require.NoError(l.t, wk.Start())
	return wk
}

func (l *liveDir) wait(run directory.Run) directory.Run {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	var res DirectorySyncResult
	require.NoError(l.t, l.c.GetWorkflow(ctx, run.WorkflowID, "").Get(ctx, &res))
	got, err := l.dir.GetRun(ctx, l.org, run.ID)
	require.NoError(l.t, err)
	require.Equal(l.t, directory.RunCompleted, got.Status, "errors: %v", got.Errors)
	return got
}

func (l *liveDir) sync(dry bool) directory.Run {
	l.t.Helper()
	run, err := l.dir.TriggerRun(context.Background(), l.org, dry)
	require.NoError(l.t, err)
	return l.wait(run)
}

// requireEqualsDirectory checks that local state is the directory: every directory user
// exists with its userName and active flag (member status to match), users the directory
// does not list are inactive, and every directory group has exactly its members.
func (l *liveDir) requireEqualsDirectory(d *dirtest.Directory) {
	l.t.Helper()
	ctx := context.Background()
	users, groups := d.Snapshot()
	rows, err := l.pool.Query(ctx, `SELECT u.external_id, u.user_name, u.active, m.status FROM scim_user u
		JOIN member m ON m.id = u.member_id WHERE u.org_id = $1 AND u.deleted_at IS NULL`, l.org)
	require.NoError(l.t, err)
	type loc struct {
		name   string
		active bool
		status string
	}
	local := map[string]loc{}
	for rows.Next() {
		var ext *string
		var x loc
		require.NoError(l.t, rows.Scan(&ext, &x.name, &x.active, &x.status))
		require.NotNil(l.t, ext)
		local[*ext] = x
	}
	require.NoError(l.t, rows.Err())
	inDir := map[string]bool{}
	for _, u := range users {
		inDir[u.ID] = true
		x, ok := local[u.ID]
		require.True(l.t, ok, "user %s missing locally", u.Login)
		require.Equal(l.t, u.Login, x.name)
		require.Equal(l.t, u.Active, x.active, u.Login)
		require.Equal(l.t, map[bool]string{true: "ACTIVE", false: "SUSPENDED"}[u.Active], x.status, u.Login)
	}
	for ext, x := range local {
		if !inDir[ext] {
			require.False(l.t, x.active, "%s is not in the directory but active", x.name)
		}
	}
	for _, g := range groups {
		var name string
		var members []string
		require.NoError(l.t, l.pool.QueryRow(ctx, `SELECT g.display_name, COALESCE(array_agg(u.external_id ORDER BY u.external_id) FILTER (WHERE u.external_id IS NOT NULL), '{}')
			FROM scim_group g LEFT JOIN scim_group_member gm ON gm.group_id = g.id LEFT JOIN scim_user u ON u.member_id = gm.member_id
			WHERE g.org_id = $1 AND g.external_id = $2 GROUP BY g.display_name`, l.org, g.ID).Scan(&name, &members))
		require.Equal(l.t, g.Name, name)
		want := make([]string, 0, len(g.Members))
		for m := range g.Members {
			want = append(want, m)
		}
		sort.Strings(want)
		require.Equal(l.t, want, members, "members of %s", g.Name)
	}
}

func ids(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("00u%07d", i))
	}
	return out
}

// TestDirectorySyncOkta runs the workflow on the Temporal dev server against a local Okta
// Management API (Link pagination, rate-limit headers, 429s): a first sync provisions the
// directory; after the directory changes behind the push's back, a dry run reports the drift
// without applying it and the next run fixes it.
func TestDirectorySyncOkta(t *testing.T) {
	t.Parallel()
	l := newLiveDir(t)
	ctx := context.Background()
	d := dirtest.NewDirectory(450)
	d.AddGroup("00g001", "Engineering", ids(1, 300)...)
	d.AddGroup("00g002", "Sales", ids(301, 450)...)
	d.AddGroup("00g003", "Everyone", ids(1, 450)...)
	okta := dirtest.Okta(d, "okta-api-token", dirtest.Options{ThrottleEvery: 7})
	defer okta.Close()
	wk := l.startWorker(0)
	defer wk.Stop()

	eng, err := l.admin.CreateGroup(ctx, l.org, orgadmin.GroupPatch{Name: ptr("Engineers"), Priority: ptr(int32(10))})
	require.NoError(t, err)
	_, err = l.scim.CreateMapping(ctx, l.org, "DISPLAY_NAME", "engineering", eng.ID)
	require.NoError(t, err)

	kind, secret := "OKTA", "okta-api-token"
	conn, err := l.dir.CreateConnection(ctx, l.org, directory.ConnectionInput{Kind: &kind, Name: ptr("Okta"), BaseURL: &okta.URL, Secret: &secret})
	require.NoError(t, err)
	defer func() { _ = l.dir.DeleteConnection(context.Background(), l.org, conn.ID) }()
	// The per-org schedule: every 15 minutes, overlap SKIP, catch-up one interval.
	desc, err := l.c.ScheduleClient().GetHandle(ctx, directory.ScheduleID(l.org)).Describe(ctx)
	require.NoError(t, err)
	require.Equal(t, 15*time.Minute, desc.Schedule.Spec.Intervals[0].Every)
	require.Equal(t, enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, desc.Schedule.Policy.Overlap)
	require.Equal(t, 15*time.Minute, desc.Schedule.Policy.CatchupWindow)

	first := l.sync(false)
	if os.Getenv("RECORD_HISTORIES") != "" {
		recordExportHistory(t, l.c, first.WorkflowID, "testdata/directory_sync.json")
	}
	require.EqualValues(t, 450, first.Counts[directory.CountUsersCreated])
	require.EqualValues(t, 3, first.Counts[directory.CountGroupsCreated])
	require.EqualValues(t, 900, first.Counts[directory.CountMembersAdded])
	require.Positive(t, okta.Throttled.Load(), "the fake never throttled")
	l.requireEqualsDirectory(d)
	m1, err := l.admin.MemberByEmail(ctx, l.org, "u0000001@example.com")
	require.NoError(t, err)
	require.Equal(t, eng.ID, m1.PermissionGroupID, "the mapped IdP group sets the permission group")

	// A second run finds nothing to do.
	again := l.sync(false)
	require.Zero(t, again.Counts[directory.CountDrift], "drift: %v", again.Drift)

	// The directory changes without the push telling us.
	d.Do(func(d *dirtest.Directory) {
		d.Users["00u0000005"].Active = false
		delete(d.Users, "00u0000020")
		delete(d.Groups["00g001"].Members, "00u0000010")
		delete(d.Groups["00g001"].Members, "00u0000020")
		delete(d.Groups["00g003"].Members, "00u0000020")
		d.Groups["00g002"].Name = "Sales EMEA"
		d.Users["00u0000451"] = &dirtest.User{ID: "00u0000451", Login: "new@example.com", Email: "new@example.com", First: "New", Last: "Hire", Active: true}
		d.Groups["00g003"].Members["00u0000451"] = true
	})
	dry := l.sync(true)
	require.True(t, dry.DryRun)
	require.Positive(t, dry.Counts[directory.CountDrift])
	require.EqualValues(t, 1, dry.Counts[directory.CountUsersCreated])
	u5, err := l.admin.MemberByEmail(ctx, l.org, "u0000005@example.com")
	require.NoError(t, err)
	require.Equal(t, orgadmin.StatusActive, u5.Status, "a dry run changes nothing")

	fixed := l.sync(false)
	require.EqualValues(t, 1, fixed.Counts[directory.CountUsersCreated])
	require.EqualValues(t, 2, fixed.Counts[directory.CountUsersSuspended], "%v", fixed.Drift)
	require.EqualValues(t, 1, fixed.Counts[directory.CountGroupsUpdated])
	kinds := map[string]bool{}
	for _, dr := range fixed.Drift {
		kinds[dr.Kind] = true
	}
	for _, k := range []string{"user_missing", "user_suspended", "user_not_in_directory", "group_changed", "members_removed", "members_added"} {
		require.True(t, kinds[k], "drift lacks %s: %v", k, fixed.Drift)
	}
	l.requireEqualsDirectory(d)
	m10, err := l.admin.MemberByEmail(ctx, l.org, "u0000010@example.com")
	require.NoError(t, err)
	require.NotEqual(t, eng.ID, m10.PermissionGroupID, "leaving the mapped group moves the member back to Default")

	runs, err := l.dir.ListRuns(ctx, l.org, nil, 10)
	require.NoError(t, err)
	require.Len(t, runs, 4)

	// Deprovisioned SCIM users are hard-deleted once the org's retention has passed.
	require.NoError(t, l.scim.DeleteUser(ctx, l.org, m10.ID))
	_, err = l.pool.Exec(ctx, `UPDATE scim_user SET deleted_at = now() - interval '31 days' WHERE member_id = $1`, m10.ID)
	require.NoError(t, err)
	pr, err := l.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: l.queue}, WorkflowSCIMPurge, SCIMPurgeInput{})
	require.NoError(t, err)
	var purged int
	require.NoError(t, pr.Get(ctx, &purged))
	require.Equal(t, 1, purged)
	_, err = l.admin.GetMember(ctx, l.org, m10.ID)
	require.True(t, errcode.Is(err, errcode.NotFound))
}

// TestDirectorySyncEntraWorkerKilled syncs from a local Microsoft Graph (client-credentials
// token, @odata.nextLink, 429 with Retry-After) in small steps that continue as new; the
// worker is stopped mid-sync and a new one finishes the run, whose result equals the
// directory with every change counted once. A second trigger while it runs is refused.
func TestDirectorySyncEntraWorkerKilled(t *testing.T) {
	t.Parallel()
	l := newLiveDir(t)
	ctx := context.Background()
	d := dirtest.NewDirectory(3000)
	d.AddGroup("g-all", "All Staff", ids(1, 3000)...)
	d.AddGroup("g-ops", "Ops", ids(2000, 2100)...)
	graph := dirtest.Graph(d, "tenant-1", "client-1", "client-secret-1", dirtest.Options{ThrottleEvery: 5, PageSize: 400})
	defer graph.Close()
	prev := DirectoryHeartbeatTimeout
	DirectoryHeartbeatTimeout = 5 * time.Second
	defer func() { DirectoryHeartbeatTimeout = prev }()

	kind, secret := "ENTRA_ID", "client-secret-1"
	conn, err := l.dir.CreateConnection(ctx, l.org, directory.ConnectionInput{Kind: &kind, Name: ptr("Entra"), BaseURL: &graph.URL, Secret: &secret,
		Settings: &directory.Settings{ClientID: "client-1", TenantID: "tenant-1", TokenURL: graph.URL + "/tenant-1/oauth2/v2.0/token"}})
	require.NoError(t, err)
	defer func() { _ = l.dir.DeleteConnection(context.Background(), l.org, conn.ID) }()

	run, err := l.dir.TriggerRun(ctx, l.org, false)
	require.NoError(t, err)
	_, err = l.dir.TriggerRun(ctx, l.org, false)
	e, ok := errcode.As(err)
	require.True(t, ok && e.Code == errcode.Conflict, "%v", err)
	require.Equal(t, run.ID.String(), e.Meta["running_run_id"])

	l.restartInSteps(&run)
	first := l.startWorker(0)
	l.awaitBatches(run, 3)
	first.Stop() // the worker dies mid-sync
	second := l.startWorker(0)
	defer second.Stop()
	got := l.wait(run)
	require.EqualValues(t, 3000, got.Counts[directory.CountUsersCreated], "every user counted exactly once")
	require.EqualValues(t, 3101, got.Counts[directory.CountMembersAdded])
	require.Positive(t, graph.Throttled.Load())
	l.requireEqualsDirectory(d)
	hist := l.c.GetWorkflowHistory(ctx, run.WorkflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
	require.True(t, hist.HasNext())
}

// TestDirectorySyncPostgresRestarted crashes Postgres (immediate shutdown) in the middle of
// an Okta sync of 3,000 users: the activities fail while it is down, Temporal retries them,
// and the run completes with every change counted once and the local directory equal to the
// IdP's.
func TestDirectorySyncPostgresRestarted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a private Postgres cluster")
	}
	t.Parallel()
	pg := dbtest.StartServer(t)
	ctx := context.Background()
	pool := pg.Pool(t)
	l := newLiveDirOn(t, pool)
	d := dirtest.NewDirectory(3000)
	d.AddGroup("g-all", "All Staff", ids(1, 3000)...)
	d.AddGroup("g-ops", "Ops", ids(2000, 2100)...)
	okta := dirtest.Okta(d, "okta-token", dirtest.Options{PageSize: 200})
	defer okta.Close()
	prev := DirectoryHeartbeatTimeout
	DirectoryHeartbeatTimeout = 5 * time.Second
	defer func() { DirectoryHeartbeatTimeout = prev }()

	kind, secret := "OKTA", "okta-token"
	_, err := l.dir.CreateConnection(ctx, l.org, directory.ConnectionInput{Kind: &kind, Name: ptr("Okta"), BaseURL: &okta.URL, Secret: &secret})
	require.NoError(t, err)
	run, err := l.dir.TriggerRun(ctx, l.org, false)
	require.NoError(t, err)
	l.restartInSteps(&run)
	wk := l.startWorker(0)
	defer wk.Stop()
	l.awaitBatches(run, 3)
	var status string
	require.NoError(t, l.pool.QueryRow(ctx, `SELECT status FROM directory_sync_run WHERE id = $1`, run.ID).Scan(&status))
	require.Equal(t, "RUNNING", status, "the crash comes mid-sync")
	pg.Restart(2 * time.Second)
	got := l.wait(run)
	require.EqualValues(t, 3000, got.Counts[directory.CountUsersCreated], "every user counted exactly once")
	require.EqualValues(t, 3101, got.Counts[directory.CountMembersAdded])
	l.requireEqualsDirectory(d)
}

// restartInSteps replaces a run's workflow (started before any worker listened) with one
// that continues as new after every batch, so a fault can land between batches.
func (l *liveDir) restartInSteps(run *directory.Run) {
	ctx := context.Background()
	require.NoError(l.t, l.c.TerminateWorkflow(ctx, run.WorkflowID, "", "restart in small steps"))
	_, err := l.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: run.WorkflowID + "-steps", TaskQueue: l.queue}, WorkflowDirectorySync,
		DirectorySyncInput{OrgID: l.org.String(), RunID: run.ID.String(), CallsPerRun: 3, MaxSteps: 1})
	require.NoError(l.t, err)
	run.WorkflowID += "-steps"
}

// awaitBatches waits until the run has applied n batches.
func (l *liveDir) awaitBatches(run directory.Run, n int) {
	require.Eventually(l.t, func() bool {
		var got int
		_ = l.pool.QueryRow(context.Background(), `SELECT count(*) FROM directory_sync_batch WHERE run_id = $1`, run.ID).Scan(&got)
		return got >= n
	}, time.Minute, 20*time.Millisecond)
}

func ptr[T any](v T) *T { return &v }

// TestReplayDirectorySyncHistory replays a sync recorded on the dev server against today's
// workflow code (determinism check).
func TestReplayDirectorySyncHistory(t *testing.T) {
	const file = "testdata/directory_sync.json"
	if _, err := os.Stat(file); err != nil {
		t.Skipf("%s not recorded yet (RECORD_HISTORIES=1)", file)
	}
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflowWithOptions(DirectorySyncWorkflow, workflow.RegisterOptions{Name: WorkflowDirectorySync})
	require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(nil, file))
}
