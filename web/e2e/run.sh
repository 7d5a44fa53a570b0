#!/usr/bin/env bash
# Browser tests of the dashboard, against the real system in one process.
#
#   bash web/e2e/run.sh            every test (unit tests of the dashboard's
#                                  modules, then headless Chromium)
#   bash web/e2e/run.sh unit       only the unit tests (no browser, no system)
#   bash web/e2e/run.sh measure    no tests: measures the feed and the dashboard
#                                  during a burst (CLIENTS=100 DISHES=10000,
#                                  COOK_TIME=20ms) into artifacts/feed-measure.json
#
# Installs Debian's chromium when missing, installs playwright-core from the
# lockfile, builds cmd/comanda, runs it on free ports with a fresh data
# folder, runs the tests and stops the system. Screenshots go to
# <repo>/artifacts/screenshots/ (git-ignored); the system's log is copied to
# <repo>/artifacts/e2e-comanda.log when a test fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
artifacts="$repo/artifacts"
cd "$here"

if [ -f package-lock.json ]; then
	npm ci --no-audit --no-fund --loglevel=error
else
	npm install --no-audit --no-fund --loglevel=error
fi

mode="${1:-test}"
case "$mode" in
unit) exec node --test --test-reporter=spec unit/ ;;
test | measure) ;;
*) echo "usage: run.sh [unit|measure]" >&2; exit 2 ;;
esac

if [ ! -x /usr/bin/chromium ]; then
	echo "e2e: installing chromium (Debian package)" >&2
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/comanda-e2e.XXXXXX")"
pid=""
cleanup() {
	status=$?
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	if [ "$status" -ne 0 ] && [ -f "$work/comanda.log" ]; then
		mkdir -p "$artifacts"
		cp "$work/comanda.log" "$artifacts/e2e-comanda.log"
		echo "e2e: failed; the system's log is in $artifacts/e2e-comanda.log" >&2
	fi
	rm -rf "$work"
	exit "$status"
}
trap cleanup EXIT INT TERM

echo "e2e: building cmd/comanda" >&2
(cd "$repo" && go build -o "$work/comanda" ./cmd/comanda)

# Five free ports: the gateway, the three services and the market.
read -r web orders kitchen inventory market < <(node -e '
const net = require("node:net");
const servers = [];
(async () => {
  const ports = [];
  for (let i = 0; i < 5; i++) {
    const s = net.createServer();
    await new Promise((ok) => s.listen(0, "127.0.0.1", ok));
    servers.push(s);
    ports.push(s.address().port);
  }
  for (const s of servers) s.close();
  console.log(ports.join(" "));
})();')

# Tests see every stage at 200 ms a dish; the measurement uses the default.
cook_time=200ms
[ "$mode" = measure ] && cook_time="${COOK_TIME:-20ms}"
password="e2e-$(node -e 'console.log(require("node:crypto").randomBytes(9).toString("hex"))')"
mkdir -p "$work/data"
env \
	DATA_DIR="$work/data" \
	WEB_ADDR="127.0.0.1:$web" \
	ORDERS_ADDR="127.0.0.1:$orders" \
	KITCHEN_ADDR="127.0.0.1:$kitchen" \
	INVENTORY_ADDR="127.0.0.1:$inventory" \
	MARKET_ADDR="127.0.0.1:$market" \
	MANAGER_USER=manager \
	MANAGER_PASSWORD="$password" \
	COOK_TIME="$cook_time" \
	MARKET_SEED=7 \
	KITCHEN_RANDOM_SEED=7 \
	LOG_LEVEL=warn \
	"$work/comanda" >"$work/comanda.log" 2>&1 &
pid=$!

url="http://127.0.0.1:$web"
echo "e2e: waiting for $url/ready" >&2
node -e '
const url = process.argv[1] + "/ready";
const end = Date.now() + 60000;
(async function poll() {
  try { const r = await fetch(url); if (r.ok) return; } catch {}
  if (Date.now() > end) { console.error("e2e: the system did not get ready in 60 s"); process.exit(1); }
  setTimeout(poll, 200);
})();' "$url" || { tail -n 50 "$work/comanda.log" >&2; exit 1; }

# One session for the tests that are not about logging in (the gateway
# allows ten logins a minute from one address).
token="$(node -e '
fetch(process.argv[1] + "/api/login", { method: "POST", headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ username: "manager", password: process.argv[2] }) })
  .then(async (r) => { if (!r.ok) throw new Error("login: " + r.status); console.log((await r.json()).token); })
  .catch((e) => { console.error("e2e:", e.message); process.exit(1); });' "$url" "$password")"
export COMANDA_URL="$url" COMANDA_USER=manager COMANDA_PASSWORD="$password" COMANDA_TOKEN="$token" COMANDA_ARTIFACTS="$artifacts"
mkdir -p "$artifacts/screenshots"
if [ "$mode" = measure ]; then
	node measure/measure.mjs
else
	node --test --test-reporter=spec --test-concurrency=1 unit/ browser/
fi
