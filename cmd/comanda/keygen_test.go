package main

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/auth"
)

// What keygen prints is a working pair: the private key signs, the public
// entry checks.
func TestKeygenPrintsAWorkingPair(t *testing.T) {
	var out bytes.Buffer
	if err := keygen(&out, []string{"2027-01"}); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok && !strings.HasPrefix(k, "#") {
			vars[k] = v
		}
	}
	priv, err := auth.ParsePrivateKey(vars["AUTH_PRIVATE_KEY"])
	if err != nil {
		t.Fatal(err)
	}
	signer, err := auth.NewSigner(vars["AUTH_KEY_ID"], priv)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := auth.ParsePublicKeys(vars["AUTH_PUBLIC_KEYS"])
	if err != nil {
		t.Fatal(err)
	}
	v, _ := auth.NewVerifier(keys)
	tok, _, _ := signer.Issue("manager", time.Hour, time.Now())
	if _, err := v.Verify(tok, time.Now()); err != nil || vars["AUTH_KEY_ID"] != "2027-01" {
		t.Errorf("the printed pair does not work: %v (%v)", err, vars)
	}
	if err := keygen(&out, []string{"bad id"}); err == nil {
		t.Error("a key id with a space accepted")
	}
}
