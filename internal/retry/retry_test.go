package retry_test

import (
	"context"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/retry"
)

func TestBackoffGrowsWithinItsBounds(t *testing.T) {
	base, most := 10*time.Millisecond, 80*time.Millisecond
	for n := 1; n <= 10; n++ {
		want := min(base<<(n-1), most)
		for range 100 {
			if d := retry.Backoff(n, base, most); d < want/2 || d > want {
				t.Fatalf("attempt %d waits %s, want between %s and %s", n, d, want/2, want)
			}
		}
	}
}

func TestSleepEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if retry.Sleep(ctx, time.Hour) {
		t.Error("a cancelled sleep reports it slept")
	}
	if !retry.Sleep(context.Background(), time.Millisecond) {
		t.Error("a sleep that elapsed reports it did not")
	}
}
