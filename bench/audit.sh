#!/usr/bin/env bash
# bench/audit.sh — audit ingestion over HTTP vs raw COPY in the same run, ingestion while
# retention archives, and page latency by keyset depth vs OFFSET (SPEC §10). Prints the
# tables; copy them into the "Audit" section of bench/RESULTS.md with the date and commit.
set -euo pipefail
cd "$(dirname "$0")/.."
go test ./api/ -run XXX -bench 'BenchmarkAuditIngest$' -benchtime 30x -count=1
BENCH_AUDIT_RETENTION_ROWS=${BENCH_AUDIT_RETENTION_ROWS:-100000} go test ./api/ -run XXX -bench BenchmarkAuditIngestDuringRetention -benchtime 1x -count=1
BENCH_AUDIT_ROWS=${BENCH_AUDIT_ROWS:-200000} go test ./api/ -run XXX -bench BenchmarkAuditQueryDepth -benchtime 200x -count=1 -timeout 60m
