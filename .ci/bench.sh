#!/usr/bin/env bash
# Measures a burst end to end: starts a fresh Comanda (embedded, or on the
# machine's Redis and PostgreSQL with `real`), runs the load generator
# against it, stops it.
#
#   .ci/bench.sh embedded 200 1          # 200 orders of 1 dish
#   .ci/bench.sh real 1 10000            # 1 order of 10,000 dishes
#   .ci/bench.sh embedded 1 10000 100    # … with 100 clients on the live feed
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-embedded} n=${2:-200} q=${3:-1} ws=${4:-0}
work=$(mktemp -d)
go build -o "$work/comanda" ./cmd/comanda
go build -o "$work/loadgen" ./cmd/loadgen

export DATA_DIR="$work/data" MARKET_SEED=42 MARKET_MAX=5 LOG_LEVEL=warn
export ORDERS_ADDR=127.0.0.1:23000 KITCHEN_ADDR=127.0.0.1:23001 INVENTORY_ADDR=127.0.0.1:23002 MARKET_ADDR=127.0.0.1:23010
export WEB_ADDR=127.0.0.1:28080 MANAGER_PASSWORD=bench-password-$$
if [ "$mode" = real ]; then
  bash .ci/services.sh >/dev/null
  tag=bench_$(date +%s)
  export REDIS_URL=redis://127.0.0.1:6379/0 STREAM_PREFIX=$tag
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
  export ORDERS_DB_SCHEMA=${tag}_orders KITCHEN_DB_SCHEMA=${tag}_kitchen
fi

"$work/comanda" >"$work/comanda.log" 2>&1 &
pid=$!
cleanup() {
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ "$mode" = real ]; then
    psql -q -h 127.0.0.1 -U postgres -d test -c "DROP SCHEMA IF EXISTS ${tag}_orders CASCADE; DROP SCHEMA IF EXISTS ${tag}_kitchen CASCADE" >/dev/null 2>&1 || true
    redis-cli -h 127.0.0.1 --scan --pattern "$tag:*" | xargs -r redis-cli -h 127.0.0.1 del >/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -fs http://127.0.0.1:28080/ready >/dev/null 2>&1 && break
  sleep 0.1
done
echo "== $mode: $n orders × $q dishes"
"$work/loadgen" -web http://127.0.0.1:28080 -password "$MANAGER_PASSWORD" -n "$n" -q "$q" -ws "$ws" -timeout "${TIMEOUT:-10m}"

# What the burst left behind: the process's memory and, on the real Redis,
# what this run's keys take there (streams are trimmed as they are consumed).
sleep 3
echo "rss of the comanda process: $(( $(ps -o rss= -p "$pid") / 1024 )) MiB"
if [ "$mode" = real ]; then
  total=0
  for key in $(redis-cli -h 127.0.0.1 --scan --pattern "$tag:*"); do
    bytes=$(redis-cli -h 127.0.0.1 memory usage "$key")
    total=$(( total + ${bytes:-0} ))
    if [ "$(redis-cli -h 127.0.0.1 type "$key")" = stream ]; then
      echo "  $key: $(redis-cli -h 127.0.0.1 xlen "$key") entries, ${bytes:-0} bytes"
    fi
  done
  echo "redis memory of this run's keys: $(( total / 1024 )) KiB"
else
  echo "stream log in the data folder: $(du -k "$DATA_DIR/streams.log" | cut -f1) KiB"
fi
