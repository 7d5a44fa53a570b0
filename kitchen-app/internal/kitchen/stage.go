package kitchen

// Stage is where a ticket stands in the kitchen.
type Stage string

// The stages of a ticket, in the order they happen; Failed is off the line.
// A ticket is opened waiting for its ingredients: the recipe is picked and
// they are asked for in the same transaction, so a ticket is never queued
// (an order is, in orders-app, between the two events).
const (
	WaitingIngredients Stage = "waiting_ingredients"
	Preparing          Stage = "preparing"
	Delivered          Stage = "delivered"
	Failed             Stage = "failed"
)

// Stages lists every stage, for validation and stats.
var Stages = []Stage{WaitingIngredients, Preparing, Delivered, Failed}

// InProgress lists the stages of tickets the kitchen is still working on.
var InProgress = []Stage{WaitingIngredients, Preparing}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool {
	switch s {
	case WaitingIngredients, Preparing, Delivered, Failed:
		return true
	}
	return false
}
