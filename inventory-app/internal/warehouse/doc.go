// Package warehouse is the inventory domain: the stock of the ten ingredients,
// the reservations that set a recipe's ingredients aside for an order, and
// the purchases at the farmers market that cover what is missing.
//
// Requests are stored as waiting reservations, each with a sequence number.
// One clerk goroutine serves them fairly, in sequence order: an order that
// does not fit earmarks what it needs, so later orders never take it (no
// starvation). One buyer goroutine per ingredient buys the total shortfall of
// the waiting orders, never once per order, with backoff on zeros and
// failures. Every change is stored together with the event that announces it
// (outbox), and stock is decremented only conditionally, so it never goes
// negative.
//
// A Warehouse is the single writer of its store for one leadership term:
// the clerk keeps the waiting list and the stock in memory, mirrored from
// the store. Replicas elect one leader (package leader); only the leader
// runs a Warehouse, and every write carries its term's fencing token, which
// the store checks, so that a replica that lost the lease without noticing
// writes nothing over its successor's work (ErrFenced). Books answers reads
// on every replica. The store's conditional updates keep stock non-negative
// and every order reserved at most once whatever happens.
//
// The package declares the Store and Market it needs; adapters live in
// sibling packages. It must not import any adapter: no store, no Fiber, no
// Redis.
package warehouse
