package app

import (
	"maps"
	"strings"
	"testing"

	"github.com/comanda-dev/comanda/internal/auth"
	"github.com/comanda-dev/comanda/internal/config"
)

func TestProductionRefusesUnsafeSettings(t *testing.T) {
	pair, err := auth.GenerateKeyPair("k1")
	if err != nil {
		t.Fatal(err)
	}
	prod := func(extra map[string]string) map[string]string {
		v := map[string]string{"APP_ENV": "production", "AUTH_PRIVATE_KEY": pair.Private, "MANAGER_PASSWORD": "a-long-password"}
		maps.Copy(v, extra)
		for k, val := range extra {
			if val == "-" {
				delete(v, k)
			}
		}
		return v
	}
	cases := map[string]struct {
		vars map[string]string
		want string
	}{
		"no signing key":                  {prod(map[string]string{"AUTH_PRIVATE_KEY": "-"}), "AUTH_PRIVATE_KEY"},
		"unreadable key":                  {prod(map[string]string{"AUTH_PRIVATE_KEY": "short"}), "AUTH_PRIVATE_KEY"},
		"a public key, not a private one": {prod(map[string]string{"AUTH_PRIVATE_KEY": strings.TrimPrefix(pair.Public, "k1=")}), "AUTH_PRIVATE_KEY"},
		"bad further keys":                {prod(map[string]string{"AUTH_PUBLIC_KEYS": "k0=nonsense"}), "AUTH_PUBLIC_KEYS"},
		"bad key id":                      {prod(map[string]string{"AUTH_KEY_ID": "a b"}), "AUTH_KEY_ID"},
		"no password":                     {prod(map[string]string{"MANAGER_PASSWORD": "-"}), "MANAGER_PASSWORD"},
		"weak password":                   {prod(map[string]string{"MANAGER_PASSWORD": "1234"}), "MANAGER_PASSWORD"},
		"checks disabled":                 {prod(map[string]string{"AUTH_DISABLED": "true"}), "AUTH_DISABLED"},
		"sessions of a week":              {prod(map[string]string{"SESSION_TTL": "168h"}), "SESSION_TTL"},
		"bad trusted proxies":             {prod(map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8,alb"}), "TRUSTED_PROXIES"},
		"unknown env":                     {map[string]string{"APP_ENV": "staging"}, "APP_ENV"},
		"dev, no signing key":             {map[string]string{"MANAGER_PASSWORD": "x"}, "AUTH_PRIVATE_KEY"},
		"bad upstream URL":                {map[string]string{"AUTH_DISABLED": "true", "ORDERS_URL": "orders:3000"}, "ORDERS_URL"},
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
	ok, _ := config.LoadFrom[Config](prod(map[string]string{"MANAGER_PASSWORD": "-", "MANAGER_PASSWORD_HASH": "$2a$10$abcdefghijklmnopqrstuuJ0cXJd6vYvS8Ue8yG6gkR0t3D4zC1e", "TRUSTED_PROXIES": "10.0.0.0/16, 10.1.2.3"}))
	if err := ok.Validate(); err != nil {
		t.Errorf("a complete production configuration: %v", err)
	}
}
