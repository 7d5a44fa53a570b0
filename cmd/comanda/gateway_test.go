package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"

	"github.com/comanda-dev/comanda/internal/marketsim"
)

// The manager's path: log in at the gateway, order through it, and watch the
// dishes arrive on the live feed it relays.
func TestManagerThroughTheGateway(t *testing.T) {
	h := startSystem(t, setup{market: marketsim.Config{MaxQuantity: 5, Seed: 42}, tune: func(c *Config) {
		c.Web.ManagerPassword = "a-password-for-the-test"
	}})
	h.token = "" // only what the gateway hands out from here on
	anon := &http.Client{}
	if status := h.gateway(anon, "GET", "/api/orders/orders/stats", "", nil); status != 401 {
		t.Errorf("API without a session: %d", status)
	}
	if status := h.gateway(anon, "POST", "/api/login", `{"username":"manager","password":"wrong"}`, nil); status != 401 {
		t.Errorf("wrong password: %d", status)
	}
	var login struct{ Token string }
	if status := h.gateway(anon, "POST", "/api/login", `{"username":"manager","password":"a-password-for-the-test"}`, &login); status != 200 || login.Token == "" {
		t.Fatalf("login: %d", status)
	}
	bearer := http.Header{"Authorization": {"Bearer " + login.Token}}

	ws := strings.Replace(h.web, "http", "ws", 1) + "/ws"
	conn, _, err := fws.DefaultDialer.Dial(ws, bearer)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var m struct {
		Type   string
		Counts struct{ Placed, Delivered int }
	}
	readFeed(t, conn, &m)
	if m.Type != "snapshot" || m.Counts.Placed != 0 {
		t.Fatalf("first message: %+v", m)
	}
	if status := h.gateway(&http.Client{}, "POST", "/api/orders/orders", `{"quantity":20}`, nil, bearer); status != 202 {
		t.Fatalf("ordering through the gateway: %d", status)
	}
	for m.Counts.Delivered < 20 {
		readFeed(t, conn, &m)
	}
	if m.Type != "events" || m.Counts.Placed != 20 {
		t.Errorf("last frame: %+v", m)
	}
}

func readFeed(t *testing.T, conn *fws.Conn, v any) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, data, err := conn.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

// gateway calls the web gateway and returns the status.
func (h *harness) gateway(c *http.Client, method, path, body string, out any, headers ...http.Header) int {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.web+path, strings.NewReader(body))
	for _, hd := range headers {
		for k, v := range hd {
			req.Header[k] = v
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}
