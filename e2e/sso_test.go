// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

//go:build e2e

package e2e

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/platform/testenv"
)

// TestSSOWithTheRealBinary signs in through the real binary (fx wiring, feature toggle,
// session authenticator, metrics) against zitadel's example OpenID provider, with a
// cookie-jar browser through the whole redirect dance, and ends with a session that
// introspects, authenticates and signs out.
func TestSSOWithTheRealBinary(t *testing.T) {
	t.Parallel()
	s := StartStack(t, nil)
	_, admin := s.Bootstrap("acme")
	const returnTo = "http://localhost:9/app/callback"

	port := strings.TrimPrefix(testenv.FreeAddr(t), "127.0.0.1:")
	op := exec.Command(testenv.Binary(t, "oidc-example-server"))
	op.Env = append(os.Environ(), "PORT="+port, "REDIRECT_URI="+s.URL+"/sso/acme/oidc/callback")
	require.NoError(t, op.Start())
	t.Cleanup(func() { _ = op.Process.Kill(); _ = op.Wait() })
	issuer := "http://localhost:" + port + "/"
	require.Eventually(t, func() bool {
		res, err := http.Get(issuer + ".well-known/openid-configuration")
		if err == nil {
			_ = res.Body.Close()
		}
		return err == nil && res.StatusCode == http.StatusOK
	}, 15*time.Second, 50*time.Millisecond)

	require.Equal(t, http.StatusOK, s.Do("PATCH", "/api/v1/settings", admin, map[string]any{"allowed_redirect_uris": []string{returnTo}, "signup_mode": "OPEN"}).Status)
	res := s.Do("POST", "/api/v1/sso/connections", admin, map[string]any{"protocol": "OIDC", "provider": "GENERIC", "jit_provisioning": true,
		"oidc": map[string]any{"issuer": issuer, "client_id": "web", "client_secret": "secret"}})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	k := s.Do("POST", "/api/v1/api-keys", admin, map[string]any{"name": "gateway", "scopes": []string{"sso:exchange"}})
	exch := k.JSON(t)["secret"].(string)

	jar, _ := cookiejar.New(nil)
	b := &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), returnTo) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	login, err := b.Get(s.URL + "/sso/acme?return_to=" + url.QueryEscape(returnTo))
	require.NoError(t, err)
	page, _ := io.ReadAll(login.Body)
	_ = login.Body.Close()
	require.Equal(t, http.StatusOK, login.StatusCode, "%s", page)
	form := url.Values{}
	for _, in := range regexp.MustCompile(`<input[^>]*>`).FindAll(page, -1) {
		name := regexp.MustCompile(`name="([^"]+)"`).FindSubmatch(in)
		value := regexp.MustCompile(`value="([^"]*)"`).FindSubmatch(in)
		if name != nil && value != nil {
			form.Set(string(name[1]), html.UnescapeString(string(value[1])))
		}
	}
	action := regexp.MustCompile(`<form[^>]*action="([^"]+)"`).FindSubmatch(page)
	require.NotNil(t, action)
	target, _ := login.Request.URL.Parse(html.UnescapeString(string(action[1])))
	form.Set("username", "test-user@localhost")
	form.Set("password", "verysecure")
	done, err := b.PostForm(target.String(), form)
	require.NoError(t, err)
	_ = done.Body.Close()
	require.Equal(t, http.StatusSeeOther, done.StatusCode)
	loc, _ := url.Parse(done.Header.Get("Location"))
	code := loc.Query().Get("code")
	require.NotEmpty(t, code)

	tok := s.Do("POST", "/api/v1/sso/token", exch, map[string]any{"code": code})
	require.Equal(t, http.StatusOK, tok.Status, "%s", tok.Body)
	session := tok.JSON(t)["session_token"].(string)
	require.Equal(t, http.StatusUnprocessableEntity, s.Do("POST", "/api/v1/sso/token", exch, map[string]any{"code": code}).Status, "codes are single use")
	in := s.Do("POST", "/api/v1/sessions/introspect", exch, map[string]any{"token": session})
	require.Equal(t, true, in.JSON(t)["active"], "%s", in.Body)
	require.Equal(t, "test-user@zitadel.ch", in.JSON(t)["email"])
	require.Equal(t, true, s.Do("POST", "/api/v1/sessions/introspect", session, nil).JSON(t)["active"])
	require.Equal(t, true, s.Do("POST", "/api/v1/sessions/revoke", session, nil).JSON(t)["revoked"])
	require.Equal(t, http.StatusUnauthorized, s.Do("POST", "/api/v1/sessions/introspect", session, nil).Status)

	metrics := s.Do("GET", "/metrics", "", nil)
	require.Contains(t, string(metrics.Body), `bytechef_sso_logins_total{protocol="OIDC",result="success"} 1`)
}
