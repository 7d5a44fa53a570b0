package testkit

import (
	"bytes"
	"log/slog"
	"sync"
)

// Logs collects what a logger, or a child process's output, writes from
// other goroutines, for a test that reads its lines.
type Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Logger returns a text logger that writes into a new Logs.
func Logger() (*slog.Logger, *Logs) {
	l := &Logs{}
	return slog.New(slog.NewTextHandler(l, nil)), l
}

func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is everything written so far.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
