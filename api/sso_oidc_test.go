// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/platform/testenv"
)

// TestOIDCFullFlowAgainstZitadel logs in against zitadel's example OpenID provider (the real
// binary built by `make tools`, issuer http://localhost:PORT/): code flow with PKCE through
// its login form, JIT, the code exchange and a session that introspects.
func TestOIDCFullFlowAgainstZitadel(t *testing.T) {
	t.Parallel()
	bin := testenv.Binary(t, "oidc-example-server")
	e := newSSOEnv(t)
	port := strings.TrimPrefix(testenv.FreeAddr(t), "127.0.0.1:")
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "PORT="+port, "REDIRECT_URI="+e.url+"/sso/acme/oidc/callback")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	issuer := "http://localhost:" + port + "/"
	require.Eventually(t, func() bool {
		res, err := http.Get(issuer + ".well-known/openid-configuration")
		if err == nil {
			_ = res.Body.Close()
		}
		return err == nil && res.StatusCode == 200
	}, 15*time.Second, 50*time.Millisecond)

	res := e.do(req{method: "POST", path: "/api/v1/sso/connections", token: e.adminKey, body: map[string]any{
		"protocol": "OIDC", "provider": "GENERIC", "jit_provisioning": true,
		"oidc": map[string]any{"issuer": issuer, "client_id": "web", "client_secret": "secret", "scopes": []string{"openid", "email", "profile"}}}})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	conn := res.JSON(t)
	require.Equal(t, true, conn["oidc"].(map[string]any)["client_secret_set"])
	require.NotContains(t, string(res.Body), `"secret"`)

	b := browser(t)
	login := b.get(t, e.url+"/sso/acme?return_to="+url.QueryEscape(appReturnTo))
	page := login.Body
	require.Equal(t, http.StatusOK, login.StatusCode, "%s", page)
	action, vals := parseForm(t, page, login.URL)
	vals.Set("username", "test-user@localhost")
	vals.Set("password", "verysecure")
	done := b.postForm(t, action, vals)
	tok := e.exchange(t, codeFrom(t, done))
	require.Equal(t, "test-user@zitadel.ch", tok["user"].(map[string]any)["email"])
	in := e.introspect(t, tok["session_token"].(string))
	require.Equal(t, true, in["active"])
	require.Equal(t, "MEMBER", in["role"])
}

// hostileOP is an OpenID provider under the test's control: it speaks discovery, JWKS,
// authorize (auto-approve) and token (checking PKCE S256), and mints the id_token the case
// asks for — including the malicious ones a compromised or confused IdP could send.
type hostileOP struct {
	srv       *httptest.Server
	key       *rsa.PrivateKey
	otherKey  *rsa.PrivateKey
	issuer    string // what discovery says
	jwksHits  atomic.Int32
	mu        sync.Mutex
	codes     map[string][2]string // code → nonce, challenge
	idToken   func(op *hostileOP, nonce string) string
	tokenHits atomic.Int32
}

func newHostileOP(t *testing.T) *hostileOP {
	op := &hostileOP{codes: map[string][2]string{}}
	op.key, _ = testCert(t, "op")
	op.otherKey, _ = testCert(t, "other")
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration") {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": op.issuer, "authorization_endpoint": op.srv.URL + "/authorize",
			"token_endpoint": op.srv.URL + "/token", "jwks_uri": op.srv.URL + "/keys", "id_token_signing_alg_values_supported": []string{"RS256"},
			"code_challenge_methods_supported": []string{"S256"}})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		op.jwksHits.Add(1)
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &op.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" {
			http.Error(w, "PKCE S256 and nonce required", 400)
			return
		}
		code := fmt.Sprintf("c%d", time.Now().UnixNano())
		op.mu.Lock()
		op.codes[code] = [2]string{q.Get("nonce"), q.Get("code_challenge")}
		op.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code="+code+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		op.tokenHits.Add(1)
		_ = r.ParseForm()
		op.mu.Lock()
		c, ok := op.codes[r.PostForm.Get("code")]
		delete(op.codes, r.PostForm.Get("code"))
		op.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != c[1] {
			w.WriteHeader(400)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant"})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 60, "id_token": op.idToken(op, c[0])})
	})
	op.srv = httptest.NewServer(mux)
	t.Cleanup(op.srv.Close)
	op.issuer = op.srv.URL + "/"
	return op
}

func (op *hostileOP) claims(nonce string) map[string]any {
	now := time.Now()
	return map[string]any{"iss": op.issuer, "sub": "user-1", "aud": "client-1", "exp": now.Add(5 * time.Minute).Unix(), "iat": now.Unix(),
		"nonce": nonce, "email": "bob@example.com", "email_verified": true, "name": "Bob"}
}

func sign(t *testing.T, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", kid).WithType("JWT"))
	require.NoError(t, err)
	payload, _ := json.Marshal(claims)
	obj, err := s.Sign(payload)
	require.NoError(t, err)
	out, err := obj.CompactSerialize()
	require.NoError(t, err)
	return out
}

func b64json(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }

// oidcLogin runs the dance against the hostile OP and returns the final response.
func oidcLogin(t *testing.T, e *ssoEnv, b *browserClient, connection string) page {
	t.Helper()
	u := e.url + "/sso/acme?return_to=" + url.QueryEscape(appReturnTo)
	if connection != "" {
		u += "&connection=" + connection
	}
	return b.get(t, u)
}

func TestOIDCMustReject(t *testing.T) {
	t.Parallel()
	e := newSSOEnv(t)
	op := newHostileOP(t)
	res := e.do(req{method: "POST", path: "/api/v1/sso/connections", token: e.adminKey, body: map[string]any{
		"protocol": "OIDC", "provider": "OKTA", "jit_provisioning": true,
		"oidc": map[string]any{"issuer": op.issuer, "client_id": "client-1", "client_secret": "s3cret"}}})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	connID := res.JSON(t)["id"].(string)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&op.key.PublicKey))})

	cases := []struct {
		name   string
		token  func(t *testing.T, op *hostileOP, nonce string) string
		status int
		reason string
	}{
		{"control", func(t *testing.T, op *hostileOP, n string) string { return sign(t, op.key, "k1", op.claims(n)) }, 303, ""},
		{"email_verified as the string \"true\"", func(t *testing.T, op *hostileOP, n string) string {
			c := op.claims(n)
			c["email_verified"] = "true"
			return sign(t, op.key, "k1", c)
		}, 303, ""},
		{"alg none", func(t *testing.T, op *hostileOP, n string) string {
			return b64json(map[string]string{"alg": "none", "typ": "JWT"}) + "." + b64json(op.claims(n)) + "."
		}, 400, "SIGNATURE_INVALID"},
		{"HS256 key confusion with the RSA public key as the HMAC secret", func(t *testing.T, op *hostileOP, n string) string {
			in := b64json(map[string]string{"alg": "HS256", "typ": "JWT", "kid": "k1"}) + "." + b64json(op.claims(n))
			m := hmac.New(sha256.New, pubPEM)
			m.Write([]byte(in))
			return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
		}, 400, "SIGNATURE_INVALID"},
		{"unknown kid (signed by a key not in the JWKS)", func(t *testing.T, op *hostileOP, n string) string {
			return sign(t, op.otherKey, "k2", op.claims(n))
		}, 400, "SIGNATURE_INVALID"},
		{"known kid, wrong key", func(t *testing.T, op *hostileOP, n string) string { return sign(t, op.otherKey, "k1", op.claims(n)) }, 400, "SIGNATURE_INVALID"},
		{"wrong issuer", func(t *testing.T, op *hostileOP, n string) string {
			c := op.claims(n)
			c["iss"] = "https://evil.example/"
			return sign(t, op.key, "k1", c)
		}, 400, "ISSUER_MISMATCH"},
		{"wrong audience", func(t *testing.T, op *hostileOP, n string) string {
			c := op.claims(n)
			c["aud"] = "someone-else"
			return sign(t, op.key, "k1", c)
		}, 400, "AUDIENCE_MISMATCH"},
		{"several audiences without azp naming us", func(t *testing.T, op *hostileOP, n string) string {
			c := op.claims(n)
			c["aud"], c["azp"] = []string{"client-1", "other-app"}, "other-app"
			return sign(t, op.key, "k1", c)
		}, 400, "AUDIENCE_MISMATCH"},
		{"wrong nonce", func(t *testing.T, op *hostileOP, n string) string { return sign(t, op.key, "k1", op.claims("other")) }, 400, "NONCE_MISMATCH"},
		{"missing nonce", func(t *testing.T, op *hostileOP, n string) string {
			c := op.claims(n)
			delete(c, "nonce")
			return sign(t, op.key, "k1", c)
		}, 400, "NONCE_MISMATCH"},
		{"expired", func(t *testing.T, op *hostileOP, n string) string {
			c := op.claims(n)
			c["exp"] = time.Now().Add(-time.Hour).Unix()
			return sign(t, op.key, "k1", c)
		}, 400, "EXPIRED"},
		{"email_verified as the string \"false\"", func(t *testing.T, op *hostileOP, n string) string {
			c := op.claims(n)
			c["sub"], c["email"], c["email_verified"] = "user-2", "carol@example.com", "false"
			return sign(t, op.key, "k1", c)
		}, 403, "EMAIL_NOT_VERIFIED"},
		{"missing email lists the claims received", func(t *testing.T, op *hostileOP, n string) string {
			c := op.claims(n)
			c["sub"] = "user-3"
			delete(c, "email")
			return sign(t, op.key, "k1", c)
		}, 400, "MISSING_EMAIL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			op.mu.Lock()
			op.idToken = func(op *hostileOP, nonce string) string { return c.token(t, op, nonce) }
			op.mu.Unlock()
			res := oidcLogin(t, e, browser(t), "")
			body := res.Body
			require.Equal(t, c.status, res.StatusCode, "%s", body)
			require.Equal(t, c.reason, reasonOf(body))
			if c.reason == "MISSING_EMAIL" {
				require.Contains(t, string(body), "email_verified, exp, iat, iss, name, nonce, sub")
			}
		})
	}
	op.idToken = func(op *hostileOP, n string) string { return sign(t, op.key, "k1", op.claims(n)) }

	t.Run("missing state", func(t *testing.T) {
		res := browser(t).get(t, e.url+"/sso/acme/oidc/callback?code=x")
		body := res.Body
		require.Equal(t, 400, res.StatusCode)
		require.Equal(t, "REQUEST_UNKNOWN", reasonOf(body))
	})
	t.Run("foreign state and reused callback", func(t *testing.T) {
		// Stop at our callback to capture its URL.
		b := browser(t)
		b.c.CheckRedirect = func(r *http.Request, via []*http.Request) error {
			if strings.Contains(r.URL.Path, "/oidc/callback") {
				return http.ErrUseLastResponse
			}
			return nil
		}
		res := oidcLogin(t, e, b, "")
		cb := res.Header.Get("Location")
		require.Contains(t, cb, "/oidc/callback?code=")
		// Another browser presenting the state gets nothing.
		res = browser(t).get(t, cb)
		require.Equal(t, "REQUEST_UNKNOWN", reasonOf(res.Body))
		// The right browser succeeds once...
		b.c.CheckRedirect = stopAtApp
		res = b.get(t, cb)
		code := codeFrom(t, res)
		// ...and the same callback again is refused (state and code are single use).
		res = b.get(t, cb)
		require.Equal(t, "REQUEST_UNKNOWN", reasonOf(res.Body))
		// The hand-off code is single use too.
		e.exchange(t, code)
		again := e.do(req{method: "POST", path: "/api/v1/sso/token", token: e.exchKey, body: map[string]any{"code": code}})
		require.Equal(t, http.StatusUnprocessableEntity, again.Code)
	})
	t.Run("unknown kids refetch the JWKS at most once per interval", func(t *testing.T) {
		// A fresh connection version starts with an empty key cache.
		up := e.do(req{method: "PATCH", path: "/api/v1/sso/connections/" + connID, token: e.adminKey, body: map[string]any{"name": "renamed"}})
		require.Equal(t, http.StatusOK, up.Code, "%s", up.Body)
		op.idToken = func(op *hostileOP, n string) string { return sign(t, op.otherKey, "k-unknown", op.claims(n)) }
		before := op.jwksHits.Load()
		for range 5 {
			res := oidcLogin(t, e, browser(t), "")
			require.Equal(t, "SIGNATURE_INVALID", reasonOf(res.Body))
		}
		require.Equal(t, int32(1), op.jwksHits.Load()-before, "five unknown kids, one JWKS fetch")
	})
	t.Run("the client secret is stored sealed, never in clear", func(t *testing.T) {
		var secret []byte
		require.NoError(t, e.pool.QueryRow(t.Context(), `SELECT secret FROM sso_connection WHERE id = $1`, connID).Scan(&secret))
		require.NotContains(t, string(secret), "s3cret")
		got := e.do(req{method: "GET", path: "/api/v1/sso/connections/" + connID, token: e.adminKey})
		require.NotContains(t, string(got.Body), "s3cret")
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestOIDCEntraTenantTemplate: an Entra {tenantid} issuer accepts the token's own tid only
// when it is allowed, and the subject is oid+tid.
func TestOIDCEntraTenantTemplate(t *testing.T) {
	t.Parallel()
	e := newSSOEnv(t)
	op := newHostileOP(t)
	template := op.srv.URL + "/{tenantid}/v2.0"
	op.issuer = template
	res := e.do(req{method: "POST", path: "/api/v1/sso/connections", token: e.adminKey, body: map[string]any{
		"protocol": "OIDC", "provider": "ENTRA_ID", "jit_provisioning": true,
		"oidc": map[string]any{"issuer": template, "client_id": "client-1", "allowed_tenant_ids": []string{"tenant-a"}}}})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	mint := func(tid, iss string) func(op *hostileOP, n string) string {
		return func(op *hostileOP, n string) string {
			c := op.claims(n)
			c["tid"], c["oid"], c["iss"] = tid, "oid-1", iss
			c["preferred_username"] = c["email"]
			delete(c, "email")
			return sign(t, op.key, "k1", c)
		}
	}
	for _, c := range []struct {
		name, tid, iss string
		status         int
		reason         string
	}{
		{"allowed tenant", "tenant-a", op.srv.URL + "/tenant-a/v2.0", 303, ""},
		{"tenant not allowed", "tenant-b", op.srv.URL + "/tenant-b/v2.0", 400, "TENANT_NOT_ALLOWED"},
		{"iss of another tenant than tid", "tenant-a", op.srv.URL + "/tenant-b/v2.0", 400, "ISSUER_MISMATCH"},
		{"template issuer verbatim", "tenant-a", template, 400, "ISSUER_MISMATCH"},
	} {
		op.idToken = mint(c.tid, c.iss)
		res := oidcLogin(t, e, browser(t), "")
		body := res.Body
		require.Equal(t, c.status, res.StatusCode, "%s: %s", c.name, body)
		require.Equal(t, c.reason, reasonOf(body), c.name)
	}
	var subject string
	require.NoError(t, e.pool.QueryRow(t.Context(), `SELECT subject FROM sso_identity WHERE org_id = $1`, e.orgID).Scan(&subject))
	require.Equal(t, "entra:tenant-a:oid-1", subject)
}

// TestOIDCGoogleHostedDomain: Google Workspace logins need the signed hd claim to be a
// verified domain of the org.
func TestOIDCGoogleHostedDomain(t *testing.T) {
	t.Parallel()
	e := newSSOEnv(t)
	op := newHostileOP(t)
	res := e.do(req{method: "POST", path: "/api/v1/sso/connections", token: e.adminKey, body: map[string]any{
		"protocol": "OIDC", "provider": "GOOGLE_WORKSPACE", "jit_provisioning": true,
		"oidc": map[string]any{"issuer": op.issuer, "client_id": "client-1"}}})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	for _, hd := range []any{nil, "example.com"} {
		op.idToken = func(op *hostileOP, n string) string {
			c := op.claims(n)
			if hd != nil {
				c["hd"] = hd
			}
			return sign(t, op.key, "k1", c)
		}
		res := oidcLogin(t, e, browser(t), "")
		body := res.Body
		require.Equal(t, 403, res.StatusCode, "%s", body)
		require.Equal(t, "HOSTED_DOMAIN_NOT_VERIFIED", reasonOf(body))
	}
	// Once the org has verified the domain, the same hd signs in.
	_, err := e.pool.Exec(t.Context(), `INSERT INTO domain (id, org_id, domain, verification_token, verified_at) VALUES (gen_random_uuid(), $1, 'example.com', 't', now())`, e.orgID)
	require.NoError(t, err)
	res2 := oidcLogin(t, e, browser(t), "")
	require.Equal(t, http.StatusSeeOther, res2.StatusCode, "%s", res2.Body)
}
