// Package config loads configuration from the environment into a struct
// (tags `env` and `envDefault`, read once at start-up) and holds the settings
// every service shares. No other package reads the environment.
//
// The package must not import any app.
package config
