// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package activities

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/bytechefhq/bytechef-ee/internal/idempotency"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
)

func TestMaintenanceActivities(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	a := &Maintenance{DB: pool, Idempotency: idempotency.NewStore(pool)}
	env.RegisterActivity(a)
	ctx := context.Background()

	// A year ahead: the partitions are created once, then the activity is a no-op.
	future := time.Now().AddDate(1, 0, 0)
	v, err := env.ExecuteActivity(a.EnsureAuditPartitions, future)
	require.NoError(t, err)
	var created int32
	require.NoError(t, v.Get(&created))
	require.Positive(t, created)
	v, err = env.ExecuteActivity(a.EnsureAuditPartitions, future)
	require.NoError(t, err)
	require.NoError(t, v.Get(&created))
	require.Zero(t, created, "idempotent")
	var exists bool
	require.NoError(t, pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", "audit_event_"+future.UTC().Format("2006_01")).Scan(&exists))
	require.True(t, exists)

	// Idempotency records older than the replay window are removed; fresh ones stay.
	_, err = pool.Exec(ctx, `INSERT INTO idempotency_record (principal, key, method, path, request_hash, created_at)
		VALUES ('p', 'old', 'POST', '/x', '\x00', now() - interval '25 hours'), ('p', 'new', 'POST', '/x', '\x00', now())`)
	require.NoError(t, err)
	v, err = env.ExecuteActivity(a.ExpireIdempotencyRecords)
	require.NoError(t, err)
	var expired int64
	require.NoError(t, v.Get(&expired))
	require.Equal(t, int64(1), expired)
}
