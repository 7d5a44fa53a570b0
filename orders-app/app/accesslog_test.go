package app_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/testkit"
)

// A service logs every request with the id the gateway gave it, and
// answers that id; probes stay out of the access log.
func TestTheAccessLogCarriesTheGatewaysRequestID(t *testing.T) {
	cfg, _ := backends[1].start(t)
	log, logs := testkit.Logger()
	base := serve(t, cfg, log)
	req, _ := http.NewRequest("GET", base+"/api/v1/orders/nope", nil)
	req.Header.Set("X-Request-ID", "gw-4711")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 || resp.Header.Get("X-Request-ID") != "gw-4711" {
		t.Errorf("answered %d with request id %q, want 404 with gw-4711", resp.StatusCode, resp.Header.Get("X-Request-ID"))
	}
	testkit.Do(t, "GET", base+"/health", "", nil)
	testkit.Eventually(t, "the access log names the request", 5*time.Second, func() bool {
		out := logs.String()
		return strings.Contains(out, "requestId=gw-4711") && strings.Contains(out, "status=404") && strings.Contains(out, "path=/api/v1/orders/nope")
	})
	if strings.Contains(logs.String(), "path=/health") {
		t.Errorf("a probe reached the access log")
	}
}
