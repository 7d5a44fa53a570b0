package market

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// MaxQuantity is the most one answer may sell; more is taken for garbage
// rather than booked.
const MaxQuantity = 1000

// parseQuantity reads {"quantitySold": N} strictly: N must be a whole
// number from 0 to MaxQuantity written as digits. Strings, negatives,
// fractions, exponents, null, a missing field, trailing data and empty
// bodies are all refused: booking a guess would unbalance the stock.
func parseQuantity(body []byte) (int, error) {
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&fields); err != nil {
		return 0, fmt.Errorf("%w: body is not a JSON object", ErrMalformed)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("%w: data after the JSON object", ErrMalformed)
	}
	raw, ok := fields["quantitySold"]
	if !ok {
		return 0, fmt.Errorf("%w: no quantitySold", ErrMalformed)
	}
	digits := bytes.TrimSpace(raw)
	if !wholeNumber(digits) {
		return 0, fmt.Errorf("%w: quantitySold must be a whole number, got %.20s", ErrMalformed, digits)
	}
	n, err := strconv.Atoi(string(digits))
	if err != nil || n > MaxQuantity {
		return 0, fmt.Errorf("%w: quantitySold %.20s is above %d", ErrMalformed, digits, MaxQuantity)
	}
	return n, nil
}

// wholeNumber accepts JSON's spelling of a non-negative integer: no sign,
// no fraction, no exponent, no leading zero; and at most 9 digits, so that
// Atoi cannot overflow.
func wholeNumber(b []byte) bool {
	if len(b) == 0 || len(b) > 9 || (b[0] == '0' && len(b) > 1) {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
