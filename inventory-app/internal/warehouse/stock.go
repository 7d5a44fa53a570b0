package warehouse

// Level is the stock of one ingredient. On hand is computed, never stored,
// so that the books always balance.
type Level struct {
	Ingredient string
	Initial    int
	Bought     int
	Consumed   int
}

// OnHand is initial + bought − consumed.
func (l Level) OnHand() int { return l.Initial + l.Bought - l.Consumed }

// onHandOf returns the on-hand units of every ingredient in levels.
func onHandOf(levels []Level) Needs {
	var n Needs
	for _, l := range levels {
		if i, ok := IndexOf(l.Ingredient); ok {
			n[i] = l.OnHand()
		}
	}
	return n
}
