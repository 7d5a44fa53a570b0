#!/usr/bin/env bash
# Measures one burst end to end: starts a fresh Comanda (embedded; real, the
# embedded runner on the machine's Redis and PostgreSQL; or production, the
# services as separate processes on them), runs the load generator through
# its gateway, stops every process it started by PID and removes what the
# run left in Redis and PostgreSQL. The whole benchmark is `make bench`;
# both run the same tooling (cmd/bench).
#
#   .ci/bench.sh embedded 200 1          # 200 orders of 1 dish
#   .ci/bench.sh real 1 10000            # 1 order of 10,000 dishes
#   .ci/bench.sh production 1 10000 100  # … with 100 clients on the live feed
#
# It prints the load generator's report, the memory the system held (peak
# during the burst, and after it), and what the run's streams kept: the
# stream log in the data folder, or this run's keys in Redis. TIMEOUT
# (default 10m) bounds the burst; PROFILE=4s takes a CPU profile of that
# length of every service, from a second into the burst, into cmd/bench/out;
# ENV="FEED_INTERVAL=50ms MARKET_CONCURRENCY=32" gives the system settings;
# TRACES=1 traces it, into an OTLP receiver in the bench process that counts
# the spans.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-embedded} n=${2:-200} q=${3:-1} ws=${4:-0}
if [ "$mode" != embedded ]; then
  bash .ci/services.sh >/dev/null
fi
envs=()
for kv in ${ENV:-}; do envs+=(-env "$kv"); done
if [ -n "${TRACES:-}" ]; then envs+=(-traces); fi
exec go run ./cmd/bench burst "${envs[@]}" -timeout "${TIMEOUT:-10m}" -profile "${PROFILE:-0s}" "$mode" "$n" "$q" "$ws"
