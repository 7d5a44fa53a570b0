package order

import (
	"time"
)

// Order is one dish ordered by the manager.
type Order struct {
	ID      string
	BatchID string
	// Progress is the furthest status reached on the normal path; it never
	// moves back.
	Progress Status
	// Recipe is the dish the kitchen picked, once it did.
	Recipe string
	// FailureReason is set while the order has failed (dead-lettered).
	FailureReason string
	// FailedBy is the id of the dead-letter event behind the latest
	// failure. It outlives a reopen, so that a redelivered copy of that
	// dead letter does not fail the order again, and a replay reopens only
	// the failure it replays.
	FailedBy string
	// RecoversAt is the least status whose arrival proves that a failed
	// order got past its failure (its replayed message was handled after
	// all); empty when nothing but a delivery or a reopen can tell.
	RecoversAt  Status
	PlacedAt    time.Time
	UpdatedAt   time.Time
	DeliveredAt time.Time // zero until delivered
	// Timeline holds the recorded steps, oldest first (filled by Get).
	Timeline []Step
}

// Status is what the manager sees: delivered wins, then failed, then the
// progress made.
func (o Order) Status() Status {
	switch {
	case o.Progress == Delivered:
		return Delivered
	case o.FailureReason != "":
		return Failed
	}
	return o.Progress
}

// Step is one recorded event in an order's life.
type Step struct {
	// EventID identifies the event that caused the step; recording the same
	// event twice has no effect.
	EventID string
	OrderID string
	Status  Status
	At      time.Time
	Detail  string
}

// Change is a fact about an order reported by another service.
type Change struct {
	EventID string
	OrderID string
	Status  Status
	At      time.Time
	Recipe  string // with Queued and later
	Reason  string // with Failed
	// RecoversAt, with Failed, is what Order.RecoversAt becomes.
	RecoversAt Status
}

// Apply applies c if it moves the order forward, and reports whether the
// order changed. A late or repeated change never moves it back.
func (o *Order) Apply(c Change) bool {
	changed := false
	if c.Recipe != "" && o.Recipe == "" {
		o.Recipe = c.Recipe
		changed = true
	}
	switch {
	case c.Status == Failed:
		changed = o.fail(c) || changed
	case c.Status.Rank() > o.Progress.Rank():
		o.Progress = c.Status
		if c.Status == Delivered {
			o.DeliveredAt = c.At
		}
		if o.FailureReason != "" && (c.Status == Delivered || o.recovered()) {
			// It was served, or got past what failed, after all: its
			// message was replayed and the reopen was lost (a crash, a
			// store that did not answer) or has not happened yet.
			o.FailureReason = ""
		}
		changed = true
	}
	if changed && c.At.After(o.UpdatedAt) {
		o.UpdatedAt = c.At
	}
	return changed
}

// fail records the failure c reports, unless it is moot: the dish was
// delivered, the same dead letter came again, or the order already got past
// what failed (a stale copy of a message was dead-lettered). A newer dead
// letter replaces an older one, so that the reopen of the older one's replay
// leaves the order failed.
func (o *Order) fail(c Change) bool {
	if o.Progress == Delivered || (c.EventID != "" && c.EventID == o.FailedBy) {
		return false
	}
	if c.RecoversAt.Rank() >= 0 && o.Progress.Rank() >= c.RecoversAt.Rank() {
		return false
	}
	reason := c.Reason
	if reason == "" {
		reason = "failed"
	}
	o.FailureReason, o.FailedBy, o.RecoversAt = reason, c.EventID, c.RecoversAt
	return true
}

func (o *Order) recovered() bool {
	return o.RecoversAt.Rank() >= 0 && o.Progress.Rank() >= o.RecoversAt.Rank()
}

// Reopen clears a failure so that the order's replayed message can move it
// on, and reports whether it did. failedBy names the dead letter being
// replayed: a failure recorded by another one (the replayed message failed
// again, or another of the order's messages did) stays. Empty matches any.
func (o *Order) Reopen(at time.Time, failedBy string) bool {
	if o.FailureReason == "" {
		return false
	}
	if failedBy != "" && o.FailedBy != "" && o.FailedBy != failedBy {
		return false
	}
	o.FailureReason = ""
	if at.After(o.UpdatedAt) {
		o.UpdatedAt = at
	}
	return true
}

// ChangedFrom reports whether o differs from before in anything a store
// keeps of an order after it was placed: an update that changes nothing
// writes nothing.
func (o Order) ChangedFrom(before Order) bool {
	return o.Progress != before.Progress || o.Recipe != before.Recipe || o.FailureReason != before.FailureReason ||
		o.FailedBy != before.FailedBy || o.RecoversAt != before.RecoversAt || !o.UpdatedAt.Equal(before.UpdatedAt) ||
		!o.DeliveredAt.Equal(before.DeliveredAt)
}
