#!/usr/bin/env bash
# deploy/dev.sh — run the whole product locally with no Docker (SPEC §1.3):
# Postgres (reachable server, or a private cluster under .dev/), the pinned Temporal dev server
# with its UI, the pinned Versity S3 gateway, migrations, `bytechef-ee serve` with every feature
# on, and a demo org. Runs in the foreground; Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DEV=$ROOT/.dev
BIN=$ROOT/bin
mkdir -p "$DEV"

HTTP_PORT=${DEV_HTTP_PORT:-8080}
TEMPORAL_PORT=${DEV_TEMPORAL_PORT:-7233}
TEMPORAL_UI_PORT=${DEV_TEMPORAL_UI_PORT:-8233}
S3_PORT=${DEV_S3_PORT:-7070}
PG_PORT=${DEV_PG_PORT:-55432}

die() { echo "make dev: $*" >&2; exit 1; }
log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

pids=()
cleanup() {
  trap - INT TERM EXIT
  log "stopping"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${PRIVATE_PG:-}" ]; then run_pg "$PG_BIN/pg_ctl -D '$DEV/pgdata' -m fast stop" >/dev/null 2>&1 || true; fi
}
run_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
trap cleanup EXIT
trap 'cleanup; exit 0' INT TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { for _ in $(seq 1 300); do port_busy "$1" && return 0; sleep 0.2; done; return 1; }

for p in "$HTTP_PORT" "$TEMPORAL_PORT" "$TEMPORAL_UI_PORT" "$S3_PORT"; do
  port_busy "$p" && die "port $p is already in use (is another 'make dev' running? set DEV_*_PORT to move it)"
done
command -v curl >/dev/null || die "curl is required: apt-get install -y curl"
[ -x "$BIN/temporal" ] && [ -x "$BIN/versitygw" ] && [ -x "$BIN/bytechef-ee" ] || die "tools missing: run 'make dev' (it runs 'make tools build' first)"

# --- Postgres -------------------------------------------------------------------------------
export BYTECHEF_DATABASE_URL=${BYTECHEF_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bytechef_ee?sslmode=disable}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
server_url() { echo "${1%/*}/postgres?${1#*\?}"; }
db_name() { local u=${1%%\?*}; echo "${u##*/}"; }
if command -v psql >/dev/null && psql "$(server_url "$BYTECHEF_DATABASE_URL")" -qAtc 'select 1' >/dev/null 2>&1; then
  log "Postgres: using $(echo "$BYTECHEF_DATABASE_URL" | sed -E 's#//[^@]*@#//#')"
elif [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ]; then
  PRIVATE_PG=1
  if [ ! -f "$DEV/pgdata/PG_VERSION" ]; then
    log "Postgres: creating a private cluster in .dev/pgdata"
    if [ "$(id -u)" = 0 ]; then
      mkdir -p "$DEV/pgdata"; chown -R postgres "$DEV/pgdata"
      su postgres -s /bin/sh -c "$PG_BIN/initdb -D '$DEV/pgdata' -U postgres -A trust" >/dev/null
    else
      "$PG_BIN/initdb" -D "$DEV/pgdata" -U postgres -A trust >/dev/null
    fi
  fi
  run_pg "$PG_BIN/pg_ctl -D '$DEV/pgdata' -o '-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1' -l '$DEV/postgres.log' -w start" >/dev/null
  export BYTECHEF_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/bytechef_ee?sslmode=disable"
  log "Postgres: private cluster on 127.0.0.1:$PG_PORT"
else
  die "no reachable Postgres at BYTECHEF_DATABASE_URL and no local binaries to start one: apt-get install -y postgresql"
fi
DB=$(db_name "$BYTECHEF_DATABASE_URL")
if ! psql "$(server_url "$BYTECHEF_DATABASE_URL")" -qAtc "select 1 from pg_database where datname='$DB'" | grep -q 1; then
  psql "$(server_url "$BYTECHEF_DATABASE_URL")" -qc "CREATE DATABASE \"$DB\"" >/dev/null
  log "Postgres: created database $DB"
fi

# --- Temporal -------------------------------------------------------------------------------
log "Temporal dev server on 127.0.0.1:$TEMPORAL_PORT, UI on http://localhost:$TEMPORAL_UI_PORT"
"$BIN/temporal" server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" --ui-port "$TEMPORAL_UI_PORT" \
  --db-filename "$DEV/temporal.db" --log-level warn \
  --search-attribute ByteChefOrgId=Keyword --search-attribute ByteChefFeature=Keyword >"$DEV/temporal.log" 2>&1 &
pids+=($!)

# --- S3 -------------------------------------------------------------------------------------
S3_ACCESS=bytechef-dev; S3_SECRET=bytechef-dev-secret; BUCKET=bytechef-ee
mkdir -p "$DEV/s3/data" "$DEV/s3/meta"
log "Versity S3 gateway on http://127.0.0.1:$S3_PORT (bucket $BUCKET)"
"$BIN/versitygw" --access "$S3_ACCESS" --secret "$S3_SECRET" --region us-east-1 --port "127.0.0.1:$S3_PORT" --quiet \
  posix --sidecar "$DEV/s3/meta" "$DEV/s3/data" >"$DEV/s3.log" 2>&1 &
pids+=($!)
wait_port "$S3_PORT" || die "S3 gateway did not start; see .dev/s3.log"
wait_port "$TEMPORAL_PORT" || die "Temporal did not start; see .dev/temporal.log"
code=$(curl -s -o /dev/null -w "%{http_code}" -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_ACCESS:$S3_SECRET" -X PUT "http://127.0.0.1:$S3_PORT/$BUCKET")
case "$code" in 200|409) ;; *) die "could not create bucket $BUCKET (HTTP $code); see .dev/s3.log" ;; esac

# --- The product ----------------------------------------------------------------------------
[ -f "$DEV/admin-key" ] || head -c 32 /dev/urandom | base64 | tr -d '/+=\n' > "$DEV/admin-key"
[ -f "$DEV/encryption-key" ] || { printf 'dev1:'; head -c 32 /dev/urandom | base64; } | tr -d '\n' > "$DEV/encryption-key"
export BYTECHEF_HTTP_ADDR=127.0.0.1:$HTTP_PORT
export BYTECHEF_PUBLIC_URL=http://localhost:$HTTP_PORT
export BYTECHEF_TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT
export BYTECHEF_S3_ENDPOINT=http://127.0.0.1:$S3_PORT BYTECHEF_S3_BUCKET=$BUCKET BYTECHEF_S3_FORCE_PATH_STYLE=true
export AWS_ACCESS_KEY_ID=$S3_ACCESS AWS_SECRET_ACCESS_KEY=$S3_SECRET AWS_REGION=us-east-1
export BYTECHEF_ADMIN_API_KEY=$(cat "$DEV/admin-key")
export BYTECHEF_ENCRYPTION_KEYS=$(cat "$DEV/encryption-key")
export BYTECHEF_LOG_FORMAT=${BYTECHEF_LOG_FORMAT:-text}
export BYTECHEF_SSO_IDP_EGRESS=${BYTECHEF_SSO_IDP_EGRESS:-any} # local IdPs on localhost are welcome here
for f in SSO SCIM AUDIT_LOGS APP_POLICIES AI_MODEL_CONTROL ANALYTICS ORGANIZATIONS WHITELABELING; do export "BYTECHEF_${f}_ENABLED=true"; done

log "migrations"
"$BIN/bytechef-ee" migrate up
log "bytechef-ee serve (log: .dev/bytechef-ee.log)"
"$BIN/bytechef-ee" serve >"$DEV/bytechef-ee.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do
  curl -sf "http://127.0.0.1:$HTTP_PORT/readyz" >/dev/null && break
  kill -0 "${pids[-1]}" 2>/dev/null || die "bytechef-ee exited; see .dev/bytechef-ee.log"
  sleep 0.2
done
curl -sf "http://127.0.0.1:$HTTP_PORT/readyz" >/dev/null || die "bytechef-ee is not ready; see .dev/bytechef-ee.log"

# The demo org: reuse the saved key while it still works; mint a new key when the org exists
# but the key does not (e.g. .dev was removed); bootstrap the org otherwise.
API=http://127.0.0.1:$HTTP_PORT
saved_key() { [ -f "$DEV/demo.json" ] && sed -E 's/.*"api_key":"([^"]+)".*/\1/' "$DEV/demo.json"; }
if [ -z "$(saved_key)" ] || [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(saved_key)" "$API/api/v1/org")" != 200 ]; then
  admin=(-H "Authorization: Bearer $BYTECHEF_ADMIN_API_KEY")
  org=$(curl -s "${admin[@]}" "$API/api/v1/admin/orgs/demo")
  if echo "$org" | grep -q '"slug":"demo"'; then
    id=$(echo "$org" | sed -E 's/.*"id":"([^"]+)".*/\1/')
    key=$(curl -s "${admin[@]}" -H "X-ByteChef-Org: demo" -H 'Content-Type: application/json' \
      -d '{"name":"make dev demo admin","scopes":["admin"]}' "$API/api/v1/api-keys" | sed -E 's/.*"secret":"([^"]+)".*/\1/')
    printf '{"org_id":"%s","org_slug":"demo","api_key":"%s"}\n' "$id" "$key" > "$DEV/demo.json"
    log "demo org exists; minted a new admin key"
  else
    "$BIN/bytechef-ee" bootstrap --org-name "Demo Org" --org-slug demo --admin-email admin@demo.example --json > "$DEV/demo.json.tmp" \
      && mv "$DEV/demo.json.tmp" "$DEV/demo.json" || die "bootstrap of the demo org failed"
    log "demo org created"
  fi
fi

KEY=$(sed -E 's/.*"api_key":"([^"]+)".*/\1/' "$DEV/demo.json")
cat <<MSG

ByteChef EE is running. Everything stops on Ctrl-C.

  API            http://localhost:$HTTP_PORT   (OpenAPI: http://localhost:$HTTP_PORT/api/v1/openapi.yaml)
  Readiness      http://localhost:$HTTP_PORT/readyz      Metrics: http://localhost:$HTTP_PORT/metrics
  Temporal UI    http://localhost:$TEMPORAL_UI_PORT   (task queue: bytechef-ee)
  S3 gateway     http://127.0.0.1:$S3_PORT  bucket $BUCKET  (access key $S3_ACCESS / $S3_SECRET)
  Postgres       $(echo "$BYTECHEF_DATABASE_URL" | sed -E 's#//[^@]*@#//#')

  Demo org       demo      admin API key: $KEY
  Instance admin key:      $BYTECHEF_ADMIN_API_KEY

Try:
  curl -s -H "Authorization: Bearer $KEY" http://localhost:$HTTP_PORT/api/v1/org
  curl -s -H "Authorization: Bearer $KEY" http://localhost:$HTTP_PORT/api/v1/api-keys
  curl -s -H "Authorization: Bearer $BYTECHEF_ADMIN_API_KEY" http://localhost:$HTTP_PORT/api/v1/admin/orgs
MSG
status=0
wait -n "${pids[@]}" || status=$?
# A Ctrl-C reaches the children and this shell together, and a child may exit first: give
# the INT trap (a clean stop) the chance to run before calling this a crash. A child that
# exited cleanly or by SIGINT/SIGTERM was stopped on purpose (e.g. the signal went to the
# whole process group while this shell ignores SIGINT, as a background job does).
sleep 1
if [ "$status" -eq 0 ] || [ "$status" -eq 130 ] || [ "$status" -eq 143 ]; then
  cleanup
  exit 0
fi
echo "make dev: a process exited unexpectedly (status $status); see .dev/*.log" >&2
exit 1
