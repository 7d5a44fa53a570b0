// Package testkit gives tests real infrastructure, isolated per test: the
// machine's Redis (REDIS_URL, default 127.0.0.1:6379) with a random stream
// prefix, an in-process miniredis, and a fresh PostgreSQL schema in the
// machine's PostgreSQL (TEST_DATABASE_URL, default the "test" database on
// 127.0.0.1:5432). A missing Redis or PostgreSQL fails the test: the test
// command starts both. For tests that run the programs as processes it
// builds them, finds free ports and gives the embedded run an environment
// of its own (process.go); to cut a server off mid-test, StartProxy.
//
// Only tests import this package.
package testkit
