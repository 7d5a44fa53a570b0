package marketsim

import (
	"net/http"
	"sync"
	"testing"
)

func TestStatsExactUnderConcurrency(t *testing.T) {
	s := seeded(1, func(c *Config) { c.ZeroRate, c.ErrorRate, c.MalformedRate = 0.1, 0.1, 0.1 })
	h := s.Handler()
	const workers, perWorker = 50, 100

	// What the clients saw, tallied independently of the simulator.
	type tally struct{ calls, sold, zeros, errors, malformed, units int64 }
	results := make([]tally, workers)
	byIngredient := make([]map[string]IngredientStats, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			mine := map[string]IngredientStats{}
			for i := range perWorker {
				ing := ingredients[(w+i)%len(ingredients)]
				a := buy(t, h, ing)
				r := &results[w]
				r.calls++
				st := mine[ing]
				st.Calls++
				switch {
				case a.status == http.StatusInternalServerError:
					r.errors++
				case !a.wellKnown:
					r.malformed++
				case a.quantity == 0:
					r.zeros++
				default:
					r.sold++
					r.units += int64(a.quantity)
					st.UnitsSold += int64(a.quantity)
				}
				mine[ing] = st
			}
			byIngredient[w] = mine
		})
	}
	wg.Wait()

	var want tally
	wantIng := map[string]IngredientStats{}
	for w, r := range results {
		want.calls += r.calls
		want.sold += r.sold
		want.zeros += r.zeros
		want.errors += r.errors
		want.malformed += r.malformed
		want.units += r.units
		for ing, st := range byIngredient[w] {
			sum := wantIng[ing]
			sum.Calls += st.Calls
			sum.UnitsSold += st.UnitsSold
			wantIng[ing] = sum
		}
	}

	got := s.Stats()
	if got.Calls != workers*perWorker || got.Calls != want.calls {
		t.Fatalf("calls = %d, want %d", got.Calls, workers*perWorker)
	}
	if got.Sold != want.sold || got.Zeros != want.zeros || got.Errors != want.errors ||
		got.Malformed != want.malformed || got.UnitsSold != want.units || got.Cancelled != 0 {
		t.Fatalf("stats %+v, clients saw %+v", got, want)
	}
	if want.errors == 0 || want.malformed == 0 || want.zeros == 0 || want.sold == 0 {
		t.Fatalf("the mix lacks a kind of answer: %+v", want)
	}
	for _, ing := range ingredients {
		if got.ByIngredient[ing] != wantIng[ing] {
			t.Errorf("%s: stats %+v, clients saw %+v", ing, got.ByIngredient[ing], wantIng[ing])
		}
	}
}

func TestStatsSnapshotIsACopy(t *testing.T) {
	s := seeded(1, nil)
	snap := s.Stats()
	snap.ByIngredient["tomato"] = IngredientStats{Calls: 99}
	if s.Stats().ByIngredient["tomato"].Calls != 0 {
		t.Fatal("changing a snapshot changed the simulator's counters")
	}
}
