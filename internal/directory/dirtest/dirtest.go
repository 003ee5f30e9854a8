// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package dirtest runs local servers that speak the shapes of the Okta Management API
// (SSWS token, Link pagination, X-Rate-Limit-* headers, 429s) and Microsoft Graph (client
// credentials token endpoint, @odata.nextLink, Retry-After on 429) as described in their
// public documentation, over an in-memory directory the test can change between syncs.
package dirtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// User is a directory user.
type User struct {
	ID, Login, Email, First, Last string
	Active                        bool
}

// Group is a directory group with its member ids.
type Group struct {
	ID, Name string
	Members  map[string]bool
}

// Directory is the state both servers serve.
type Directory struct {
	mu     sync.Mutex
	Users  map[string]*User
	Groups map[string]*Group
	// sorted caches the users in id order between changes, so paging a 100k-user
	// directory does not sort it once per page.
	sorted []User
}

// NewDirectory returns n users (u00001@example.com …) and no groups.
func NewDirectory(n int) *Directory {
	d := &Directory{Users: map[string]*User{}, Groups: map[string]*Group{}}
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("00u%07d", i)
		d.Users[id] = &User{ID: id, Login: fmt.Sprintf("u%07d@example.com", i), Email: fmt.Sprintf("u%07d@example.com", i),
			First: "First" + strconv.Itoa(i), Last: "Last" + strconv.Itoa(i), Active: true}
	}
	return d
}

// Do changes the directory under its lock.
func (d *Directory) Do(f func(d *Directory)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sorted = nil
	f(d)
}

// view reads the directory under its lock without invalidating the page cache.
func (d *Directory) view(f func(d *Directory)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f(d)
}

func (d *Directory) sortedUsers() []User {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.sorted == nil {
		d.sorted = make([]User, 0, len(d.Users))
		for _, u := range d.Users {
			d.sorted = append(d.sorted, *u)
		}
		sort.Slice(d.sorted, func(i, j int) bool { return d.sorted[i].ID < d.sorted[j].ID })
	}
	return d.sorted
}

// AddGroup adds a group with the given member ids.
func (d *Directory) AddGroup(id, name string, members ...string) {
	d.Do(func(d *Directory) {
		g := &Group{ID: id, Name: name, Members: map[string]bool{}}
		for _, m := range members {
			g.Members[m] = true
		}
		d.Groups[id] = g
	})
}

// Snapshot returns sorted copies of users and groups.
func (d *Directory) Snapshot() ([]User, []Group) {
	d.mu.Lock()
	defer d.mu.Unlock()
	users := make([]User, 0, len(d.Users))
	for _, u := range d.Users {
		users = append(users, *u)
	}
	sort.Slice(users, func(i, j int) bool { return users[i].ID < users[j].ID })
	groups := make([]Group, 0, len(d.Groups))
	for _, g := range d.Groups {
		c := Group{ID: g.ID, Name: g.Name, Members: map[string]bool{}}
		for m := range g.Members {
			c.Members[m] = true
		}
		groups = append(groups, c)
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].ID < groups[j].ID })
	return users, groups
}

func (d *Directory) userPage(after string, limit int, filter func(*User) bool) ([]User, string) {
	users := d.sortedUsers()
	start := sort.Search(len(users), func(i int) bool { return users[i].ID > after })
	var out []User
	for _, u := range users[start:] {
		if filter != nil && !filter(&u) {
			continue
		}
		if len(out) == limit {
			return out, out[len(out)-1].ID
		}
		out = append(out, u)
	}
	return out, ""
}

// Server is a running fake with request counters.
type Server struct {
	*httptest.Server
	Requests atomic.Int64
	// Throttled counts the 429s answered.
	Throttled atomic.Int64
}

// Options tune the fakes.
type Options struct {
	// ThrottleEvery answers 429 to every Nth data request (0: never).
	ThrottleEvery int64
	// PageSize caps the page size (Okta's max is 200, Graph's 999).
	PageSize int
}

// ---- Okta ----

type oktaUser struct {
	ID      string            `json:"id"`
	Status  string            `json:"status"`
	Created string            `json:"created"`
	Profile map[string]string `json:"profile"`
}

func toOkta(u User) oktaUser {
	status := "ACTIVE"
	if !u.Active {
		status = "SUSPENDED"
	}
	return oktaUser{ID: u.ID, Status: status, Created: "2024-01-01T00:00:00.000Z",
		Profile: map[string]string{"login": u.Login, "email": u.Email, "firstName": u.First, "lastName": u.Last}}
}

// Okta serves /api/v1/users, /api/v1/groups and /api/v1/groups/{id}/users for the token.
func Okta(d *Directory, token string, o Options) *Server {
	s := &Server{}
	if o.PageSize == 0 {
		o.PageSize = 200
	}
	mux := http.NewServeMux()
	auth := func(w http.ResponseWriter, r *http.Request) bool {
		if r.Header.Get("Authorization") != "SSWS "+token {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"oae1","errorCauses":[]}`))
			return false
		}
		n := s.Requests.Add(1)
		w.Header().Set("X-Rate-Limit-Limit", "600")
		w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Unix(), 10))
		if o.ThrottleEvery > 0 && n%o.ThrottleEvery == 0 {
			s.Throttled.Add(1)
			w.Header().Set("X-Rate-Limit-Remaining", "0")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorCauses":[]}`))
			return false
		}
		w.Header().Set("X-Rate-Limit-Remaining", "599")
		return true
	}
	limitOf := func(r *http.Request) int {
		n, err := strconv.Atoi(r.URL.Query().Get("limit"))
		if err != nil || n <= 0 || n > o.PageSize {
			return o.PageSize
		}
		return n
	}
	link := func(w http.ResponseWriter, r *http.Request, next string, limit int) {
		self := "http://" + r.Host + r.URL.Path
		w.Header().Add("Link", fmt.Sprintf(`<%s?limit=%d>; rel="self"`, self, limit))
		if next != "" {
			w.Header().Add("Link", fmt.Sprintf(`<%s?after=%s&limit=%d>; rel="next"`, self, url.QueryEscape(next), limit))
		}
	}
	writeJSON := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /api/v1/users", func(w http.ResponseWriter, r *http.Request) {
		if !auth(w, r) {
			return
		}
		limit := limitOf(r)
		page, next := d.userPage(r.URL.Query().Get("after"), limit, nil)
		out := make([]oktaUser, len(page))
		for i, u := range page {
			out[i] = toOkta(u)
		}
		link(w, r, next, limit)
		writeJSON(w, out)
	})
	mux.HandleFunc("GET /api/v1/groups", func(w http.ResponseWriter, r *http.Request) {
		if !auth(w, r) {
			return
		}
		_, groups := d.Snapshot()
		after, limit := r.URL.Query().Get("after"), limitOf(r)
		var out []map[string]any
		next := ""
		for _, g := range groups {
			if g.ID <= after {
				continue
			}
			if len(out) == limit {
				next = out[len(out)-1]["id"].(string)
				break
			}
			out = append(out, map[string]any{"id": g.ID, "type": "OKTA_GROUP", "profile": map[string]string{"name": g.Name, "description": ""}})
		}
		if out == nil {
			out = []map[string]any{}
		}
		link(w, r, next, limit)
		writeJSON(w, out)
	})
	mux.HandleFunc("GET /api/v1/groups/{id}/users", func(w http.ResponseWriter, r *http.Request) {
		if !auth(w, r) {
			return
		}
		// The member set is only changed by Do between syncs, so reading it unlocked while
		// paging is safe for these tests.
		var members map[string]bool
		d.view(func(d *Directory) {
			if g, ok := d.Groups[r.PathValue("id")]; ok {
				members = g.Members
			}
		})
		if members == nil {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"errorCode":"E0000007","errorSummary":"Not found: Resource not found"}`))
			return
		}
		limit := limitOf(r)
		page, next := d.userPage(r.URL.Query().Get("after"), limit, func(u *User) bool { return members[u.ID] })
		out := make([]oktaUser, len(page))
		for i, u := range page {
			out[i] = toOkta(u)
		}
		link(w, r, next, limit)
		writeJSON(w, out)
	})
	s.Server = httptest.NewServer(mux)
	return s
}

// ---- Microsoft Graph ----

// Graph serves the token endpoint (/{tenant}/oauth2/v2.0/token) and /v1.0/users, /v1.0/groups,
// /v1.0/groups/{id}/members for the client credentials.
func Graph(d *Directory, tenant, clientID, clientSecret string, o Options) *Server {
	s := &Server{}
	if o.PageSize == 0 {
		o.PageSize = 999
	}
	const accessToken = "eyJ0eXAiOiJKV1QiLCJub25jZSI6ImZha2UifQ.graph.test"
	mux := http.NewServeMux()
	mux.HandleFunc("POST /"+tenant+"/oauth2/v2.0/token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		w.Header().Set("Content-Type", "application/json")
		if r.PostForm.Get("grant_type") != "client_credentials" || id != clientID || secret != clientSecret {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}`))
			return
		}
		_, _ = w.Write([]byte(`{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"` + accessToken + `"}`))
	})
	auth := func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer "+accessToken {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty."}}`))
			return false
		}
		n := s.Requests.Add(1)
		if o.ThrottleEvery > 0 && n%o.ThrottleEvery == 0 {
			s.Throttled.Add(1)
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"error":{"code":"TooManyRequests","message":"Too many requests"}}`))
			return false
		}
		return true
	}
	top := func(r *http.Request) int {
		n, err := strconv.Atoi(r.URL.Query().Get("$top"))
		if err != nil || n <= 0 || n > o.PageSize {
			return o.PageSize
		}
		return n
	}
	write := func(w http.ResponseWriter, r *http.Request, ctx string, value any, next string, limit int) {
		out := map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#" + ctx, "value": value}
		if next != "" {
			q := url.Values{"$top": {strconv.Itoa(limit)}, "$skiptoken": {next}}
			out["@odata.nextLink"] = "http://" + r.Host + r.URL.Path + "?" + q.Encode()
		}
		_ = json.NewEncoder(w).Encode(out)
	}
	graphUser := func(u User) map[string]any {
		return map[string]any{"id": u.ID, "userPrincipalName": u.Login, "mail": u.Email, "givenName": u.First, "surname": u.Last,
			"displayName": u.First + " " + u.Last, "accountEnabled": u.Active}
	}
	mux.HandleFunc("GET /v1.0/users", func(w http.ResponseWriter, r *http.Request) {
		if !auth(w, r) {
			return
		}
		limit := top(r)
		page, next := d.userPage(r.URL.Query().Get("$skiptoken"), limit, nil)
		value := make([]map[string]any, len(page))
		for i, u := range page {
			value[i] = graphUser(u)
		}
		write(w, r, "users", value, next, limit)
	})
	mux.HandleFunc("GET /v1.0/groups", func(w http.ResponseWriter, r *http.Request) {
		if !auth(w, r) {
			return
		}
		_, groups := d.Snapshot()
		after, limit := r.URL.Query().Get("$skiptoken"), top(r)
		value := []map[string]any{}
		next := ""
		for _, g := range groups {
			if g.ID <= after {
				continue
			}
			if len(value) == limit {
				next = value[len(value)-1]["id"].(string)
				break
			}
			value = append(value, map[string]any{"id": g.ID, "displayName": g.Name, "securityEnabled": true})
		}
		write(w, r, "groups", value, next, limit)
	})
	mux.HandleFunc("GET /v1.0/groups/{id}/members", func(w http.ResponseWriter, r *http.Request) {
		if !auth(w, r) {
			return
		}
		// The member set is only changed by Do between syncs, so reading it unlocked while
		// paging is safe for these tests.
		var members map[string]bool
		d.view(func(d *Directory) {
			if g, ok := d.Groups[r.PathValue("id")]; ok {
				members = g.Members
			}
		})
		if members == nil {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":{"code":"Request_ResourceNotFound","message":"Resource does not exist."}}`))
			return
		}
		limit := top(r)
		page, next := d.userPage(r.URL.Query().Get("$skiptoken"), limit, func(u *User) bool { return members[u.ID] })
		value := make([]map[string]any, 0, len(page)+1)
		for _, u := range page {
			value = append(value, map[string]any{"@odata.type": "#microsoft.graph.user", "id": u.ID})
		}
		if r.URL.Query().Get("$skiptoken") == "" {
			// Groups can hold devices and nested groups; the sync must skip them.
			value = append(value, map[string]any{"@odata.type": "#microsoft.graph.device", "id": "dev-" + r.PathValue("id")})
		}
		write(w, r, "directoryObjects", value, next, limit)
	})
	s.Server = httptest.NewServer(mux)
	return s
}
