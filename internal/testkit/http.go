package testkit

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// largeBody is the size from which Do sends a body as curl does.
const largeBody = 1 << 20

// Do sends a request with body ("" for none) and header (nil for none)
// through the default client and returns the response's status and body,
// failing the test when no response comes.
//
// A body over 1 MiB waits for the server's go-ahead (Expect: 100-continue),
// as curl's does, so that a refusal arrives as an answer rather than a reset
// connection; and, as a loaded machine may send the body before the refusal
// arrives, so that the server closes a connection still being written to,
// such a request is tried up to three times.
func Do(t testing.TB, method, url, body string, header http.Header) (int, []byte) {
	t.Helper()
	client := http.DefaultClient
	attempts := 1
	if len(body) > largeBody {
		tr := &http.Transport{ExpectContinueTimeout: 5 * time.Second}
		defer tr.CloseIdleConnections()
		client, attempts = &http.Client{Transport: tr}, 3
	}
	var resp *http.Response
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			req.Header[k] = v
		}
		if len(body) > largeBody {
			req.Header.Set("Expect", "100-continue")
		}
		resp, err = client.Do(req)
		if err == nil {
			break
		}
		if attempt == attempts {
			t.Fatalf("%s %s: %v", method, url, err)
		}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// GetJSON GETs url and decodes the answer into v, failing the test unless
// the answer is a 200 with JSON that fits v.
func GetJSON(t testing.TB, url string, v any) {
	t.Helper()
	status, b := Do(t, "GET", url, "", nil)
	if status != 200 {
		t.Fatalf("GET %s: %d %s", url, status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
