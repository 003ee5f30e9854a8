// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Secret prefixes tell credential kinds apart at a glance and let secret scanners find them.
const (
	APIKeyPrefix  = "bcee_"
	SessionPrefix = "bcs_"
	SCIMPrefix    = "scim_"
)

// newSecret returns a prefixed secret with 256 bits of randomness.
func newSecret(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("identity: crypto/rand failed: " + err.Error())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret is what is stored and looked up. Secrets carry 256 random bits, so a fast
// unsalted hash is safe; the lookup is by hash, so no secret bytes are compared early-exit.
func HashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// displayParts returns the prefix (kind + first 6 characters) and last 4 characters shown in lists.
func displayParts(secret string) (prefix, last4 string) {
	i := strings.Index(secret, "_") + 1
	return secret[:i+6], secret[len(secret)-4:]
}
