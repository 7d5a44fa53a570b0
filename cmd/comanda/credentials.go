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
)

// credentials are what the embedded run needs to protect the dashboard
// without any set-up: a signing secret and the manager's password hash,
// created on the first run and kept (0600) in the data folder so sessions and
// the password survive restarts. The password itself is never stored: it is
// printed once, when it is created.
type credentials struct {
	Secret       string `json:"secret"`
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
		if c.User == user && c.Secret != "" && c.PasswordHash != "" {
			return c, nil
		}
	case !errors.Is(err, os.ErrNotExist):
		return c, fmt.Errorf("reading credentials: %w", err)
	}
	password := randomWord(16)
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return c, err
	}
	c = credentials{Secret: randomWord(48), User: user, PasswordHash: string(hash), NewPassword: password}
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
