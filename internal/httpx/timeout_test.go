package httpx

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/comanda-dev/comanda/internal/invalid"
)

// A request the store does not answer within the bound is a 503 "timeout";
// a client's bad input is a 422 named after its field; no service maps
// either itself.
func TestTimeoutAndInvalidInputAreAnsweredByTheApp(t *testing.T) {
	app := New(Options{Service: "t", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	api := app.Group("/api/v1", Timeout(50*time.Millisecond))
	api.Get("/slow", func(c *fiber.Ctx) error {
		<-c.UserContext().Done() // a store waiting for its context
		return c.UserContext().Err()
	})
	api.Get("/bad", func(*fiber.Ctx) error { return &invalid.Error{Field: "limit", Message: "must be between 1 and 500"} })
	for path, want := range map[string]struct {
		status int
		code   string
	}{"/api/v1/slow": {503, "timeout"}, "/api/v1/bad": {422, "invalid_limit"}} {
		resp, err := app.Test(httptest.NewRequest("GET", path, nil), 5000)
		if err != nil {
			t.Fatal(err)
		}
		var body ErrorBody
		_ = json.NewDecoder(resp.Body).Decode(&body)
		if resp.StatusCode != want.status || body.Error.Code != want.code {
			t.Errorf("%s: %d %q, want %d %q", path, resp.StatusCode, body.Error.Code, want.status, want.code)
		}
	}
}
