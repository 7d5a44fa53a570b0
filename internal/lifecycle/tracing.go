package lifecycle

import (
	"context"
	"log/slog"
	"time"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/tracing"
)

// OpenTracing opens the tracing of service under c (nil: off) and says
// where its spans go.
func OpenTracing(ctx context.Context, service string, c config.Tracing, log *slog.Logger) (*tracing.Provider, error) {
	tp, err := tracing.Open(ctx, service, c)
	if err != nil {
		return nil, err
	}
	if tp != nil {
		log.Info("tracing on", "endpoint", config.Redact(c.TracesURL()), "sampler", c.Sampler)
	}
	return tp, nil
}

// CloseTracing exports the spans still buffered, for at most grace.
func CloseTracing(tp *tracing.Provider, grace time.Duration, log *slog.Logger) {
	if tp == nil {
		return
	}
	if grace <= 0 {
		grace = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := tp.Shutdown(ctx); err != nil {
		log.Warn("exporting the last spans", "err", err)
	}
}
