// Package leader elects the one inventory-app replica that runs the
// warehouse. The replicas share a lease kept in the warehouse's own store:
// whoever holds it leads, under a fencing token the store checks on every
// write; the others stand by and ask again every poll. A leader renews its
// lease well before it expires and, when it cannot (the store is out of
// reach for most of a lease) or the store says a newer leader exists, it
// ends its term at once: its parts stop, and it stands by again.
//
// The package must not import any adapter: no store, no Fiber, no Redis.
package leader
