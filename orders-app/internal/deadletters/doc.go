// Package replay is the use case that puts dead-lettered messages back on
// their streams and then reopens their orders: one dead letter, a list, or
// every dead letter one consumer group gave up on.
//
// The message is republished first and the order reopened after, so that a
// failure to republish leaves the order failed, as it is. A crash between
// the two steps leaves a message back on its stream with its order still
// failed; handling that message moves the order on by itself (see
// order.Order.RecoversAt), so nothing is stranded either way.
//
// It must not import github.com/gofiber/fiber/v2.
package replay
