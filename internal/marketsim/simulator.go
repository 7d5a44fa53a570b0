package marketsim

import (
	"math/rand/v2"
	"sync"
	"time"
)

// Simulator is one farmers market. It is safe for concurrent use.
type Simulator struct {
	mu  sync.Mutex
	cfg Config
	rng *rand.Rand
	// nextMalformed rotates through the kinds of garbage so that a client
	// meets every one of them, not only the most likely.
	nextMalformed int
	// inService counts the calls admitted and not yet answered (Capacity).
	inService int

	stats statsRecorder
}

// New returns a market with cfg, clamping any setting out of range (use
// Config.Validate to refuse such settings instead).
func New(cfg Config) *Simulator {
	cfg = cfg.clamped()
	if cfg.Seed == 0 {
		cfg.Seed = randomSeed()
	}
	s := &Simulator{cfg: cfg, rng: newRand(cfg.Seed)}
	s.stats.reset()
	return s
}

// Set changes the knobs while the market runs. The random source carries on
// where it was, so changing a rate does not replay earlier answers; only a
// different non-zero Seed restarts it, from that seed. Settings out of range
// are clamped.
func (s *Simulator) Set(cfg Config) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setLocked(cfg)
}

// update changes the knobs from the current ones under one lock, so that two
// clients changing different knobs at once do not undo each other.
func (s *Simulator) update(fn func(Config) (Config, error)) (Config, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next, err := fn(s.cfg)
	if err != nil {
		return s.cfg, err
	}
	s.setLocked(next)
	return s.cfg, nil
}

func (s *Simulator) setLocked(cfg Config) {
	cfg = cfg.clamped()
	switch cfg.Seed {
	case 0:
		cfg.Seed = s.cfg.Seed
	case s.cfg.Seed:
	default:
		s.rng = newRand(cfg.Seed)
		s.nextMalformed = 0
	}
	s.cfg = cfg
}

// Config returns the current knobs, with the seed actually in use.
func (s *Simulator) Config() Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

// Stats returns the counters since the start or the last reset.
func (s *Simulator) Stats() Stats { return s.stats.snapshot() }

// ResetStats sets every counter back to zero.
func (s *Simulator) ResetStats() { s.stats.reset() }

type outcomeKind int

const (
	outcomeQuantity outcomeKind = iota
	outcomeError
	outcomeMalformed
)

// outcome is the answer to one call, decided before any wait so that the
// sequence of answers depends only on the seed and the order of calls.
type outcome struct {
	kind      outcomeKind
	quantity  int
	malformed []byte
	delay     time.Duration
}

// draw decides the next answer. It takes the same random draws whatever the
// knobs, so that turning a rate up or down does not shift the quantities
// that follow.
func (s *Simulator) draw() outcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg := s.cfg
	errRoll := s.rng.Float64()
	malformedRoll := s.rng.Float64()
	zeroRoll := s.rng.Float64()
	quantity := s.rng.IntN(cfg.MaxQuantity + 1)
	jitter := time.Duration(s.rng.Float64() * float64(cfg.LatencyJitter))

	out := outcome{delay: cfg.Latency + jitter}
	switch {
	case errRoll < cfg.ErrorRate:
		out.kind = outcomeError
	case malformedRoll < cfg.MalformedRate:
		out.kind = outcomeMalformed
		out.malformed = malformedBodies[s.nextMalformed%len(malformedBodies)]
		s.nextMalformed++
	case zeroRoll < cfg.ZeroRate:
		// A quantity answer of 0.
	default:
		out.quantity = quantity
	}
	return out
}

func newRand(seed uint64) *rand.Rand {
	// The second PCG word is derived, not constant, so that nearby seeds
	// do not give related streams.
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// randomSeed stays below 2^53 so that the seed survives a round trip through
// JavaScript (the dashboard) and can be typed back in to replay a run.
func randomSeed() uint64 {
	return rand.Uint64N(1<<53-1) + 1
}
