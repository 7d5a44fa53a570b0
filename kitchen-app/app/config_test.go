package app_test

import (
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/kitchen-app/app"
)

var kitchenVars = []string{
	"KITCHEN_ADDR", "DATABASE_URL", "KITCHEN_DB_SCHEMA", "KITCHEN_DB_MAX_CONNS", "COOKS", "COOK_TIME",
	"KITCHEN_RANDOM_SEED", "REQUEST_TIMEOUT", "RECLAIM_IDLE",
}

// setEnv sets vars and unsets every other kitchen variable, for this test.
func setEnv(t *testing.T, vars map[string]string) {
	for _, name := range kitchenVars {
		t.Setenv(name, "") // restores the old value afterwards
		if err := os.Unsetenv(name); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range vars {
		t.Setenv(k, v)
	}
}

func TestConfigDefaults(t *testing.T) {
	setEnv(t, nil)
	cfg, err := app.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":3001" || cfg.DatabaseURL != "" || cfg.DatabaseSchema != "kitchen" || cfg.DatabaseMaxConns != 16 ||
		cfg.Cooks != 64 || cfg.CookTime != 20*time.Millisecond || cfg.RandomSeed != 0 || cfg.RequestTimeout != 15*time.Second {
		t.Errorf("defaults: %+v", cfg)
	}
}

func TestConfigRejectsBadSettings(t *testing.T) {
	for name, c := range map[string]struct {
		vars map[string]string
		want string
	}{
		"no cooks":                  {map[string]string{"COOKS": "0"}, "COOKS"},
		"negative cook time":        {map[string]string{"COOK_TIME": "-1s"}, "COOK_TIME"},
		"cooking outlasts reclaim":  {map[string]string{"COOK_TIME": "1m", "RECLAIM_IDLE": "30s"}, "COOK_TIME"},
		"no pool":                   {map[string]string{"DATABASE_URL": "postgres://db/k", "KITCHEN_DB_MAX_CONNS": "0"}, "KITCHEN_DB_MAX_CONNS"},
		"no request timeout":        {map[string]string{"REQUEST_TIMEOUT": "0s"}, "REQUEST_TIMEOUT"},
		"seed that is not a number": {map[string]string{"KITCHEN_RANDOM_SEED": "lucky"}, "RandomSeed|KITCHEN_RANDOM_SEED"},
	} {
		t.Run(name, func(t *testing.T) {
			setEnv(t, c.vars)
			_, err := app.LoadConfig()
			if err == nil {
				t.Fatal("accepted")
			}
			if !containsAny(err.Error(), strings.Split(c.want, "|")) {
				t.Errorf("error %q does not name %s", err, c.want)
			}
		})
	}
}

func TestConfigNeedsAnAddress(t *testing.T) {
	setEnv(t, nil)
	cfg, err := app.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = "" // the environment cannot say this: an empty variable means the default
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "KITCHEN_ADDR") {
		t.Errorf("got %v, want KITCHEN_ADDR is required", err)
	}
}

func TestConfigLogMasksSecrets(t *testing.T) {
	setEnv(t, map[string]string{"DATABASE_URL": "postgres://kitchen:s3cret@db:5432/comanda", "KITCHEN_RANDOM_SEED": "42"})
	cfg, err := app.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("start", "config", cfg)
	if strings.Contains(b.String(), "s3cret") || !strings.Contains(b.String(), `"randomSeed":42`) {
		t.Errorf("log line %s", b.String())
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
