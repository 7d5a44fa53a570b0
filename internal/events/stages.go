package events

import "fmt"

// Stage is where an order stands on its way from the manager to the table.
// The stages, their order, which event moves an order to which, and how a
// failure is worded are part of the contract: orders-app keeps an order's
// status by them, the live feed projects the board by them, and the
// dashboard is served them (docs/feed.md).
type Stage string

// The stages, in the order an order moves through them; Failed is off that
// line: an order fails when one of its messages is dead-lettered, and moves
// on again if the message is replayed and handled.
const (
	StagePlaced             Stage = "placed"
	StageQueued             Stage = "queued"
	StageWaitingIngredients Stage = "waiting_ingredients"
	StagePreparing          Stage = "preparing"
	StageDelivered          Stage = "delivered"
	StageFailed             Stage = "failed"
)

// Progress lists the stages on the line, in order.
var Progress = []Stage{StagePlaced, StageQueued, StageWaitingIngredients, StagePreparing, StageDelivered}

// Rank orders the stages on the line (0 for placed … 4 for delivered); -1
// for Failed and anything else. A change moves an order only forward.
func (s Stage) Rank() int {
	for i, p := range Progress {
		if p == s {
			return i
		}
	}
	return -1
}

// Next is the stage after s on the line; empty after Delivered and off it.
func (s Stage) Next() Stage {
	if r := s.Rank(); r >= 0 && r+1 < len(Progress) {
		return Progress[r+1]
	}
	return ""
}

// Valid reports whether s is a stage.
func (s Stage) Valid() bool { return s == StageFailed || s.Rank() >= 0 }

// moves is the stage each event type moves its order to.
var moves = map[string]Stage{
	TypeOrderPlaced:          StagePlaced,
	TypeRecipePicked:         StageQueued,
	TypeIngredientsRequested: StageWaitingIngredients,
	TypeCookingStarted:       StagePreparing,
	TypeDishDelivered:        StageDelivered,
}

// MovesTo is the stage an event of type t moves its order to, if it moves
// one.
func MovesTo(t string) (Stage, bool) {
	s, ok := moves[t]
	return s, ok
}

// Reached is the stage an order has surely reached once an event of type t
// about it exists: the one the event moves it to, or, for the warehouse's
// events, waiting for ingredients.
func Reached(t string) (Stage, bool) {
	if s, ok := moves[t]; ok {
		return s, true
	}
	switch t {
	case TypeIngredientsReserved, TypeIngredientsShort, TypeMarketBought:
		return StageWaitingIngredients, true
	}
	return "", false
}

// FailureReason is how an order's failure is worded, from the dead letter
// behind it.
func FailureReason(d DeadLettered) string {
	return fmt.Sprintf("%s could not handle %s: %s", d.Group, d.Type, d.Reason)
}
