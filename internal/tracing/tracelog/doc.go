// Package tracelog joins log lines to traces: a slog handler that adds the
// trace_id and span_id of the context's recording span to each record.
// The configuration's logger uses it, so it depends only on the
// OpenTelemetry trace API.
//
// The package must not import any adapter or anything of the module.
package tracelog
