# The two commands of the README:
#   make run    the whole restaurant, embedded (no servers needed)
#   make test   every test, against this machine's Redis and PostgreSQL
# `make help` lists every target (the `##` line above each).

SWAG := go tool swag
# directory:swagger-instance of every service with a Swagger spec
SPECS := orders-app:orders kitchen-app:kitchen inventory-app:inventory web:web

.PHONY: help build up down run test services lint fmt-check vet staticcheck deadcode arch-check swag swag-check deploy-check unit e2e loadgen bench

## help: this list
help:
	@awk '/^## /{sub(/^## /, ""); split($$0, a, ": "); printf "  %-12s %s\n", a[1], substr($$0, length(a[1]) + 3)}' $(MAKEFILE_LIST)

## build: every binary (the services, the gateway, the all-in-one runner, the market simulator, the tools) into bin/
build:
	@mkdir -p bin
	CGO_ENABLED=0 go build -trimpath -o bin/ ./orders-app ./kitchen-app ./inventory-app ./web ./cmd/...

## up: the production shape in Docker (compose; needs .env, see docker-compose.yaml); PROFILE=name adds a compose profile; PROFILE=observability adds traces, Prometheus and Grafana, and points the services at its collector (docs/observability.md)
# With the observability profile, the services' OTEL_EXPORTER_OTLP_ENDPOINT
# names the profile's collector (OTLP/HTTP); without it, it is what the shell
# or .env says (empty: no tracing).
OTLP_COLLECTOR := http://otel-collector:4318
up:
	$(if $(filter observability,$(PROFILE)),OTEL_EXPORTER_OTLP_ENDPOINT=$(OTLP_COLLECTOR)) docker compose $(if $(PROFILE),--profile $(PROFILE)) up --build -d

## down: stop what `make up` started (the volumes stay)
down:
	docker compose $(if $(PROFILE),--profile $(PROFILE)) down

## run: the whole restaurant, embedded: no servers to install
run:
	go run ./cmd/comanda

## test: every test: lint, Go tests with the race detector, the browser tests
test: services lint unit e2e

## services: start this machine's Redis and PostgreSQL when they are down
services:
	bash .ci/services.sh

## lint: gofmt, go vet, staticcheck, dead code, import rules, Swagger specs, deployment files
lint: fmt-check vet staticcheck deadcode arch-check swag-check deploy-check

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	go vet ./...

staticcheck:
	go tool staticcheck ./...

# Functions that no program and no test reaches (generated files aside).
deadcode:
	@out=$$(go tool deadcode -test ./...) || exit 1; \
	if [ -n "$$out" ]; then echo "unreachable functions (remove them):"; echo "$$out"; exit 1; fi

# The import rules the package docs state, and the generated files' header.
arch-check:
	go test -count=1 ./internal/archtest/

## unit: the Go tests, with the race detector
unit:
	go test -race -count=1 -timeout 20m ./...

## e2e: the browser tests in headless Chromium
# The dashboard in headless Chromium against the whole system (installs
# Debian's chromium and the npm lockfile when missing).
e2e:
	bash web/e2e/run.sh

## deploy-check: the deployment files against the code
# Dockerfiles, docker-compose.yaml, the ECS task definitions and the workflows
# against the services' code; terraform fmt; actionlint (Go module proxy).
deploy-check:
	go test -count=1 ./infra/deploycheck/

# Writes the specs of service $dir (Swagger instance $name) into $out, a folder
# relative to $dir: swag's Swagger 2.0 JSON and YAML from the annotations,
# then cmd/openapi's OpenAPI 3 conversion of them and the Go file that embeds
# all four (Go's generated-code header first; internal/archtest checks it).
# The docs package's doc.go is written by hand.
SWAG_GEN = (cd $$dir && $(SWAG) init --quiet --instanceName $$name -g app/swagger.go -d ./,../internal/httpx -o $$out --parseInternal --outputTypes json,yaml && \
	go run ../cmd/openapi $$out $$name)

# Writes into $out the Go client of orders-app's OpenAPI 3 spec that the
# spec's tests use (orders-app/internal/apiclient).
CLIENT_GEN = go tool oapi-codegen -config orders-app/internal/apiclient/oapi-codegen.yaml -o $$out orders-app/docs/orders_openapi.json

## swag: regenerate the API specs from the handlers' annotations
# Regenerate the Swagger 2.0 and OpenAPI 3 specs from the handlers'
# annotations, and the client generated from orders-app's.
swag:
	@for spec in $(SPECS); do \
		dir=$${spec%%:*}; name=$${spec##*:}; out=docs; \
		$(SWAG_GEN) || exit 1; \
	done; \
	out=orders-app/internal/apiclient/client.gen.go; $(CLIENT_GEN)

# Fail when the committed specs or client differ from what the annotations
# generate.
swag-check:
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	for spec in $(SPECS); do \
		dir=$${spec%%:*}; name=$${spec##*:}; out=$$tmp/$$name; \
		$(SWAG_GEN) || exit 1; \
		diff -ru -x doc.go $$dir/docs $$tmp/$$name || { echo "$$dir/docs is stale: run make swag"; exit 1; }; \
	done; \
	out=$$tmp/client.gen.go; $(CLIENT_GEN) || exit 1; \
	diff -u orders-app/internal/apiclient/client.gen.go $$out || { echo "orders-app/internal/apiclient is stale: run make swag"; exit 1; }

## loadgen: the load generator against a running system: make loadgen ARGS="-n 200 -q 1"
# Benchmarks the running system: make loadgen ARGS="-n 200 -q 1"
loadgen:
	go run ./cmd/loadgen $(ARGS)

## bench: every benchmark scenario; writes docs/bench-report.json and the tables
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
