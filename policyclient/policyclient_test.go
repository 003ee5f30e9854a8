// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package policyclient

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFailClosed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		handler http.HandlerFunc
		allowed bool
	}{
		{"allow", func(w http.ResponseWriter, r *http.Request) {
			require.Equal(t, "Bearer k", r.Header.Get("Authorization"))
			_, _ = io.WriteString(w, `{"decision":"ALLOW","tags":[],"matched_rules":[],"reason":"NO_BLOCKING_RULE","message":"","decision_id":"x"}`)
		}, true},
		{"block", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, `{"decision":"BLOCK","tags":[],"matched_rules":[],"reason":"RULE_MATCHED","message":"no","decision_id":"x"}`)
		}, false},
		{"500", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }, false},
		{"503 with an ALLOW body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(503)
			_, _ = io.WriteString(w, `{"decision":"ALLOW"}`)
		}, false},
		{"401", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(401) }, false},
		{"garbage", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, `<html>`) }, false},
		{"unknown decision", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, `{"decision":"MAYBE"}`) }, false},
		{"empty", func(w http.ResponseWriter, r *http.Request) {}, false},
		{"slow", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
			_, _ = io.WriteString(w, `{"decision":"ALLOW"}`)
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			c := New(srv.URL, "k")
			c.Timeout = 200 * time.Millisecond
			d := c.Evaluate(context.Background(), Call{Phase: PreExecution, UserID: "u", WorkspaceID: "w", ServerID: "s", ToolName: "t"})
			require.Equal(t, tc.allowed, d.Allowed(), "%+v", d)
			if !tc.allowed {
				require.Equal(t, Block, d.Decision)
			}
			v := c.CheckOAuth(context.Background(), OAuthCheck{Provider: "p", UserID: "u"})
			require.False(t, v.OK() && !tc.allowed && tc.name != "block")
		})
	}
	// Nothing listening: transport error.
	c := New("http://127.0.0.1:1", "k")
	d := c.Evaluate(context.Background(), Call{})
	require.Equal(t, Block, d.Decision)
	require.Error(t, d.Err)
	require.False(t, c.CheckOAuth(context.Background(), OAuthCheck{}).OK())
}
