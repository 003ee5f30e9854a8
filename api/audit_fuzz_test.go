// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// FuzzAuditFilter feeds arbitrary query strings to the audit filter parser: it must never
// panic, and it either accepts the filter or answers a validation error.
func FuzzAuditFilter(f *testing.F) {
	for _, q := range []string{
		"event_type=a.b&event_type=c.d&category=FILES&from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z",
		"actor_user_id=0190a0a0-0000-7000-8000-000000000000&q=hello+world",
		"from=yesterday&category=nope&workspace_id=1",
		"target_entity_type=%00&target_entity_id=%ff%fe&q=%27%3B+DROP+TABLE",
		"from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z",
		"event_type=&event_type=" + string(make([]byte, 200)),
	} {
		f.Add(q)
	}
	gin.SetMode(gin.ReleaseMode)
	f.Fuzz(func(t *testing.T, raw string) {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest("GET", "/api/v1/audit-logs", nil)
		c.Request.URL.RawQuery = raw
		filter, fp, err := parseAuditFilter(c)
		if err != nil {
			require.True(t, errcode.Is(err, errcode.Validation), "%v", err)
			return
		}
		require.Equal(t, len(filter.EventTypes), len(fp.EventTypes))
		if filter.From != nil {
			require.True(t, filter.From.Year() >= 1970)
		}
	})
}
