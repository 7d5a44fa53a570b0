package kitchen

// Stage is where a ticket stands in the kitchen.
type Stage string

// The stages of a ticket, in the order they happen; Failed is off the line.
const (
	Queued             Stage = "queued"
	WaitingIngredients Stage = "waiting_ingredients"
	Preparing          Stage = "preparing"
	Delivered          Stage = "delivered"
	Failed             Stage = "failed"
)

// Stages lists every stage, for validation and stats.
var Stages = []Stage{Queued, WaitingIngredients, Preparing, Delivered, Failed}

// InProgress lists the stages of tickets the kitchen is still working on.
var InProgress = []Stage{Queued, WaitingIngredients, Preparing}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool {
	switch s {
	case Queued, WaitingIngredients, Preparing, Delivered, Failed:
		return true
	}
	return false
}
