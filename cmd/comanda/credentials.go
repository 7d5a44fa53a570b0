package main

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/comanda-dev/comanda/internal/auth"
)

// credentials are what the embedded run needs to protect the dashboard
// without any set-up: the gateway's signing key pair and the manager's
// password hash, created on the first run and kept (0600) in the data folder
// so sessions and the password survive restarts. The password itself is
// never stored: it is printed once, when it is created.
type credentials struct {
	// KeyID and PrivateKey are the gateway's (AUTH_KEY_ID,
	// AUTH_PRIVATE_KEY); the services get its public key.
	KeyID        string `json:"keyId"`
	PrivateKey   string `json:"privateKey"`
	User         string `json:"user"`
	PasswordHash string `json:"passwordHash"`
	// NewPassword is set only on the run that created it.
	NewPassword string `json:"-"`
}

func loadOrCreateCredentials(dataDir, user string) (credentials, error) {
	path := filepath.Join(dataDir, "credentials.json")
	var c credentials
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(data, &c); err != nil {
			return c, fmt.Errorf("reading %s (delete it to start afresh): %w", path, err)
		}
		if c.User == user && c.PrivateKey != "" && c.PasswordHash != "" {
			return c, nil
		}
	case !errors.Is(err, os.ErrNotExist):
		return c, fmt.Errorf("reading credentials: %w", err)
	}
	if c.User != user || c.PasswordHash == "" {
		password := randomWord(16)
		hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
		if err != nil {
			return c, err
		}
		c = credentials{User: user, PasswordHash: string(hash), NewPassword: password}
	}
	// A folder from before signing keys keeps its password and gets a key.
	pair, err := auth.GenerateKeyPair("embedded")
	if err != nil {
		return c, err
	}
	c.KeyID, c.PrivateKey = pair.ID, pair.Private
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return c, fmt.Errorf("creating data folder: %w", err)
	}
	data, _ = json.Marshal(c)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return c, fmt.Errorf("saving credentials: %w", err)
	}
	return c, nil
}

func randomWord(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:n]
}
