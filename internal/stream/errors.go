package stream

import (
	"errors"
	"fmt"

	"github.com/comanda-dev/comanda/internal/events"
)

// ErrPermanent marks a failure that no retry can fix: the message goes to the
// dead-letter stream at once.
var ErrPermanent = errors.New("permanent failure")

// Permanent wraps err so that the consumer dead-letters the message.
func Permanent(err error) error {
	return fmt.Errorf("%w: %w", ErrPermanent, err)
}

func isPermanent(err error) bool {
	return errors.Is(err, ErrPermanent) || errors.Is(err, events.ErrMalformed)
}
