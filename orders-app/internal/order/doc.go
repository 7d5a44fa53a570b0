// Package order is the orders domain: an order's life (placed → queued →
// waiting_ingredients → preparing → delivered, or failed with a reason), the
// rule that statuses only move forward, and the use cases of orders-app. It
// declares the Store it needs; adapters live in sibling packages.
//
// It must not import any adapter: no store, no Fiber, no Redis.
package order
