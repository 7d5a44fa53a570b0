package order

// Status is where an order stands.
type Status string

// The statuses of an order, in the order they happen; Failed is off the line.
const (
	Placed             Status = "placed"
	Queued             Status = "queued"
	WaitingIngredients Status = "waiting_ingredients"
	Preparing          Status = "preparing"
	Delivered          Status = "delivered"
	Failed             Status = "failed"
)

// Statuses lists every status, for validation and stats.
var Statuses = []Status{Placed, Queued, WaitingIngredients, Preparing, Delivered, Failed}

// InProgress lists the statuses of orders still being served.
var InProgress = []Status{Placed, Queued, WaitingIngredients, Preparing}

// rank orders the progress statuses; a change applies only if it raises it.
func (s Status) rank() int {
	switch s {
	case Placed:
		return 0
	case Queued:
		return 1
	case WaitingIngredients:
		return 2
	case Preparing:
		return 3
	case Delivered:
		return 4
	}
	return -1
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return s == Failed || s.rank() >= 0
}

// Next is the status after s on the normal path; empty after Delivered and
// for Failed.
func (s Status) Next() Status {
	switch s {
	case Placed:
		return Queued
	case Queued:
		return WaitingIngredients
	case WaitingIngredients:
		return Preparing
	case Preparing:
		return Delivered
	}
	return ""
}
