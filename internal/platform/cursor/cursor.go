// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package cursor makes opaque, signed pagination cursors. A cursor binds the filters it was
// made with and a position on a unique key, so a tampered cursor or one replayed with other
// filters is refused instead of silently skipping or repeating rows.
package cursor

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// ErrInvalid is returned for any cursor that was not made by this installation for these filters.
var ErrInvalid = errors.New("cursor is invalid, tampered with, or made for other filters")

// MaxLen bounds the cursor text accepted from callers.
const MaxLen = 2048

// Codec signs and verifies cursors with an installation-wide key.
type Codec struct {
	key []byte
}

// NewCodec returns a codec for the key (at least 32 bytes).
func NewCodec(key []byte) *Codec {
	if len(key) < 32 {
		panic("cursor: key shorter than 32 bytes")
	}
	return &Codec{key: append([]byte(nil), key...)}
}

type envelope struct {
	Kind    string          `json:"k"`
	Filters string          `json:"f"`
	Pos     json.RawMessage `json:"p"`
}

// Encode makes a cursor for a list kind (e.g. "orgs"), the filters in force and the position.
func (c *Codec) Encode(kind string, filters any, pos any) (string, error) {
	fp, err := fingerprint(filters)
	if err != nil {
		return "", err
	}
	p, err := json.Marshal(pos)
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(envelope{Kind: kind, Filters: fp, Pos: p})
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(body) + "." + base64.RawURLEncoding.EncodeToString(c.sign(body)), nil
}

// Decode verifies a cursor and fills pos. Any mismatch is ErrInvalid.
func (c *Codec) Decode(s, kind string, filters any, pos any) error {
	if len(s) == 0 || len(s) > MaxLen {
		return ErrInvalid
	}
	b64body, b64sig, ok := strings.Cut(s, ".")
	if !ok {
		return ErrInvalid
	}
	body, err1 := base64.RawURLEncoding.DecodeString(b64body)
	sig, err2 := base64.RawURLEncoding.DecodeString(b64sig)
	if err1 != nil || err2 != nil || !hmac.Equal(sig, c.sign(body)) {
		return ErrInvalid
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil || env.Kind != kind {
		return ErrInvalid
	}
	fp, err := fingerprint(filters)
	if err != nil || fp != env.Filters {
		return ErrInvalid
	}
	dec := json.NewDecoder(bytes.NewReader(env.Pos))
	dec.DisallowUnknownFields()
	if err := dec.Decode(pos); err != nil {
		return ErrInvalid
	}
	return nil
}

func (c *Codec) sign(body []byte) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write(body)
	return m.Sum(nil)[:20]
}

// fingerprint hashes the canonical JSON of the filters (encoding/json sorts map keys and
// keeps struct field order, so equal filters give equal fingerprints).
func fingerprint(filters any) (string, error) {
	b, err := json.Marshal(filters)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:12]), nil
}
