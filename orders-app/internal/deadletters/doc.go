// Package deadletters is the administration of dead letters, the messages
// no service could handle: listing them, newest first, and putting them back
// on their streams — one, a list, or every dead letter one consumer group
// gave up on — and then reopening their orders.
//
// orders-app holds it because a dead letter's consequence is an order that
// failed: the order's history is here, and so is the decision to reopen it.
// The dead-letter stream itself is shared by every service; Queue is the
// port this use case needs of it (stream.DeadLetterQueue implements it).
//
// A replayed message is republished first and its order reopened after, so
// that a failure to republish leaves the order failed, as it is. A crash
// between the two steps leaves a message back on its stream with its order
// still failed; handling that message moves the order on by itself (see
// order.Order.RecoversAt), so nothing is stranded either way.
//
// It must not import github.com/gofiber/fiber/v2.
package deadletters
