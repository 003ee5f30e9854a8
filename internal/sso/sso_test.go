// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package sso

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/crypto"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/jackc/pgx/v5/pgxpool.(*Pool).backgroundHealthCheck"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
	)
}

const responseTmpl = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="r1" InResponseTo="req-1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>idp</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>ASSERTIONS</samlp:Response>`

const assertionTmpl = `<saml:Assertion ID="a1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>idp</saml:Issuer><saml:Subject><saml:NameID>NAMEID</saml:NameID></saml:Subject><saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>EMAIL</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>`

func response(assertions ...string) string {
	return strings.Replace(responseTmpl, "ASSERTIONS", strings.Join(assertions, ""), 1)
}

func assertion(nameID, email string) string {
	return strings.NewReplacer("NAMEID", nameID, "EMAIL", email).Replace(assertionTmpl)
}

func TestCheckResponseShape(t *testing.T) {
	t.Parallel()
	ok := assertion("alice", "alice@example.com")
	cases := []struct {
		name   string
		xml    string
		reason Reason
	}{
		{"valid shape", response(ok), ""},
		{"DTD", `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>` + response(ok), ReasonMalformed},
		{"lowercase doctype", `<!doctype x>` + response(ok), ReasonMalformed},
		{"entity only", strings.Replace(response(ok), "<saml:Issuer>", `<!ENTITY x "y"><saml:Issuer>`, 1), ReasonMalformed},
		{"not XML", "<samlp:Response", ReasonMalformed},
		{"empty", "", ReasonMalformed},
		{"wrong root", `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`, ReasonMalformed},
		{"Response in another namespace", strings.Replace(response(ok), "urn:oasis:names:tc:SAML:2.0:protocol", "urn:evil", 1), ReasonMalformed},
		{"no assertion", response(), ReasonInvalidResponse},
		{"two assertions", response(ok, ok), ReasonInvalidResponse},
		{"assertion plus encrypted assertion", response(ok, `<saml:EncryptedAssertion/>`), ReasonInvalidResponse},
		{"assertion hidden in Extensions", strings.Replace(response(ok), "<saml:Issuer>idp</saml:Issuer>", `<saml:Issuer>idp</saml:Issuer><samlp:Extensions>`+ok+`</samlp:Extensions>`, 1), ReasonInvalidResponse},
		{"comment in NameID", response(assertion("ali<!---->ce", "alice@example.com")), ReasonInvalidResponse},
		{"comment in email", response(assertion("alice", "alice@evil.com<!---->.example.com")), ReasonInvalidResponse},
		{"CDATA split in email", response(assertion("alice", "alice@evil.com<![CDATA[.example.com]]>")), ReasonInvalidResponse},
		{"processing instruction in NameID", response(assertion("al<?pi x?>ice", "a@b.c")), ReasonInvalidResponse},
		{"element in NameID", response(assertion("al<x/>ice", "a@b.c")), ReasonInvalidResponse},
		{"non-success status", strings.Replace(response(ok), "status:Success", "status:Responder", 1), ReasonIdPStatus},
		{"status missing", strings.Replace(response(ok), `<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>`, "", 1), ReasonIdPStatus},
		{"IdP-initiated", strings.Replace(response(ok), ` InResponseTo="req-1"`, "", 1), ReasonIdPInitiated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pre, f := checkResponseShape([]byte(c.xml))
			if c.reason == "" {
				require.Nil(t, f)
				require.Equal(t, "req-1", pre.InResponseTo)
				return
			}
			require.NotNil(t, f)
			require.Equal(t, c.reason, f.Reason, f.Detail)
		})
	}
}

// FuzzSAMLResponse runs hostile bytes through everything the ACS does before the database:
// the shape check, then the library's verification against a trusted IdP certificate. It
// must never panic or hang, and nothing unsigned may ever come back as an assertion.
func FuzzSAMLResponse(f *testing.F) {
	ok := assertion("alice", "alice@example.com")
	for _, s := range []string{response(ok), response(ok, ok), response(assertion("a<!---->b", "x")),
		`<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>` + response(ok), "", "<", response(`<saml:EncryptedAssertion/>`)} {
		f.Add([]byte(s))
	}
	key, cert := selfSigned(f)
	_ = key
	idp := &saml.EntityDescriptor{EntityID: "idp", IDPSSODescriptors: []saml.IDPSSODescriptor{{SSODescriptor: saml.SSODescriptor{RoleDescriptor: saml.RoleDescriptor{
		KeyDescriptors: []saml.KeyDescriptor{{Use: "signing", KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{X509Certificates: []saml.X509Certificate{{Data: base64.StdEncoding.EncodeToString(cert.Raw)}}}}}}}},
		SingleSignOnServices: []saml.Endpoint{{Binding: saml.HTTPRedirectBinding, Location: "https://idp.example/sso"}}}}}
	acs, _ := url.Parse("https://sp.example/sso/acme/saml/acs")
	sp := &saml.ServiceProvider{EntityID: "https://sp.example/sso/acme/saml/metadata", AcsURL: *acs, IDPMetadata: idp, RejectUnknownConditions: true}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > MaxSAMLResponseBytes {
			return
		}
		pre, fl := checkResponseShape(b)
		if fl != nil {
			return
		}
		a, err := sp.ParseXMLResponse(b, []string{pre.InResponseTo}, *acs)
		if err == nil && a != nil {
			t.Fatalf("an assertion without a valid signature was accepted")
		}
	})
}

// FuzzSAMLResponseShape fuzzes the pre-checks alone (fast, coverage-guided on our code).
func FuzzSAMLResponseShape(f *testing.F) {
	ok := assertion("alice", "alice@example.com")
	for _, s := range []string{response(ok), response(ok, ok), response(assertion("a<!---->b", "x")), response(assertion("a", "b<![CDATA[c]]>")),
		strings.Replace(response(ok), "Success", "Requester", 1), `<!DOCTYPE x>` + response(ok)} {
		f.Add([]byte(s))
	}
	// Real IdP responses from crewjam's testdata in the module cache seed the corpus too.
	dir := crewjamTestdata(f)
	for _, name := range []string{"TestSPCanHandleEntraIDResponse_response_signed", "TestSPCanHandleOktaResponseEncryptedSignedAssertion_response",
		"TestSPCanHandleOneloginResponse_response", "TestSPCanHandlePlaintextResponse_response"} {
		f.Add(readFixture(f, dir, name))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pre, fl := checkResponseShape(b)
		if fl == nil && pre.InResponseTo == "" {
			t.Fatal("accepted a response without InResponseTo")
		}
		if fl == nil && (bytes.Contains(bytes.ToUpper(b), []byte("<!DOCTYPE")) || bytes.Contains(bytes.ToUpper(b), []byte("<!ENTITY"))) {
			t.Fatal("accepted a DTD")
		}
	})
}

func selfSigned(t testing.TB) (*rsa.PrivateKey, *x509.Certificate) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "t"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return key, cert
}

func TestReturnToRule(t *testing.T) {
	t.Parallel()
	allowed := []string{"https://app.example/cb", "https://app.example/cb?x=1"}
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"https://app.example/cb", true},
		{"https://app.example/cb?x=1", true},
		{"https://app.example/cb/", false},
		{"https://app.example/cb?x=2", false},
		{"https://APP.example/cb", false},
		{"https://app.example/cb#frag", false},
		{"https://app.example.evil.com/cb", false},
		{"//app.example/cb", false},
		{"", false},
	} {
		_, ok := ReturnToAllowed(allowed, c.in)
		require.Equal(t, c.ok, ok, c.in)
	}
	got, ok := ReturnToAllowed([]string{"https://only.example/cb"}, "")
	require.True(t, ok)
	require.Equal(t, "https://only.example/cb", got)
}

func TestPresetsCarryRealNames(t *testing.T) {
	t.Parallel()
	for _, p := range Providers {
		for _, proto := range []Protocol{SAML, OIDC} {
			require.NotEmpty(t, Preset(p, proto)[AttrEmail], "%s %s", p, proto)
		}
	}
	require.Equal(t, "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", Preset(EntraID, SAML)[AttrEmail][0])
	require.Equal(t, "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups", Preset(EntraID, SAML)[AttrGroups][0])
	require.Equal(t, "given_name", Preset(GoogleWorkspace, OIDC)[AttrFirstName][0])
	require.Equal(t, "firstName", Preset(Okta, SAML)[AttrFirstName][0])
	// Overrides replace a key's candidates with exactly that name.
	m := mappingFor(Connection{Provider: Okta, Protocol: SAML, AttributeMapping: map[string]string{AttrEmail: "mail"}})
	require.Equal(t, []string{"mail"}, m[AttrEmail])
	require.Equal(t, Preset(Okta, SAML)[AttrLastName], m[AttrLastName])
}

func TestKeySetRefetchIsRateLimited(t *testing.T) {
	t.Parallel()
	var fetches atomic.Int32
	now := time.Unix(1_000_000, 0)
	k := &keySet{url: "x", algs: []string{"RS256"}, now: func() time.Time { return now },
		get: func(_ context.Context, _ string, dst any) error {
			fetches.Add(1)
			*(dst.(*jose.JSONWebKeySet)) = jose.JSONWebKeySet{}
			return nil
		}}
	key, _ := selfSigned(t)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "nope"))
	require.NoError(t, err)
	obj, err := signer.Sign([]byte(`{}`))
	require.NoError(t, err)
	raw, _ := obj.CompactSerialize()
	for range 10 {
		_, err := k.VerifySignature(context.Background(), raw)
		require.ErrorIs(t, err, errUnknownKey)
	}
	require.Equal(t, int32(1), fetches.Load())
	now = now.Add(JWKSRefetchInterval)
	_, _ = k.VerifySignature(context.Background(), raw)
	require.Equal(t, int32(2), fetches.Load())
	// alg none and HMAC never parse.
	for _, tok := range []string{"eyJhbGciOiJub25lIn0.e30.", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"} {
		_, err := k.VerifySignature(context.Background(), tok)
		require.Error(t, err)
	}
	require.Equal(t, int32(2), fetches.Load())
}

type fixture struct {
	svc   *Service
	orgID uuid.UUID
	other uuid.UUID
}

func setup(t *testing.T, keys bool) fixture {
	t.Helper()
	env := map[string]string{}
	if keys {
		env["BYTECHEF_ENCRYPTION_KEYS"] = "k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	require.NoError(t, err)
	pool := dbtest.New(t)
	ring, err := crypto.FromConfig(cfg)
	require.NoError(t, err)
	ids := identity.NewService(pool, cfg)
	svc, err := NewService(Params{DB: pool, IDs: ids, Admin: orgadmin.NewService(pool, cfg), Keys: ring, Config: cfg,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), HTTPClient: &http.Client{Timeout: 2 * time.Second}})
	require.NoError(t, err)
	a, err := ids.CreateOrg(context.Background(), identity.CreateOrgInput{Name: "A", Slug: "org-a"})
	require.NoError(t, err)
	b, err := ids.CreateOrg(context.Background(), identity.CreateOrgInput{Name: "B", Slug: "org-b"})
	require.NoError(t, err)
	return fixture{svc: svc, orgID: a.ID, other: b.ID}
}

func ptr[T any](v T) *T { return &v }

func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	e, ok := errcode.As(err)
	require.True(t, ok, "%v", err)
	out := map[string]string{}
	for _, f := range e.Fields {
		out[f.Field] = f.Message
	}
	return out
}

func TestConnectionValidationAndSecrets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t, true)
	_, cert := selfSigned(t)
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))

	// Field problems are reported together.
	_, err := f.svc.CreateConnection(ctx, f.orgID, ConnectionInput{Protocol: "LDAP"})
	require.Contains(t, fieldsOf(t, err), "protocol")
	_, err = f.svc.CreateConnection(ctx, f.orgID, ConnectionInput{Protocol: "OIDC", Provider: ptr("OKTA"),
		OIDC: &OIDCInput{Issuer: "http://idp.example/", ClientID: ""}, AttributeMapping: map[string]string{"shoe_size": "x"}})
	fe := fieldsOf(t, err)
	require.Contains(t, fe, "oidc.issuer")
	require.Contains(t, fe, "oidc.client_id")
	require.Contains(t, fe, "attribute_mapping.shoe_size")
	_, err = f.svc.CreateConnection(ctx, f.orgID, ConnectionInput{Protocol: "OIDC", Provider: ptr("ENTRA_ID"),
		OIDC: &OIDCInput{Issuer: "https://login.microsoftonline.com/{tenantid}/v2.0", ClientID: "c"}})
	require.Contains(t, fieldsOf(t, err), "oidc.allowed_tenant_ids")
	_, err = f.svc.CreateConnection(ctx, f.orgID, ConnectionInput{Protocol: "SAML", Provider: ptr("OKTA"),
		SAML: &SAMLInput{MetadataXML: "<x/>", EntityID: "e", SSOURL: "https://idp/sso", CertificatePEM: certPEM}})
	require.Contains(t, fieldsOf(t, err), "saml")
	_, err = f.svc.CreateConnection(ctx, f.orgID, ConnectionInput{Protocol: "SAML", Provider: ptr("OKTA"),
		SAML: &SAMLInput{EntityID: "e", SSOURL: "https://idp/sso", CertificatePEM: "not pem", ClockSkewSeconds: ptr(301)}})
	fe = fieldsOf(t, err)
	require.Contains(t, fe, "saml.idp_certificate_pem")
	require.Contains(t, fe, "saml.clock_skew_seconds")
	_, err = f.svc.CreateConnection(ctx, f.orgID, ConnectionInput{Protocol: "SAML", Provider: ptr("OKTA"),
		SAML: &SAMLInput{MetadataXML: `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><EntityDescriptor>&e;</EntityDescriptor>`}})
	require.Contains(t, fieldsOf(t, err)["saml.idp_metadata_xml"], "DTD")

	// The client secret is sealed, bound to the org and purpose, and never in the domain type.
	c, err := f.svc.CreateConnection(ctx, f.orgID, ConnectionInput{Protocol: "OIDC", Provider: ptr("OKTA"),
		OIDC: &OIDCInput{Issuer: "https://acme.okta.com", ClientID: "cid", ClientSecret: ptr("top-secret")}})
	require.NoError(t, err)
	require.True(t, c.SecretSet)
	require.Equal(t, []string{"openid", "email", "profile"}, c.OIDC.Scopes)
	pt, err := f.svc.secretOf(ctx, c)
	require.NoError(t, err)
	require.Equal(t, "top-secret", string(pt))
	row, err := dbsqlc.New(f.svc.db).SSOConnectionGet(ctx, dbsqlc.SSOConnectionGetParams{OrgID: f.orgID, ID: c.ID})
	require.NoError(t, err)
	require.NotContains(t, string(row.Secret), "top-secret")
	_, err = f.svc.keys.Open(row.Secret, crypto.AD(f.other, purposeOIDCSecret))
	require.ErrorIs(t, err, crypto.ErrOpen, "a secret copied to another org does not open")

	// An update without client_secret keeps it; another org cannot see the connection.
	c2, err := f.svc.UpdateConnection(ctx, f.orgID, c.ID, ConnectionInput{Name: ptr("Okta prod")}, ptr(c.Version))
	require.NoError(t, err)
	require.True(t, c2.SecretSet)
	_, err = f.svc.UpdateConnection(ctx, f.orgID, c.ID, ConnectionInput{Name: ptr("x")}, ptr(c.Version))
	require.True(t, errcode.Is(err, errcode.PreconditionFail))
	_, err = f.svc.GetConnection(ctx, f.other, c.ID)
	require.True(t, errcode.Is(err, errcode.NotFound))
	require.True(t, errcode.Is(f.svc.DeleteConnection(ctx, f.other, c.ID, nil), errcode.NotFound))
	_, err = f.svc.UpdateConnection(ctx, f.orgID, c.ID, ConnectionInput{Protocol: "SAML"}, nil)
	require.Contains(t, fieldsOf(t, err), "protocol")
	require.NoError(t, f.svc.DeleteConnection(ctx, f.orgID, c.ID, nil))
}

func TestSecretsNeedTheKeyRing(t *testing.T) {
	t.Parallel()
	f := setup(t, false)
	_, err := f.svc.CreateConnection(context.Background(), f.orgID, ConnectionInput{Protocol: "OIDC", Provider: ptr("OKTA"),
		OIDC: &OIDCInput{Issuer: "https://acme.okta.com", ClientID: "cid", ClientSecret: ptr("s")}})
	require.Contains(t, fieldsOf(t, err)["oidc.client_secret"], "BYTECHEF_ENCRYPTION_KEYS")
	// A public client (PKCE, no secret) needs no key ring.
	_, err = f.svc.CreateConnection(context.Background(), f.orgID, ConnectionInput{Protocol: "OIDC", Provider: ptr("OKTA"),
		OIDC: &OIDCInput{Issuer: "https://acme.okta.com", ClientID: "cid"}})
	require.NoError(t, err)
}

func TestMetadataURLFetchLimits(t *testing.T) {
	t.Parallel()
	f := setup(t, true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/500":
			w.WriteHeader(500)
		case "/huge":
			_, _ = w.Write(bytes.Repeat([]byte("x"), maxMetadataBytes+10))
		case "/slow":
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		default:
			_, _ = w.Write([]byte("<not-metadata/>"))
		}
	}))
	defer srv.Close()
	for path, want := range map[string]string{"/500": "answered 500", "/huge": "larger than", "/slow": "timed out", "/bad": "not valid SAML IdP metadata"} {
		_, err := f.svc.CreateConnection(context.Background(), f.orgID, ConnectionInput{Protocol: "SAML", Provider: ptr("GENERIC"),
			SAML: &SAMLInput{MetadataURL: srv.URL + path}})
		require.Contains(t, fieldsOf(t, err)["saml.idp_metadata_url"], want, path)
	}
	_, err := f.svc.CreateConnection(context.Background(), f.orgID, ConnectionInput{Protocol: "SAML", Provider: ptr("GENERIC"),
		SAML: &SAMLInput{MetadataURL: "http://169.254.169.254/latest"}})
	require.Contains(t, fieldsOf(t, err)["saml.idp_metadata_url"], "https")
	srv.CloseClientConnections()
}

func TestAssertionReplayStore(t *testing.T) {
	t.Parallel()
	f := setup(t, true)
	ctx := context.Background()
	c, err := f.svc.CreateConnection(ctx, f.orgID, ConnectionInput{Protocol: "OIDC", Provider: ptr("OKTA"), OIDC: &OIDCInput{Issuer: "https://a.example", ClientID: "c"}})
	require.NoError(t, err)
	rs := &replayStore{ctx: ctx, q: dbsqlc.New(f.svc.db), orgID: f.orgID, connID: c.ID}
	exp := time.Now().Add(time.Minute)
	require.NoError(t, rs.Consume("id-1", exp))
	require.ErrorIs(t, rs.Consume("id-1", exp), saml.ErrAssertionReplayed)
	require.True(t, rs.replayed)
	require.NoError(t, (&replayStore{ctx: ctx, q: rs.q, orgID: f.orgID, connID: c.ID}).Consume("id-2", exp))
}

// BenchmarkResponseShape measures the structural pre-checks on a real Entra response.
func BenchmarkResponseShape(b *testing.B) {
	raw := readFixture(b, crewjamTestdata(b), "TestSPCanHandleEntraIDResponse_response_and_assertion_signed")
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, f := checkResponseShape(raw); f != nil {
			b.Fatal(f)
		}
	}
}

// TestOrgPurgeRemovesSSOData: the org purge (purge_org_data, every table with org_id) also
// clears connections, identities, login state, replay ids, codes and sessions.
func TestOrgPurgeRemovesSSOData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t, true)
	c, err := f.svc.CreateConnection(ctx, f.orgID, ConnectionInput{Protocol: "OIDC", Provider: ptr("OKTA"), OIDC: &OIDCInput{Issuer: "https://a.example", ClientID: "c", ClientSecret: ptr("s")}})
	require.NoError(t, err)
	email := "p@example.com"
	m, err := f.svc.admin.CreateMember(ctx, f.orgID, orgadmin.MemberPatch{Email: &email})
	require.NoError(t, err)
	q := dbsqlc.New(f.svc.db)
	_, err = q.SSOIdentityInsert(ctx, dbsqlc.SSOIdentityInsertParams{ID: uuid.New(), OrgID: f.orgID, ConnectionID: c.ID, Subject: "s", MemberID: m.ID, Email: email})
	require.NoError(t, err)
	require.NoError(t, q.SSOLoginRequestInsert(ctx, dbsqlc.SSOLoginRequestInsertParams{ID: "r", OrgID: f.orgID, ConnectionID: c.ID, BrowserHash: []byte{1}, ReturnTo: "x", ExpiresAt: time.Now().Add(time.Minute)}))
	require.NoError(t, q.SSOCodeInsert(ctx, dbsqlc.SSOCodeInsertParams{CodeHash: []byte{1}, OrgID: f.orgID, MemberID: m.ID, ConnectionID: c.ID, ExpiresAt: time.Now().Add(time.Minute)}))
	_, err = q.SSOAssertionConsume(ctx, dbsqlc.SSOAssertionConsumeParams{OrgID: f.orgID, ConnectionID: c.ID, AssertionID: "a", ExpiresAt: time.Now().Add(time.Minute)})
	require.NoError(t, err)
	_, err = q.SessionInsert(ctx, dbsqlc.SessionInsertParams{ID: uuid.New(), OrgID: f.orgID, MemberID: m.ID, UserID: m.UserID, TokenHash: []byte{2}, IdleTimeout: 60, ExpiresAt: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	for range 20 {
		var n int64
		require.NoError(t, f.svc.db.QueryRow(ctx, `SELECT purge_org_data($1, 1000)`, f.orgID).Scan(&n))
		if n == 0 {
			break
		}
	}
	for _, table := range []string{"sso_connection", "sso_identity", "sso_login_request", "sso_code", "sso_assertion_replay", "session"} {
		var n int
		require.NoError(t, f.svc.db.QueryRow(ctx, `SELECT count(*) FROM `+table+` WHERE org_id = $1`, f.orgID).Scan(&n))
		require.Zero(t, n, table)
	}
}
