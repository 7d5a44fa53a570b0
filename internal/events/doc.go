// Package events is the contract between Comanda's services: the envelope every
// message travels in, the stable type names and versions, the payloads, and the
// names of the Redis streams that carry them.
//
// Type names and JSON field names are part of the wire contract; golden files
// under testdata/ fail the build when one changes by accident. Never derive a
// type name from a Go identifier.
//
// This package must not import any app or any adapter: it is plain data, it
// knows no store and no transport.
package events
