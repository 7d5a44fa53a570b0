package gateway

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// rawUpstream is a service that records each request's head and body byte
// for byte, as no HTTP library would show them (net/http hides Connection
// tokens, Transfer-Encoding and Trailer), and answers with the response
// given, verbatim.
type rawUpstream struct {
	url    string
	answer string

	mu    sync.Mutex
	heads []string
	body  []string
}

// upstreamAnswer is a chunked response carrying every kind of header the
// gateway must not pass on, and one it must.
const upstreamAnswer = "HTTP/1.1 200 OK\r\n" +
	"Content-Type: application/json\r\n" +
	"Transfer-Encoding: chunked\r\n" +
	"Connection: x-secret, keep-alive\r\n" +
	"X-Secret: for-the-gateway-only\r\n" +
	"Keep-Alive: timeout=5\r\n" +
	"Proxy-Authenticate: Basic realm=\"service\"\r\n" +
	"Proxy-Connection: keep-alive\r\n" +
	"Upgrade: h2c\r\n" +
	"Trailer: X-Checksum\r\n" +
	"Set-Cookie: service=1; Path=/\r\n" +
	"Set-Cookie: other=2\r\n" +
	"X-End: kept\r\n" +
	"\r\n" +
	"b\r\n{\"ok\":true}\r\n" +
	"0\r\nX-Checksum: abc\r\n\r\n"

func newRawUpstream(t *testing.T) *rawUpstream {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &rawUpstream{url: "http://" + ln.Addr().String(), answer: upstreamAnswer}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		conns  []net.Conn
		closed bool
	)
	// The gateway's client keeps idle connections open: close them, so
	// that the serving goroutines end with the test.
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		closed = true
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			if closed {
				mu.Unlock()
				conn.Close()
				return
			}
			conns = append(conns, conn)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				u.serve(t, conn)
			}()
		}
	}()
	return u
}

func (u *rawUpstream) serve(t *testing.T, conn net.Conn) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	for {
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		head, err := readHead(br)
		if err != nil {
			return
		}
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head)))
		if err != nil {
			t.Errorf("upstream could not parse %q: %v", head, err)
			return
		}
		var body []byte
		if len(req.TransferEncoding) > 0 {
			body, err = io.ReadAll(httputil.NewChunkedReader(br))
			if err == nil {
				_, err = readHead(br) // the trailer
			}
		} else if req.ContentLength > 0 {
			body = make([]byte, req.ContentLength)
			_, err = io.ReadFull(br, body)
		}
		if err != nil {
			t.Errorf("upstream reading the body of %q: %v", head, err)
			return
		}
		u.mu.Lock()
		u.heads = append(u.heads, head)
		u.body = append(u.body, string(body))
		u.mu.Unlock()
		if _, err := io.WriteString(conn, u.answer); err != nil {
			return
		}
	}
}

// received returns the heads and bodies of the requests so far.
func (u *rawUpstream) received() (heads, bodies []string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.heads...), append([]string(nil), u.body...)
}

// readHead reads up to and including the blank line that ends a head.
func readHead(br *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := br.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			return b.String(), err
		}
		if line == "\r\n" || line == "\n" {
			return b.String(), nil
		}
	}
}

// rawResponse is an answer as it came over the wire.
type rawResponse struct {
	status int
	head   string
	body   string
}

// rawCall sends request byte for byte to addr (host:port) and reads one
// response: the client normalises nothing.
func rawCall(t *testing.T, addr, request string) rawResponse {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	head, err := readHead(br)
	if err != nil {
		t.Fatalf("reading the answer to %q: %v (got %q)", request, err, head)
	}
	resp, err := http.ReadResponse(bufio.NewReader(io.MultiReader(strings.NewReader(head), br)), nil)
	if err != nil {
		t.Fatalf("parsing %q: %v", head, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body of %q: %v", head, err)
	}
	return rawResponse{status: resp.StatusCode, head: head, body: string(body)}
}

// headerValues returns the values of the header name in a raw head, in
// order, however the name is spelt.
func headerValues(head, name string) []string {
	var out []string
	for _, line := range strings.Split(head, "\r\n")[1:] {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), name) {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}

// requestLine returns the first line of a raw head.
func requestLine(head string) string {
	line, _, _ := strings.Cut(head, "\r\n")
	return line
}

// rawGet is a GET of target, with the bearer token, on a connection the
// server closes after answering.
func rawGet(host, target, token string) string {
	return "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n"
}

// rawPost is a POST of body to target, with the bearer token.
func rawPost(host, target, token, body string) string {
	return "POST " + target + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + token +
		"\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n" + body
}
