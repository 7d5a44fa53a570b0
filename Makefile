# The two commands of the README:
#   make run    the whole restaurant, embedded (no servers needed)
#   make test   every test, against this machine's Redis and PostgreSQL

SWAG := go tool swag
# directory:swagger-instance of every service with a Swagger spec
SPECS := orders-app:orders kitchen-app:kitchen inventory-app:inventory web:web

.PHONY: run test services lint fmt-check vet staticcheck swag swag-check deploy-check unit e2e loadgen bench

run:
	go run ./cmd/comanda

test: services lint unit e2e

services:
	bash .ci/services.sh

lint: fmt-check vet staticcheck swag-check deploy-check

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	go vet ./...

staticcheck:
	go tool staticcheck ./...

unit:
	go test -race -count=1 -timeout 20m ./...

# The dashboard in headless Chromium against the whole system (installs
# Debian's chromium and the npm lockfile when missing).
e2e:
	bash web/e2e/run.sh

# Dockerfiles, docker-compose.yaml, the ECS task definitions and the workflows
# against the services' code; terraform fmt; actionlint (Go module proxy).
deploy-check:
	go test -count=1 ./internal/deploycheck/

# Regenerate the Swagger specs from the handlers' annotations.
swag:
	@for spec in $(SPECS); do \
		dir=$${spec%%:*}; name=$${spec##*:}; \
		(cd $$dir && $(SWAG) init --quiet --instanceName $$name -g app/swagger.go -d ./,../internal/httpx -o docs --parseInternal --packageName docs --outputTypes go,json,yaml) || exit 1; \
	done

# Fail when the committed specs differ from what the annotations generate.
swag-check:
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	for spec in $(SPECS); do \
		dir=$${spec%%:*}; name=$${spec##*:}; \
		(cd $$dir && $(SWAG) init --quiet --instanceName $$name -g app/swagger.go -d ./,../internal/httpx -o $$tmp/$$name --parseInternal --packageName docs --outputTypes go,json,yaml) || exit 1; \
		diff -ru $$dir/docs $$tmp/$$name || { echo "$$dir/docs is stale: run make swag"; exit 1; }; \
	done

# Benchmarks the running system: make loadgen ARGS="-n 200 -q 1"
loadgen:
	go run ./cmd/loadgen $(ARGS)

# The benchmark (measurements only; never part of make test). Every scenario
# in both shapes, embedded and production (the services as separate
# processes on this machine's Redis and PostgreSQL), and the stream layer's
# Go benchmark; writes docs/bench-report.json and regenerates the tables in
# docs/performance.md and README.md:
#   make bench
# A subset, written to cmd/bench/out/report.json, the docs left alone:
#   make bench BENCH_QUICK=1                  200 × 1 in both shapes, stream benchmark
#   make bench SCENARIOS=1x10000,stream SHAPES=production RUNS=3
# `go run ./cmd/bench -list` names the scenarios; cmd/bench/out/ keeps each run's
# load-generator report, per-second CSV and SVG chart.
bench: services
	go run ./cmd/bench $(if $(BENCH_QUICK),-quick) $(if $(SCENARIOS),-scenarios $(SCENARIOS)) $(if $(SHAPES),-shapes $(SHAPES)) $(if $(RUNS),-runs $(RUNS))
