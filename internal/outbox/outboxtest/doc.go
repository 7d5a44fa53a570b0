// Package outboxtest is the contract every outbox.Store passes, whatever
// the service that writes its events: each service's store suite runs it
// against each of its adapters, and Drain empties an outbox for tests that
// look at what a store wrote.
//
// The package must not import any app: the apps' suites import it.
package outboxtest
