package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/comanda-dev/comanda/internal/marketsim"
)

// config is everything the command reads from the environment.
type config struct {
	Addr   string
	Market marketsim.Config
}

// loadConfig reads the MARKET_* variables through lookup (os.LookupEnv in
// production), so that tests need not touch the process environment.
func loadConfig(lookup func(string) (string, bool)) (config, error) {
	cfg := config{Addr: ":3010", Market: marketsim.DefaultConfig()}
	if v, ok := lookup("MARKET_ADDR"); ok && v != "" {
		cfg.Addr = v
	}
	m := &cfg.Market
	steps := []struct {
		name  string
		parse func(string) error
	}{
		{"MARKET_MAX", intInto(&m.MaxQuantity)},
		{"MARKET_SEED", uintInto(&m.Seed)},
		{"MARKET_ZERO_RATE", floatInto(&m.ZeroRate)},
		{"MARKET_ERROR_RATE", floatInto(&m.ErrorRate)},
		{"MARKET_MALFORMED_RATE", floatInto(&m.MalformedRate)},
		{"MARKET_LATENCY", durationInto(&m.Latency)},
		{"MARKET_LATENCY_JITTER", durationInto(&m.LatencyJitter)},
	}
	for _, s := range steps {
		v, ok := lookup(s.name)
		// Set but empty counts as unset, as compose files often leave it.
		if !ok || v == "" {
			continue
		}
		if err := s.parse(v); err != nil {
			return config{}, fmt.Errorf("parsing %s: %w", s.name, err)
		}
		// The defaults and the variables before are valid, so an error here
		// is this variable's: checking each in turn lets the message name it.
		if err := cfg.Market.Validate(); err != nil {
			return config{}, fmt.Errorf("checking %s: %w", s.name, err)
		}
	}
	return cfg, nil
}

func intInto(dst *int) func(string) error {
	return func(s string) error {
		v, err := strconv.Atoi(s)
		*dst = v
		return err
	}
}

func uintInto(dst *uint64) func(string) error {
	return func(s string) error {
		v, err := strconv.ParseUint(s, 10, 64)
		*dst = v
		return err
	}
}

func floatInto(dst *float64) func(string) error {
	return func(s string) error {
		v, err := strconv.ParseFloat(s, 64)
		*dst = v
		return err
	}
}

func durationInto(dst *time.Duration) func(string) error {
	return func(s string) error {
		v, err := time.ParseDuration(s)
		*dst = v
		return err
	}
}
