// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package crypto is the envelope-encryption key ring over BYTECHEF_ENCRYPTION_KEYS: secrets
// the product must be able to read back (SSO client secrets, SP private keys, BYOK material)
// are sealed with AES-256-GCM under the first key and opened with whichever key sealed them,
// so keys rotate by prepending a new one and keeping the old ones until data is re-sealed.
package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
)

// ErrNoKeys is config.ErrNoEncryptionKeys: a secret must be sealed but no key ring is set.
var ErrNoKeys = config.ErrNoEncryptionKeys

// ErrOpen is returned for ciphertext that does not open: unknown key id, tampering, or
// additional data (org, purpose) that is not the one it was sealed with.
var ErrOpen = errors.New("crypto: ciphertext does not open with the key ring")

// version is the first byte of every sealed value, so the format can change later.
const version = 1

// KeyRing seals and opens secrets. The zero value has no keys: Seal fails with ErrNoKeys.
type KeyRing struct {
	primary string
	aeads   map[string]cipher.AEAD
}

// New builds the ring; the first key encrypts, all decrypt.
func New(keys []config.Key) (*KeyRing, error) {
	r := &KeyRing{aeads: make(map[string]cipher.AEAD, len(keys))}
	for i, k := range keys {
		if len(k.Secret) != 32 {
			return nil, fmt.Errorf("crypto: key %q: want 32 bytes", k.ID)
		}
		if k.ID == "" || len(k.ID) > 255 || strings.ContainsRune(k.ID, 0) {
			return nil, fmt.Errorf("crypto: key %d: invalid key id", i+1)
		}
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			r.primary = k.ID
		}
		r.aeads[k.ID] = aead
	}
	return r, nil
}

// FromConfig is New over the configured key ring.
func FromConfig(cfg config.Config) (*KeyRing, error) { return New(cfg.EncryptionKeys) }

// Enabled reports whether the ring can seal.
func (r *KeyRing) Enabled() bool { return r != nil && r.primary != "" }

// AD is the additional data a value is bound to: the org it belongs to and what it is for,
// so a ciphertext copied to another org's row or another column does not open.
func AD(orgID uuid.UUID, purpose string) []byte {
	return []byte("bytechef-ee/v1|" + orgID.String() + "|" + purpose)
}

// Seal encrypts plaintext under the primary key. Layout: version, len(kid), kid, nonce,
// ciphertext+tag.
func (r *KeyRing) Seal(plaintext, ad []byte) ([]byte, error) {
	if !r.Enabled() {
		return nil, ErrNoKeys
	}
	aead := r.aeads[r.primary]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := make([]byte, 0, 2+len(r.primary)+len(nonce)+len(plaintext)+aead.Overhead())
	out = append(out, version, byte(len(r.primary)))
	out = append(out, r.primary...)
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plaintext, append(header(r.primary), ad...)), nil
}

// header binds the key id into the additional data so a kid cannot be swapped.
func header(kid string) []byte { return []byte{version, byte(len(kid))} }

// KeyID returns the id of the key that sealed ct.
func KeyID(ct []byte) (string, error) {
	if len(ct) < 2 || ct[0] != version || len(ct) < 2+int(ct[1]) {
		return "", ErrOpen
	}
	return string(ct[2 : 2+int(ct[1])]), nil
}

// Open decrypts a value sealed by Seal with the same additional data.
func (r *KeyRing) Open(ct, ad []byte) ([]byte, error) {
	kid, err := KeyID(ct)
	if err != nil || r == nil {
		return nil, ErrOpen
	}
	aead, ok := r.aeads[kid]
	if !ok {
		return nil, ErrOpen
	}
	rest := ct[2+len(kid):]
	if len(rest) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrOpen
	}
	pt, err := aead.Open(nil, rest[:aead.NonceSize()], rest[aead.NonceSize():], append(header(kid), ad...))
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}
