// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package policy

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/jackc/pgx/v5/pgxpool.(*Pool).backgroundHealthCheck"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"),
	)
}

type world struct {
	pool          *pgxpool.Pool
	org, user, ws uuid.UUID
	admin         *orgadmin.Service
	memberID      uuid.UUID
}

func newWorld(t *testing.T) world {
	t.Helper()
	cfg, err := config.Load(func(string) (string, bool) { return "", false })
	require.NoError(t, err)
	pool := dbtest.New(t)
	ctx := context.Background()
	org, err := identity.NewService(pool, cfg).CreateOrg(ctx, identity.CreateOrgInput{Name: "Acme", Slug: "acme"})
	require.NoError(t, err)
	admin := orgadmin.NewService(pool, cfg)
	ws, err := admin.CreateWorkspace(ctx, org.ID, orgadmin.WorkspacePatch{Name: ptr("Main")})
	require.NoError(t, err)
	user := uuid.New()
	m, err := admin.CreateMember(ctx, org.ID, orgadmin.MemberPatch{Email: ptr("ann@acme.com"), Name: ptr("Ann"), Role: ptr("MEMBER"), UserID: &user})
	require.NoError(t, err)
	return world{pool: pool, org: org.ID, user: user, ws: ws.ID, admin: admin, memberID: m.ID}
}

func ptr[T any](v T) *T { return &v }

// replica is one API process's policy service: its own cache, change listener and recorder.
func replica(t *testing.T, pool *pgxpool.Pool) (*Service, *Cache, *Metrics) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cache := NewCache()
	l := NewListener(pool.Config().ConnString(), cache, log)
	require.NoError(t, l.Start(context.Background()))
	rec := NewRecorder(pool, log)
	require.NoError(t, rec.Start(context.Background()))
	t.Cleanup(func() {
		_ = rec.Stop(context.Background())
		_ = l.Stop(context.Background())
	})
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	m.registry = reg
	svc, err := NewService(pool, DBResolver{DB: pool}, cache, rec, m, log)
	require.NoError(t, err)
	require.Eventually(t, cache.Healthy, 5*time.Second, 10*time.Millisecond)
	return svc, cache, m
}

func (w world) in(args map[string]any) EvaluateInput {
	return EvaluateInput{Phase: PreExecution, UserID: w.user, WorkspaceID: w.ws, ServerID: "github", ToolName: "createIssue", Args: args}
}

// TestCrossReplicaInvalidation runs two services on one database: a rule saved through one
// reaches the other's cached rule set through LISTEN/NOTIFY, without any TTL.
func TestCrossReplicaInvalidation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, _, _ := replica(t, w.pool)
	b, bCache, bMetrics := replica(t, w.pool)
	ctx := context.Background()

	ev, err := b.Evaluate(ctx, w.org, w.in(nil))
	require.NoError(t, err)
	require.Equal(t, Allow, ev.Decision)
	// B now serves the org from its cache: a second evaluation reads no rules from Postgres.
	before := bCache.Invalidations.Load()

	r, err := a.CreateRule(ctx, w.org, RuleInput{Name: "all", Phase: PreExecution, Action: ActionBlock,
		Target: Target{Type: TargetOrganization}, Condition: `tool_name == "createIssue"`})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		ev, err := b.Evaluate(ctx, w.org, w.in(nil))
		return err == nil && ev.Decision == Block
	}, 5*time.Second, 10*time.Millisecond, "replica B never saw the new rule")
	require.Greater(t, bCache.Invalidations.Load(), before)

	off := false
	_, err = a.UpdateRule(ctx, w.org, r.ID, RuleInput{Name: "all", Phase: PreExecution, Action: ActionBlock,
		Target: Target{Type: TargetOrganization}, Condition: `tool_name == "createIssue"`, Enabled: &off})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		ev, err := b.Evaluate(ctx, w.org, w.in(nil))
		return err == nil && ev.Decision == Allow
	}, 5*time.Second, 10*time.Millisecond, "replica B never saw the rule disabled")

	// A member change made outside the policy service (org administration) also reaches B.
	_, err = w.admin.UpdateMember(ctx, w.org, w.memberID, orgadmin.MemberPatch{Status: ptr("SUSPENDED")}, nil)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		ev, err := b.Evaluate(ctx, w.org, w.in(nil))
		return err == nil && ev.Reason == ReasonInactiveUser
	}, 5*time.Second, 10*time.Millisecond)
	fams, err := bMetrics.registry.Gather()
	require.NoError(t, err)
	names := map[string]bool{}
	for _, f := range fams {
		names[f.GetName()] = len(f.GetMetric()) > 0
	}
	require.True(t, names["bytechef_policy_decisions_total"])
	require.True(t, names["bytechef_policy_evaluation_duration_seconds"])
}

// TestRecorderUnderConcurrency: every answered decision is stored exactly once, and
// concurrent callers share commits.
func TestRecorderUnderConcurrency(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s, _, _ := replica(t, w.pool)
	ctx := context.Background()
	_, err := s.CreateRule(ctx, w.org, RuleInput{Name: "tag", Phase: PreExecution, Action: ActionTag, Tags: []string{"t"},
		Target: Target{Type: TargetOrganization}, Condition: `args.?i.orValue(0) % 2 == 0`})
	require.NoError(t, err)
	const n = 300
	ids := make([]uuid.UUID, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev, err := s.Evaluate(ctx, w.org, w.in(map[string]any{"i": int64(i)}))
			errs <- err
			ids[i] = ev.DecisionID
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	var count, tagged int
	require.NoError(t, w.pool.QueryRow(ctx, `SELECT count(DISTINCT id) FROM policy_tool_call WHERE org_id = $1`, w.org).Scan(&count))
	require.Equal(t, n, count)
	require.NoError(t, w.pool.QueryRow(ctx, `SELECT count(*) FROM audit_event WHERE org_id = $1 AND event_type = 'app_rule.tagged'`, w.org).Scan(&tagged))
	require.Equal(t, n/2, tagged)

	// Retention: records older than 30 days go, newer stay.
	_, err = w.pool.Exec(ctx, `UPDATE policy_tool_call SET occurred_at = now() - interval '31 days' WHERE id = $1`, ids[0])
	require.NoError(t, err)
	gone, err := s.PurgeToolCalls(ctx, time.Now().Add(-ToolCallRetention))
	require.NoError(t, err)
	require.EqualValues(t, 1, gone)
	erased, err := s.EraseUserToolCalls(ctx, w.org, w.user)
	require.NoError(t, err)
	require.EqualValues(t, n-1, erased)
}

// TestRecorderStopped: a stopped recorder refuses (the caller answers 503 → BLOCK).
func TestRecorderStopped(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	r := NewRecorder(pool, nil)
	require.NoError(t, r.Start(context.Background()))
	require.NoError(t, r.Stop(context.Background()))
	require.ErrorIs(t, r.Record(context.Background(), dbsqlc.PolicyToolCallCopyParams{}, nil), ErrRecorderClosed)
}
