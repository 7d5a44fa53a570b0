package config

import (
	"strings"
	"testing"
	"time"
)

type sample struct {
	Common
	Port  int           `env:"SAMPLE_PORT" envDefault:"3000"`
	Delay time.Duration `env:"SAMPLE_DELAY" envDefault:"1s"`
}

func TestLoadFromAppliesDefaultsAndValues(t *testing.T) {
	cfg, err := LoadFrom[sample](map[string]string{"SAMPLE_DELAY": "250ms", "REDIS_URL": "redis://r:6379/1"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Port != 3000 || cfg.Delay != 250*time.Millisecond || cfg.RedisURL != "redis://r:6379/1" || cfg.StreamPrefix != "comanda" {
		t.Errorf("got %+v", cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

func TestParseErrorsNameTheVariable(t *testing.T) {
	_, err := LoadFrom[sample](map[string]string{"SAMPLE_PORT": "three thousand", "MAX_DELIVERIES": "x"})
	if err == nil || !strings.Contains(err.Error(), "parsing SAMPLE_PORT") || !strings.Contains(err.Error(), "parsing MAX_DELIVERIES") {
		t.Errorf("got %v", err)
	}
}

func TestValidateRefusesNonsense(t *testing.T) {
	c := Common{RedisURL: "", StreamPrefix: "", ReclaimIdle: time.Millisecond, MaxDeliveries: 0}
	err := c.Validate()
	for _, want := range []string{"REDIS_URL", "STREAM_PREFIX", "RECLAIM_IDLE", "MAX_DELIVERIES"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %s", err, want)
		}
	}
}

func TestRedactHidesPasswords(t *testing.T) {
	got := Redact("postgres://app:s3cret@db:5432/orders")
	if strings.Contains(got, "s3cret") || !strings.Contains(got, "app:") {
		t.Errorf("got %s", got)
	}
	if Redact("redis://127.0.0.1:6379") != "redis://127.0.0.1:6379" {
		t.Error("URL without password changed")
	}
	// Unusual URLs hide what they may hold rather than show it.
	for _, raw := range []string{
		"mongodb://inv:s3cret@h1:27017,h2:27017,h3:27017/?replicaSet=rs0&tls=true",
		"redis://:s3cret@cache:6379/0",
		"postgres://app:s3#cret@db/orders",
		"postgres://app:s3%zzcret@db/orders",
		"postgres://db/orders?password=s3cret&sslmode=require",
		"https://market.example/buy?api_key=s3cret",
		"app:s3cret@db:5432",
		"s3cret",
	} {
		if got := Redact(raw); strings.Contains(got, "s3cret") || strings.Contains(got, "cret") {
			t.Errorf("Redact(%q) = %q: the secret shows", raw, got)
		}
	}
	if got := Redact("postgres://db/orders?password=x&sslmode=require"); !strings.Contains(got, "sslmode=require") {
		t.Errorf("a query's harmless settings hidden too: %s", got)
	}
}
