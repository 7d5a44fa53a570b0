package fault_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/fault"
)

type labelled struct{ label string }

func (l labelled) Error() string               { return "mongo: " + l.label }
func (l labelled) HasErrorLabel(s string) bool { return s == l.label }
func (l labelled) HasErrorCode(code int) bool  { return false }

func TestTellsInfrastructureFromTheWork(t *testing.T) {
	var synErr *json.SyntaxError
	_ = json.Unmarshal([]byte("{"), &synErr)
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &net.AddrError{Err: "refused"}}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"marked", fault.Unavailable(errors.New("store gone")), true},
		{"marked and wrapped", fmt.Errorf("storing: %w", fault.Unavailable(errors.New("x"))), true},
		{"deadline", fmt.Errorf("querying: %w", context.DeadlineExceeded), true},
		{"dial", fmt.Errorf("connecting: %w", refused), true},
		{"refused errno", fmt.Errorf("x: %w", syscall.ECONNREFUSED), true},
		{"reset errno", syscall.ECONNRESET, true},
		{"conn done", sql.ErrConnDone, true},
		{"pg admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"pg serialization", fmt.Errorf("tx: %w", &pgconn.PgError{Code: "40001"}), true},
		{"pg read only", &pgconn.PgError{Code: "25006"}, true},
		{"pg unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"pg bad input", &pgconn.PgError{Code: "22P02"}, false},
		{"redis loading", errors.New("LOADING Redis is loading the dataset in memory"), true},
		{"redis oom", fmt.Errorf("publishing: %w", errors.New("OOM command not allowed when used memory > 'maxmemory'.")), true},
		{"redis pool", redis.ErrPoolTimeout, true},
		{"redis wrong type", errors.New("WRONGTYPE Operation against a key holding the wrong kind of value"), false},
		{"mongo transient", labelled{"TransientTransactionError"}, true},
		{"mongo other", labelled{"SomethingElse"}, false},
		{"joined", errors.Join(errors.New("a"), fault.Unavailable(errors.New("b"))), true},
		{"plain", errors.New("recipe unknown"), false},
		{"json", fmt.Errorf("decoding: %w", errors.New("unexpected end of JSON input")), false},
	}
	for _, c := range cases {
		if got := fault.IsUnavailable(c.err); got != c.want {
			t.Errorf("%s: IsUnavailable(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
	if fault.Unavailable(nil) != nil {
		t.Error("Unavailable(nil) must stay nil")
	}
}
