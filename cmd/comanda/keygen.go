package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/comanda-dev/comanda/internal/auth"
)

// keygen prints a new Ed25519 key pair for sessions: the gateway's private
// key (a secret) and the entry the services add to AUTH_PUBLIC_KEYS. The
// key id defaults to the month, which names the keys of a rotation.
func keygen(w io.Writer, args []string) error {
	if len(args) > 1 {
		return errors.New("usage: comanda keygen [KID]")
	}
	kid := time.Now().UTC().Format("2006-01")
	if len(args) == 1 {
		kid = args[0]
	}
	pair, err := auth.GenerateKeyPair(kid)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "# web (the gateway) only; AUTH_PRIVATE_KEY is a secret:\nAUTH_KEY_ID=%s\nAUTH_PRIVATE_KEY=%s\n# every service (and web, while older keys are still accepted):\nAUTH_PUBLIC_KEYS=%s\n", pair.ID, pair.Private, pair.Public)
	return err
}
