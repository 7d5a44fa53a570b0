package marketsim

import (
	"bytes"
	"net/http"
	"slices"
	"testing"
)

func TestSameSeedSameAnswers(t *testing.T) {
	// Misbehaviour switched on too, so that the whole answer is replayed,
	// not only the quantity.
	tweak := func(c *Config) { c.ErrorRate, c.MalformedRate, c.ZeroRate = 0.1, 0.1, 0.1 }
	a, b := seeded(42, tweak).Handler(), seeded(42, tweak).Handler()
	other := seeded(43, tweak).Handler()
	differs := false
	for i := range 500 {
		ing := ingredients[i%len(ingredients)]
		x, y, z := buy(t, a, ing), buy(t, b, ing), buy(t, other, ing)
		if x.status != y.status || !bytes.Equal(x.body, y.body) {
			t.Fatalf("call %d: seed 42 answered %d %q then %d %q", i, x.status, x.body, y.status, y.body)
		}
		if x.status != z.status || !bytes.Equal(x.body, z.body) {
			differs = true
		}
	}
	if !differs {
		t.Fatal("seeds 42 and 43 gave the same 500 answers; the seed is ignored")
	}
}

func TestZeroSeedPicksAndReportsOne(t *testing.T) {
	s1, s2 := New(DefaultConfig()), New(DefaultConfig())
	if s1.Config().Seed == 0 {
		t.Fatal("Config reports seed 0; the run cannot be replayed")
	}
	if s1.Config().Seed == s2.Config().Seed {
		t.Fatal("two random seeds are equal")
	}
	// Replaying the reported seed gives the same answers.
	replay := seeded(s1.Config().Seed, nil)
	for i := range 50 {
		if x, y := buy(t, s1.Handler(), "rice"), buy(t, replay.Handler(), "rice"); !bytes.Equal(x.body, y.body) {
			t.Fatalf("call %d: %q, replay %q", i, x.body, y.body)
		}
	}
}

func TestQuantitiesCoverZeroToMax(t *testing.T) {
	h := seeded(7, nil).Handler()
	const calls = 6000
	counts := make([]int, 6)
	for i := range calls {
		a := buy(t, h, ingredients[i%len(ingredients)])
		if !a.wellKnown || a.quantity > 5 {
			t.Fatalf("call %d: %d %q", i, a.status, a.body)
		}
		counts[a.quantity]++
	}
	for q, n := range counts {
		// Uniform: 1000 expected, standard deviation about 29.
		if n < 850 || n > 1150 {
			t.Errorf("quantity %d came %d times in %d calls, want about %d; counts %v", q, n, calls, calls/6, counts)
		}
	}
}

func TestRatesAtOne(t *testing.T) {
	t.Run("error", func(t *testing.T) {
		s := seeded(1, func(c *Config) { c.ErrorRate = 1 })
		for range 100 {
			rec := do(t, s.Handler(), http.MethodGet, BuyPath+"?ingredient=meat", "")
			if rec.Code != http.StatusInternalServerError || errorCode(t, rec) != "market_unavailable" {
				t.Fatalf("status %d body %s, want 500 market_unavailable", rec.Code, rec.Body)
			}
		}
		if st := s.Stats(); st.Errors != 100 || st.Calls != 100 {
			t.Fatalf("stats %+v, want 100 errors", st)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		s := seeded(1, func(c *Config) { c.MalformedRate = 1 })
		var seen [][]byte
		for range 100 {
			a := buy(t, s.Handler(), "meat")
			if a.status != http.StatusOK || a.wellKnown {
				t.Fatalf("status %d body %q, want 200 garbage", a.status, a.body)
			}
			if !slices.ContainsFunc(seen, func(b []byte) bool { return bytes.Equal(a.body, b) }) {
				seen = append(seen, a.body)
			}
		}
		if len(seen) != len(malformedBodies) {
			t.Fatalf("saw %d kinds of garbage, want all %d: %q", len(seen), len(malformedBodies), seen)
		}
		for _, want := range []string{"", "{}", `{"quantitySold":"lots"}`, `{"quantitySold":-3}`, `{"quantitySold":2.5}`} {
			if !slices.ContainsFunc(seen, func(b []byte) bool { return string(b) == want }) {
				t.Errorf("never answered %q", want)
			}
		}
		if st := s.Stats(); st.Malformed != 100 || st.UnitsSold != 0 {
			t.Fatalf("stats %+v, want 100 malformed and no units", st)
		}
	})
	t.Run("zero", func(t *testing.T) {
		s := seeded(1, func(c *Config) { c.ZeroRate = 1 })
		for range 100 {
			if a := buy(t, s.Handler(), "meat"); !a.wellKnown || a.quantity != 0 {
				t.Fatalf("status %d body %q, want quantity 0", a.status, a.body)
			}
		}
		if st := s.Stats(); st.Zeros != 100 || st.Sold != 0 {
			t.Fatalf("stats %+v, want 100 zeros", st)
		}
	})
	t.Run("error wins over malformed", func(t *testing.T) {
		s := seeded(1, func(c *Config) { c.ErrorRate, c.MalformedRate = 1, 1 })
		if a := buy(t, s.Handler(), "meat"); a.status != http.StatusInternalServerError {
			t.Fatalf("status %d, want 500", a.status)
		}
	})
}

func TestSetChangesBehaviourAtRunTime(t *testing.T) {
	s := seeded(3, nil)
	h := s.Handler()

	cfg := s.Config()
	cfg.ZeroRate = 1
	s.Set(cfg)
	for range 50 {
		if a := buy(t, h, "onion"); a.quantity != 0 || !a.wellKnown {
			t.Fatalf("after ZeroRate=1: %d %q", a.status, a.body)
		}
	}

	cfg.ZeroRate = 0
	cfg.MaxQuantity = 1000
	s.Set(cfg)
	big := false
	for range 200 {
		a := buy(t, h, "onion")
		if !a.wellKnown {
			t.Fatalf("after MaxQuantity=1000: %d %q", a.status, a.body)
		}
		big = big || a.quantity > 5
	}
	if !big {
		t.Fatal("MaxQuantity=1000 never sold more than 5 in 200 calls")
	}
	if got := s.Config(); got.MaxQuantity != 1000 || got.Seed != 3 {
		t.Fatalf("Config() = %+v", got)
	}
}

func TestSetKeepsRandomSourceUnlessSeedChanges(t *testing.T) {
	a, b := seeded(9, nil), seeded(9, nil)
	for range 10 {
		buy(t, a.Handler(), "lemon")
		buy(t, b.Handler(), "lemon")
	}
	// Setting the same knobs (and a zero seed) must not replay the start.
	a.Set(a.Config())
	cfg := b.Config()
	cfg.Seed = 0
	b.Set(cfg)
	for i := range 50 {
		if x, y := buy(t, a.Handler(), "lemon"), buy(t, b.Handler(), "lemon"); !bytes.Equal(x.body, y.body) {
			t.Fatalf("call %d: %q vs %q", i, x.body, y.body)
		}
	}

	// A new seed restarts from that seed.
	fresh := seeded(77, nil)
	cfg = a.Config()
	cfg.Seed = 77
	a.Set(cfg)
	for i := range 50 {
		if x, y := buy(t, a.Handler(), "lemon"), buy(t, fresh.Handler(), "lemon"); !bytes.Equal(x.body, y.body) {
			t.Fatalf("after reseed, call %d: %q vs %q", i, x.body, y.body)
		}
	}
}

func TestNewAndSetClampOutOfRange(t *testing.T) {
	s := New(Config{MaxQuantity: 5000, ZeroRate: -1, ErrorRate: 2, Latency: -1, Seed: 1})
	got := s.Config()
	if got.MaxQuantity != MaxQuantityLimit || got.ZeroRate != 0 || got.ErrorRate != 1 || got.Latency != 0 {
		t.Fatalf("Config() = %+v, want clamped", got)
	}
}
