package fault

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
)

// ErrUnavailable marks a failure of the infrastructure, not of the work.
var ErrUnavailable = errors.New("unavailable")

// Unavailable wraps err so that IsUnavailable reports it. A nil err stays nil.
func Unavailable(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrUnavailable) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// IsUnavailable reports whether err comes from infrastructure that is down,
// slow or failing over, rather than from the data being handled: trying the
// same work again later, unchanged, may succeed.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrUnavailable) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.ErrClosedPipe) ||
		errors.Is(err, net.ErrClosed) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var errno syscall.Errno
	if errors.As(err, &errno) && transientErrno[errno] {
		return true
	}
	if s, ok := as[interface{ SQLState() string }](err); ok {
		return transientSQLState(s.SQLState())
	}
	if s, ok := as[interface{ SafeToRetry() bool }](err); ok && s.SafeToRetry() {
		return true
	}
	if l, ok := as[interface{ HasErrorLabel(string) bool }](err); ok {
		for _, label := range mongoLabels {
			if l.HasErrorLabel(label) {
				return true
			}
		}
	}
	if c, ok := as[interface{ HasErrorCode(int) bool }](err); ok {
		for _, code := range mongoCodes {
			if c.HasErrorCode(code) {
				return true
			}
		}
	}
	if c, ok := as[interface{ Code() int }](err); ok && isSQLiteError(err) {
		return transientSQLite[c.Code()&0xff]
	}
	return redisUnavailable(err)
}

// as finds the first error in err's tree that implements T.
func as[T any](err error) (T, bool) {
	var t T
	return t, errors.As(err, &t)
}

var transientErrno = map[syscall.Errno]bool{
	syscall.ECONNREFUSED: true, syscall.ECONNRESET: true, syscall.ECONNABORTED: true,
	syscall.EPIPE: true, syscall.ETIMEDOUT: true, syscall.EHOSTUNREACH: true,
	syscall.ENETUNREACH: true, syscall.ENETDOWN: true, syscall.ENOSPC: true,
	syscall.EAGAIN: true,
}

// transientSQLState reports the PostgreSQL error classes that describe the
// server or the connection rather than the statement: connection exceptions,
// insufficient resources, operator intervention (shutdown, cancelled by
// timeout), system errors, serialization failures and deadlocks (the
// transaction is safe to run again), lock timeouts and writes refused by a
// read-only server during a failover.
func transientSQLState(state string) bool {
	switch {
	case strings.HasPrefix(state, "08"), strings.HasPrefix(state, "53"),
		strings.HasPrefix(state, "57"), strings.HasPrefix(state, "58"):
		return true
	}
	switch state {
	case "40001", "40P01", "55P03", "25006":
		return true
	}
	return false
}

// MongoDB's labels and codes of errors that a retry may cure: network errors,
// transactions to run again, elections and shutdowns, timeouts.
var (
	mongoLabels = []string{"NetworkError", "TransientTransactionError", "RetryableWriteError", "RetryableError"}
	mongoCodes  = []int{
		6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 50, 112, 251,
	}
)

// SQLite's primary result codes of a busy, locked, full or failing file.
var transientSQLite = map[int]bool{
	5: true, 6: true, 7: true, 10: true, 13: true, 14: true, 15: true,
}

// isSQLiteError recognises the SQLite driver's error type by its package, so
// that a Code() method of another library is not mistaken for SQLite's.
func isSQLiteError(err error) bool {
	return walk(err, func(e error) bool { return fmt.Sprintf("%T", e) == "*sqlite.Error" })
}

// walk reports whether fn holds for err or any error it wraps.
func walk(err error, fn func(error) bool) bool {
	if err == nil {
		return false
	}
	if fn(err) {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return walk(u.Unwrap(), fn)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if walk(e, fn) {
				return true
			}
		}
	}
	return false
}

// Redis answers these when it cannot serve now: loading its data, a replica
// that refuses writes, a cluster or failover in progress, a script that runs
// too long, memory exhausted, too few replicas; and go-redis reports a pool
// that had no free connection in time.
var redisPrefixes = []string{
	"LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "BUSY ", "OOM ",
	"NOREPLICAS", "UNBLOCKED", "redis: connection pool timeout", "redis: client is closed",
}

func redisUnavailable(err error) bool {
	return walk(err, func(e error) bool {
		msg := e.Error()
		for _, p := range redisPrefixes {
			if strings.HasPrefix(msg, p) {
				return true
			}
		}
		return false
	})
}
