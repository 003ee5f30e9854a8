// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package identity

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// TestAuthenticateConcurrentKeys authenticates many keys at once (their lookups are batched)
// while keys are being revoked: every answer matches the key's state, and once a revocation
// has returned, no later authentication of that key succeeds.
func TestAuthenticateConcurrentKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := NewService(dbtest.New(t), config.Config{Region: "us"})
	org, err := s.CreateOrg(ctx, CreateOrgInput{Name: "Acme", Slug: "acme"})
	require.NoError(t, err)
	const n = 40
	keys := make([]APIKey, n)
	secrets := make([]string, n)
	for i := range keys {
		keys[i], secrets[i], err = s.CreateAPIKey(ctx, org.ID, CreateKeyInput{Name: fmt.Sprintf("k%d", i), Scopes: []string{"admin"}})
		require.NoError(t, err)
	}
	// Odd keys get revoked one by one while 16 clients authenticate every key in a loop.
	var revoked sync.Map // index → true once RevokeAPIKey has returned
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	stop := make(chan struct{})
	for c := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; ; round++ {
				select {
				case <-stop:
					return
				default:
				}
				i := (c*7 + round) % n
				_, wasRevoked := revoked.Load(i)
				p, err := s.Authenticate(ctx, secrets[i])
				switch {
				case err == nil && wasRevoked:
					errs <- fmt.Errorf("key %d accepted after its revocation returned", i)
					return
				case err == nil && p.KeyID != keys[i].ID:
					errs <- fmt.Errorf("key %d resolved to key %s", i, p.KeyID)
					return
				case err != nil && !errcode.Is(err, errcode.Unauthenticated):
					errs <- err
					return
				case err != nil && i%2 == 0:
					errs <- fmt.Errorf("live key %d refused: %v", i, err)
					return
				}
			}
		}()
	}
	for i := 1; i < n; i += 2 {
		_, err := s.RevokeAPIKey(ctx, org.ID, keys[i].ID)
		require.NoError(t, err)
		revoked.Store(i, true)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i := range keys {
		_, err := s.Authenticate(ctx, secrets[i])
		require.Equal(t, i%2 == 1, err != nil, "key %d", i)
	}
	_, err = s.Authenticate(ctx, APIKeyPrefix+"unknown")
	require.True(t, errcode.Is(err, errcode.Unauthenticated))
}
