// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package sso

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
)

// asymmetricAlgs are the only JWS algorithms ever accepted; a provider narrows them further
// with id_token_signing_alg_values_supported. "none" and HMAC (key confusion) are never in it.
var asymmetricAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// JWKSRefetchInterval is the least time between two JWKS fetches of one connection: a token
// with an unknown kid triggers at most one refetch per interval (key rotation works, a flood
// of made-up kids does not turn into a flood of requests to the IdP).
var JWKSRefetchInterval = 30 * time.Second

const maxDiscoveryBytes = 512 << 10

type oidcProvider struct {
	issuer   string // as discovered (may be an Entra {tenantid} template)
	endpoint oauth2.Endpoint
	userinfo string
	algs     []string
	keys     *keySet
}

type discovery struct {
	Issuer      string   `json:"issuer"`
	AuthURL     string   `json:"authorization_endpoint"`
	TokenURL    string   `json:"token_endpoint"`
	JWKSURL     string   `json:"jwks_uri"`
	UserInfoURL string   `json:"userinfo_endpoint"`
	Algs        []string `json:"id_token_signing_alg_values_supported"`
	PKCEMethods []string `json:"code_challenge_methods_supported"`
}

func (s *Service) getJSON(ctx context.Context, u string, dst any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	res, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s answered %d", u, res.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, maxDiscoveryBytes+1))
	if err != nil {
		return err
	}
	if len(b) > maxDiscoveryBytes {
		return fmt.Errorf("GET %s: response too large", u)
	}
	return json.Unmarshal(b, dst)
}

// provider returns the connection's discovered provider, cached per connection version.
func (s *Service) provider(ctx context.Context, c Connection) (*oidcProvider, error) {
	key := fmt.Sprintf("%s/%d", c.ID, c.Version)
	s.mu.Lock()
	p, ok := s.providers[key]
	s.mu.Unlock()
	if ok {
		return p, nil
	}
	// An Entra {tenantid} issuer is discovered through the multi-tenant "organizations" path.
	base := strings.TrimSuffix(strings.ReplaceAll(c.OIDC.Issuer, "{tenantid}", "organizations"), "/")
	var d discovery
	if err := s.getJSON(ctx, base+"/.well-known/openid-configuration", &d); err != nil {
		return nil, err
	}
	// The discovered issuer must be exactly the configured one (OIDC Discovery §4.3).
	if d.Issuer != c.OIDC.Issuer {
		return nil, fmt.Errorf("discovery issuer %q is not the configured issuer %q", d.Issuer, c.OIDC.Issuer)
	}
	for _, u := range []string{d.AuthURL, d.TokenURL, d.JWKSURL} {
		if !urlAllowed(u) {
			return nil, fmt.Errorf("discovery endpoint %q is not an https URL", u)
		}
	}
	algs := []string{}
	declared := d.Algs
	if len(declared) == 0 {
		declared = []string{"RS256"} // the OIDC default
	}
	for _, a := range declared {
		if slices.Contains(asymmetricAlgs, a) {
			algs = append(algs, a)
		}
	}
	if len(algs) == 0 {
		return nil, errors.New("the provider declares no asymmetric id_token signing algorithm")
	}
	if d.UserInfoURL != "" && !urlAllowed(d.UserInfoURL) {
		return nil, fmt.Errorf("discovery endpoint %q is not an https URL", d.UserInfoURL)
	}
	p = &oidcProvider{issuer: d.Issuer, endpoint: oauth2.Endpoint{AuthURL: d.AuthURL, TokenURL: d.TokenURL}, userinfo: d.UserInfoURL, algs: algs,
		keys: &keySet{url: d.JWKSURL, algs: algs, get: s.getJSON, now: s.now}}
	s.mu.Lock()
	s.providers[key] = p
	s.mu.Unlock()
	return p, nil
}

func (s *Service) forgetProvider(id uuid.UUID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.providers {
		if strings.HasPrefix(k, id.String()+"/") {
			delete(s.providers, k)
		}
	}
}

func (s *Service) oauthConfig(slug string, c Connection, p *oidcProvider, secret string) *oauth2.Config {
	return &oauth2.Config{ClientID: c.OIDC.ClientID, ClientSecret: secret, Endpoint: p.endpoint, RedirectURL: s.OIDCRedirectURI(slug), Scopes: c.OIDC.Scopes}
}

// keySet verifies JWS signatures with the provider's JWKS, refetching at most once per
// JWKSRefetchInterval when a token names a kid it does not know.
type keySet struct {
	url  string
	algs []string
	get  func(ctx context.Context, u string, dst any) error
	now  func() time.Time

	mu        sync.Mutex
	keys      []jose.JSONWebKey
	fetchedAt time.Time
}

func (k *keySet) find(kid string) *jose.JSONWebKey {
	for i := range k.keys {
		if k.keys[i].KeyID == kid && (k.keys[i].Use == "" || k.keys[i].Use == "sig") {
			return &k.keys[i]
		}
	}
	return nil
}

// VerifySignature implements oidc.KeySet.
func (k *keySet) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	algs := make([]jose.SignatureAlgorithm, len(k.algs))
	for i, a := range k.algs {
		algs[i] = jose.SignatureAlgorithm(a)
	}
	jws, err := jose.ParseSignedCompact(raw, algs)
	if err != nil {
		return nil, fmt.Errorf("id_token: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("id_token: exactly one signature is accepted")
	}
	kid := jws.Signatures[0].Header.KeyID
	k.mu.Lock()
	key := k.find(kid)
	if key == nil && (k.fetchedAt.IsZero() || k.now().Sub(k.fetchedAt) >= JWKSRefetchInterval) {
		var set jose.JSONWebKeySet
		err := k.get(ctx, k.url, &set)
		k.fetchedAt = k.now()
		if err == nil {
			k.keys = set.Keys
		}
		key = k.find(kid)
	}
	k.mu.Unlock()
	if key == nil {
		return nil, fmt.Errorf("%w: no signing key with kid %q", errUnknownKey, truncate(kid, 100))
	}
	if !key.IsPublic() {
		return nil, errors.New("id_token: JWKS key is not a public key")
	}
	// The key's own alg, when it names one, must be the token's.
	if key.Algorithm != "" && key.Algorithm != jws.Signatures[0].Header.Algorithm {
		return nil, errors.New("id_token: alg does not match the key")
	}
	return jws.Verify(key)
}

var errUnknownKey = errors.New("id_token: unknown key")

// OIDCCallback handles GET /sso/{slug}/oidc/callback.
func (s *Service) OIDCCallback(ctx context.Context, slug, state, code, idpError string, bindings map[string]string) (string, *Failure) {
	ctx = browserCtx(ctx)
	org, f := s.orgBySlug(ctx, slug)
	if f != nil {
		return "", f
	}
	fl := func(conn *Connection, f *Failure) (string, *Failure) {
		return "", s.recordFailure(ctx, org, conn, OIDC, f)
	}
	if state == "" || len(state) > 200 {
		return fl(nil, invalid(ReasonRequestUnknown, "missing state"))
	}
	binding, ok := bindings[state]
	if !ok {
		return fl(nil, invalid(ReasonRequestUnknown, "state was not issued to this browser"))
	}
	lr, err := s.consumeLogin(ctx, org.ID, state, binding)
	if loginGone(err) {
		return fl(nil, invalid(ReasonRequestUnknown, "state is unknown, used or expired"))
	}
	if err != nil {
		return "", s.unavailable(err)
	}
	conn, err := s.GetConnection(ctx, org.ID, lr.ConnectionID)
	if err != nil || conn.Protocol != OIDC || !conn.Enabled {
		return fl(nil, fail(403, ReasonNoConnection, "This sign-in method is no longer available.", "connection gone or disabled"))
	}
	if idpError != "" {
		return fl(&conn, fail(403, ReasonIdPError, "The identity provider did not sign you in.", "IdP error %q", truncate(idpError, 100)))
	}
	if code == "" || len(code) > 4096 {
		return fl(&conn, invalid(ReasonInvalidResponse, "missing code"))
	}
	p, err := s.provider(ctx, conn)
	if err != nil {
		return fl(&conn, fail(503, ReasonProviderUnavailable, "The identity provider cannot be reached right now. Please try again.", "discovery: %v", err))
	}
	secret := ""
	if conn.SecretSet {
		b, err := s.secretOf(ctx, conn)
		if err != nil {
			return "", s.unavailable(err)
		}
		secret = string(b)
	}
	oc := s.oauthConfig(slug, conn, p, secret)
	tok, err := oc.Exchange(context.WithValue(ctx, oauth2.HTTPClient, s.client), code, oauth2.VerifierOption(lr.PkceVerifier))
	if err != nil {
		return fl(&conn, invalid(ReasonTokenExchange, "token exchange: %v", err))
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return fl(&conn, invalid(ReasonInvalidResponse, "the token response has no id_token"))
	}
	u, f := s.verifyIDToken(ctx, org.ID, conn, p, rawID, lr.Nonce, func(ctx context.Context, sub string) (map[string]any, error) {
		return s.userInfo(ctx, p, tok, sub)
	})
	if f != nil {
		return fl(&conn, f)
	}
	return s.finish(ctx, org, conn, OIDC, u, lr.ReturnTo)
}

// verifyIDToken checks signature, algorithm, audience, expiry, issuer (with the Entra tenant
// template), nonce, email_verified and Google's hd, and returns what the token says.
func (s *Service) verifyIDToken(ctx context.Context, orgID uuid.UUID, conn Connection, p *oidcProvider, raw, nonce string,
	userinfo func(ctx context.Context, sub string) (map[string]any, error)) (userInfo, *Failure) {
	v := oidc.NewVerifier(p.issuer, p.keys, &oidc.Config{ClientID: conn.OIDC.ClientID, SupportedSigningAlgs: p.algs, SkipIssuerCheck: true, Now: s.now})
	tok, err := v.Verify(ctx, raw)
	if err != nil {
		msg := err.Error()
		switch {
		case strings.Contains(msg, "expired"):
			return userInfo{}, invalid(ReasonExpired, "%s", msg)
		case strings.Contains(msg, "audience") || strings.Contains(msg, "aud"):
			return userInfo{}, invalid(ReasonAudience, "%s", msg)
		}
		return userInfo{}, invalid(ReasonSignature, "%s", msg)
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return userInfo{}, invalid(ReasonMalformed, "id_token claims: %v", err)
	}
	str := func(k string) string { v, _ := claims[k].(string); return v }
	// Issuer: exact, or the Entra template with the token's own tid.
	want := p.issuer
	tid := str("tid")
	if strings.Contains(want, "{tenantid}") {
		if tid == "" || !slices.Contains(conn.OIDC.AllowedTenantIDs, tid) {
			return userInfo{}, invalid(ReasonTenant, "tenant %q is not in allowed_tenant_ids", truncate(tid, 100))
		}
		want = strings.ReplaceAll(want, "{tenantid}", tid)
	}
	if tok.Issuer != want {
		return userInfo{}, invalid(ReasonIssuer, "iss %q is not %q", truncate(tok.Issuer, 200), want)
	}
	if len(conn.OIDC.AllowedTenantIDs) > 0 && !strings.Contains(p.issuer, "{tenantid}") && tid != "" && !slices.Contains(conn.OIDC.AllowedTenantIDs, tid) {
		return userInfo{}, invalid(ReasonTenant, "tenant %q is not in allowed_tenant_ids", truncate(tid, 100))
	}
	// With several audiences the token must name us as its authorized party (OIDC Core §3.1.3.7).
	if len(tok.Audience) > 1 && str("azp") != conn.OIDC.ClientID {
		return userInfo{}, invalid(ReasonAudience, "several audiences and azp %q is not the client", truncate(str("azp"), 200))
	}
	if nonce == "" || tok.Nonce != nonce {
		return userInfo{}, invalid(ReasonNonce, "nonce does not match the login request")
	}
	// Providers may keep profile claims out of the id_token and serve them at userinfo
	// (OIDC Core §5.4). Only profile claims are taken from there, and only when the id_token
	// lacks them; identity (sub, oid, tid) and Google's hd come from the signed token alone.
	if _, ok := claims["email"]; !ok && userinfo != nil && p.userinfo != "" {
		extra, err := userinfo(ctx, tok.Subject)
		if err != nil {
			return userInfo{}, invalid(ReasonInvalidResponse, "userinfo: %v", err)
		}
		for _, k := range []string{"email", "email_verified", "name", "given_name", "family_name", "preferred_username", "groups"} {
			if _, have := claims[k]; !have && extra[k] != nil {
				claims[k] = extra[k]
			}
		}
	}
	u := userInfo{Claims: map[string][]string{}, EmailVerified: true}
	for k, v := range claims {
		switch t := v.(type) {
		case string:
			u.Claims[k] = []string{t}
		case []any:
			for _, e := range t {
				if s, ok := e.(string); ok {
					u.Claims[k] = append(u.Claims[k], s)
				}
			}
		case bool:
			u.Claims[k] = []string{fmt.Sprint(t)}
		case float64:
			u.Claims[k] = []string{fmt.Sprint(t)}
		}
	}
	switch ev := claims["email_verified"].(type) {
	case nil:
	case bool:
		u.EmailVerified = ev
	case string:
		switch strings.ToLower(ev) {
		case "true":
			u.EmailVerified = true
		case "false":
			u.EmailVerified = false
		default:
			return userInfo{}, invalid(ReasonMalformed, "email_verified %q is neither true nor false", truncate(ev, 20))
		}
	default:
		return userInfo{}, invalid(ReasonMalformed, "email_verified has type %T", ev)
	}
	mapping := mappingFor(conn)
	switch {
	case conn.AttributeMapping[AttrSubject] != "":
		u.Subject = first(u.Claims, []string{conn.AttributeMapping[AttrSubject]})
	case conn.Provider == EntraID && str("oid") != "" && tid != "":
		u.Subject = "entra:" + tid + ":" + str("oid")
	default:
		u.Subject = tok.Subject
	}
	u.Email = first(u.Claims, mapping[AttrEmail])
	if conn.Provider == GoogleWorkspace {
		// The signed hd claim, not the request hint, must be one of the org's verified domains.
		hd := strings.ToLower(str("hd"))
		ok := false
		if hd != "" {
			var err error
			ok, err = dbsqlc.New(s.db).DomainIsVerifiedByOrg(ctx, dbsqlc.DomainIsVerifiedByOrgParams{OrgID: orgID, Domain: hd})
			if err != nil {
				return userInfo{}, s.unavailable(err)
			}
		}
		if !ok {
			return userInfo{}, fail(403, ReasonHostedDomain, "Your Google account's domain is not one of this organization's verified domains.", "hd %q", truncate(hd, 200))
		}
	}
	u.fill(mapping)
	return u, nil
}

// userInfo reads the userinfo endpoint with the access token; its sub must be the id_token's.
func (s *Service) userInfo(ctx context.Context, p *oidcProvider, tok *oauth2.Token, sub string) (map[string]any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.userinfo, nil)
	if err != nil {
		return nil, err
	}
	tok.SetAuthHeader(req)
	req.Header.Set("Accept", "application/json")
	res, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("answered %d", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return nil, fmt.Errorf("content type %q (signed userinfo is not supported)", truncate(ct, 100))
	}
	var m map[string]any
	if err := json.NewDecoder(io.LimitReader(res.Body, maxDiscoveryBytes)).Decode(&m); err != nil {
		return nil, err
	}
	if got, _ := m["sub"].(string); got != sub {
		return nil, errors.New("userinfo sub is not the id_token's")
	}
	return m, nil
}
