package marketsim

import (
	"maps"
	"sync"
)

// Stats counts the calls the market answered, so that tests and the
// benchmark can check the warehouse's purchase records against the market's
// own. Every call lands in exactly one of Sold, Zeros, Errors, Malformed,
// Cancelled and Refused.
type Stats struct {
	// Calls counts buy calls with a known ingredient; refused calls (400)
	// are not part of the contract and are not counted.
	Calls int64 `json:"calls"`
	// Sold counts answers with a quantity above 0.
	Sold      int64 `json:"sold"`
	Zeros     int64 `json:"zeros"`
	Errors    int64 `json:"errors"`
	Malformed int64 `json:"malformed"`
	// Cancelled counts calls whose client went away during the latency,
	// before any answer.
	Cancelled int64 `json:"cancelled"`
	// Refused counts calls answered 429 because Capacity calls were in
	// service.
	Refused int64 `json:"refused"`
	// UnitsSold sums the quantities of well-formed answers.
	UnitsSold    int64                      `json:"unitsSold"`
	ByIngredient map[string]IngredientStats `json:"byIngredient"`
}

// IngredientStats counts the calls for one ingredient.
type IngredientStats struct {
	Calls     int64 `json:"calls"`
	UnitsSold int64 `json:"unitsSold"`
}

// statsRecorder keeps its own lock so that counting never waits on the
// random source.
type statsRecorder struct {
	mu sync.Mutex
	s  Stats
}

func (r *statsRecorder) record(ingredient string, out outcome, cancelled bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.s.Calls++
	ing := r.s.ByIngredient[ingredient]
	ing.Calls++
	switch {
	case cancelled:
		r.s.Cancelled++
	case out.kind == outcomeError:
		r.s.Errors++
	case out.kind == outcomeMalformed:
		r.s.Malformed++
	case out.quantity == 0:
		r.s.Zeros++
	default:
		r.s.Sold++
		r.s.UnitsSold += int64(out.quantity)
		ing.UnitsSold += int64(out.quantity)
	}
	r.s.ByIngredient[ingredient] = ing
}

func (r *statsRecorder) refuse(ingredient string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.s.Calls++
	r.s.Refused++
	ing := r.s.ByIngredient[ingredient]
	ing.Calls++
	r.s.ByIngredient[ingredient] = ing
}

func (r *statsRecorder) snapshot() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.s
	s.ByIngredient = maps.Clone(r.s.ByIngredient)
	return s
}

// reset lists every ingredient with zero counts, so that readers see the
// whole market rather than only what was asked for.
func (r *statsRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.s = Stats{ByIngredient: make(map[string]IngredientStats, len(ingredients))}
	for _, name := range ingredients {
		r.s.ByIngredient[name] = IngredientStats{}
	}
}
