package marketsim

// malformedBodies are the 200 answers that break the contract, each one a
// mistake a careless client would turn into a wrong quantity or a crash.
var malformedBodies = [][]byte{
	[]byte("the market is closed for lunch"),
	[]byte(`{"quantitySold":"lots"}`),
	[]byte(`{"quantitySold":-3}`),
	[]byte(`{"quantitySold":2.5}`),
	[]byte(``),
	[]byte(`{}`),
	[]byte(`{"quantitySold":4`),
	[]byte(`{"quantitySold":null}`),
}
