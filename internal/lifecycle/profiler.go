package lifecycle

import (
	"log/slog"
	"net/http"
	"net/http/pprof"
	"time"
)

// ServeProfiler serves Go's profiler (net/http/pprof) at addr, on a mux of
// its own, when addr is set (PPROF_ADDR). It is for an operator measuring a
// service: bind it to loopback or keep it off the network.
func ServeProfiler(addr string, log *slog.Logger) {
	if addr == "" {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go func() {
		srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		log.Warn("serving the profiler", "addr", addr, "err", srv.ListenAndServe())
	}()
}
