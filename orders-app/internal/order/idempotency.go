package order

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// MaxKeyLength is the longest idempotency key a client may send.
const MaxKeyLength = 255

// DefaultKeyTTL is how long an idempotency key is kept by default.
const DefaultKeyTTL = 24 * time.Hour

// KeyError reports a malformed idempotency key.
type KeyError struct{ Message string }

func (e *KeyError) Error() string { return "idempotency key " + e.Message }

// ErrKeyReused reports an idempotency key sent again with another request:
// the client has a bug, and answering the first placement would hide it.
var ErrKeyReused = errors.New("idempotency key was used for another request")

// ErrKeyTaken is what Store.Place returns when a placement that has not
// expired already holds the key: another request with the key committed
// first.
var ErrKeyTaken = errors.New("idempotency key is taken")

// ErrKeyBusy reports a key whose placement could not be read back after
// losing the race for it (it kept expiring or vanishing under us); the
// client may try again.
var ErrKeyBusy = errors.New("idempotency key is in use by a request still in progress")

// Key ties a placement to the idempotency key its client sent.
type Key struct {
	Key string
	// RequestHash fingerprints the request the key was first sent with.
	RequestHash string
	BatchID     string
	Quantity    int
	PlacedAt    time.Time
	// ExpiresAt is when the key may be forgotten (and used afresh).
	ExpiresAt time.Time
}

// CheckKey validates a client's idempotency key: 1 to MaxKeyLength
// printable ASCII characters (a UUID is what clients should send). Keys are
// opaque: the quoted form of the IETF draft's examples is kept as sent.
func CheckKey(key string) error {
	switch {
	case key == "":
		return &KeyError{Message: "is empty; send a fresh UUID per placement, or no header"}
	case len(key) > MaxKeyLength:
		return &KeyError{Message: fmt.Sprintf("is longer than %d characters", MaxKeyLength)}
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return &KeyError{Message: "holds a character that is not printable ASCII"}
		}
	}
	return nil
}

// requestHash fingerprints a placement request in a canonical form, so that
// the same request sent with other spacing or field order matches.
func requestHash(quantity int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "POST /orders\nquantity=%d", quantity))
	return hex.EncodeToString(sum[:])
}
