// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package main

import (
	"bytes"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/workflows"
)

// TestAppGraphs validates the dependency graph of every long-running command, with all
// features on and all off, without connecting to anything.
func TestAppGraphs(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, features := range []string{"true", "false"} {
		env := map[string]string{}
		for _, f := range []string{"SSO", "SCIM", "AUDIT_LOGS", "APP_POLICIES", "AI_MODEL_CONTROL", "ANALYTICS", "ORGANIZATIONS", "WHITELABELING"} {
			env["BYTECHEF_"+f+"_ENABLED"] = features
		}
		cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		require.NoError(t, err)
		for _, cmd := range []struct {
			name         string
			http, worker bool
		}{{"serve", true, true}, {"api", true, false}, {"worker", false, true}} {
			require.NoError(t, fx.ValidateApp(appOptions(cfg, log, cmd.http, cmd.worker)...), "%s with features=%s", cmd.name, features)
		}
	}
}

// TestSchedulesSyncDeclaresEnabledFeatures: `schedules sync` declares exactly the schedules the
// worker reconciles for the same toggles.
func TestSchedulesSyncDeclaresEnabledFeatures(t *testing.T) {
	ids := func(env map[string]string) []string {
		cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		require.NoError(t, err)
		var out []string
		for _, s := range workflows.Schedules(scheduledFeatures(cfg)) {
			out = append(out, s.ID)
		}
		return out
	}
	off := ids(nil)
	require.Contains(t, off, "maintenance-daily")
	require.Contains(t, off, "org-purge-daily")
	on := ids(map[string]string{"BYTECHEF_AUDIT_LOGS_ENABLED": "true", "BYTECHEF_SCIM_ENABLED": "true"})
	require.Contains(t, on, "scim-deprovision-purge-daily")
	require.Greater(t, len(on), len(off)+1, "the audit retention schedule is declared too")
}

func TestHelpListsEnvVars(t *testing.T) {
	for _, args := range [][]string{{"serve", "--help"}, {"api", "--help"}, {"worker", "--help"}, {"migrate", "up", "--help"},
		{"schedules", "sync", "--help"}, {"bootstrap", "--help"}} {
		var out bytes.Buffer
		root := newRoot(&out, &out, func(string) (string, bool) { return "", false })
		root.SetArgs(args)
		require.NoError(t, root.Execute(), args)
		require.Contains(t, out.String(), "Environment:", args)
		require.Contains(t, out.String(), "BYTECHEF_", args)
	}
	var out bytes.Buffer
	root := newRoot(&out, &out, func(string) (string, bool) { return "", false })
	root.SetArgs([]string{"bootstrap", "--help"})
	require.NoError(t, root.Execute())
	for _, flag := range []string{"--org-name", "--org-slug", "--admin-email", "--json"} {
		require.True(t, strings.Contains(out.String(), flag), flag)
	}
}
