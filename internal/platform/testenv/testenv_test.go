// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package testenv

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
)

// TestPeers proves the real peers start and behave like their production counterparts:
// S3 round-trips an object and rejects a tampered presigned URL; Temporal is healthy with the
// product's search attributes registered.
func TestPeers(t *testing.T) {
	store := Bucket(t)
	ctx := context.Background()
	require.NoError(t, store.Put(ctx, "a/b.txt", bytes.NewReader([]byte("hello")), "text/plain"))
	r, err := store.Get(ctx, "a/b.txt")
	require.NoError(t, err)
	got, _ := io.ReadAll(r)
	r.Close()
	require.Equal(t, "hello", string(got))

	url, exp, err := store.PresignGet(ctx, "a/b.txt", "b.txt", 15*time.Minute)
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(15*time.Minute), exp, 5*time.Second)
	res, err := http.Get(url)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "hello", string(body))
	res, err = http.Get(url[:len(url)-4] + "0000") // tampered signature
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusForbidden, res.StatusCode, "the gateway must verify signatures")

	ts := SharedTemporal(t)
	c := ts.Client(t)
	_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
	require.NoError(t, err)
	sa, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "default"})
	require.NoError(t, err)
	require.Contains(t, sa.GetCustomAttributes(), "ByteChefOrgId")
	require.Contains(t, sa.GetCustomAttributes(), "ByteChefFeature")
}
