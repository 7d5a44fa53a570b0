// Package marketsim simulates the farmers market, the external HTTP API the
// warehouse buys missing ingredients from. The real one
// (https://recruitment.alegra.com/api/farmers-market/buy) cannot be reached
// from these machines, so the embedded run, the tests and the benchmarks buy
// here instead.
//
// The contract is the real one: GET {BuyPath}?ingredient=<name> answers
// {"quantitySold": N}, N a whole number from 0 to MaxQuantity, where 0 means
// "none available now, ask again later". On top of it the simulator misbehaves
// on purpose, at rates that can be changed while it runs (Set, PUT /config):
// it answers 500s, answers garbage with a 200, answers 0 more often than
// chance, answers late, and, past a capacity of calls served at once,
// refuses with 429 Too Many Requests and a Retry-After, as a real service
// that does not announce its capacity does. Every answer comes from one
// seeded random source, so a run that found a bug can be replayed
// sequentially with the same seed.
//
// The package uses only the standard library and must not import any app.
package marketsim
