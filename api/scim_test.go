// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
	"github.com/bytechefhq/bytechef-ee/internal/scim"
)

const scimCT = "application/scim+json"

func scimHarness(t *testing.T, rps float64, burst int) *harness {
	return newHarness(t, nil, func(h *harness) []Routes {
		svc := scim.NewService(h.pool, orgadmin.NewService(h.pool, h.cfg))
		return []Routes{SCIMRoutes{SCIM: svc, Region: "us", PublicURL: "https://ee.example", RatePerSecond: rps, Burst: burst,
			Requests: NewSCIMRequests(prometheus.NewRegistry())}}
	})
}

// scimToken creates a SCIM token for the org of adminKey.
func (h *harness) scimToken(adminKey string) string {
	h.t.Helper()
	res := h.do(req{method: "POST", path: "/api/v1/scim/tokens", token: adminKey, body: map[string]any{"name": "okta"}})
	require.Equal(h.t, http.StatusCreated, res.Code, "%s", res.Body)
	secret := res.JSON(h.t)["secret"].(string)
	require.True(h.t, strings.HasPrefix(secret, "scim_"))
	return secret
}

func (h *harness) scim(method, path, token string, body any) response {
	h.t.Helper()
	r := req{method: method, path: path, token: token, body: body}
	if body != nil {
		r.header = map[string]string{"Content-Type": scimCT}
	}
	res := h.do(r)
	if res.Code != http.StatusNoContent {
		require.Equal(h.t, scimCT, res.Header.Get("Content-Type"), "%s %s: %s", method, path, res.Body)
	}
	return res
}

func scimErrType(t *testing.T, res response) string {
	t.Helper()
	m := res.JSON(t)
	require.Equal(t, []any{scim.ErrorSchema}, m["schemas"], "%s", res.Body)
	require.Equal(t, fmt.Sprint(res.Code), m["status"])
	s, _ := m["scimType"].(string)
	return s
}

func filterPath(base, filter string) string { return base + "?filter=" + url.QueryEscape(filter) }

func TestSCIMOktaAndEntraTraffic(t *testing.T) {
	t.Parallel()
	h := scimHarness(t, 10000, 10000)
	_, admin := h.newOrg("acme")
	tok := h.scimToken(admin)

	// Discovery tells the truth.
	spc := h.scim("GET", "/scim/v2/ServiceProviderConfig", tok, nil).JSON(t)
	require.Equal(t, true, spc["patch"].(map[string]any)["supported"])
	require.Equal(t, false, spc["bulk"].(map[string]any)["supported"])
	require.Equal(t, float64(scim.MaxResults), spc["filter"].(map[string]any)["maxResults"])
	require.EqualValues(t, 3, h.scim("GET", "/scim/v2/Schemas", tok, nil).JSON(t)["totalResults"])
	require.EqualValues(t, 2, h.scim("GET", "/scim/v2/ResourceTypes", tok, nil).JSON(t)["totalResults"])

	// Okta: existence check, then create.
	lookup := h.scim("GET", filterPath("/scim/v2/Users", `userName eq "ada@acme.com"`)+"&startIndex=1&count=100", tok, nil).JSON(t)
	require.EqualValues(t, 0, lookup["totalResults"])
	created := h.scim("POST", "/scim/v2/Users", tok, map[string]any{
		"schemas": []string{scim.UserSchema}, "userName": "ada@acme.com",
		"name":        map[string]any{"givenName": "Ada", "familyName": "Lovelace"},
		"emails":      []any{map[string]any{"primary": true, "value": "ada@acme.com", "type": "work"}},
		"displayName": "Ada Lovelace", "locale": "en-US", "externalId": "00u1ada", "groups": []any{}, "password": "hunter2",
		"active": true, "costume": map[string]any{"hat": "top"},
	})
	require.Equal(t, http.StatusCreated, created.Code, "%s", created.Body)
	ada := created.JSON(t)
	adaID := ada["id"].(string)
	require.Equal(t, "https://ee.example/scim/v2/Users/"+adaID, created.Header.Get("Location"))
	require.NotContains(t, string(created.Body), "hunter2")
	require.Equal(t, map[string]any{"hat": "top"}, ada["costume"], "unmodelled attributes are kept and returned")

	// Case-variant duplicate: 409 uniqueness.
	dup := h.scim("POST", "/scim/v2/Users", tok, map[string]any{"schemas": []string{scim.UserSchema}, "userName": "ADA@ACME.COM"})
	require.Equal(t, http.StatusConflict, dup.Code)
	require.Equal(t, "uniqueness", scimErrType(t, dup))

	// Filter lookup is case-insensitive on userName, case-sensitive on externalId.
	require.EqualValues(t, 1, h.scim("GET", filterPath("/scim/v2/Users", `USERNAME Eq "ADA@acme.com"`), tok, nil).JSON(t)["totalResults"])
	require.EqualValues(t, 1, h.scim("GET", filterPath("/scim/v2/Users", `externalId eq "00u1ada"`), tok, nil).JSON(t)["totalResults"])
	require.EqualValues(t, 0, h.scim("GET", filterPath("/scim/v2/Users", `externalId eq "00U1ADA"`), tok, nil).JSON(t)["totalResults"])
	require.EqualValues(t, 1, h.scim("GET", filterPath("/scim/v2/Users", `emails[type eq "work" and value co "@acme"] and not (title pr)`), tok, nil).JSON(t)["totalResults"])
	require.EqualValues(t, 1, h.scim("GET", filterPath("/scim/v2/Users", `name.familyName sw "love" or userName ew ".org"`), tok, nil).JSON(t)["totalResults"])

	// Okta deactivation: path-less replace {"active": false} suspends the member.
	res := h.scim("PATCH", "/scim/v2/Users/"+adaID, tok, map[string]any{"schemas": []string{scim.PatchSchema},
		"Operations": []any{map[string]any{"op": "replace", "value": map[string]any{"active": false}}}})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	require.Equal(t, false, res.JSON(t)["active"])
	member := h.do(req{method: "GET", path: "/api/v1/members/" + adaID, token: admin}).JSON(t)
	require.Equal(t, "SUSPENDED", member["status"])
	require.Equal(t, "SCIM", member["source"])
	// A filter lookup still finds the suspended user with the same id.
	found := h.scim("GET", filterPath("/scim/v2/Users", `userName eq "ada@acme.com"`), tok, nil).JSON(t)
	require.Equal(t, adaID, found["Resources"].([]any)[0].(map[string]any)["id"])
	// Reactivation restores the same member.
	res = h.scim("PATCH", "/scim/v2/Users/"+adaID, tok, map[string]any{"schemas": []string{scim.PatchSchema},
		"Operations": []any{map[string]any{"op": "replace", "value": map[string]any{"active": true}}}})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	require.Equal(t, "ACTIVE", h.do(req{method: "GET", path: "/api/v1/members/" + adaID, token: admin}).JSON(t)["status"])

	// Entra: create with the enterprise extension, then its PATCH dialect.
	created = h.scim("POST", "/scim/v2/Users", tok, map[string]any{
		"schemas": []string{scim.UserSchema, scim.EnterpriseSchema}, "externalId": "alan", "userName": "alan@acme.com", "active": true,
		"emails": []any{map[string]any{"primary": true, "type": "work", "value": "alan@acme.com"}}, "meta": map[string]any{"resourceType": "User"},
		"name": map[string]any{"formatted": "Alan Turing", "familyName": "Turing", "givenName": "Alan"}, "roles": []any{},
		scim.EnterpriseSchema: map[string]any{"department": "Math"},
	})
	require.Equal(t, http.StatusCreated, created.Code, "%s", created.Body)
	alanID := created.JSON(t)["id"].(string)
	res = h.scim("PATCH", "/scim/v2/Users/"+alanID, tok, map[string]any{"schemas": []string{scim.PatchSchema}, "Operations": []any{
		map[string]any{"op": "Replace", "path": "active", "value": "False"},
		map[string]any{"op": "Add", "path": `emails[type eq "home"].value`, "value": "alan@home.example"},
		map[string]any{"op": "Replace", "path": `emails[type eq "work"].value`, "value": "alan.turing@acme.com"},
		map[string]any{"op": "Replace", "path": scim.EnterpriseSchema + ":department", "value": "R&D"},
		map[string]any{"op": "Replace", "path": "name.givenName", "value": "Al"},
		map[string]any{"op": "replace", "value": map[string]any{"name.familyName": "T.", scim.EnterpriseSchema + ":employeeNumber": "42", "displayName": "Al T."}},
	}})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	alan := res.JSON(t)
	require.Equal(t, false, alan["active"])
	require.Equal(t, map[string]any{"department": "R&D", "employeeNumber": "42"}, alan[scim.EnterpriseSchema])
	require.Equal(t, "Al", alan["name"].(map[string]any)["givenName"])
	require.Equal(t, "T.", alan["name"].(map[string]any)["familyName"])
	require.Len(t, alan["emails"], 2)
	require.Contains(t, string(res.Body), "alan.turing@acme.com")
	require.Equal(t, "SUSPENDED", h.do(req{method: "GET", path: "/api/v1/members/" + alanID, token: admin}).JSON(t)["status"])
	require.EqualValues(t, 1, h.scim("GET", filterPath("/scim/v2/Users", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "r&d"`), tok, nil).JSON(t)["totalResults"])
	require.EqualValues(t, 1, h.scim("GET", filterPath("/scim/v2/Users", `active eq false`), tok, nil).JSON(t)["totalResults"])

	// Group push with hundreds of members, then both member-removal forms as deltas.
	ids := []string{adaID, alanID}
	for i := range 298 {
		r := h.scim("POST", "/scim/v2/Users", tok, map[string]any{"schemas": []string{scim.UserSchema}, "userName": fmt.Sprintf("u%03d@acme.com", i), "active": true})
		require.Equal(t, http.StatusCreated, r.Code, "%s", r.Body)
		ids = append(ids, r.JSON(t)["id"].(string))
	}
	members := make([]any, len(ids))
	for i, id := range ids {
		members[i] = map[string]any{"value": id}
	}
	g := h.scim("POST", "/scim/v2/Groups", tok, map[string]any{"schemas": []string{scim.GroupSchema}, "displayName": "Engineering", "members": members[:150]})
	require.Equal(t, http.StatusCreated, g.Code, "%s", g.Body)
	gid := g.JSON(t)["id"].(string)
	res = h.scim("PATCH", "/scim/v2/Groups/"+gid, tok, map[string]any{"schemas": []string{scim.PatchSchema}, "Operations": []any{
		map[string]any{"op": "add", "path": "members", "value": members[150:]}}})
	require.Equal(t, http.StatusNoContent, res.Code, "%s", res.Body)
	res = h.scim("PATCH", "/scim/v2/Groups/"+gid, tok, map[string]any{"schemas": []string{scim.PatchSchema}, "Operations": []any{
		map[string]any{"op": "remove", "path": fmt.Sprintf(`members[value eq "%s"]`, ids[5])}}})
	require.Equal(t, http.StatusNoContent, res.Code, "%s", res.Body)
	res = h.scim("PATCH", "/scim/v2/Groups/"+gid, tok, map[string]any{"schemas": []string{scim.PatchSchema}, "Operations": []any{
		map[string]any{"op": "Remove", "path": "members", "value": []any{map[string]any{"value": ids[6]}, map[string]any{"value": ids[7]}}}}})
	require.Equal(t, http.StatusNoContent, res.Code, "%s", res.Body)
	full := h.scim("GET", "/scim/v2/Groups/"+gid, tok, nil).JSON(t)
	require.Len(t, full["members"], 297)
	slim := h.scim("GET", "/scim/v2/Groups/"+gid+"?excludedAttributes=members", tok, nil).JSON(t)
	require.NotContains(t, slim, "members")
	require.EqualValues(t, 1, h.scim("GET", filterPath("/scim/v2/Groups", fmt.Sprintf(`members[value eq "%s"]`, ids[0])), tok, nil).JSON(t)["totalResults"])
	require.EqualValues(t, 0, h.scim("GET", filterPath("/scim/v2/Groups", fmt.Sprintf(`members[value eq "%s"]`, ids[5])), tok, nil).JSON(t)["totalResults"])
	user0 := h.scim("GET", "/scim/v2/Users/"+ids[0], tok, nil).JSON(t)
	require.Equal(t, "Engineering", user0["groups"].([]any)[0].(map[string]any)["display"])

	// Group mapping: Engineering members move to the mapped permission group.
	pg := h.do(req{method: "POST", path: "/api/v1/groups", token: admin, body: map[string]any{"name": "Engineers", "priority": 10}})
	require.Equal(t, http.StatusCreated, pg.Code, "%s", pg.Body)
	pgID := pg.JSON(t)["id"].(string)
	mp := h.do(req{method: "POST", path: "/api/v1/directory/group-mappings", token: admin,
		body: map[string]any{"match_by": "DISPLAY_NAME", "idp_group": "engineering", "permission_group_id": pgID}})
	require.Equal(t, http.StatusCreated, mp.Code, "%s", mp.Body)
	require.Equal(t, pgID, h.do(req{method: "GET", path: "/api/v1/members/" + ids[0], token: admin}).JSON(t)["permission_group_id"])
	require.NotEqual(t, pgID, h.do(req{method: "GET", path: "/api/v1/members/" + ids[5], token: admin}).JSON(t)["permission_group_id"])

	// Pagination: 1-based, stable, count=0 gives only the total.
	page1 := h.scim("GET", "/scim/v2/Users?startIndex=1&count=120", tok, nil).JSON(t)
	page2 := h.scim("GET", "/scim/v2/Users?startIndex=121&count=120", tok, nil).JSON(t)
	require.EqualValues(t, 300, page1["totalResults"])
	require.EqualValues(t, 120, page2["itemsPerPage"])
	require.NotEqual(t, page1["Resources"].([]any)[119].(map[string]any)["id"], page2["Resources"].([]any)[0].(map[string]any)["id"])
	zero := h.scim("GET", "/scim/v2/Users?count=0", tok, nil).JSON(t)
	require.EqualValues(t, 300, zero["totalResults"])
	require.NotContains(t, zero, "Resources")
	proj := h.scim("GET", "/scim/v2/Users/"+adaID+"?attributes=name.givenName", tok, nil).JSON(t)
	require.Equal(t, map[string]any{"givenName": "Ada"}, proj["name"])
	require.NotContains(t, proj, "emails")

	// DELETE deprovisions (soft): gone from SCIM, DEPROVISIONED in the admin API.
	require.Equal(t, http.StatusNoContent, h.scim("DELETE", "/scim/v2/Users/"+ids[9], tok, nil).Code)
	require.Equal(t, http.StatusNotFound, h.scim("GET", "/scim/v2/Users/"+ids[9], tok, nil).Code)
	require.Equal(t, "DEPROVISIONED", h.do(req{method: "GET", path: "/api/v1/members/" + ids[9], token: admin}).JSON(t)["status"])
	// Provisioning the same userName again revives the same member and id.
	again := h.scim("POST", "/scim/v2/Users", tok, map[string]any{"schemas": []string{scim.UserSchema}, "userName": "u007@acme.com"})
	require.Equal(t, http.StatusCreated, again.Code, "%s", again.Body)
	require.Equal(t, ids[9], again.JSON(t)["id"])
	require.Equal(t, "ACTIVE", h.do(req{method: "GET", path: "/api/v1/members/" + ids[9], token: admin}).JSON(t)["status"])

	// The request log shows what the IdP sent.
	log := h.do(req{method: "GET", path: "/api/v1/scim/requests?limit=5", token: admin}).JSON(t)
	require.Len(t, log["data"], 5)
}

func TestSCIMHostileInput(t *testing.T) {
	t.Parallel()
	h := scimHarness(t, 10000, 10000)
	_, admin := h.newOrg("acme")
	tok := h.scimToken(admin)
	_, admin2 := h.newOrg("other")
	tok2 := h.scimToken(admin2)
	u := h.scim("POST", "/scim/v2/Users", tok, map[string]any{"schemas": []string{scim.UserSchema}, "userName": "ada@acme.com"})
	require.Equal(t, http.StatusCreated, u.Code, "%s", u.Body)
	id := u.JSON(t)["id"].(string)

	filters := []struct {
		filter string
		status int
		typ    string
	}{
		{`userName eq "x' OR 1=1 --"`, 200, ""},
		{`userName eq "\"); DROP TABLE member; --"`, 200, ""},
		{`userName co "%"`, 200, ""},
		{`unknownAttr eq "x"`, 400, "invalidFilter"},
		{`userName eq`, 400, "invalidFilter"},
		{`userName xx "a"`, 400, "invalidFilter"},
		{`active gt true`, 400, "invalidFilter"},
		{`active eq "yes"`, 400, "invalidFilter"},
		{`userName eq 5`, 400, "invalidFilter"},
		{`meta.lastModified gt "not a date"`, 400, "invalidFilter"},
		{`emails[value eq "x"`, 400, "invalidFilter"},
		{`name eq "x"`, 400, "invalidFilter"},
		{strings.Repeat(`userName eq "a" or `, 100) + `userName eq "a"`, 400, "invalidFilter"},
		{`id eq "not-a-uuid"`, 200, ""},
		{"userName eq \"a\xff\"", 400, "invalidFilter"},
		{"displayName co \"\xc3\x28\"", 400, "invalidFilter"},
		{"userName eq \"a\x00\"", 400, "invalidFilter"},
	}
	for _, f := range filters {
		res := h.scim("GET", filterPath("/scim/v2/Users", f.filter), tok, nil)
		require.Equal(t, f.status, res.Code, "%s: %s", f.filter, res.Body)
		if f.status == 200 {
			require.EqualValues(t, 0, res.JSON(t)["totalResults"], f.filter)
		} else {
			require.Equal(t, f.typ, scimErrType(t, res), f.filter)
		}
	}

	patches := []struct {
		name string
		ops  any
		typ  string
	}{
		{"id", []any{map[string]any{"op": "replace", "path": "id", "value": "00000000-0000-0000-0000-000000000000"}}, "mutability"},
		{"meta", []any{map[string]any{"op": "replace", "path": "meta.created", "value": "2020-01-01T00:00:00Z"}}, "mutability"},
		{"groups", []any{map[string]any{"op": "add", "path": "groups", "value": []any{map[string]any{"value": "x"}}}}, "mutability"},
		{"bad op", []any{map[string]any{"op": "merge", "path": "title", "value": "x"}}, "invalidSyntax"},
		{"wrong type", []any{map[string]any{"op": "replace", "path": "active", "value": 7}}, "invalidValue"},
		{"wrong type string", []any{map[string]any{"op": "replace", "path": "displayName", "value": []any{1}}}, "invalidValue"},
		{"remove userName", []any{map[string]any{"op": "remove", "path": "userName"}}, "mutability"},
		{"remove without path", []any{map[string]any{"op": "remove"}}, "noTarget"},
		{"bad path", []any{map[string]any{"op": "replace", "path": "emails[type eq", "value": "x"}}, "invalidPath"},
		{"no ops", []any{}, "invalidSyntax"},
		{"path not an attribute name", []any{map[string]any{"op": "replace", "path": "displayName\ufffd", "value": "x"}}, "invalidPath"},
		{"ops not list", "x", "invalidSyntax"},
	}
	for _, p := range patches {
		res := h.scim("PATCH", "/scim/v2/Users/"+id, tok, map[string]any{"schemas": []string{scim.PatchSchema}, "Operations": p.ops})
		require.Equal(t, http.StatusBadRequest, res.Code, "%s: %s", p.name, res.Body)
		require.Equal(t, p.typ, scimErrType(t, res), p.name)
	}
	// Malformed JSON, wrong content type, huge body.
	res := h.do(req{method: "POST", path: "/scim/v2/Users", token: tok, body: `{"userName":`, header: map[string]string{"Content-Type": scimCT}})
	require.Equal(t, http.StatusBadRequest, res.Code)
	require.Equal(t, "invalidSyntax", scimErrType(t, res))
	res = h.do(req{method: "POST", path: "/scim/v2/Users", token: tok, body: `{}`, header: map[string]string{"Content-Type": "text/plain"}})
	require.Equal(t, http.StatusUnsupportedMediaType, res.Code)
	// A number the database cannot hold is refused up front, naming the attribute.
	res = h.do(req{method: "POST", path: "/scim/v2/Users", token: tok, body: `{"userName":"n@acme.com","x":1e999999}`, header: map[string]string{"Content-Type": scimCT}})
	require.Equal(t, http.StatusBadRequest, res.Code, "%s", res.Body)
	require.Equal(t, "invalidSyntax", scimErrType(t, res))
	require.Contains(t, string(res.Body), "x must be a number")
	huge := `{"userName":"a@acme.com","x":"` + strings.Repeat("a", 6<<20) + `"}`
	res = h.do(req{method: "POST", path: "/scim/v2/Users", token: tok, body: huge, header: map[string]string{"Content-Type": scimCT}})
	require.Equal(t, http.StatusRequestEntityTooLarge, res.Code)
	scimErrType(t, res)

	// Huge groups: more members than one request may name, and members that are not users.
	many := make([]any, 20001)
	for i := range many {
		many[i] = map[string]any{"value": uuid.NewString()}
	}
	res = h.scim("POST", "/scim/v2/Groups", tok, map[string]any{"schemas": []string{scim.GroupSchema}, "displayName": "Huge", "members": many})
	require.Equal(t, http.StatusBadRequest, res.Code, "%s", res.Body)
	require.Equal(t, "invalidValue", scimErrType(t, res))
	res = h.scim("POST", "/scim/v2/Groups", tok, map[string]any{"schemas": []string{scim.GroupSchema}, "displayName": "Strangers", "members": many[:500]})
	require.Equal(t, http.StatusBadRequest, res.Code, "%s", res.Body)
	require.Equal(t, "invalidValue", scimErrType(t, res))
	require.EqualValues(t, 0, h.scim("GET", "/scim/v2/Groups?count=0", tok, nil).JSON(t)["totalResults"], "a refused create leaves nothing")

	// Tokens: another org's token sees nothing of this org; revoked, expired, query-string
	// and API-key credentials are 401 in the SCIM error schema.
	require.Equal(t, http.StatusNotFound, h.scim("GET", "/scim/v2/Users/"+id, tok2, nil).Code)
	require.EqualValues(t, 0, h.scim("GET", filterPath("/scim/v2/Users", `userName eq "ada@acme.com"`), tok2, nil).JSON(t)["totalResults"])
	res = h.do(req{method: "GET", path: "/scim/v2/Users?access_token=" + tok})
	require.Equal(t, http.StatusUnauthorized, res.Code)
	scimErrType(t, res)
	res = h.do(req{method: "GET", path: "/scim/v2/Users", token: admin})
	require.Equal(t, http.StatusUnauthorized, res.Code)
	require.Equal(t, "401", res.JSON(t)["status"])
	require.Equal(t, http.StatusUnauthorized, h.do(req{method: "GET", path: "/api/v1/members", token: tok}).Code, "a SCIM token is only for /scim/v2")
	// Rotation: a second token works alongside; a third is refused until one is revoked.
	second := h.scimToken(admin)
	require.Equal(t, http.StatusOK, h.scim("GET", "/scim/v2/Users", second, nil).Code)
	require.Equal(t, http.StatusConflict, h.do(req{method: "POST", path: "/api/v1/scim/tokens", token: admin, body: map[string]any{"name": "third"}}).Code)
	list := h.do(req{method: "GET", path: "/api/v1/scim/tokens", token: admin}).JSON(t)["data"].([]any)
	require.Len(t, list, 2)
	first := list[0].(map[string]any)["id"].(string)
	require.Equal(t, http.StatusNoContent, h.do(req{method: "DELETE", path: "/api/v1/scim/tokens/" + first, token: admin}).Code)
	require.Equal(t, http.StatusUnauthorized, h.scim("GET", "/scim/v2/Users", tok, nil).Code)
	_, err := h.pool.Exec(context.Background(), `UPDATE scim_token SET expires_at = now() - interval '1 second'`)
	require.NoError(t, err)
	require.Equal(t, http.StatusUnauthorized, h.scim("GET", "/scim/v2/Users", second, nil).Code)
}

func TestSCIMRateLimit(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	h := newHarness(t, nil, func(h *harness) []Routes {
		svc := scim.NewService(h.pool, orgadmin.NewService(h.pool, h.cfg))
		return []Routes{SCIMRoutes{SCIM: svc, Region: "us", PublicURL: "https://ee.example", RatePerSecond: 0.5, Burst: 2, Requests: NewSCIMRequests(reg)}}
	})
	_, admin := h.newOrg("acme")
	tok := h.scimToken(admin)
	require.Equal(t, http.StatusOK, h.scim("GET", "/scim/v2/Users", tok, nil).Code)
	require.Equal(t, http.StatusOK, h.scim("GET", "/scim/v2/Users", tok, nil).Code)
	res := h.scim("GET", "/scim/v2/Users", tok, nil)
	require.Equal(t, http.StatusTooManyRequests, res.Code)
	require.NotEmpty(t, res.Header.Get("Retry-After"))
	scimErrType(t, res)
	require.Equal(t, http.StatusUnauthorized, h.scim("GET", "/scim/v2/Users", "scim_bogus", nil).Code)
	counts := map[string]float64{}
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			labels := ""
			for _, l := range m.GetLabel() {
				labels += l.GetName() + "=" + l.GetValue() + ","
			}
			counts[mf.GetName()+"{"+labels+"}"] = m.GetCounter().GetValue()
		}
	}
	require.Equal(t, 2.0, counts["bytechef_scim_requests_total{op=get_users,status=200,}"], "%v", counts)
	require.Equal(t, 1.0, counts["bytechef_scim_requests_total{op=get_users,status=429,}"], "%v", counts)
	require.Equal(t, 1.0, counts["bytechef_scim_requests_total{op=get_users,status=401,}"], "%v", counts)
}

// TestSCIMConcurrentCreates sends case-variant creates of one userName at once: the unique
// index lets exactly one win; the others are 409 uniqueness, never a 500 or a duplicate.
func TestSCIMConcurrentCreates(t *testing.T) {
	t.Parallel()
	h := scimHarness(t, 10000, 10000)
	_, admin := h.newOrg("acme")
	tok := h.scimToken(admin)
	names := []string{"race@acme.com", "RACE@acme.com", "Race@Acme.com", "race@ACME.COM", "rAce@acme.com", "racE@acme.com"}
	codes := make(chan int, len(names))
	var wg sync.WaitGroup
	for _, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := strings.NewReader(fmt.Sprintf(`{"schemas":["%s"],"userName":%q}`, scim.UserSchema, n))
			r := httptest.NewRequest("POST", "/scim/v2/Users", body)
			r.Header.Set("Content-Type", scimCT)
			r.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			h.engine.ServeHTTP(rec, r)
			codes <- rec.Code
		}()
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	require.Equal(t, map[int]int{http.StatusCreated: 1, http.StatusConflict: len(names) - 1}, got)
	require.EqualValues(t, 1, h.scim("GET", filterPath("/scim/v2/Users", `userName eq "race@acme.com"`), tok, nil).JSON(t)["totalResults"])
}

// TestSCIMDisabled: with the toggle off the module is not loaded; SCIM paths answer 404
// feature_disabled in the SCIM error schema, and the admin paths in problem+json.
func TestSCIMDisabled(t *testing.T) {
	t.Parallel()
	h := newHarness(t, map[string]string{"BYTECHEF_SCIM_ENABLED": "false"})
	_, admin := h.newOrg("acme")
	res := h.do(req{method: "GET", path: "/scim/v2/Users", token: "scim_x"})
	require.Equal(t, http.StatusNotFound, res.Code)
	require.Equal(t, scimCT, res.Header.Get("Content-Type"))
	require.Equal(t, "404", res.JSON(t)["status"])
	res = h.do(req{method: "GET", path: "/api/v1/scim/tokens", token: admin})
	require.Equal(t, http.StatusNotFound, res.Code)
	require.Equal(t, "feature_disabled", res.problemCode(t))
	res = h.do(req{method: "GET", path: "/api/v1/directory/sync-runs", token: admin})
	require.Equal(t, "feature_disabled", res.problemCode(t))
}
