// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func lookup(m map[string]string) Lookup {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := Load(lookup(nil))
	require.NoError(t, err)
	require.Equal(t, ":8080", c.HTTPAddr)
	require.Equal(t, "us", c.Region)
	require.Equal(t, "bytechef-ee", c.TemporalTaskQueue)
	require.Equal(t, int64(1<<20), c.BodyLimit)
	require.Equal(t, int64(5<<20), c.BatchBodyLimit)
	require.False(t, c.Features.SSO, "features are opt-in")
	require.Empty(t, c.AdminAPIKey)
}

func TestValidValues(t *testing.T) {
	c, err := Load(lookup(map[string]string{
		"BYTECHEF_ENCRYPTION_KEYS":  "k2:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=, k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
		"BYTECHEF_REGION_URLS":      "eu=https://eu.example.com/,us=http://localhost:8080",
		"BYTECHEF_SSO_ENABLED":      "TRUE",
		"BYTECHEF_PUBLIC_URL":       "https://gov.example.com/",
		"BYTECHEF_TEMPORAL_ADDRESS": "temporal.internal:7233",
	}))
	require.NoError(t, err)
	require.Len(t, c.EncryptionKeys, 2)
	require.Equal(t, "k2", c.EncryptionKeys[0].ID, "the first key encrypts")
	require.Equal(t, "https://eu.example.com", c.RegionURLs["eu"])
	require.True(t, c.Features.SSO)
	require.Equal(t, "https://gov.example.com", c.PublicURL)
}

func TestInvalidValuesNameTheVariable(t *testing.T) {
	cases := map[string]string{
		"BYTECHEF_HTTP_ADDR":             "nope",
		"BYTECHEF_PUBLIC_URL":            "localhost:8080",
		"BYTECHEF_DATABASE_URL":          "mysql://x/y",
		"BYTECHEF_TEMPORAL_ADDRESS":      "7233",
		"BYTECHEF_TEMPORAL_NAMESPACE":    " ",
		"BYTECHEF_S3_ENDPOINT":           "s3.local",
		"BYTECHEF_S3_BUCKET":             "a",
		"BYTECHEF_S3_FORCE_PATH_STYLE":   "2",
		"BYTECHEF_ENCRYPTION_KEYS":       "k1:c2hvcnQ=",
		"BYTECHEF_ADMIN_API_KEY":         "0123456789",
		"BYTECHEF_REGION":                "EU",
		"BYTECHEF_REGION_URLS":           "eu",
		"BYTECHEF_LOG_LEVEL":             "trace",
		"BYTECHEF_LOG_FORMAT":            "xml",
		"BYTECHEF_HTTP_BODY_LIMIT":       "12",
		"BYTECHEF_SHUTDOWN_TIMEOUT":      "-1s",
		"BYTECHEF_ORGANIZATIONS_ENABLED": "on",
	}
	for name, val := range cases {
		_, err := Load(lookup(map[string]string{name: val}))
		require.Error(t, err, name)
		require.True(t, strings.HasPrefix(err.Error(), "config: "+name+": "), "%s: %v", name, err)
		require.NotContains(t, err.Error(), "\n")
	}
	// Duplicate key ids and secrets are never echoed.
	_, err := Load(lookup(map[string]string{"BYTECHEF_ENCRYPTION_KEYS": "a:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,a:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}))
	require.ErrorContains(t, err, "appears twice")
	require.NotContains(t, err.Error(), "AAEC")
}

func TestSummaryMasksSecrets(t *testing.T) {
	s := Summary(lookup(map[string]string{"BYTECHEF_ADMIN_API_KEY": "super-secret-value-0123456789abcdef", "BYTECHEF_DATABASE_URL": "postgres://u:pw@h/db"}))
	require.Equal(t, "***", s["BYTECHEF_ADMIN_API_KEY"])
	require.Equal(t, "***", s["BYTECHEF_DATABASE_URL"])
	require.Equal(t, ":8080", s["BYTECHEF_HTTP_ADDR"])
	require.Contains(t, Help(), "BYTECHEF_SCIM_ENABLED")
}

func FuzzLoad(f *testing.F) {
	f.Add("BYTECHEF_ENCRYPTION_KEYS", "k:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	f.Add("BYTECHEF_REGION_URLS", "eu=https://x,us=http://y")
	f.Add("BYTECHEF_HTTP_ADDR", "[::1]:80")
	f.Fuzz(func(t *testing.T, name, val string) {
		_, err := Load(lookup(map[string]string{name: val}))
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error: %q", err)
		}
	})
}
