package market

import (
	"errors"
	"testing"
)

func TestParseQuantityIsStrict(t *testing.T) {
	good := map[string]int{
		`{"quantitySold":0}`:              0,
		`{"quantitySold":5}`:              5,
		`{"quantitySold": 1000 }`:         1000,
		" {\"quantitySold\":3}\n":         3,
		`{"quantitySold":2,"note":"hey"}`: 2,
	}
	for body, want := range good {
		if got, err := parseQuantity([]byte(body)); err != nil || got != want {
			t.Errorf("%s: got %d, %v; want %d", body, got, err, want)
		}
	}
	bad := []string{
		``, `   `, `the market is closed for lunch`, `{}`, `[]`, `null`, `5`,
		`{"quantitySold":"lots"}`, `{"quantitySold":"5"}`, `{"quantitySold":-3}`, `{"quantitySold":-0}`,
		`{"quantitySold":2.5}`, `{"quantitySold":2.0}`, `{"quantitySold":1e2}`, `{"quantitySold":01}`,
		`{"quantitySold":null}`, `{"quantitySold":true}`, `{"quantitySold":4`, `{"quantitySold":1001}`,
		`{"quantitySold":99999999999999999999}`, `{"quantitySold":3}{}`, `{"quantitySold":3} x`,
		`{"quantity":3}`,
	}
	for _, body := range bad {
		if got, err := parseQuantity([]byte(body)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: got %d, %v; want ErrMalformed", body, got, err)
		}
	}
}
