// Package httpx builds the Fiber app every Comanda service serves: one JSON
// error shape ({"error": {"code", "message"}}) for every failure, liveness and
// readiness probes, Prometheus metrics, a body limit, panic recovery, strict
// JSON decoding, and graceful shutdown.
//
// The package must not import any app.
package httpx
