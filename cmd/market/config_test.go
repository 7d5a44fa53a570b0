package main

import (
	"strings"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/marketsim"
)

func vars(vars map[string]string) map[string]string {
	if vars == nil {
		return map[string]string{}
	}
	return vars
}

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(vars(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":3010" || cfg.Market != marketsim.DefaultConfig() {
		t.Fatalf("defaults = %+v", cfg)
	}
}

func TestLoadConfigReadsEveryVariable(t *testing.T) {
	cfg, err := loadConfig(vars(map[string]string{
		"MARKET_ADDR":           "127.0.0.1:4000",
		"MARKET_MAX":            "8",
		"MARKET_SEED":           "99",
		"MARKET_ZERO_RATE":      "0.1",
		"MARKET_ERROR_RATE":     "0.2",
		"MARKET_MALFORMED_RATE": "0.3",
		"MARKET_LATENCY":        "150ms",
		"MARKET_LATENCY_JITTER": "1s",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := marketsim.Config{MaxQuantity: 8, Seed: 99, ZeroRate: 0.1, ErrorRate: 0.2, MalformedRate: 0.3,
		Latency: 150 * time.Millisecond, LatencyJitter: time.Second}
	if cfg.Addr != "127.0.0.1:4000" || cfg.Market != want {
		t.Fatalf("config = %+v, want %+v", cfg, want)
	}
}

func TestLoadConfigRefusesBadValues(t *testing.T) {
	cases := map[string]string{
		"MARKET_MAX":            "five",
		"MARKET_SEED":           "-1",
		"MARKET_ZERO_RATE":      "often",
		"MARKET_ERROR_RATE":     "1.5",
		"MARKET_MALFORMED_RATE": "-0.1",
		"MARKET_LATENCY":        "150",
		"MARKET_LATENCY_JITTER": "-1s",
	}
	for name, value := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := loadConfig(vars(map[string]string{name: value}))
			if err == nil {
				t.Fatalf("%s=%s accepted", name, value)
			}
		})
	}
	for name, value := range map[string]string{"MARKET_MAX": "five", "MARKET_ERROR_RATE": "1.5"} {
		_, err := loadConfig(vars(map[string]string{name: value}))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Fatalf("error %v does not name %s", err, name)
		}
	}
}
