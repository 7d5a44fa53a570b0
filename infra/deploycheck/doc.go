// Package deploycheck holds no code, only tests: they read the deployment
// files — the Dockerfiles, docker-compose.yaml and .env.example, the ECS task
// definition templates and Terraform under infra/, the GitHub workflows — and
// check them against the code they deploy, so that a port, a health path or
// an environment variable cannot drift apart unnoticed although no Docker
// engine and no AWS account exist on the project's machines. infra/ has two
// shapes (var.shape: Fargate with managed stores, or one EC2 instance running
// the services and the stores as containers); the checks read both.
//
// They live beside the deployment they check, not under internal/: the
// tests import the apps, since reading each app's configuration struct
// (internal/config.Variables) is their point, and nothing under internal/
// may import an app.
//
// # The wiring rule
//
// For every deployable and every place it runs (its docker-compose service;
// its container in the ECS task definition, for those deployed to ECS), each
// variable its configuration struct reads is checked:
//
//  1. APP_ENV is set, to "production".
//  2. A variable without a default is set, unless the checks list it as
//     optional (empty is right in production, with the reason). Alternatives
//     count as one: MANAGER_PASSWORD or MANAGER_PASSWORD_HASH.
//  3. A variable whose default points at the loopback interface (127.0.0.1,
//     localhost, ::1) is set: inside a container that is the container
//     itself, never the Redis, database or service it means.
//  4. Any other variable may be left to its default, which is then the
//     production value.
//  5. A secret (tag `secret:"true"`) is never a plain value: in ECS it is in
//     "secrets" (from Secrets Manager), never in "environment"; in compose
//     its value is built only from required interpolations,
//     ${VAR:?message}, so that compose fails fast without it and the file
//     holds none. A value with a password in it (a URL's user:password@) is
//     a secret for this rule whatever its tag: in ECS it is in "secrets", in
//     compose its password is built only from required interpolations.
//  6. Every variable set is one the deployable reads (no typos, no leftovers).
//  7. A compose fallback, ${VAR:-x}, for a variable whose code default is
//     fine in production is that default: the code stays the one source.
//
// No secret has a default anywhere: not in a configuration struct, not in
// docker-compose.yaml (required interpolation only), not in .env.example
// (empty), not in a Terraform variable, not in a Dockerfile.
//
// # Least privilege
//
// Every service has credentials of its own, granting what its code needs:
//
//   - Redis: one ACL user per service in compose's ACL file and on
//     ElastiCache (infra/redis.tf), the same on both, each limited to keys
//     under the stream prefix and granting exactly the commands its code
//     sends (read from the source: go-redis calls, Lua scripts, hand-built
//     commands; rediscode_test.go); each service connects as its own user;
//     the default user is the operator's behind a password, or off.
//   - AWS: each service's secrets are its own (only web holds the session
//     signing key; the services get its public key), none is built from a
//     master user, and only the database bootstrap tasks read the master
//     users' secrets.
//   - CI/CD: the deploy role trusts only deploy.yml on main (the token's sub
//     and job_workflow_ref); every action a workflow uses is pinned to a
//     commit; CI runs govulncheck.
//
// # The observability profile
//
// docker-compose.yaml's observability profile adds third-party services (a
// trace collector, Jaeger, Prometheus, Grafana) configured by the files
// under observability/ (docs/observability.md). They are not deployables:
// the wiring rule is not theirs, and the stack's checks read compose without
// the profile. observability_test.go checks them instead: the profile only
// adds to a plain `docker compose up`; its images are pinned and its
// services hardened; the traces go from the services through the collector
// to Jaeger; Prometheus scrapes every service, every replica of a scalable
// one; Grafana's data sources and dashboard are where the profile serves
// them. The dashboard's queries are checked against the metrics the
// services export in cmd/comanda, which runs the system.
package deploycheck
