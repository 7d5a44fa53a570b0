package main

import (
	"fmt"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/marketsim"
)

// env is everything the command reads from the environment.
type env struct {
	Addr string `env:"MARKET_ADDR" envDefault:":3010"`
	marketsim.Env
}

// settings is the checked configuration.
type settings struct {
	Addr   string
	Market marketsim.Config
}

// loadConfig reads the MARKET_* variables: from vars when given (tests), else
// from the process environment.
func loadConfig(vars map[string]string) (settings, error) {
	var e env
	var err error
	if vars != nil {
		e, err = config.LoadFrom[env](vars)
	} else {
		e, err = config.Load[env]()
	}
	if err != nil {
		return settings{}, err
	}
	m, err := e.Env.Config()
	if err != nil {
		return settings{}, fmt.Errorf("checking the market settings: %w", err)
	}
	return settings{Addr: e.Addr, Market: m}, nil
}
