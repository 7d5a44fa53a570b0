package sqlitestore

import "time"

// Times are stored as integers since the Unix epoch, in UTC: microseconds
// by orders-app and kitchen-app, milliseconds by inventory-app (its files
// were created so; a file keeps the precision it was created with).

// Micros is t in microseconds.
func Micros(t time.Time) int64 { return t.UnixMicro() }

// FromMicros is the time us microseconds after the epoch, in UTC.
func FromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// Millis is t in milliseconds.
func Millis(t time.Time) int64 { return t.UnixMilli() }

// FromMillis is the time ms milliseconds after the epoch, in UTC.
func FromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
