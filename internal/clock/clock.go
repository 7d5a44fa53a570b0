// Package clock is the one clock of stored times in every service: UTC, to
// the millisecond, the precision every store keeps (MongoDB's dates hold
// milliseconds; PostgreSQL and SQLite keep more), so that a time read back
// equals the time written, whichever store wrote it.
//
// The package must not import anything of the module.
package clock

import "time"

// Now is the time now, as stores keep it.
func Now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
