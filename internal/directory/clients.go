// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package directory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// User is one user as a directory lists it.
type User struct {
	ExternalID  string
	UserName    string
	Email       string
	GivenName   string
	FamilyName  string
	DisplayName string
	Active      bool
}

// Group is one group as a directory lists it.
type Group struct {
	ExternalID  string
	DisplayName string
}

// Page is one fetched page; Next is the opaque position of the following page ("" at the end).
type Page struct {
	Users   []User
	Groups  []Group
	Members []string // user external ids (group member pages)
	// Inline memberships some APIs return with groups (remote SCIM): group id → user ids.
	Inline map[string][]string
	Next   string
}

// Fetcher pages through a directory. Positions are opaque strings (a URL or an index) so a
// retried activity resumes exactly where the last heartbeat left it.
type Fetcher interface {
	Users(ctx context.Context, next string) (Page, error)
	Groups(ctx context.Context, next string) (Page, error)
	// Members lists a group's members; ok=false when Groups already returned them inline.
	Members(ctx context.Context, groupID, next string) (Page, bool, error)
}

// PermanentError is a directory answer retrying cannot fix (bad credentials, bad URL).
type PermanentError struct{ Msg string }

func (e *PermanentError) Error() string { return e.Msg }

// httpClient issues directory requests, honouring rate limits: on 429 it waits for
// Retry-After (Graph) or X-Rate-Limit-Reset (Okta), bounded, then retries; when Okta says the
// window is exhausted (X-Rate-Limit-Remaining: 0) it waits for the reset before the next call.
type httpClient struct {
	hc        *http.Client
	auth      func(ctx context.Context, r *http.Request) error
	maxWait   time.Duration
	waitUntil time.Time
	now       func() time.Time
}

const maxBody = 64 << 20

func (c *httpClient) get(ctx context.Context, u string, dst any) (http.Header, error) {
	for attempt := 0; ; attempt++ {
		if d := c.waitUntil.Sub(c.now()); d > 0 {
			if err := sleep(ctx, min(d, c.maxWait)); err != nil {
				return nil, err
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, &PermanentError{Msg: "bad directory URL"}
		}
		req.Header.Set("Accept", "application/json")
		if err := c.auth(ctx, req); err != nil {
			return nil, err
		}
		res, err := c.hc.Do(req)
		if err != nil {
			return nil, fmt.Errorf("directory: %w", err)
		}
		body, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
		res.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("directory: read: %w", err)
		}
		c.noteLimits(res.Header)
		switch {
		case res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusServiceUnavailable:
			if attempt >= 8 {
				return nil, fmt.Errorf("directory: still rate limited after %d attempts", attempt)
			}
			if err := sleep(ctx, c.retryAfter(res.Header, attempt)); err != nil {
				return nil, err
			}
			continue
		case res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden:
			return nil, &PermanentError{Msg: fmt.Sprintf("the directory refused the credentials (HTTP %d)", res.StatusCode)}
		case res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusBadRequest:
			return nil, &PermanentError{Msg: fmt.Sprintf("the directory answered HTTP %d for %s", res.StatusCode, redactURL(u))}
		case res.StatusCode >= 300:
			return nil, fmt.Errorf("directory: HTTP %d", res.StatusCode)
		}
		if err := json.Unmarshal(body, dst); err != nil {
			return nil, &PermanentError{Msg: "the directory answered with a body that is not the expected JSON"}
		}
		return res.Header, nil
	}
}

func (c *httpClient) noteLimits(h http.Header) {
	if h.Get("X-Rate-Limit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64); err == nil {
			c.waitUntil = time.Unix(reset, 0)
		}
	}
}

func (c *httpClient) retryAfter(h http.Header, attempt int) time.Duration {
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil && s >= 0 {
		return min(time.Duration(s)*time.Second, c.maxWait)
	}
	if reset, err := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64); err == nil {
		return min(max(time.Unix(reset, 0).Sub(c.now()), 0), c.maxWait)
	}
	return min(time.Duration(1<<attempt)*100*time.Millisecond, c.maxWait)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(url)"
	}
	return p.Scheme + "://" + p.Host + p.Path
}

var linkNextRe = regexp.MustCompile(`<([^>]+)>\s*;\s*rel="?next"?`)

// sameOrigin keeps a next link on the configured host, so a directory answer cannot point
// the sync (and its credential) at another server.
func sameOrigin(base, next string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", &PermanentError{Msg: "bad base URL"}
	}
	n, err := b.Parse(next)
	if err != nil || n.Scheme != b.Scheme || n.Host != b.Host {
		return "", &PermanentError{Msg: "the directory's next link points at another host"}
	}
	return n.String(), nil
}

// ---- Okta Management API ----

type okta struct {
	base string
	c    *httpClient
}

type oktaUser struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Profile struct {
		Login       string `json:"login"`
		Email       string `json:"email"`
		FirstName   string `json:"firstName"`
		LastName    string `json:"lastName"`
		DisplayName string `json:"displayName"`
	} `json:"profile"`
}

func (o *okta) page(ctx context.Context, first, next string, dst any) (string, error) {
	u := first
	if next != "" {
		u = next
	}
	h, err := o.c.get(ctx, u, dst)
	if err != nil {
		return "", err
	}
	for _, l := range h.Values("Link") {
		if m := linkNextRe.FindStringSubmatch(l); m != nil {
			return sameOrigin(o.base, m[1])
		}
	}
	return "", nil
}

func oktaActive(status string) bool {
	switch strings.ToUpper(status) {
	case "SUSPENDED", "DEPROVISIONED", "STAGED":
		return false
	}
	return true
}

func (o *okta) Users(ctx context.Context, next string) (Page, error) {
	var list []oktaUser
	n, err := o.page(ctx, o.base+"/api/v1/users?limit=200", next, &list)
	if err != nil {
		return Page{}, err
	}
	p := Page{Next: n}
	for _, u := range list {
		p.Users = append(p.Users, User{ExternalID: u.ID, UserName: u.Profile.Login, Email: u.Profile.Email, GivenName: u.Profile.FirstName,
			FamilyName: u.Profile.LastName, DisplayName: u.Profile.DisplayName, Active: oktaActive(u.Status)})
	}
	return p, nil
}

func (o *okta) Groups(ctx context.Context, next string) (Page, error) {
	var list []struct {
		ID      string `json:"id"`
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
	}
	n, err := o.page(ctx, o.base+"/api/v1/groups?limit=200", next, &list)
	if err != nil {
		return Page{}, err
	}
	p := Page{Next: n}
	for _, g := range list {
		p.Groups = append(p.Groups, Group{ExternalID: g.ID, DisplayName: g.Profile.Name})
	}
	return p, nil
}

func (o *okta) Members(ctx context.Context, groupID, next string) (Page, bool, error) {
	var list []oktaUser
	n, err := o.page(ctx, o.base+"/api/v1/groups/"+url.PathEscape(groupID)+"/users?limit=200", next, &list)
	if err != nil {
		return Page{}, true, err
	}
	p := Page{Next: n}
	for _, u := range list {
		p.Members = append(p.Members, u.ID)
	}
	return p, true, nil
}

// ---- Microsoft Graph (Entra ID) ----

type graph struct {
	base string
	c    *httpClient
}

type graphList[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"@odata.nextLink"`
}

func (g *graph) page(ctx context.Context, first, next string, dst interface{ next() string }) (string, error) {
	u := first
	if next != "" {
		u = next
	}
	if _, err := g.c.get(ctx, u, dst); err != nil {
		return "", err
	}
	if n := dst.next(); n != "" {
		return sameOrigin(g.base, n)
	}
	return "", nil
}

func (l *graphList[T]) next() string { return l.NextLink }

type graphUser struct {
	ID                string `json:"id"`
	UserPrincipalName string `json:"userPrincipalName"`
	Mail              string `json:"mail"`
	GivenName         string `json:"givenName"`
	Surname           string `json:"surname"`
	DisplayName       string `json:"displayName"`
	AccountEnabled    *bool  `json:"accountEnabled"`
}

func (g *graph) Users(ctx context.Context, next string) (Page, error) {
	var l graphList[graphUser]
	n, err := g.page(ctx, g.base+"/v1.0/users?$select=id,userPrincipalName,mail,givenName,surname,displayName,accountEnabled&$top=999", next, &l)
	if err != nil {
		return Page{}, err
	}
	p := Page{Next: n}
	for _, u := range l.Value {
		email := u.Mail
		if email == "" {
			email = u.UserPrincipalName
		}
		p.Users = append(p.Users, User{ExternalID: u.ID, UserName: u.UserPrincipalName, Email: email, GivenName: u.GivenName,
			FamilyName: u.Surname, DisplayName: u.DisplayName, Active: u.AccountEnabled == nil || *u.AccountEnabled})
	}
	return p, nil
}

func (g *graph) Groups(ctx context.Context, next string) (Page, error) {
	var l graphList[struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
	}]
	n, err := g.page(ctx, g.base+"/v1.0/groups?$select=id,displayName&$top=999", next, &l)
	if err != nil {
		return Page{}, err
	}
	p := Page{Next: n}
	for _, gr := range l.Value {
		p.Groups = append(p.Groups, Group{ExternalID: gr.ID, DisplayName: gr.DisplayName})
	}
	return p, nil
}

func (g *graph) Members(ctx context.Context, groupID, next string) (Page, bool, error) {
	var l graphList[struct {
		Type string `json:"@odata.type"`
		ID   string `json:"id"`
	}]
	n, err := g.page(ctx, g.base+"/v1.0/groups/"+url.PathEscape(groupID)+"/members?$select=id&$top=999", next, &l)
	if err != nil {
		return Page{}, true, err
	}
	p := Page{Next: n}
	for _, m := range l.Value {
		if m.Type == "" || m.Type == "#microsoft.graph.user" { // nested groups and devices are not users
			p.Members = append(p.Members, m.ID)
		}
	}
	return p, true, nil
}

// ---- remote SCIM 2.0 server ----

type remoteSCIM struct {
	base string
	c    *httpClient
}

type scimList struct {
	TotalResults int               `json:"totalResults"`
	ItemsPerPage int               `json:"itemsPerPage"`
	StartIndex   int               `json:"startIndex"`
	Resources    []json.RawMessage `json:"Resources"`
}

const scimPage = 200

func (s *remoteSCIM) list(ctx context.Context, path, next string) (scimList, string, error) {
	start := 1
	if next != "" {
		n, err := strconv.Atoi(next)
		if err != nil || n < 1 {
			return scimList{}, "", &PermanentError{Msg: "bad SCIM position"}
		}
		start = n
	}
	var l scimList
	if _, err := s.c.get(ctx, fmt.Sprintf("%s%s?startIndex=%d&count=%d", s.base, path, start, scimPage), &l); err != nil {
		return l, "", err
	}
	nx := ""
	if len(l.Resources) > 0 && start-1+len(l.Resources) < l.TotalResults {
		nx = strconv.Itoa(start + len(l.Resources))
	}
	return l, nx, nil
}

func (s *remoteSCIM) Users(ctx context.Context, next string) (Page, error) {
	l, nx, err := s.list(ctx, "/Users", next)
	if err != nil {
		return Page{}, err
	}
	p := Page{Next: nx}
	for _, raw := range l.Resources {
		var u struct {
			ID       string `json:"id"`
			UserName string `json:"userName"`
			Active   *bool  `json:"active"`
			Display  string `json:"displayName"`
			Name     struct {
				GivenName  string `json:"givenName"`
				FamilyName string `json:"familyName"`
			} `json:"name"`
			Emails []struct {
				Value   string `json:"value"`
				Primary bool   `json:"primary"`
			} `json:"emails"`
		}
		if json.Unmarshal(raw, &u) != nil {
			continue
		}
		email := u.UserName
		for i, e := range u.Emails {
			if e.Primary || i == 0 {
				email = e.Value
			}
		}
		p.Users = append(p.Users, User{ExternalID: u.ID, UserName: u.UserName, Email: email, GivenName: u.Name.GivenName,
			FamilyName: u.Name.FamilyName, DisplayName: u.Display, Active: u.Active == nil || *u.Active})
	}
	return p, nil
}

func (s *remoteSCIM) Groups(ctx context.Context, next string) (Page, error) {
	l, nx, err := s.list(ctx, "/Groups", next)
	if err != nil {
		return Page{}, err
	}
	p := Page{Next: nx, Inline: map[string][]string{}}
	for _, raw := range l.Resources {
		var g struct {
			ID          string `json:"id"`
			DisplayName string `json:"displayName"`
			Members     []struct {
				Value string `json:"value"`
			} `json:"members"`
		}
		if json.Unmarshal(raw, &g) != nil {
			continue
		}
		p.Groups = append(p.Groups, Group{ExternalID: g.ID, DisplayName: g.DisplayName})
		ids := make([]string, 0, len(g.Members))
		for _, m := range g.Members {
			ids = append(ids, m.Value)
		}
		p.Inline[g.ID] = ids
	}
	return p, nil
}

func (s *remoteSCIM) Members(context.Context, string, string) (Page, bool, error) {
	return Page{}, false, nil
}

// NewFetcher builds the fetcher of a connection with its decrypted secret.
func NewFetcher(conn Connection, secret string, hc *http.Client) (Fetcher, error) {
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	base := strings.TrimRight(conn.BaseURL, "/")
	c := &httpClient{hc: hc, maxWait: 60 * time.Second, now: time.Now}
	switch conn.Kind {
	case KindOkta:
		c.auth = func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "SSWS "+secret)
			return nil
		}
		return &okta{base: base, c: c}, nil
	case KindEntra:
		tokenURL := conn.Settings.TokenURL
		if tokenURL == "" {
			tokenURL = "https://login.microsoftonline.com/" + url.PathEscape(conn.Settings.TenantID) + "/oauth2/v2.0/token"
		}
		scope := conn.Settings.Scope
		if scope == "" {
			scope = "https://graph.microsoft.com/.default"
		}
		cc := clientcredentials.Config{ClientID: conn.Settings.ClientID, ClientSecret: secret, TokenURL: tokenURL, Scopes: []string{scope}}
		src := cc.TokenSource(context.WithValue(context.Background(), oauth2.HTTPClient, hc))
		c.auth = func(_ context.Context, r *http.Request) error {
			tok, err := src.Token()
			if err != nil {
				var re *oauth2.RetrieveError
				if errors.As(err, &re) {
					return &PermanentError{Msg: "Entra ID refused the client credentials"}
				}
				return err
			}
			tok.SetAuthHeader(r)
			return nil
		}
		return &graph{base: base, c: c}, nil
	case KindSCIM:
		c.auth = func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+secret)
			return nil
		}
		return &remoteSCIM{base: base, c: c}, nil
	}
	return nil, &PermanentError{Msg: "unknown directory kind"}
}
