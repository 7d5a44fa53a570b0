package warehouse

import (
	"errors"
	"time"

	"github.com/comanda-dev/comanda/internal/fault"
)

// Token is a leader's fencing token: the store increases it every time a
// replica takes the lease, and refuses the writes of every token but the
// newest. A store nobody ever led has token 0.
type Token int64

// Lease is the warehouse's leadership as its store keeps it: one replica at
// a time holds it, until it expires or is released.
type Lease struct {
	Holder  string // empty once released
	Token   Token
	Expires time.Time
}

// HeldBy reports whether holder is the lease's holder (expired or not).
func (l Lease) HeldBy(holder string) bool { return holder != "" && l.Holder == holder }

// ErrFenced reports a write made with a token older than the store's lease:
// a newer leader exists, and the store changed nothing. It is an
// infrastructure fault (fault.IsUnavailable), never a message's: a stale
// leader's consumer leaves the message pending for the new leader rather
// than count a delivery against it.
var ErrFenced = fault.Unavailable(errors.New("fenced: a newer warehouse leader holds the lease"))
