package lifecycle_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/comanda-dev/comanda/internal/fault"
	"github.com/comanda-dev/comanda/internal/lifecycle"
)

func TestAwaitWaitsForWhatIsComingUpAndNotForWhatIsWrong(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	calls := 0
	v, err := lifecycle.Await(context.Background(), log, "store", func(context.Context) (int, error) {
		calls++
		if calls < 3 {
			return 0, fault.Unavailable(errors.New("connection refused"))
		}
		return 42, nil
	})
	if err != nil || v != 42 || calls != 3 {
		t.Errorf("coming up: %d, %v after %d calls; want 42 after 3", v, err, calls)
	}

	calls = 0
	_, err = lifecycle.Await(context.Background(), log, "store", func(context.Context) (int, error) {
		calls++
		return 0, &pgconn.PgError{Code: "28P01", Message: "password authentication failed"}
	})
	if err == nil || calls != 1 {
		t.Errorf("refused credentials: %v after %d calls; want the error at once", err, calls)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := lifecycle.Await(ctx, log, "store", func(context.Context) (int, error) {
		return 0, fault.Unavailable(errors.New("connection refused"))
	}); err == nil {
		t.Error("a cancelled start still waits")
	}
}
