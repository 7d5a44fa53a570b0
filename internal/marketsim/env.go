package marketsim

import (
	"errors"
	"fmt"
	"time"
)

// Env is the simulator's configuration as environment variables, shared by
// cmd/market and the all-in-one runner (loaded with internal/config).
type Env struct {
	MaxQuantity   int           `env:"MARKET_MAX" envDefault:"5"`
	Seed          uint64        `env:"MARKET_SEED" envDefault:"0"`
	ZeroRate      float64       `env:"MARKET_ZERO_RATE" envDefault:"0"`
	ErrorRate     float64       `env:"MARKET_ERROR_RATE" envDefault:"0"`
	MalformedRate float64       `env:"MARKET_MALFORMED_RATE" envDefault:"0"`
	Latency       time.Duration `env:"MARKET_LATENCY" envDefault:"0s"`
	LatencyJitter time.Duration `env:"MARKET_LATENCY_JITTER" envDefault:"0s"`
	Capacity      int           `env:"MARKET_CAPACITY" envDefault:"0"`
	RetryAfter    time.Duration `env:"MARKET_RETRY_AFTER" envDefault:"0s"`
}

// Config checks the settings, naming the variable at fault, and returns them
// as a Config.
func (e Env) Config() (Config, error) {
	var errs []error
	if e.MaxQuantity < 0 || e.MaxQuantity > MaxQuantityLimit {
		errs = append(errs, fmt.Errorf("MARKET_MAX must be between 0 and %d, got %d", MaxQuantityLimit, e.MaxQuantity))
	}
	for name, v := range map[string]float64{"MARKET_ZERO_RATE": e.ZeroRate, "MARKET_ERROR_RATE": e.ErrorRate, "MARKET_MALFORMED_RATE": e.MalformedRate} {
		if v < 0 || v > 1 {
			errs = append(errs, fmt.Errorf("%s must be between 0 and 1, got %v", name, v))
		}
	}
	for name, v := range map[string]time.Duration{"MARKET_LATENCY": e.Latency, "MARKET_LATENCY_JITTER": e.LatencyJitter} {
		if v < 0 {
			errs = append(errs, fmt.Errorf("%s must not be negative, got %s", name, v))
		}
	}
	if e.Capacity < 0 || e.Capacity > MaxCapacity {
		errs = append(errs, fmt.Errorf("MARKET_CAPACITY must be between 0 (unlimited) and %d, got %d", MaxCapacity, e.Capacity))
	}
	if e.RetryAfter < 0 || e.RetryAfter > MaxRetryAfter {
		errs = append(errs, fmt.Errorf("MARKET_RETRY_AFTER must be between 0s and %s, got %s", MaxRetryAfter, e.RetryAfter))
	}
	c := Config{
		MaxQuantity: e.MaxQuantity, Seed: e.Seed, ZeroRate: e.ZeroRate, ErrorRate: e.ErrorRate,
		MalformedRate: e.MalformedRate, Latency: e.Latency, LatencyJitter: e.LatencyJitter,
		Capacity: e.Capacity, RetryAfter: e.RetryAfter,
	}
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	return c, c.Validate()
}
