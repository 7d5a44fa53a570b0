package app

import (
	"strings"
	"testing"

	"github.com/comanda-dev/comanda/internal/config"
)

func TestProductionRefusesUnsafeSettings(t *testing.T) {
	cases := map[string]struct {
		vars map[string]string
		want string
	}{
		"no secret":        {map[string]string{"APP_ENV": "production", "MANAGER_PASSWORD": "a-long-password"}, "AUTH_SECRET"},
		"short secret":     {map[string]string{"APP_ENV": "production", "AUTH_SECRET": "short", "MANAGER_PASSWORD": "a-long-password"}, "AUTH_SECRET"},
		"no password":      {map[string]string{"APP_ENV": "production", "AUTH_SECRET": strings.Repeat("s", 40)}, "MANAGER_PASSWORD"},
		"weak password":    {map[string]string{"APP_ENV": "production", "AUTH_SECRET": strings.Repeat("s", 40), "MANAGER_PASSWORD": "1234"}, "MANAGER_PASSWORD"},
		"checks disabled":  {map[string]string{"APP_ENV": "production", "AUTH_SECRET": strings.Repeat("s", 40), "MANAGER_PASSWORD": "a-long-password", "AUTH_DISABLED": "true"}, "AUTH_DISABLED"},
		"unknown env":      {map[string]string{"APP_ENV": "staging"}, "APP_ENV"},
		"dev, no secret":   {map[string]string{"MANAGER_PASSWORD": "x"}, "AUTH_SECRET"},
		"bad upstream URL": {map[string]string{"AUTH_DISABLED": "true", "ORDERS_URL": "orders:3000"}, "ORDERS_URL"},
	}
	for name, c := range cases {
		cfg, err := config.LoadFrom[Config](c.vars)
		if err != nil {
			t.Fatal(err)
		}
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error about %s", name, err, c.want)
		}
	}
	ok, _ := config.LoadFrom[Config](map[string]string{"APP_ENV": "production", "AUTH_SECRET": strings.Repeat("s", 40), "MANAGER_PASSWORD_HASH": "$2a$10$abcdefghijklmnopqrstuuJ0cXJd6vYvS8Ue8yG6gkR0t3D4zC1e"})
	if err := ok.Validate(); err != nil {
		t.Errorf("a complete production configuration: %v", err)
	}
}
