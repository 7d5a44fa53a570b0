// Command healthcheck probes a service's liveness endpoint on the loopback
// interface and exits 0 when it answers 2xx, 1 otherwise. The runtime images
// are distroless (no shell, no curl), so the Dockerfile HEALTHCHECK, the
// docker-compose healthchecks and the ECS container health checks all run
// this binary, which every image carries as /healthcheck:
//
//	healthcheck PORT [PATH]    PATH defaults to /health
//
// It never exits 2: Docker reserves that code.
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// timeout stays below the shortest probe timeout used anywhere (3s), so the
// probe reports a slow service itself instead of being killed.
const timeout = 2500 * time.Millisecond

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stderr))
}

// run probes and returns the exit code; problems go to stderr, which Docker
// and ECS keep as the health check's output.
//
// It speaks just enough HTTP/1.1 over a raw connection (one GET, read the
// status line) rather than using net/http, which would triple the size of a
// binary that every image carries.
func run(ctx context.Context, args []string, stderr io.Writer) int {
	port, path, err := target(args)
	if err != nil {
		fmt.Fprintf(stderr, "healthcheck: %v\nusage: healthcheck PORT [PATH]\n", err)
		return 1
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	url := "http://" + addr + path
	status, err := get(ctx, addr, path)
	if err != nil {
		fmt.Fprintf(stderr, "healthcheck: GET %s: %v\n", url, err)
		return 1
	}
	if status < 200 || status > 299 {
		fmt.Fprintf(stderr, "healthcheck: GET %s: status %d\n", url, status)
		return 1
	}
	return 0
}

// get sends one GET and returns the response's status code.
func get(ctx context.Context, addr, path string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return 0, err
	}
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: comanda-healthcheck\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		return 0, err
	}
	line, err := bufio.NewReaderSize(conn, 512).ReadString('\n')
	if err != nil {
		return 0, fmt.Errorf("reading the status line: %w", err)
	}
	// HTTP/1.1 200 OK
	proto, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	code, _, _ := strings.Cut(rest, " ")
	status, err := strconv.Atoi(code)
	if !strings.HasPrefix(proto, "HTTP/1.") || err != nil || status < 100 || status > 999 {
		return 0, fmt.Errorf("not an HTTP response: %q", line)
	}
	return status, nil
}

// target reads the port and the path from the arguments.
func target(args []string) (int, string, error) {
	if len(args) < 1 || len(args) > 2 {
		return 0, "", fmt.Errorf("want 1 or 2 arguments, got %d", len(args))
	}
	port, err := strconv.Atoi(args[0])
	if err != nil || port < 1 || port > 65535 {
		return 0, "", fmt.Errorf("port must be a number between 1 and 65535, got %q", args[0])
	}
	path := "/health"
	if len(args) == 2 {
		path = args[1]
	}
	if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n") {
		return 0, "", fmt.Errorf("path must start with / and hold no spaces or line breaks, got %q", path)
	}
	return port, path, nil
}
