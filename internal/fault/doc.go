// Package fault tells infrastructure faults from the faults of a message or a
// request. A store, Redis or a network path that is down, slow or failing
// over says nothing about the message being handled: the consumer pauses and
// tries again, never counting the attempt toward dead-lettering, and the HTTP
// API answers 503 rather than 500.
//
// Errors are classified by what they are (net and syscall errors, deadlines,
// the SQLSTATE classes and error labels the drivers expose through methods),
// and adapters may mark an error explicitly with Unavailable.
//
// The package must not import any app or any adapter: it knows no store
// driver, so that every service can use it.
package fault
