// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/bytechefhq/bytechef-ee/internal/directory/dirtest"
)

const (
	scimUser  = "urn:ietf:params:scim:schemas:core:2.0:User"
	scimGroup = "urn:ietf:params:scim:schemas:core:2.0:Group"
	scimPatch = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	scimEnt   = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)

// TestSCIMPushThenScheduledSync provisions an org through the real binary with requests
// shaped like Okta's and Entra ID's, then lets the org's Temporal Schedule run a directory
// sync against a local Okta Management API whose directory the push did not fully reflect:
// the run reports the drift and fixes it.
func TestSCIMPushThenScheduledSync(t *testing.T) {
	t.Parallel()
	s := StartStack(t, nil)
	orgID, admin := s.Bootstrap("scim")
	tok := s.Do("POST", "/api/v1/scim/tokens", admin, map[string]any{"name": "okta", "expires_in_days": 365})
	require.Equal(t, http.StatusCreated, tok.Status, "%s", tok.Body)
	token := tok.JSON(t)["secret"].(string)
	scim := func(method, path string, body any) Response {
		r := s.Do(method, path, token, body, "Content-Type", "application/scim+json")
		if r.Status != http.StatusNoContent {
			require.Equal(t, "application/scim+json", r.Header.Get("Content-Type"), "%s", r.Body)
		}
		return r
	}

	// Okta pushes 150 users (existence check, then create), then a group with all of them.
	d := dirtest.NewDirectory(152)
	ids := map[string]string{}
	for i := 1; i <= 150; i++ {
		login := fmt.Sprintf("u%07d@example.com", i)
		look := scim("GET", "/scim/v2/Users?filter="+url.QueryEscape(`userName eq "`+login+`"`)+"&startIndex=1&count=100", nil)
		require.EqualValues(t, 0, look.JSON(t)["totalResults"])
		r := scim("POST", "/scim/v2/Users", map[string]any{"schemas": []string{scimUser}, "userName": login, "externalId": fmt.Sprintf("00u%07d", i),
			"name":   map[string]any{"givenName": fmt.Sprintf("First%d", i), "familyName": fmt.Sprintf("Last%d", i)},
			"emails": []any{map[string]any{"primary": true, "value": login, "type": "work"}}, "displayName": fmt.Sprintf("First%d Last%d", i, i),
			"active": true, "groups": []any{}, "password": "Unused1!"})
		require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
		ids[fmt.Sprintf("00u%07d", i)] = r.JSON(t)["id"].(string)
	}
	members := []any{}
	for i := 1; i <= 150; i++ {
		members = append(members, map[string]any{"value": ids[fmt.Sprintf("00u%07d", i)]})
	}
	g := scim("POST", "/scim/v2/Groups", map[string]any{"schemas": []string{scimGroup}, "displayName": "Engineering", "externalId": "00g-eng", "members": []any{}})
	require.Equal(t, http.StatusCreated, g.Status, "%s", g.Body)
	gid := g.JSON(t)["id"].(string)
	r := scim("PATCH", "/scim/v2/Groups/"+gid, map[string]any{"schemas": []string{scimPatch}, "Operations": []any{
		map[string]any{"op": "add", "path": "members", "value": members}}})
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Body)
	// Okta deactivates and reactivates a user.
	u3 := ids["00u0000003"]
	for _, active := range []bool{false, true} {
		r = scim("PATCH", "/scim/v2/Users/"+u3, map[string]any{"schemas": []string{scimPatch},
			"Operations": []any{map[string]any{"op": "replace", "value": map[string]any{"active": active}}}})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	}
	// Entra ID's dialect on another user.
	r = scim("PATCH", "/scim/v2/Users/"+ids["00u0000004"], map[string]any{"schemas": []string{scimPatch}, "Operations": []any{
		map[string]any{"op": "Replace", "path": scimEnt + ":department", "value": "R&D"},
		map[string]any{"op": "Add", "path": `emails[type eq "home"].value`, "value": "home4@example.net"},
		map[string]any{"op": "Replace", "path": "active", "value": "True"}}})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	// Entra removes two members by value list; Okta removes one by filter.
	r = scim("PATCH", "/scim/v2/Groups/"+gid, map[string]any{"schemas": []string{scimPatch}, "Operations": []any{
		map[string]any{"op": "Remove", "path": "members", "value": []any{map[string]any{"value": ids["00u0000010"]}, map[string]any{"value": ids["00u0000011"]}}},
		map[string]any{"op": "remove", "path": `members[value eq "` + ids["00u0000012"] + `"]`}}})
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Body)

	// The directory: the push missed users 151 and 152, a suspension of user 5, and that
	// user 12 is still in Engineering (the IdP removed only 10 and 11).
	eng := []string{}
	for i := 1; i <= 152; i++ {
		if i != 10 && i != 11 {
			eng = append(eng, fmt.Sprintf("00u%07d", i))
		}
	}
	d.AddGroup("00g-eng", "Engineering", eng...)
	d.Do(func(d *dirtest.Directory) { d.Users["00u0000005"].Active = false })
	okta := dirtest.Okta(d, "ssws-token", dirtest.Options{ThrottleEvery: 9})
	defer okta.Close()
	conn := s.Do("POST", "/api/v1/directory/connections", admin, map[string]any{"kind": "OKTA", "name": "Okta", "base_url": okta.URL, "secret": "ssws-token"})
	require.Equal(t, http.StatusCreated, conn.Status, "%s", conn.Body)
	require.NotContains(t, string(conn.Body), "ssws-token")

	// Fire the org's schedule now instead of waiting 15 minutes.
	c, err := client.Dial(client.Options{HostPort: s.Temporal.Address})
	require.NoError(t, err)
	defer c.Close()
	schedID := conn.JSON(t)["schedule"].(map[string]any)["id"].(string)
	require.Equal(t, "dirsync-"+orgID, schedID)
	defer func() { _ = c.ScheduleClient().GetHandle(context.Background(), schedID).Delete(context.Background()) }()
	require.NoError(t, c.ScheduleClient().GetHandle(context.Background(), schedID).Trigger(context.Background(), client.ScheduleTriggerOptions{}))
	var run map[string]any
	require.Eventually(t, func() bool {
		runs := s.Do("GET", "/api/v1/directory/sync-runs", admin, nil).JSON(t)["data"].([]any)
		if len(runs) == 0 {
			return false
		}
		run = runs[0].(map[string]any)
		return run["status"] != "RUNNING"
	}, 2*time.Minute, 200*time.Millisecond)
	require.Equal(t, "COMPLETED", run["status"], "%v", run)
	require.Equal(t, "SCHEDULE", run["trigger"])
	counts := run["counts"].(map[string]any)
	require.EqualValues(t, 2, counts["users_created"], "%v", counts)
	require.EqualValues(t, 1, counts["users_suspended"], "%v", counts)
	require.EqualValues(t, 3, counts["members_added"], "%v", counts)
	require.NotEmpty(t, run["drift"])

	look := scim("GET", "/scim/v2/Users?filter="+url.QueryEscape(`userName eq "u0000005@example.com"`), nil).JSON(t)
	require.Equal(t, false, look["Resources"].([]any)[0].(map[string]any)["active"])
	require.EqualValues(t, 1, scim("GET", "/scim/v2/Users?filter="+url.QueryEscape(`externalId eq "00u0000152"`), nil).JSON(t)["totalResults"])
	full := scim("GET", "/scim/v2/Groups/"+gid, nil).JSON(t)
	require.Len(t, full["members"], 150)
	// Entra's department survived the sync (the directory does not speak about it).
	u4 := scim("GET", "/scim/v2/Users/"+ids["00u0000004"], nil).JSON(t)
	require.Equal(t, "R&D", u4[scimEnt].(map[string]any)["department"])
	m5 := s.Do("GET", "/api/v1/members/"+ids["00u0000005"], admin, nil).JSON(t)
	require.Equal(t, "SUSPENDED", m5["status"])
	log := s.Do("GET", "/api/v1/scim/requests?limit=3", admin, nil).JSON(t)["data"].([]any)
	require.Len(t, log, 3)
}
