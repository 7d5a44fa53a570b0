package app

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/config"
)

func TestDefaultsAreValid(t *testing.T) {
	cfg, err := config.Load[Config]()
	if err != nil {
		t.Fatal(err)
	}
	cfg.RedisURL, cfg.Environment, cfg.AuthDisabled = "redis://x:6379/0", "development", false
	if err := cfg.Validate(); err != nil {
		t.Fatalf("defaults refused: %v", err)
	}
	if cfg.Addr != ":3002" || cfg.MarketConcurrency != 256 || cfg.MarketConcurrencyFloor != 1 || cfg.MarketConcurrencyInitial != 4 || cfg.MarketCallsPerIngredient != 32 || cfg.MarketTimeout != 2*time.Second || cfg.InitialStock != 5 ||
		cfg.MarketRetryMin != 10*time.Millisecond || cfg.MarketRetryMax != time.Second || cfg.MarketBreakerFailures != 5 ||
		cfg.MarketBreakerCooldown != 5*time.Second || cfg.MongoDatabase != "comanda_inventory" ||
		cfg.LeaderLease != 8*time.Second || cfg.LeaderRenew != 2*time.Second || cfg.LeaderPoll != time.Second {
		t.Errorf("defaults %+v", cfg)
	}
}

func TestValidateNamesEveryBadSetting(t *testing.T) {
	cfg := Config{
		Common:   config.Common{RedisURL: "redis://x", StreamPrefix: "c", ReclaimIdle: time.Second, MaxDeliveries: 5},
		MongoURL: "mongodb://x", MarketURL: "ftp://market", MarketRetryMin: time.Second, MarketRetryMax: time.Millisecond,
		InitialStock: -1, LeaderLease: 8 * time.Second, LeaderRenew: 4 * time.Second,
	}
	err := cfg.Validate()
	for _, name := range []string{"INVENTORY_ADDR", "MONGO_DATABASE", "MARKET_URL", "MARKET_TIMEOUT", "MARKET_CONCURRENCY",
		"MARKET_RETRY_MAX", "MARKET_BREAKER_FAILURES", "MARKET_BREAKER_COOLDOWN", "INITIAL_STOCK", "REQUEST_TIMEOUT", "LEADER_RENEW"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v does not name %s", err, name)
		}
	}
}

func TestLogValueMasksSecrets(t *testing.T) {
	cfg := Config{MongoURL: "mongodb://app:s3cret@db:27017/?replicaSet=rs0", MarketURL: "https://u:hunter2@market/buy"}
	cfg.RedisURL = "redis://:redispw@cache:6379/0"
	out := fmt.Sprint(slog.AnyValue(cfg).Resolve())
	for _, secret := range []string{"s3cret", "hunter2", "redispw"} {
		if strings.Contains(out, secret) {
			t.Errorf("log value shows %s: %s", secret, out)
		}
	}
}
