// Package feed is the dashboard's live feed (docs/feed.md): a hub that tails
// every stream on a cursor of its own (so every replica sees every event; see
// stream.Tail),
// keeps a projection of the orders in progress, counts, recent purchases and
// dead letters, coalesces changes into at most one frame per interval, and
// pushes frames to WebSocket clients, each with its own writer goroutine and a
// small queue; a client that falls behind is dropped and resumes with its
// cursor.
//
// It lives in inventory-app because the feed's most frequent news is the
// warehouse's own (stock, purchases, who waits for what), and a snapshot
// needs the stock as the warehouse has it at that instant (Source); the
// rest it reads from the streams alone, as any replica of any service
// could. It keeps nothing of its own: a new process builds it again from
// the retained streams and orders-app's counts.
package feed
