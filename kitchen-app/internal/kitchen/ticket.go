package kitchen

import "time"

// Ticket is the kitchen's work on one order; the order id is its key.
type Ticket struct {
	OrderID string
	// Recipe is picked once, when the ticket is created, and never changes.
	Recipe string
	Stage  Stage
	// FailureReason says why a Failed ticket failed.
	FailureReason string
	// Since is when the current stage began.
	Since     time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// StartCooking moves the ticket to Preparing and reports whether it moved. A
// ticket already cooking or served stays as it is; a failed one is revived:
// its ingredients arrived after all (a replayed message, say).
func (t *Ticket) StartCooking(at time.Time) bool {
	if t.Stage == Preparing || t.Stage == Delivered {
		return false
	}
	t.moveTo(Preparing, at)
	return true
}

// Deliver moves the ticket to Delivered and reports whether it moved; a
// delivered ticket never moves again.
func (t *Ticket) Deliver(at time.Time) bool {
	if t.Stage == Delivered {
		return false
	}
	t.moveTo(Delivered, at)
	return true
}

// Fail marks the ticket failed and reports whether it changed. A delivered
// dish cannot fail any more, and a failed ticket keeps its first reason, so
// a repeated dead letter changes nothing.
func (t *Ticket) Fail(reason string, at time.Time) bool {
	if t.Stage == Delivered || t.Stage == Failed {
		return false
	}
	if reason == "" {
		reason = "failed"
	}
	t.moveTo(Failed, at)
	t.FailureReason = reason
	return true
}

func (t *Ticket) moveTo(s Stage, at time.Time) {
	t.Stage = s
	t.FailureReason = ""
	t.Since = at
	if at.After(t.UpdatedAt) {
		t.UpdatedAt = at
	}
}

// ChangedFrom reports whether t differs from before in anything a store
// keeps of a ticket after it was opened (the order id, the recipe and the
// creation time are fixed then): an update that changes nothing writes
// nothing.
func (t Ticket) ChangedFrom(before Ticket) bool {
	return t.Stage != before.Stage || t.FailureReason != before.FailureReason ||
		!t.Since.Equal(before.Since) || !t.UpdatedAt.Equal(before.UpdatedAt)
}
