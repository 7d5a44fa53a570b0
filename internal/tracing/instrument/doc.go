// Package instrument hooks the official and contrib OpenTelemetry
// instrumentation of the libraries Comanda uses (Fiber, go-redis, pgx,
// database/sql, net/http) to a service's own provider. Every function
// takes a nil provider (tracing off) and then installs nothing.
//
// The package must not import any app.
package instrument
