// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlidp"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/stretchr/testify/require"
)

// samlIdP is crewjam's samlidp server, in process on its own loopback listener: a real IdP
// with a login form, sessions, SP registration by metadata and signed responses.
type samlIdP struct {
	url  string
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

func newSAMLIdP(t *testing.T) *samlIdP {
	t.Helper()
	key, cert := testCert(t, "test-idp")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	u, _ := url.Parse("http://" + ln.Addr().String())
	srv, err := samlidp.New(samlidp.Options{URL: *u, Key: key, Certificate: cert, Store: &samlidp.MemoryStore{}})
	require.NoError(t, err)
	hs := httptest.NewUnstartedServer(srv)
	_ = hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)
	idp := &samlIdP{url: u.String(), key: key, cert: cert}
	body, _ := json.Marshal(map[string]any{"name": "alice", "password": "correct horse", "email": "alice@example.com",
		"given_name": "Alice", "surname": "Smith", "common_name": "Alice Smith"})
	r, _ := http.NewRequest(http.MethodPut, idp.url+"/users/alice", strings.NewReader(string(body)))
	res, err := http.DefaultClient.Do(r)
	require.NoError(t, err)
	require.Less(t, res.StatusCode, 300)
	_ = res.Body.Close()
	return idp
}

// samlSetup creates the org's SAML connection from the IdP's metadata URL and registers the
// org's SP metadata with the IdP.
func samlSetup(t *testing.T) (*ssoEnv, *samlIdP) {
	t.Helper()
	e := newSSOEnv(t)
	idp := newSAMLIdP(t)
	res := e.do(req{method: "POST", path: "/api/v1/sso/connections", token: e.adminKey, body: map[string]any{
		"protocol": "SAML", "provider": "GENERIC", "jit_provisioning": true,
		// The IdP's NameID is transient; its uid attribute is the stable subject.
		"attribute_mapping": map[string]string{"subject": "urn:oid:0.9.2342.19200300.100.1.1"},
		"saml":              map[string]any{"idp_metadata_url": idp.url + "/metadata"}}})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	conn := res.JSON(t)
	require.Equal(t, idp.url+"/metadata", conn["saml"].(map[string]any)["idp_entity_id"])
	md := plainGet(t, e.url+"/sso/acme/saml/metadata")
	mdBody := md.Body
	require.Equal(t, http.StatusOK, md.StatusCode)
	r, _ := http.NewRequest(http.MethodPut, idp.url+"/services/bytechef", strings.NewReader(string(mdBody)))
	put, err := http.DefaultClient.Do(r)
	require.NoError(t, err)
	require.Less(t, put.StatusCode, 300, "%s", put.Body)
	_ = put.Body.Close()
	return e, idp
}

// samlLogin runs the dance up to the IdP's auto-submit form and returns the browser, the
// ACS URL and the SAMLResponse it would post (not posted yet).
func samlLogin(t *testing.T, e *ssoEnv, b *browserClient) (string, url.Values) {
	t.Helper()
	return samlLoginAs(t, e, b, "alice", "correct horse")
}

func samlLoginAs(t *testing.T, e *ssoEnv, b *browserClient, user, password string) (string, url.Values) {
	t.Helper()
	res := b.get(t, e.url+"/sso/acme?return_to="+url.QueryEscape(appReturnTo))
	page := res.Body
	require.Equal(t, http.StatusOK, res.StatusCode, "%s", page)
	action, vals := parseForm(t, page, res.URL)
	vals.Set("user", user)
	vals.Set("password", password)
	res = b.postForm(t, action, vals)
	page = res.Body
	require.Equal(t, http.StatusOK, res.StatusCode, "%s", page)
	acs, form := parseForm(t, page, res.URL)
	require.Equal(t, e.url+"/sso/acme/saml/acs", acs)
	require.NotEmpty(t, form.Get("SAMLResponse"))
	return acs, form
}

func TestSAMLFullFlowJITSessionAndSuspension(t *testing.T) {
	t.Parallel()
	e, _ := samlSetup(t)
	b := browser(t)
	acs, form := samlLogin(t, e, b)
	res := b.postForm(t, acs, form)
	tok := e.exchange(t, codeFrom(t, res))
	require.True(t, strings.HasPrefix(tok["session_token"].(string), "bcs_"))
	require.Equal(t, "MEMBER", tok["role"])
	require.Equal(t, "alice@example.com", tok["user"].(map[string]any)["email"])
	require.Equal(t, "Default", tok["permission_group"].(map[string]any)["name"])
	session := tok["session_token"].(string)
	in := e.introspect(t, session)
	require.Equal(t, true, in["active"])
	require.Equal(t, "alice@example.com", in["email"])

	// The member was provisioned just in time, and the events are in the audit log.
	memberID := tok["user"].(map[string]any)["member_id"].(string)
	m := e.do(req{method: "GET", path: "/api/v1/members/" + memberID, token: e.adminKey})
	require.Equal(t, "SSO_JIT", m.JSON(t)["source"])
	var n int
	require.NoError(t, e.pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_event WHERE org_id = $1 AND event_type IN ('user.jit_provisioned','user.signed_in')`, e.orgID).Scan(&n))
	require.Equal(t, 2, n)

	// A MEMBER session authenticates but holds no admin scope; it introspects itself.
	require.Equal(t, http.StatusForbidden, e.do(req{method: "GET", path: "/api/v1/members", token: session}).Code)
	self := e.do(req{method: "POST", path: "/api/v1/sessions/introspect", token: session})
	require.Equal(t, true, self.JSON(t)["active"])

	// The code is single use.
	again := e.do(req{method: "POST", path: "/api/v1/sso/token", token: e.exchKey, body: map[string]any{"code": "nope"}})
	require.Equal(t, http.StatusUnprocessableEntity, again.Code)

	// A second login finds the same identity: no second member.
	b2 := browser(t)
	acs, form = samlLogin(t, e, b2)
	res = b2.postForm(t, acs, form)
	tok2 := e.exchange(t, codeFrom(t, res))
	require.Equal(t, memberID, tok2["user"].(map[string]any)["member_id"])

	// Suspending the member kills both sessions at once, whoever suspends.
	up := e.do(req{method: "PATCH", path: "/api/v1/members/" + memberID, token: e.adminKey, body: map[string]any{"status": "SUSPENDED"}})
	require.Equal(t, http.StatusOK, up.Code, "%s", up.Body)
	require.Equal(t, false, e.introspect(t, session)["active"])
	require.Equal(t, http.StatusUnauthorized, e.do(req{method: "POST", path: "/api/v1/sessions/introspect", token: tok2["session_token"].(string)}).Code)
	require.NoError(t, e.pool.QueryRow(t.Context(), `SELECT count(*) FROM session WHERE org_id = $1 AND revoked_at IS NULL`, e.orgID).Scan(&n))
	require.Zero(t, n, "the trigger revokes the rows")

	// And a suspended member cannot sign in again (never re-enabled by JIT).
	b3 := browser(t)
	acs, form = samlLogin(t, e, b3)
	res = b3.postForm(t, acs, form)
	body := res.Body
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	require.Equal(t, "MEMBER_SUSPENDED", reasonOf(body))
}

func TestSAMLSignOutAndAdminSession(t *testing.T) {
	t.Parallel()
	e, _ := samlSetup(t)
	b := browser(t)
	acs, form := samlLogin(t, e, b)
	res := b.postForm(t, acs, form)
	tok := e.exchange(t, codeFrom(t, res))
	memberID := tok["user"].(map[string]any)["member_id"].(string)
	// Promote to ADMIN: the session now holds the admin scope (role read per request).
	require.Equal(t, http.StatusOK, e.do(req{method: "PATCH", path: "/api/v1/members/" + memberID, token: e.adminKey, body: map[string]any{"role": "ADMIN"}}).Code)
	s := tok["session_token"].(string)
	require.Equal(t, http.StatusOK, e.do(req{method: "GET", path: "/api/v1/members", token: s}).Code)
	// Sign-out revokes it; a revoked session is gone for good.
	out := e.do(req{method: "POST", path: "/api/v1/sessions/revoke", token: s})
	require.Equal(t, true, out.JSON(t)["revoked"])
	require.Equal(t, http.StatusUnauthorized, e.do(req{method: "GET", path: "/api/v1/members", token: s}).Code)
	require.Equal(t, false, e.introspect(t, s)["active"])
}

// resign parses a response, strips every signature, lets mutate change it, then signs the
// (first) assertion with key — producing a response a real IdP with that key could send.
func resign(t *testing.T, raw []byte, key *rsa.PrivateKey, cert *x509.Certificate, mutate func(resp, assertion *etree.Element)) []byte {
	t.Helper()
	doc := etree.NewDocument()
	require.NoError(t, doc.ReadFromBytes(raw))
	resp := doc.Root()
	var strip func(e *etree.Element)
	strip = func(e *etree.Element) {
		for _, c := range e.ChildElements() {
			if c.Tag == "Signature" {
				e.RemoveChild(c)
				continue
			}
			strip(c)
		}
	}
	strip(resp)
	a := resp.FindElement("./Assertion")
	require.NotNil(t, a)
	if mutate != nil {
		mutate(resp, a)
	}
	if key != nil {
		ctx := dsig.NewDefaultSigningContext(dsig.TLSCertKeyStore{PrivateKey: key, Certificate: [][]byte{cert.Raw}})
		ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
		require.NoError(t, ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod))
		signed, err := ctx.SignEnveloped(a)
		require.NoError(t, err)
		// The signature goes right after the Issuer (schema order).
		for i, tok := range signed.Child {
			if el, ok := tok.(*etree.Element); ok && el.Tag == "Signature" {
				signed.Child = append(signed.Child[:i], signed.Child[i+1:]...)
				signed.Child = append(signed.Child[:1], append([]etree.Token{el}, signed.Child[1:]...)...)
				break
			}
		}
		idx := a.Index()
		resp.RemoveChildAt(idx)
		resp.InsertChildAt(idx, signed)
	}
	out, err := doc.WriteToBytes()
	require.NoError(t, err)
	return out
}

func decodeForm(t *testing.T, form url.Values) []byte {
	raw, err := base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
	require.NoError(t, err)
	return raw
}

func postResponse(t *testing.T, b *browserClient, acs string, raw []byte) (int, string) {
	t.Helper()
	res := b.postForm(t, acs, url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(raw)}})
	body := res.Body
	return res.StatusCode, reasonOf(body)
}

func setAll(root *etree.Element, path, attr, value string) {
	for _, el := range root.FindElements(path) {
		el.CreateAttr(attr, value)
	}
}

// TestSAMLMustReject is the must-reject corpus: each case takes a genuine signed response of
// the in-process IdP for a live request of this browser and breaks one rule.
func TestSAMLMustReject(t *testing.T) {
	t.Parallel()
	e, idp := samlSetup(t)
	evilKey, evilCert := testCert(t, "evil")
	future := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339) }
	uidPath := "./AttributeStatement/Attribute[@Name='urn:oid:0.9.2342.19200300.100.1.1']/AttributeValue"

	cases := []struct {
		name   string
		mutate func(t *testing.T, raw []byte) []byte
		status int
		reason string
	}{
		{"control: genuine response re-signed by the IdP key is accepted", func(t *testing.T, raw []byte) []byte {
			return resign(t, raw, idp.key, idp.cert, nil)
		}, http.StatusSeeOther, ""},
		{"unsigned assertion", func(t *testing.T, raw []byte) []byte { return resign(t, raw, nil, nil, nil) }, 400, "SIGNATURE_INVALID"},
		{"signed by an untrusted key", func(t *testing.T, raw []byte) []byte { return resign(t, raw, evilKey, evilCert, nil) }, 400, "SIGNATURE_INVALID"},
		{"content changed after signing", func(t *testing.T, raw []byte) []byte {
			doc := etree.NewDocument()
			require.NoError(t, doc.ReadFromBytes(raw))
			doc.Root().FindElement("./Assertion/" + uidPath).SetText("mallory")
			out, _ := doc.WriteToBytes()
			return out
		}, 400, "SIGNATURE_INVALID"},
		{"wrapping: unsigned evil assertion before the signed one", func(t *testing.T, raw []byte) []byte {
			doc := etree.NewDocument()
			require.NoError(t, doc.ReadFromBytes(raw))
			signed := doc.Root().FindElement("./Assertion")
			evil := signed.Copy()
			evil.RemoveChild(evil.FindElement("./Signature"))
			evil.CreateAttr("ID", "_evil")
			evil.FindElement(uidPath).SetText("mallory")
			doc.Root().InsertChildAt(signed.Index(), evil)
			out, _ := doc.WriteToBytes()
			return out
		}, 400, "INVALID_RESPONSE"},
		{"wrapping: signed assertion moved into Extensions, evil in its place", func(t *testing.T, raw []byte) []byte {
			doc := etree.NewDocument()
			require.NoError(t, doc.ReadFromBytes(raw))
			signed := doc.Root().FindElement("./Assertion")
			evil := signed.Copy()
			evil.RemoveChild(evil.FindElement("./Signature"))
			evil.FindElement(uidPath).SetText("mallory")
			idx := signed.Index()
			doc.Root().RemoveChildAt(idx)
			ext := etree.NewElement("samlp:Extensions")
			ext.AddChild(signed)
			doc.Root().InsertChildAt(idx, evil)
			doc.Root().InsertChildAt(1, ext)
			out, _ := doc.WriteToBytes()
			return out
		}, 400, "INVALID_RESPONSE"},
		{"wrapping: evil assertion carrying the signed one inside its Signature Object", func(t *testing.T, raw []byte) []byte {
			doc := etree.NewDocument()
			require.NoError(t, doc.ReadFromBytes(raw))
			signed := doc.Root().FindElement("./Assertion")
			evil := signed.Copy()
			evil.FindElement(uidPath).SetText("mallory")
			obj := evil.FindElement("./Signature").CreateElement("ds:Object")
			idx := signed.Index()
			doc.Root().RemoveChildAt(idx)
			obj.AddChild(signed)
			doc.Root().InsertChildAt(idx, evil)
			out, _ := doc.WriteToBytes()
			return out
		}, 400, "INVALID_RESPONSE"},
		{"wrapping: evil assertion with the signed one's ID and signature", func(t *testing.T, raw []byte) []byte {
			doc := etree.NewDocument()
			require.NoError(t, doc.ReadFromBytes(raw))
			a := doc.Root().FindElement("./Assertion")
			a.FindElement(uidPath).SetText("mallory")
			a.FindElement("./AttributeStatement").CreateElement("saml:Attribute").CreateAttr("Name", "x")
			out, _ := doc.WriteToBytes()
			return out
		}, 400, "SIGNATURE_INVALID"},
		{"comment injection in the subject attribute (signature stays valid under exc-c14n)", func(t *testing.T, raw []byte) []byte {
			signed := resign(t, raw, idp.key, idp.cert, nil)
			s := string(signed)
			i := strings.Index(s, ">alice<")
			require.Positive(t, i)
			return []byte(s[:i] + ">ali<!---->ce<" + s[i+len(">alice<"):])
		}, 400, "INVALID_RESPONSE"},
		{"comment injection in NameID", func(t *testing.T, raw []byte) []byte {
			s := string(resign(t, raw, idp.key, idp.cert, nil))
			m := regexp.MustCompile(`(<saml:NameID[^>]*>)([^<]{3,})(</saml:NameID>)`).FindStringSubmatchIndex(s)
			require.NotNil(t, m)
			v := s[m[4]:m[5]]
			return []byte(s[:m[4]] + v[:2] + "<!-- x -->" + v[2:] + s[m[5]:])
		}, 400, "INVALID_RESPONSE"},
		{"split text node (CDATA) in the email", func(t *testing.T, raw []byte) []byte {
			return resign(t, raw, idp.key, idp.cert, func(_, a *etree.Element) {
				for _, v := range a.FindElements("./AttributeStatement/Attribute/AttributeValue") {
					if v.Text() == "alice@example.com" {
						v.SetText("alice@example.com")
						v.Child = append(v.Child, etree.NewCData(".evil.com"))
					}
				}
			})
		}, 400, "INVALID_RESPONSE"},
		{"wrong audience", func(t *testing.T, raw []byte) []byte {
			return resign(t, raw, idp.key, idp.cert, func(_, a *etree.Element) {
				a.FindElement("./Conditions/AudienceRestriction/Audience").SetText("https://other.example/sp")
			})
		}, 400, "AUDIENCE_MISMATCH"},
		{"wrong destination", func(t *testing.T, raw []byte) []byte {
			return resign(t, raw, idp.key, idp.cert, func(r, _ *etree.Element) { r.CreateAttr("Destination", e.url+"/sso/other/saml/acs") })
		}, 400, "DESTINATION_MISMATCH"},
		{"wrong recipient", func(t *testing.T, raw []byte) []byte {
			return resign(t, raw, idp.key, idp.cert, func(_, a *etree.Element) {
				setAll(a, "./Subject/SubjectConfirmation/SubjectConfirmationData", "Recipient", e.url+"/sso/other/saml/acs")
			})
		}, 400, "RECIPIENT_MISMATCH"},
		{"expired", func(t *testing.T, raw []byte) []byte {
			return resign(t, raw, idp.key, idp.cert, func(_, a *etree.Element) {
				setAll(a, "./Conditions", "NotOnOrAfter", future(-10*time.Minute))
				setAll(a, "./Subject/SubjectConfirmation/SubjectConfirmationData", "NotOnOrAfter", future(-10*time.Minute))
			})
		}, 400, "EXPIRED"},
		{"not yet valid", func(t *testing.T, raw []byte) []byte {
			return resign(t, raw, idp.key, idp.cert, func(_, a *etree.Element) { setAll(a, "./Conditions", "NotBefore", future(10*time.Minute)) })
		}, 400, "NOT_YET_VALID"},
		{"not yet valid within the library's 5 min but beyond the org's 90 s skew", func(t *testing.T, raw []byte) []byte {
			return resign(t, raw, idp.key, idp.cert, func(_, a *etree.Element) { setAll(a, "./Conditions", "NotBefore", future(3*time.Minute)) })
		}, 400, "NOT_YET_VALID"},
		{"NotBefore 60 s ahead is within the default 90 s skew", func(t *testing.T, raw []byte) []byte {
			return resign(t, raw, idp.key, idp.cert, func(_, a *etree.Element) { setAll(a, "./Conditions", "NotBefore", future(60*time.Second)) })
		}, http.StatusSeeOther, ""},
		{"assertion issuer is not the IdP", func(t *testing.T, raw []byte) []byte {
			return resign(t, raw, idp.key, idp.cert, func(_, a *etree.Element) { a.FindElement("./Issuer").SetText("https://evil.example/idp") })
		}, 400, "ISSUER_MISMATCH"},
		{"IdP-initiated (no InResponseTo)", func(t *testing.T, raw []byte) []byte {
			return resign(t, raw, idp.key, idp.cert, func(r, a *etree.Element) {
				r.RemoveAttr("InResponseTo")
				for _, d := range a.FindElements("./Subject/SubjectConfirmation/SubjectConfirmationData") {
					d.RemoveAttr("InResponseTo")
				}
			})
		}, 400, "IDP_INITIATED"},
		{"InResponseTo of a request this browser never made", func(t *testing.T, raw []byte) []byte {
			return resign(t, raw, idp.key, idp.cert, func(r, a *etree.Element) { r.CreateAttr("InResponseTo", "id-forged") })
		}, 400, "REQUEST_UNKNOWN"},
		{"non-Success status is rejected before anything else", func(t *testing.T, raw []byte) []byte {
			return resign(t, raw, nil, nil, func(r, _ *etree.Element) {
				r.FindElement("./Status/StatusCode").CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:Requester")
			})
		}, 403, "IDP_STATUS"},
		{"DTD with an external entity (XXE)", func(t *testing.T, raw []byte) []byte {
			s := string(resign(t, raw, idp.key, idp.cert, nil))
			s = strings.TrimPrefix(s, `<?xml version="1.0" encoding="UTF-8"?>`)
			return []byte(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>` + s)
		}, 400, "MALFORMED_RESPONSE"},
		{"billion laughs", func(t *testing.T, raw []byte) []byte {
			return []byte(`<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&lol2;</samlp:Response>`)
		}, 400, "MALFORMED_RESPONSE"},
		{"oversized", func(t *testing.T, raw []byte) []byte {
			return resign(t, raw, idp.key, idp.cert, func(_, a *etree.Element) {
				a.FindElement("./AttributeStatement/Attribute/AttributeValue").SetText(strings.Repeat("A", 300<<10))
			})
		}, 413, "RESPONSE_TOO_LARGE"},
		{"not XML", func(t *testing.T, raw []byte) []byte { return []byte("<samlp:Response") }, 400, "MALFORMED_RESPONSE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := browser(t)
			acs, form := samlLogin(t, e, b)
			status, reason := postResponse(t, b, acs, c.mutate(t, decodeForm(t, form)))
			require.Equal(t, c.status, status, "reason %s", reason)
			require.Equal(t, c.reason, reason)
		})
	}

	t.Run("replay: the same genuine response twice", func(t *testing.T) {
		b := browser(t)
		acs, form := samlLogin(t, e, b)
		raw := decodeForm(t, form)
		status, _ := postResponse(t, b, acs, raw)
		require.Equal(t, http.StatusSeeOther, status)
		status, reason := postResponse(t, b, acs, raw)
		require.Equal(t, 400, status)
		require.Equal(t, "REQUEST_UNKNOWN", reason)
	})
	t.Run("foreign browser: a response posted without the login cookie", func(t *testing.T) {
		acs, form := samlLogin(t, e, browser(t))
		status, reason := postResponse(t, browser(t), acs, decodeForm(t, form))
		require.Equal(t, 400, status)
		require.Equal(t, "REQUEST_UNKNOWN", reason)
	})
	t.Run("the failures are audited with their reasons", func(t *testing.T) {
		var n int
		require.NoError(t, e.pool.QueryRow(t.Context(), `SELECT count(DISTINCT action_data->>'reason') FROM audit_event WHERE org_id = $1 AND event_type = 'user.sign_in_failed'`, e.orgID).Scan(&n))
		require.GreaterOrEqual(t, n, 10)
	})
	_ = saml.StatusSuccess
}

// TestSAMLEncryptedAssertionAndGroupMapping: with an SP key configured the IdP encrypts the
// assertion to the SP certificate and the ACS decrypts it; the IdP groups in it map the JIT
// member to the highest-priority mapped permission group.
func TestSAMLEncryptedAssertionAndGroupMapping(t *testing.T) {
	t.Parallel()
	e, idp := samlSetup(t)
	spKey, spCert := testCert(t, "sp")
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(spKey)})
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: spCert.Raw})
	list := e.do(req{method: "GET", path: "/api/v1/sso/connections", token: e.adminKey})
	id := list.JSON(t)["data"].([]any)[0].(map[string]any)["id"].(string)
	up := e.do(req{method: "PATCH", path: "/api/v1/sso/connections/" + id, token: e.adminKey, body: map[string]any{
		"attribute_mapping": map[string]string{"subject": "urn:oid:0.9.2342.19200300.100.1.1", "groups": "eduPersonAffiliation"},
		"saml":              map[string]any{"idp_metadata_url": idp.url + "/metadata", "sp_private_key_pem": string(keyPEM), "sp_certificate_pem": string(certPEM)}}})
	require.Equal(t, http.StatusOK, up.Code, "%s", up.Body)
	require.NotContains(t, string(up.Body), "PRIVATE KEY")
	require.Equal(t, true, up.JSON(t)["saml"].(map[string]any)["sp_private_key_set"])

	// Re-register the SP metadata, which now carries the encryption certificate.
	md := plainGet(t, e.url+"/sso/acme/saml/metadata")
	mdBody := md.Body
	require.Contains(t, string(mdBody), "KeyDescriptor")
	r, _ := http.NewRequest(http.MethodPut, idp.url+"/services/bytechef", strings.NewReader(string(mdBody)))
	put, err := http.DefaultClient.Do(r)
	require.NoError(t, err)
	_ = put.Body.Close()

	// Two mapped groups: the higher priority wins.
	var groups []string
	for _, g := range []struct {
		name     string
		priority int
	}{{"Engineers", 10}, {"Staff", 5}} {
		res := e.do(req{method: "POST", path: "/api/v1/groups", token: e.adminKey, body: map[string]any{"name": g.name, "priority": g.priority}})
		require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
		groups = append(groups, res.JSON(t)["id"].(string))
	}
	_, err = e.pool.Exec(t.Context(), `INSERT INTO directory_group_mapping (id, org_id, match_by, idp_group, permission_group_id)
		VALUES (gen_random_uuid(), $1, 'DISPLAY_NAME', 'engineering', $2), (gen_random_uuid(), $1, 'ID', 'staff-id', $3)`, e.orgID, groups[0], groups[1])
	require.NoError(t, err)
	body, _ := json.Marshal(map[string]any{"name": "bob", "password": "pw-bob", "email": "bob@example.com", "groups": []string{"staff-id", "Engineering"}})
	r, _ = http.NewRequest(http.MethodPut, idp.url+"/users/bob", strings.NewReader(string(body)))
	res, err := http.DefaultClient.Do(r)
	require.NoError(t, err)
	_ = res.Body.Close()

	b := browser(t)
	acs, form := samlLoginAs(t, e, b, "bob", "pw-bob")
	raw := decodeForm(t, form)
	require.Contains(t, string(raw), "EncryptedAssertion")
	require.NotContains(t, string(raw), "bob@example.com", "the assertion travels encrypted")
	tok := e.exchange(t, codeFrom(t, b.postForm(t, acs, form)))
	require.Equal(t, "bob@example.com", tok["user"].(map[string]any)["email"])
	require.Equal(t, groups[0], tok["permission_group"].(map[string]any)["id"])
	require.Equal(t, "Engineers", tok["permission_group"].(map[string]any)["name"])
}

// TestSAMLManualIdPConfiguration: a connection given as entity id + SSO URL + certificate
// (no metadata) works the same; a certificate of another key makes every response fail.
func TestSAMLManualIdPConfiguration(t *testing.T) {
	t.Parallel()
	e, idp := samlSetup(t)
	list := e.do(req{method: "GET", path: "/api/v1/sso/connections", token: e.adminKey})
	id := list.JSON(t)["data"].([]any)[0].(map[string]any)["id"].(string)
	patch := func(cert *x509.Certificate) {
		certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
		up := e.do(req{method: "PATCH", path: "/api/v1/sso/connections/" + id, token: e.adminKey, body: map[string]any{
			"saml": map[string]any{"idp_entity_id": idp.url + "/metadata", "idp_sso_url": idp.url + "/sso", "idp_certificate_pem": string(certPEM)}}})
		require.Equal(t, http.StatusOK, up.Code, "%s", up.Body)
		require.Equal(t, false, up.JSON(t)["saml"].(map[string]any)["idp_metadata_xml_set"])
	}
	patch(idp.cert)
	b := browser(t)
	acs, form := samlLogin(t, e, b)
	e.exchange(t, codeFrom(t, b.postForm(t, acs, form)))

	_, other := testCert(t, "rotated-away")
	patch(other)
	b = browser(t)
	acs, form = samlLogin(t, e, b)
	p := b.postForm(t, acs, form)
	require.Equal(t, 400, p.StatusCode)
	require.Equal(t, "SIGNATURE_INVALID", reasonOf(p.Body))
}

func putIdPUser(t *testing.T, idp *samlIdP, name, password, email string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"name": name, "password": password, "email": email})
	r, _ := http.NewRequest(http.MethodPut, idp.url+"/users/"+name, strings.NewReader(string(body)))
	res, err := http.DefaultClient.Do(r)
	require.NoError(t, err)
	_ = res.Body.Close()
	require.Less(t, res.StatusCode, 300)
}

// TestSAMLLinkingAndSignupRules: an existing member is never linked by email alone — only at
// a domain the org verified, only once per connection — and JIT obeys INVITE_ONLY.
func TestSAMLLinkingAndSignupRules(t *testing.T) {
	t.Parallel()
	e, idp := samlSetup(t)
	res := e.do(req{method: "POST", path: "/api/v1/members", token: e.adminKey, body: map[string]any{"email": "alice@example.com", "name": "Alice"}})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	memberID := res.JSON(t)["id"].(string)
	login := func(user, pw string) page {
		b := browser(t)
		acs, form := samlLoginAs(t, e, b, user, pw)
		return b.postForm(t, acs, form)
	}
	p := login("alice", "correct horse")
	require.Equal(t, http.StatusConflict, p.StatusCode)
	require.Equal(t, "ACCOUNT_EXISTS_UNLINKED", reasonOf(p.Body))

	_, err := e.pool.Exec(t.Context(), `INSERT INTO domain (id, org_id, domain, verification_token, verified_at) VALUES (gen_random_uuid(), $1, 'example.com', 't', now())`, e.orgID)
	require.NoError(t, err)
	tok := e.exchange(t, codeFrom(t, login("alice", "correct horse")))
	require.Equal(t, memberID, tok["user"].(map[string]any)["member_id"])
	var n int
	require.NoError(t, e.pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_event WHERE org_id = $1 AND event_type = 'user.sso_identity_linked'`, e.orgID).Scan(&n))
	require.Equal(t, 1, n)

	// Another IdP user claiming the same email is not linked to the same member.
	putIdPUser(t, idp, "alice2", "pw2", "alice@example.com")
	p = login("alice2", "pw2")
	require.Equal(t, http.StatusConflict, p.StatusCode)
	require.Equal(t, "ACCOUNT_EXISTS_UNLINKED", reasonOf(p.Body))

	// INVITE_ONLY: no JIT for someone the admins did not create.
	require.Equal(t, http.StatusOK, e.do(req{method: "PATCH", path: "/api/v1/settings", token: e.adminKey, body: map[string]any{"signup_mode": "INVITE_ONLY"}}).Code)
	putIdPUser(t, idp, "carol", "pw3", "carol@example.com")
	p = login("carol", "pw3")
	require.Equal(t, http.StatusForbidden, p.StatusCode)
	require.Equal(t, "SIGNUP_NOT_ALLOWED", reasonOf(p.Body))
}
