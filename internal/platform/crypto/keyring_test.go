// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package crypto

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
)

func key(id string, b byte) config.Key {
	return config.Key{ID: id, Secret: bytes.Repeat([]byte{b}, 32)}
}

func TestSealOpenRotation(t *testing.T) {
	t.Parallel()
	org := uuid.New()
	old, err := New([]config.Key{key("k1", 1)})
	require.NoError(t, err)
	ct, err := old.Seal([]byte("s3cret"), AD(org, "oidc_client_secret"))
	require.NoError(t, err)
	kid, err := KeyID(ct)
	require.NoError(t, err)
	require.Equal(t, "k1", kid)
	require.NotContains(t, string(ct), "s3cret")

	// A rotated ring (new key first) still opens the old value and seals with the new key.
	rotated, err := New([]config.Key{key("k2", 2), key("k1", 1)})
	require.NoError(t, err)
	pt, err := rotated.Open(ct, AD(org, "oidc_client_secret"))
	require.NoError(t, err)
	require.Equal(t, "s3cret", string(pt))
	ct2, err := rotated.Seal([]byte("x"), AD(org, "p"))
	require.NoError(t, err)
	kid, _ = KeyID(ct2)
	require.Equal(t, "k2", kid)
	_, err = old.Open(ct2, AD(org, "p"))
	require.ErrorIs(t, err, ErrOpen)
}

func TestOpenRefusesTamperingAndForeignBinding(t *testing.T) {
	t.Parallel()
	org := uuid.New()
	r, err := New([]config.Key{key("k1", 1), key("k2", 2)})
	require.NoError(t, err)
	ct, err := r.Seal([]byte("secret"), AD(org, "a"))
	require.NoError(t, err)
	for name, c := range map[string]struct {
		ct []byte
		ad []byte
	}{
		"other org":     {ct, AD(uuid.New(), "a")},
		"other purpose": {ct, AD(org, "b")},
		"flipped bit":   {append(append([]byte{}, ct[:len(ct)-1]...), ct[len(ct)-1]^1), AD(org, "a")},
		"kid swapped":   {append([]byte{1, 2, 'k', '2'}, ct[4:]...), AD(org, "a")},
		"truncated":     {ct[:10], AD(org, "a")},
		"empty":         {nil, AD(org, "a")},
		"bad version":   {append([]byte{9}, ct[1:]...), AD(org, "a")},
		"unknown kid":   {append([]byte{1, 2, 'z', 'z'}, ct[4:]...), AD(org, "a")},
	} {
		_, err := r.Open(c.ct, c.ad)
		require.True(t, errors.Is(err, ErrOpen), name)
	}
}

func TestNoKeys(t *testing.T) {
	t.Parallel()
	r, err := New(nil)
	require.NoError(t, err)
	require.False(t, r.Enabled())
	_, err = r.Seal([]byte("x"), nil)
	require.ErrorIs(t, err, config.ErrNoEncryptionKeys)
}

func FuzzOpen(f *testing.F) {
	r, _ := New([]config.Key{key("k1", 1)})
	ct, _ := r.Seal([]byte("x"), nil)
	f.Add(ct)
	f.Add([]byte{1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = r.Open(b, nil) // must never panic
	})
}
