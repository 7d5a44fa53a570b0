// Package pgstore holds what every PostgreSQL store of Comanda shares: opening
// a pool whose tables live in the service's own schema, applying the service's
// embedded migrations, the outbox table's queries and driver error mapping.
//
// The package must not import any app.
package pgstore
