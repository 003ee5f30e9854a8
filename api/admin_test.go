// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAdminSmoke(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	_, key := h.newOrg("smoke")
	res := h.do(req{method: "GET", path: "/api/v1/groups", token: key})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	res = h.do(req{method: "POST", path: "/api/v1/workspaces", token: key, body: map[string]any{"name": "W"}})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
}
