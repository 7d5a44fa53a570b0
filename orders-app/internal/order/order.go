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
	PlacedAt      time.Time
	UpdatedAt     time.Time
	DeliveredAt   time.Time // zero until delivered
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
		if o.Progress != Delivered && o.FailureReason == "" {
			o.FailureReason = c.Reason
			if o.FailureReason == "" {
				o.FailureReason = "failed"
			}
			changed = true
		}
	case c.Status.rank() > o.Progress.rank():
		o.Progress = c.Status
		if c.Status == Delivered {
			o.DeliveredAt = c.At
			o.FailureReason = "" // it was served after all
		}
		changed = true
	}
	if changed && c.At.After(o.UpdatedAt) {
		o.UpdatedAt = c.At
	}
	return changed
}

// Reopen clears a failure so that the order's replayed message can move it
// on; it reports whether the order had failed.
func (o *Order) Reopen(at time.Time) bool {
	if o.FailureReason == "" {
		return false
	}
	o.FailureReason = ""
	if at.After(o.UpdatedAt) {
		o.UpdatedAt = at
	}
	return true
}
