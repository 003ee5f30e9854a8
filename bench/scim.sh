#!/usr/bin/env bash
# bench/scim.sh — directory sync of BENCH_DIRSYNC_USERS users (SPEC target: 100k in ≤ 3 min)
# on the Temporal dev server, and single-resource SCIM operations at 200 req/s (SPEC §10).
# Prints the results; copy them into the "SCIM" section of bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIRSYNC_USERS=${BENCH_DIRSYNC_USERS:-100000} go test ./workflows/ -run XXX -bench BenchmarkDirectorySync -benchtime 1x -count=1 -timeout 40m
go test ./api/ -run XXX -bench BenchmarkSCIMOps -benchtime 1x -count=1
