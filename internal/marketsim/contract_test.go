package marketsim

import (
	"encoding/json"
	"net/http"
	"testing"
)

func TestBuyAnswersWholeQuantityWithinMax(t *testing.T) {
	h := seeded(1, nil).Handler()
	for _, ing := range Ingredients() {
		for range 20 {
			a := buy(t, h, ing)
			if a.status != http.StatusOK {
				t.Fatalf("buy %s: status %d, body %s", ing, a.status, a.body)
			}
			if !a.wellKnown {
				t.Fatalf("buy %s: body %q breaks the contract", ing, a.body)
			}
			if a.quantity > 5 {
				t.Fatalf("buy %s: quantity %d above max 5", ing, a.quantity)
			}
		}
	}
}

func TestBuyRefusesBadIngredient(t *testing.T) {
	h := seeded(1, nil).Handler()
	cases := []struct {
		name, query, code string
	}{
		{"unknown", "?ingredient=caviar", "unknown_ingredient"},
		{"wrong case", "?ingredient=Tomato", "unknown_ingredient"},
		{"missing", "", "missing_ingredient"},
		{"empty", "?ingredient=", "missing_ingredient"},
		{"other parameter", "?name=tomato", "missing_ingredient"},
		{"twice", "?ingredient=tomato&ingredient=rice", "invalid_ingredient"},
		{"bad escape", "?ingredient=%zz", "invalid_query"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, h, http.MethodGet, BuyPath+tc.query, "")
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %s", rec.Code, rec.Body)
			}
			if got := errorCode(t, rec); got != tc.code {
				t.Fatalf("code %q, want %q", got, tc.code)
			}
		})
	}
}

func TestRefusedCallsAreNotCounted(t *testing.T) {
	s := seeded(1, nil)
	do(t, s.Handler(), http.MethodGet, BuyPath+"?ingredient=caviar", "")
	if got := s.Stats().Calls; got != 0 {
		t.Fatalf("calls = %d after a refused call, want 0", got)
	}
}

func TestRoutesAnswerJSON(t *testing.T) {
	h := seeded(1, nil).Handler()

	rec := do(t, h, http.MethodGet, "/health", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("health: status %d", rec.Code)
	}

	rec = do(t, h, http.MethodGet, "/nowhere", "")
	if rec.Code != http.StatusNotFound || errorCode(t, rec) != "not_found" {
		t.Fatalf("unknown route: status %d body %s", rec.Code, rec.Body)
	}

	rec = do(t, h, http.MethodPost, BuyPath+"?ingredient=tomato", "")
	if rec.Code != http.StatusMethodNotAllowed || errorCode(t, rec) != "method_not_allowed" {
		t.Fatalf("POST buy: status %d body %s", rec.Code, rec.Body)
	}
	if allow := rec.Header().Get("Allow"); allow == "" {
		t.Fatal("POST buy: no Allow header")
	}
}

func TestStatsRouteAndReset(t *testing.T) {
	s := seeded(1, nil)
	h := s.Handler()
	for range 10 {
		buy(t, h, "rice")
	}
	var st Stats
	rec := do(t, h, http.MethodGet, "/stats", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	if st.Calls != 10 || st.ByIngredient["rice"].Calls != 10 {
		t.Fatalf("stats = %+v, want 10 calls for rice", st)
	}
	if _, ok := st.ByIngredient["chicken"]; !ok {
		t.Fatal("stats leave out ingredients nobody asked for")
	}

	rec = do(t, h, http.MethodPost, "/stats/reset", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("reset: status %d", rec.Code)
	}
	if got := s.Stats(); got.Calls != 0 || got.UnitsSold != 0 || got.ByIngredient["rice"].Calls != 0 {
		t.Fatalf("after reset: %+v", got)
	}
}
