#!/usr/bin/env bash
# scripts/test.sh — the whole suite: unit and integration tests (real Postgres; Temporal and S3
# started by the tests from ./bin), then the end-to-end tests that drive the real binary.
# Postgres: TEST_DATABASE_URL, default the local server (postgres@127.0.0.1:5432).
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/require-go.sh || exit 1
export TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
if [[ "$TEST_DATABASE_URL" == *127.0.0.1:5432* ]] && ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  echo "make test: no Postgres on 127.0.0.1:5432; start one or set TEST_DATABASE_URL (apt-get install -y postgresql)" >&2
  exit 1
fi
go build -o bin/bytechef-ee ./cmd/bytechef-ee || exit 1
mkdir -p tmp
# One run over every package; the e2e tag adds the tests that drive the real binary.
exec go tool gotestsum --format pkgname-and-test-fails --jsonfile tmp/test-output.json -- \
  -count=1 -timeout 20m -tags e2e ./...
