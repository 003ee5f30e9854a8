// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package cursor

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type pos struct {
	At int64  `json:"at"`
	ID string `json:"id"`
}

func TestRoundTripAndBinding(t *testing.T) {
	c := NewCodec(bytes.Repeat([]byte{7}, 32))
	filters := map[string]any{"type": []string{"a", "b"}, "from": "2026-01-01"}
	s, err := c.Encode("audit", filters, pos{At: 42, ID: "x"})
	require.NoError(t, err)
	var p pos
	require.NoError(t, c.Decode(s, "audit", map[string]any{"from": "2026-01-01", "type": []string{"a", "b"}}, &p))
	require.Equal(t, pos{42, "x"}, p)

	bad := []struct {
		name, cursor, kind string
		filters            any
	}{
		{"other filters", s, "audit", map[string]any{"type": []string{"a"}}},
		{"other kind", s, "orgs", filters},
		{"flipped byte", s[:5] + string(s[5]^1) + s[6:], "audit", filters},
		{"no signature", strings.Split(s, ".")[0], "audit", filters},
		{"empty", "", "audit", filters},
		{"huge", strings.Repeat("A", MaxLen+1), "audit", filters},
		{"garbage", "!!!.???", "audit", filters},
	}
	for _, b := range bad {
		require.ErrorIs(t, c.Decode(b.cursor, b.kind, b.filters, &p), ErrInvalid, b.name)
	}
	// Another installation's key does not verify.
	other := NewCodec(bytes.Repeat([]byte{8}, 32))
	require.ErrorIs(t, other.Decode(s, "audit", filters, &p), ErrInvalid)
}

func FuzzDecode(f *testing.F) {
	c := NewCodec(bytes.Repeat([]byte{1}, 32))
	good, _ := c.Encode("k", nil, pos{1, "a"})
	f.Add(good)
	f.Add("e30.AAAA")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		var p pos
		if err := c.Decode(s, "k", nil, &p); err == nil && s != good {
			// Only cursors this codec signed may verify; a different string that decodes would be
			// a forgery (base64 padding variants cannot occur with raw URL encoding).
			t.Fatalf("forged cursor accepted: %q", s)
		}
	})
}
