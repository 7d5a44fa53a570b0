package tracing

import (
	"context"
	"testing"

	"github.com/comanda-dev/comanda/internal/config"
)

func TestOffWithoutEndpoint(t *testing.T) {
	for name, s := range map[string]config.Tracing{
		"no endpoint": {},
		"disabled":    {OTLPEndpoint: "http://127.0.0.1:4318", SDKDisabled: true},
	} {
		p, err := Open(context.Background(), "test-app", s)
		if err != nil || p != nil {
			t.Errorf("%s: got %v, %v; want tracing off", name, p, err)
		}
		if p.Tracer() != nil || p.Shutdown(context.Background()) != nil {
			t.Errorf("%s: an off provider has a tracer or fails to shut down", name)
		}
	}
}

func TestRefusesGRPC(t *testing.T) {
	if _, err := Open(context.Background(), "test-app", config.Tracing{OTLPEndpoint: "http://127.0.0.1:4317", OTLPProtocol: "grpc"}); err == nil {
		t.Error("the grpc protocol was accepted")
	}
}
