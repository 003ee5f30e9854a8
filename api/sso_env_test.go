// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"html"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
	"github.com/bytechefhq/bytechef-ee/internal/platform/crypto"
	"github.com/bytechefhq/bytechef-ee/internal/session"
	"github.com/bytechefhq/bytechef-ee/internal/sso"
)

// ssoEnv is the product served on a real loopback listener (so browsers, IdPs and the
// cookie jar see real URLs), with an org "acme", an admin key and an sso:exchange key.
type ssoEnv struct {
	*harness
	url       string
	sso       *sso.Service
	orgID     string
	adminKey  string
	exchKey   string
	returnTo  string
	slug      string
	sessions  *session.Service
	validated *validatingHandler
}

func init() {
	// The browser-facing SSO endpoints answer HTML pages and SAML metadata; the harness
	// validates those bodies as strings.
	for _, ct := range []string{"text/html", "application/samlmetadata+xml"} {
		openapi3filter.RegisterBodyDecoder(ct, func(r io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
			b, err := io.ReadAll(r)
			return string(b), err
		})
	}
}

// appReturnTo is the application's callback: the browser dance ends there.
const appReturnTo = "http://localhost:9/app/callback"

func newSSOEnv(t *testing.T) *ssoEnv {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + ln.Addr().String()
	e := &ssoEnv{url: base, slug: "acme", returnTo: appReturnTo}
	keyring := "k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	e.harness = newHarness(t, map[string]string{"BYTECHEF_PUBLIC_URL": base, "BYTECHEF_ENCRYPTION_KEYS": keyring}, func(h *harness) []Routes {
		keys, err := crypto.FromConfig(h.cfg)
		require.NoError(t, err)
		svc, err := sso.NewService(sso.Params{DB: h.pool, IDs: h.ids, Admin: orgadmin.NewService(h.pool, h.cfg), Keys: keys, Config: h.cfg,
			Log: slog.New(slog.NewTextHandler(tWriter{t}, nil))})
		require.NoError(t, err)
		e.sso, e.sessions = svc, session.NewService(h.pool)
		h.ids.SetSessionAuthenticator(e.sessions)
		return []Routes{SSORoutes{SSO: svc, Sessions: e.sessions}}
	})
	e.validated = &validatingHandler{t: t, next: e.engine}
	srv := &http.Server{Handler: e.validated, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	e.orgID, e.adminKey = e.newOrg(e.slug)
	res := e.do(req{method: "PATCH", path: "/api/v1/settings", token: e.adminKey,
		body: map[string]any{"allowed_redirect_uris": []string{appReturnTo}, "signup_mode": "OPEN"}})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	k := e.do(req{method: "POST", path: "/api/v1/api-keys", token: e.adminKey, body: map[string]any{"name": "gateway", "scopes": []string{"sso:exchange"}}})
	require.Equal(t, http.StatusCreated, k.Code, "%s", k.Body)
	e.exchKey = k.JSON(t)["secret"].(string)
	return e
}

// validatingHandler serves the engine and checks every response against openapi.yaml, as
// the harness does for in-process requests.
type validatingHandler struct {
	t    *testing.T
	next http.Handler
	mu   sync.Mutex
}

func (v *validatingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	v.next.ServeHTTP(rec, r)
	check := r.Clone(context.Background())
	check.Body = io.NopCloser(bytes.NewReader(body))
	res := response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	v.mu.Lock()
	if res.Code == http.StatusInternalServerError {
		v.t.Errorf("%s %s answered 500: %s", r.Method, r.URL.Path, res.Body)
	}
	validateAgainstOpenAPI(v.t, check, res)
	v.mu.Unlock()
	for k, vals := range rec.Header() {
		w.Header()[k] = vals
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// browser is a cookie-jar client that stops at the application's return_to. Its methods
// read and close each response and hand back a page.
type browserClient struct{ c *http.Client }

func browser(t *testing.T) *browserClient {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browserClient{c: &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: stopAtApp}}
}

func stopAtApp(r *http.Request, via []*http.Request) error {
	if strings.HasPrefix(r.URL.String(), appReturnTo) || len(via) > 15 {
		return http.ErrUseLastResponse
	}
	return nil
}

// page is a response as the browser saw it, already read and closed.
type page struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// URL is the URL finally requested (after redirects).
	URL *url.URL
}

func toPage(t *testing.T, res *http.Response) page {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return page{StatusCode: res.StatusCode, Header: res.Header, Body: b, URL: res.Request.URL}
}

func (b *browserClient) get(t *testing.T, u string) page {
	t.Helper()
	res, err := b.c.Get(u)
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }()
	return toPage(t, res)
}

func (b *browserClient) postForm(t *testing.T, u string, v url.Values) page {
	t.Helper()
	res, err := b.c.PostForm(u, v)
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }()
	return toPage(t, res)
}

// plainGet is a GET without cookies (metadata, discovery).
func plainGet(t *testing.T, u string) page {
	t.Helper()
	res, err := http.Get(u)
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }()
	return toPage(t, res)
}

var (
	formRe   = regexp.MustCompile(`(?is)<form[^>]*action="([^"]*)"`)
	inputRe  = regexp.MustCompile(`(?is)<input[^>]*>`)
	nameRe   = regexp.MustCompile(`(?is)\bname="([^"]*)"`)
	valueRe  = regexp.MustCompile(`(?is)\bvalue="([^"]*)"`)
	methodRe = regexp.MustCompile(`(?is)<form[^>]*method="([^"]*)"`)
)

// parseForm reads the first form of an HTML page: its action (resolved) and its inputs.
func parseForm(t *testing.T, page []byte, base *url.URL) (string, url.Values) {
	t.Helper()
	m := formRe.FindSubmatch(page)
	require.NotNil(t, m, "no form in page: %s", page)
	action, err := base.Parse(html.UnescapeString(string(m[1])))
	require.NoError(t, err)
	vals := url.Values{}
	for _, in := range inputRe.FindAll(page, -1) {
		n := nameRe.FindSubmatch(in)
		if n == nil {
			continue
		}
		v := ""
		if m := valueRe.FindSubmatch(in); m != nil {
			v = html.UnescapeString(string(m[1]))
		}
		vals.Set(html.UnescapeString(string(n[1])), v)
	}
	_ = methodRe
	return action.String(), vals
}

// codeFrom returns the one-time code of a redirect to the application.
func codeFrom(t *testing.T, p page) string {
	t.Helper()
	require.Equal(t, http.StatusSeeOther, p.StatusCode, "body: %s", p.Body)
	loc, err := url.Parse(p.Header.Get("Location"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(loc.String(), appReturnTo+"?"), loc.String())
	code := loc.Query().Get("code")
	require.NotEmpty(t, code)
	return code
}

// exchange trades a code for a session through the API.
func (e *ssoEnv) exchange(t *testing.T, code string) map[string]any {
	t.Helper()
	res := e.do(req{method: "POST", path: "/api/v1/sso/token", token: e.exchKey, body: map[string]any{"code": code}})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	return res.JSON(t)
}

func (e *ssoEnv) introspect(t *testing.T, token string) map[string]any {
	t.Helper()
	res := e.do(req{method: "POST", path: "/api/v1/sessions/introspect", token: e.exchKey, body: map[string]any{"token": token}})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	return res.JSON(t)
}

// reasonOf reads the reason code from an SSO error page.
var reasonRe = regexp.MustCompile(`Reason: <code>([A-Z_]+)</code>`)

func reasonOf(body []byte) string {
	m := reasonRe.FindSubmatch(body)
	if m == nil {
		return ""
	}
	return string(m[1])
}

// testCert makes a self-signed RSA certificate and key for an IdP.
func testCert(t *testing.T, cn string) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return key, cert
}

// tWriter sends the SSO service's log to the test log (shown on failure).
type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
