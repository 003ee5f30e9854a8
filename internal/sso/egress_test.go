// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package sso

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEgressPolicy(t *testing.T) {
	cases := []struct {
		ip                   string
		private, public, any bool
	}{
		{"127.0.0.1", false, false, true},
		{"::1", false, false, true},
		{"169.254.169.254", false, false, true}, // cloud metadata endpoint
		{"fe80::1", false, false, true},
		{"0.0.0.0", false, false, true},
		{"::ffff:127.0.0.1", false, false, true},
		{"10.1.2.3", true, false, true}, // on-prem IdPs live here
		{"192.168.1.10", true, false, true},
		{"fd00::1", true, false, true},
		{"100.64.0.1", true, false, true},
		{"203.0.113.7", true, true, true},
		{"2001:db8::1", true, true, true},
	}
	for _, c := range cases {
		ip := netip.MustParseAddr(c.ip)
		require.Equal(t, c.private, egressAllowed("private", ip), "private %s", c.ip)
		require.Equal(t, c.public, egressAllowed("public", ip), "public %s", c.ip)
		require.Equal(t, c.any, egressAllowed("any", ip), "any %s", c.ip)
	}
}

// TestEgressClientRefusesLoopback: a metadata URL an org admin points at a loopback service is
// refused at dial time by the default policy, and allowed with "any".
func TestEgressClientRefusesLoopback(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("secret")) }))
	defer srv.Close()
	res, err := egressClient("private").Get(srv.URL)
	if err == nil {
		res.Body.Close()
	}
	require.True(t, errors.Is(err, ErrEgressRefused), "%v", err)
	res, err = egressClient("any").Get(srv.URL)
	require.NoError(t, err)
	res.Body.Close()
	s := &Service{client: egressClient("public")}
	_, err = s.fetchMetadata(t.Context(), srv.URL)
	require.ErrorIs(t, err, ErrEgressRefused)
}
