package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// streamResult is the stream layer's Go benchmark on one backend.
type streamResult struct {
	Backend       string  `json:"backend"`
	Messages      int     `json:"messages"`
	MsgsPerSecond float64 `json:"msgsPerSecond"`
}

// runStreamBench runs BenchmarkStream in internal/stream for a fixed number
// of messages, so that runs compare, and returns its figures; the output
// goes to out as it comes.
func runStreamBench(ctx context.Context, root string, messages int, out io.Writer) ([]streamResult, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^BenchmarkStream$",
		"-benchtime", strconv.Itoa(messages)+"x", "-count", "1", "./internal/stream/")
	cmd.Dir = root
	var buf bytes.Buffer
	cmd.Stdout = io.MultiWriter(&buf, out)
	cmd.Stderr = io.MultiWriter(&buf, out)
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go test -bench BenchmarkStream: %w\n%s", err, lastLines(buf.String(), 20))
	}
	res := parseStreamBench(buf.String())
	if len(res) == 0 {
		return nil, fmt.Errorf("go test -bench BenchmarkStream printed no msgs/s:\n%s", lastLines(buf.String(), 20))
	}
	return res, nil
}

// benchLine matches a result line such as
// "BenchmarkStream/redis-2   50000   26639 ns/op   37538 msgs/s".
var benchLine = regexp.MustCompile(`^BenchmarkStream/(\w+?)(?:-\d+)?\s+(\d+)\s.*?\s([\d.]+(?:e[+-]?\d+)?) msgs/s`)

func parseStreamBench(output string) []streamResult {
	var out []streamResult
	for _, line := range strings.Split(output, "\n") {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			continue
		}
		out = append(out, streamResult{Backend: m[1], Messages: n, MsgsPerSecond: v})
	}
	return out
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}
