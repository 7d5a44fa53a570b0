package gateway

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/comanda-dev/comanda/internal/httpx"
	"github.com/gofiber/fiber/v2"
)

// confinedRig is a gateway whose orders API is a rawUpstream, with a
// manager's token.
type confinedRig struct {
	*rig
	up    *rawUpstream
	addr  string // host:port of the gateway
	token string
}

func newConfinedRig(t *testing.T) *confinedRig {
	t.Helper()
	up := newRawUpstream(t)
	r := newRigTo(t, up.url)
	_, login := r.call(r.browser(""), "POST", "/api/login", `{"username":"manager","password":"`+password+`"}`, nil)
	token, _ := login["token"].(string)
	if token == "" {
		t.Fatalf("login gave no token: %v", login)
	}
	return &confinedRig{rig: r, up: up, addr: strings.TrimPrefix(r.base, "http://"), token: token}
}

func rawErrorCode(t *testing.T, resp rawResponse) string {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal([]byte(resp.body), &body); err != nil {
		t.Errorf("answer %d is not JSON: %q", resp.status, resp.body)
	}
	return errorCode(body)
}

func TestProxyRefusesPathsThatLeaveTheService(t *testing.T) {
	r := newConfinedRig(t)
	for _, tc := range []struct {
		name, path string
		status     int
		code       string
	}{
		{"encoded slashes", "/api/orders/..%2f..%2fmetrics", 400, "invalid_path"},
		{"dot segments", "/api/orders/../metrics", 400, "invalid_path"},
		{"encoded dot segment", "/api/orders/%2e%2e/ready", 400, "invalid_path"},
		{"encoded backslashes", "/api/orders/a/..%5c..%5cswagger", 400, "invalid_path"},
		{"NUL", "/api/orders/x%00y", 400, "invalid_path"},
		{"half-encoded dot segment", "/api/orders/.%2E/metrics", 400, "invalid_path"},
		{"single dot", "/api/orders/./orders", 400, "invalid_path"},
		{"trailing dot segment", "/api/orders/orders/..", 400, "invalid_path"},
		{"backslash", `/api/orders/..\metrics`, 400, "invalid_path"},
		{"encoded slash", "/api/orders/a%2Fb", 400, "invalid_path"},
		{"line feed", "/api/orders/x%0Ay", 400, "invalid_path"},
		{"malformed escape", "/api/orders/%zz", 400, "invalid_path"},
		{"dot segment for the service", "/api/../metrics", 400, "invalid_path"},
		{"encoded slash in the service", "/api/orders%2f..%2f..%2fmetrics", 400, "invalid_path"},
		{"unknown service", "/api/nope/x", 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := rawCall(t, r.addr, rawGet(r.addr, tc.path, r.token))
			if code := rawErrorCode(t, resp); resp.status != tc.status || code != tc.code {
				t.Errorf("%s answered %d %q, want %d %s", tc.path, resp.status, resp.body, tc.status, tc.code)
			}
			if heads, _ := r.up.received(); len(heads) != 0 {
				t.Errorf("%s reached the service: %q", tc.path, heads)
			}
		})
	}
}

func TestProxyForwardsTheCleanedPath(t *testing.T) {
	r := newConfinedRig(t)
	for _, tc := range []struct {
		name, method, path, want string
	}{
		{"read with a query", "GET", "/api/orders/orders?limit=5", "GET /api/v1/orders?limit=5 HTTP/1.1"},
		{"write", "POST", "/api/orders/orders", "POST /api/v1/orders HTTP/1.1"},
		{"escapes decoded once", "GET", "/api/orders/menu%20items/%252e%252e?q=a%2Fb", "GET /api/v1/menu%20items/%252e%252e?q=a%2Fb HTTP/1.1"},
		{"only what must be escaped", "GET", "/api/orders/tickets/abc%3A1/%7Eme%3F", "GET /api/v1/tickets/abc:1/~me%3F HTTP/1.1"},
		{"empty segments", "GET", "/api/orders//orders/", "GET /api/v1/orders HTTP/1.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := r.up.received()
			req := rawGet(r.addr, tc.path, r.token)
			if tc.method == "POST" {
				req = rawPost(r.addr, tc.path, r.token, `{"quantity":2}`)
			}
			if resp := rawCall(t, r.addr, req); resp.status != 200 || resp.body != `{"ok":true}` {
				t.Fatalf("%s %s answered %d %q", tc.method, tc.path, resp.status, resp.body)
			}
			heads, bodies := r.up.received()
			if len(heads) != len(before)+1 {
				t.Fatalf("the service got %d requests, want 1", len(heads)-len(before))
			}
			if got := requestLine(heads[len(heads)-1]); got != tc.want {
				t.Errorf("the service got %q, want %q", got, tc.want)
			}
			if tc.method == "POST" && bodies[len(bodies)-1] != `{"quantity":2}` {
				t.Errorf("the service got the body %q", bodies[len(bodies)-1])
			}
		})
	}
}

func TestProxyCarriesOnlyEndToEndHeaders(t *testing.T) {
	r := newConfinedRig(t)
	body := `{"quantity":2}`
	req := "POST /api/orders/orders HTTP/1.1\r\n" +
		"Host: " + r.addr + "\r\n" +
		"Authorization: Bearer " + r.token + "\r\n" +
		"Content-Type: application/json\r\n" +
		"Connection: X-Hop, Keep-Alive\r\n" +
		"X-Hop: for-the-gateway-only\r\n" +
		"Keep-Alive: timeout=300\r\n" +
		"TE: trailers\r\n" +
		"Upgrade: h2c\r\n" +
		"Proxy-Authorization: Basic Zm9vOmJhcg==\r\n" +
		"Proxy-Connection: keep-alive\r\n" +
		"X-Forwarded-For: 203.0.113.9\r\n" +
		"X-Forwarded-Host: evil.example\r\n" +
		"X-Forwarded-Proto: https\r\n" +
		"Forwarded: for=203.0.113.9;host=evil.example\r\n" +
		"Cookie: other=1\r\n" +
		"X-End: kept\r\n" +
		"Transfer-Encoding: chunked\r\n" +
		"\r\n" +
		"e\r\n" + body + "\r\n0\r\n\r\n"
	resp := rawCall(t, r.addr, req)
	if resp.status != 200 || resp.body != `{"ok":true}` {
		t.Fatalf("answered %d %q", resp.status, resp.body)
	}

	heads, bodies := r.up.received()
	if len(heads) != 1 {
		t.Fatalf("the service got %d requests, want 1", len(heads))
	}
	sent := heads[0]
	for _, name := range []string{
		"Connection", "X-Hop", "Keep-Alive", "TE", "Upgrade", "Trailer", "Transfer-Encoding",
		"Proxy-Authorization", "Proxy-Connection",
		"X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded", "Cookie",
	} {
		if v := headerValues(sent, name); v != nil {
			t.Errorf("the service got %s: %q", name, v)
		}
	}
	if v := headerValues(sent, "X-End"); len(v) != 1 || v[0] != "kept" {
		t.Errorf("the service got X-End %q, want kept", v)
	}
	if v := headerValues(sent, "Authorization"); len(v) != 1 || v[0] != "Bearer "+r.token {
		t.Errorf("the service got Authorization %q", v)
	}
	if bodies[0] != body {
		t.Errorf("the service got the body %q, want %q", bodies[0], body)
	}

	for _, name := range []string{
		"X-Secret", "Keep-Alive", "Proxy-Authenticate", "Proxy-Connection", "Upgrade", "Trailer",
		"Transfer-Encoding", "Set-Cookie",
	} {
		if v := headerValues(resp.head, name); v != nil {
			t.Errorf("the client got %s: %q", name, v)
		}
	}
	// The gateway's own server may speak of its connection to the client,
	// never of the service's.
	for _, v := range headerValues(resp.head, "Connection") {
		if !strings.EqualFold(v, "close") && !strings.EqualFold(v, "keep-alive") {
			t.Errorf("the client got Connection: %s", v)
		}
	}
	if v := headerValues(resp.head, "X-End"); len(v) != 1 || v[0] != "kept" {
		t.Errorf("the client got X-End %q, want kept", v)
	}
}

func TestProxyWritesCheckTheOriginAgainstHost(t *testing.T) {
	r := newConfinedRig(t)
	script := &http.Client{}
	forwarded := http.Header{
		"Authorization":     {"Bearer " + r.token},
		"X-Forwarded-Host":  {"evil.example"},
		"X-Forwarded-Proto": {"http"},
	}
	evil := forwarded.Clone()
	evil.Set("Origin", "http://evil.example")
	if status, body := r.call(script, "POST", "/api/orders/orders", `{}`, evil); status != 403 || errorCode(body) != "cross_origin" {
		t.Errorf("a write from another site naming itself in X-Forwarded-Host: %d %v", status, body)
	}
	if heads, _ := r.up.received(); len(heads) != 0 {
		t.Errorf("the refused write reached the service: %q", heads)
	}
	own := forwarded.Clone()
	own.Set("Origin", r.base) // the Host the client connects to
	if status, body := r.call(script, "POST", "/api/orders/orders", `{}`, own); status != 200 {
		t.Errorf("a write from this site: %d %v", status, body)
	}
	if heads, _ := r.up.received(); len(heads) != 1 {
		t.Errorf("the service got %d writes, want 1", len(heads))
	}
}

func TestSameSite(t *testing.T) {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.All("/", func(c *fiber.Ctx) error {
		if httpx.SameSite(c) {
			return c.SendStatus(http.StatusNoContent)
		}
		return c.SendStatus(http.StatusForbidden)
	})
	for _, tc := range []struct {
		name, host, origin, forwardedHost string
		same                              bool
	}{
		{"no origin", "gateway.example", "", "", true},
		{"the host", "gateway.example", "https://gateway.example", "", true},
		{"the host and port", "gateway.example:8080", "http://gateway.example:8080", "", true},
		{"the host in other case", "gateway.example:8080", "HTTP://Gateway.EXAMPLE:8080", "", true},
		{"the host behind a proxy naming another", "gateway.example", "https://gateway.example", "cdn.example", true},
		{"another host", "gateway.example", "https://evil.example", "", false},
		{"another host named as forwarded", "gateway.example", "https://evil.example", "evil.example", false},
		{"another port", "gateway.example:8080", "http://gateway.example:9090", "", false},
		{"a port the host lacks", "gateway.example", "http://gateway.example:8080", "", false},
		{"a longer name", "gateway.example", "https://gateway.example.evil", "", false},
		{"null", "gateway.example", "null", "", false},
		{"with a path", "gateway.example", "https://gateway.example/x", "", false},
		{"with user info", "gateway.example", "https://u@gateway.example", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/", nil)
			req.Host = tc.host
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			if tc.forwardedHost != "" {
				req.Header.Set("X-Forwarded-Host", tc.forwardedHost)
			}
			resp, err := app.Test(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.StatusCode == http.StatusNoContent; got != tc.same {
				t.Errorf("Origin %q at Host %q: sameSite = %v, want %v", tc.origin, tc.host, got, tc.same)
			}
		})
	}
}
