// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package workflows

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/directory"
	"github.com/bytechefhq/bytechef-ee/internal/directory/dirtest"
)

// BenchmarkDirectorySync syncs a directory of BENCH_DIRSYNC_USERS users (default 100,000)
// from the local Okta server through DirectorySyncWorkflow on the Temporal dev server into a
// fresh org, then runs it again with nothing to change. SPEC §10 target: 100k users ≤ 3 min.
//
//	BENCH_DIRSYNC_USERS=100000 go test ./workflows/ -run XXX -bench BenchmarkDirectorySync -benchtime 1x -timeout 30m
func BenchmarkDirectorySync(b *testing.B) {
	n := 100_000
	if s := os.Getenv("BENCH_DIRSYNC_USERS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	for range b.N {
		b.StopTimer()
		l := newLiveDir(b)
		ctx := context.Background()
		d := dirtest.NewDirectory(n)
		d.AddGroup("00g-all", "Everyone", ids(1, n)...)
		d.AddGroup("00g-eng", "Engineering", ids(1, n/10)...)
		okta := dirtest.Okta(d, "tok", dirtest.Options{})
		wk := l.startWorker(0)
		kind, secret := "OKTA", "tok"
		conn, err := l.dir.CreateConnection(ctx, l.org, directory.ConnectionInput{Kind: &kind, Name: ptr("Okta"), BaseURL: &okta.URL, Secret: &secret})
		require.NoError(b, err)
		b.StartTimer()
		start := time.Now()
		first := l.sync(false)
		full := time.Since(start)
		start = time.Now()
		again := l.sync(false)
		noop := time.Since(start)
		b.StopTimer()
		require.EqualValues(b, n, first.Counts[directory.CountUsersCreated])
		require.Zero(b, again.Counts[directory.CountDrift])
		b.ReportMetric(full.Seconds(), "s/full-sync")
		b.ReportMetric(noop.Seconds(), "s/noop-sync")
		b.ReportMetric(float64(n)/full.Seconds(), "users/s")
		fmt.Fprintf(os.Stderr, "directory sync of %d users: first %s (%.0f users/s), unchanged re-sync %s; okta requests %d\n",
			n, full.Round(time.Millisecond), float64(n)/full.Seconds(), noop.Round(time.Millisecond), okta.Requests.Load())
		_ = l.dir.DeleteConnection(ctx, l.org, conn.ID)
		wk.Stop()
		okta.Close()
	}
}
