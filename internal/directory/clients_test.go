// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package directory

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/directory/dirtest"
)

func drain(t *testing.T, f Fetcher) ([]User, []Group, map[string][]string) {
	t.Helper()
	ctx := context.Background()
	var users []User
	next := ""
	for {
		p, err := f.Users(ctx, next)
		require.NoError(t, err)
		users = append(users, p.Users...)
		if next = p.Next; next == "" {
			break
		}
	}
	var groups []Group
	members := map[string][]string{}
	for {
		p, err := f.Groups(ctx, next)
		require.NoError(t, err)
		groups = append(groups, p.Groups...)
		for g, m := range p.Inline {
			members[g] = m
		}
		if next = p.Next; next == "" {
			break
		}
	}
	for _, g := range groups {
		for {
			p, ok, err := f.Members(ctx, g.ExternalID, next)
			require.NoError(t, err)
			if !ok {
				break
			}
			members[g.ExternalID] = append(members[g.ExternalID], p.Members...)
			if next = p.Next; next == "" {
				break
			}
		}
	}
	return users, groups, members
}

func TestOktaAndGraphFetchers(t *testing.T) {
	t.Parallel()
	d := dirtest.NewDirectory(450)
	d.AddGroup("g1", "Engineering", "00u0000001", "00u0000002", "00u0000450")
	d.Do(func(d *dirtest.Directory) { d.Users["00u0000007"].Active = false })
	okta := dirtest.Okta(d, "tok", dirtest.Options{ThrottleEvery: 3})
	defer okta.Close()
	f, err := NewFetcher(Connection{Kind: KindOkta, BaseURL: okta.URL}, "tok", nil)
	require.NoError(t, err)
	users, groups, members := drain(t, f)
	require.Len(t, users, 450)
	require.False(t, users[6].Active)
	require.Equal(t, "u0000001@example.com", users[0].UserName)
	require.Equal(t, []Group{{ExternalID: "g1", DisplayName: "Engineering"}}, groups)
	require.Equal(t, []string{"00u0000001", "00u0000002", "00u0000450"}, members["g1"])
	require.Positive(t, okta.Throttled.Load())

	graph := dirtest.Graph(d, "t1", "c1", "s1", dirtest.Options{ThrottleEvery: 4, PageSize: 100})
	defer graph.Close()
	f, err = NewFetcher(Connection{Kind: KindEntra, BaseURL: graph.URL, Settings: Settings{ClientID: "c1", TokenURL: graph.URL + "/t1/oauth2/v2.0/token"}}, "s1", nil)
	require.NoError(t, err)
	users, _, members = drain(t, f)
	require.Len(t, users, 450)
	require.Equal(t, []string{"00u0000001", "00u0000002", "00u0000450"}, members["g1"], "devices are not members")

	// Wrong credentials are permanent errors (retrying cannot fix them).
	bad, err := NewFetcher(Connection{Kind: KindOkta, BaseURL: okta.URL}, "wrong", nil)
	require.NoError(t, err)
	_, err = bad.Users(context.Background(), "")
	require.True(t, IsPermanent(err), "%v", err)
	bad, err = NewFetcher(Connection{Kind: KindEntra, BaseURL: graph.URL, Settings: Settings{ClientID: "c1", TokenURL: graph.URL + "/t1/oauth2/v2.0/token"}}, "wrong", nil)
	require.NoError(t, err)
	_, err = bad.Users(context.Background(), "")
	require.True(t, IsPermanent(err), "%v", err)
}

// TestHostileDirectoryAnswers: a next link to another host, a body that is not the expected
// JSON and a 404 are permanent errors; the credential is never sent elsewhere.
func TestHostileDirectoryAnswers(t *testing.T) {
	t.Parallel()
	var leaked bool
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked = r.Header.Get("Authorization") != ""
		_, _ = w.Write([]byte("[]"))
	}))
	defer evil.Close()
	cases := map[string]http.HandlerFunc{
		"foreign next link": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("Link", fmt.Sprintf(`<%s/api/v1/users?after=x>; rel="next"`, evil.URL))
			_, _ = w.Write([]byte("[]"))
		},
		"not json":  func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>login</html>")) },
		"not found": func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) },
	}
	for name, h := range cases {
		srv := httptest.NewServer(h)
		f, err := NewFetcher(Connection{Kind: KindOkta, BaseURL: srv.URL}, "tok", nil)
		require.NoError(t, err)
		_, err = f.Users(context.Background(), "")
		require.True(t, IsPermanent(err), "%s: %v", name, err)
		srv.Close()
	}
	require.False(t, leaked)
}

// TestRemoteSCIMFetcher pages a remote SCIM server by startIndex and reads inline members.
func TestRemoteSCIMFetcher(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer remote" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		start, _ := strconv.Atoi(r.URL.Query().Get("startIndex"))
		w.Header().Set("Content-Type", "application/scim+json")
		switch r.URL.Path {
		case "/scim/v2/Users":
			var res []string
			for i := start; i < start+200 && i <= 250; i++ {
				res = append(res, fmt.Sprintf(`{"id":"r%d","userName":"r%d@example.com","active":%t,"emails":[{"value":"r%d@example.com","primary":true}]}`, i, i, i != 3, i))
			}
			fmt.Fprintf(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":250,"startIndex":%d,"itemsPerPage":%d,"Resources":[%s]}`,
				start, len(res), join(res))
		case "/scim/v2/Groups":
			fmt.Fprint(w, `{"totalResults":1,"startIndex":1,"itemsPerPage":1,"Resources":[{"id":"rg","displayName":"Remote","members":[{"value":"r1"},{"value":"r2"}]}]}`)
		}
	}))
	defer srv.Close()
	f, err := NewFetcher(Connection{Kind: KindSCIM, BaseURL: srv.URL + "/scim/v2"}, "remote", nil)
	require.NoError(t, err)
	users, groups, members := drain(t, f)
	require.Len(t, users, 250)
	require.False(t, users[2].Active)
	require.Len(t, groups, 1)
	require.Equal(t, []string{"r1", "r2"}, members["rg"])
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}
