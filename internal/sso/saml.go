// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package sso

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
)

// crewjam/saml bounds IssueInstant and NotBefore with a package-wide skew (180 s by
// default). The SPEC lets an org configure up to 5 minutes, so the library's bound is set to
// that maximum once and each connection's own (tighter) skew is enforced in checkTimes.
func init() { saml.MaxClockSkew = MaxClockSkew }

// MaxSAMLResponseBytes bounds the decoded SAMLResponse. Real responses are a few KiB; even
// with many group attributes they stay far below this.
const MaxSAMLResponseBytes = 256 << 10

const (
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
)

// hasDTD reports whether an XML document declares a DTD or entities; such documents are
// refused before any parser sees them (XXE, billion laughs).
func hasDTD(b []byte) bool {
	u := bytes.ToUpper(b)
	return bytes.Contains(u, []byte("<!DOCTYPE")) || bytes.Contains(u, []byte("<!ENTITY")) || bytes.Contains(u, []byte("<!ELEMENT")) ||
		bytes.Contains(u, []byte("<!ATTLIST"))
}

// precheck is what the SPEC requires before (and beyond) the library's validation. It reads
// only structure, never identity: status first, then the assertion count, the request id,
// and NameID / attribute values built from comments or split text nodes.
type precheck struct {
	InResponseTo string
}

func checkResponseShape(raw []byte) (precheck, *Failure) {
	if hasDTD(raw) {
		return precheck{}, invalid(ReasonMalformed, "the response declares a DTD or entities")
	}
	doc := etree.NewDocument()
	doc.ReadSettings.Permissive = false
	if err := doc.ReadFromBytes(raw); err != nil {
		return precheck{}, invalid(ReasonMalformed, "the response is not well-formed XML")
	}
	root := doc.Root()
	if root == nil || root.Tag != "Response" || root.NamespaceURI() != nsProtocol {
		return precheck{}, invalid(ReasonMalformed, "the document is not a SAML Response")
	}
	// Non-Success status is rejected before anything else is read.
	status := ""
	for _, st := range root.ChildElements() {
		if st.Tag == "Status" && st.NamespaceURI() == nsProtocol {
			for _, code := range st.ChildElements() {
				if code.Tag == "StatusCode" && code.NamespaceURI() == nsProtocol {
					status = code.SelectAttrValue("Value", "")
				}
			}
		}
	}
	if status != saml.StatusSuccess {
		f := fail(403, ReasonIdPStatus, "The identity provider did not sign you in. Contact your administrator if this persists.", "IdP status %q", truncate(status, 200))
		return precheck{}, f
	}
	// Exactly one assertion, counted over the whole document: an assertion tucked into
	// Extensions, an Advice or a Signature's Object is a wrapping attempt.
	n := 0
	var bad string
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		if e.NamespaceURI() == nsAssertion && (e.Tag == "Assertion" || e.Tag == "EncryptedAssertion") {
			n++
		}
		if e.NamespaceURI() == nsAssertion && (e.Tag == "NameID" || e.Tag == "AttributeValue") && bad == "" {
			if !singleText(e) {
				bad = e.Tag
			}
		}
		for _, c := range e.ChildElements() {
			walk(c)
		}
	}
	walk(root)
	if n != 1 {
		return precheck{}, invalid(ReasonInvalidResponse, "the response holds %d assertions; exactly one is accepted", n)
	}
	if bad != "" {
		return precheck{}, invalid(ReasonInvalidResponse, "a %s contains comments, processing instructions or split text", bad)
	}
	irt := root.SelectAttrValue("InResponseTo", "")
	if irt == "" {
		return precheck{}, fail(400, ReasonIdPInitiated, "Sign-in must start from your application, not from the identity provider's portal.", "IdP-initiated response (no InResponseTo)")
	}
	return precheck{InResponseTo: irt}, nil
}

// singleText reports whether an element's content is at most one text node: a comment or
// a second text node (CDATA next to text) lets a signed value read differently to different
// parsers. AttributeValue may instead hold exactly one element (e.g. a NameID value).
func singleText(e *etree.Element) bool {
	texts, elems := 0, 0
	for _, t := range e.Child {
		switch c := t.(type) {
		case *etree.CharData:
			if c.IsWhitespace() && len(e.ChildElements()) > 0 {
				continue
			}
			texts++
		case *etree.Element:
			elems++
		default: // comments, processing instructions, directives
			return false
		}
	}
	if e.Tag == "NameID" {
		return texts <= 1 && elems == 0
	}
	return (texts <= 1 && elems == 0) || (texts == 0 && elems == 1)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// replayStore is the Postgres assertion-id store (shared by every replica).
type replayStore struct {
	ctx    context.Context
	q      *dbsqlc.Queries
	orgID  uuid.UUID
	connID uuid.UUID
	// replayed is set when Consume found the id already used.
	replayed bool
}

// Consume records the assertion id until it expires; a second use fails.
func (r *replayStore) Consume(id string, expiresAt time.Time) error {
	// Keep the id at least as long as any clock skew could still accept it.
	n, err := r.q.SSOAssertionConsume(r.ctx, dbsqlc.SSOAssertionConsumeParams{OrgID: r.orgID, ConnectionID: r.connID,
		AssertionID: truncate(id, 512), ExpiresAt: expiresAt.Add(MaxClockSkew)})
	if err != nil {
		return err
	}
	if n == 0 {
		r.replayed = true
		return saml.ErrAssertionReplayed
	}
	return nil
}

// idpDescriptor returns the IdP's metadata from the connection.
func idpDescriptor(c SAMLConfig) (*saml.EntityDescriptor, error) {
	if c.MetadataXML != "" {
		return idpFromMetadata([]byte(c.MetadataXML))
	}
	kds := make([]saml.KeyDescriptor, 0, len(c.CertificatesPEM))
	for _, p := range c.CertificatesPEM {
		b, _ := pem.Decode([]byte(p))
		if b == nil {
			return nil, errors.New("sso: stored IdP certificate is not PEM")
		}
		kds = append(kds, saml.KeyDescriptor{Use: "signing", KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{
			X509Certificates: []saml.X509Certificate{{Data: base64.StdEncoding.EncodeToString(b.Bytes)}}}}})
	}
	return &saml.EntityDescriptor{EntityID: c.EntityID, IDPSSODescriptors: []saml.IDPSSODescriptor{{
		SSODescriptor:        saml.SSODescriptor{RoleDescriptor: saml.RoleDescriptor{ProtocolSupportEnumeration: "urn:oasis:names:tc:SAML:2.0:protocol", KeyDescriptors: kds}},
		SingleSignOnServices: []saml.Endpoint{{Binding: saml.HTTPRedirectBinding, Location: c.SSOURL}},
	}}}, nil
}

func parseSPKey(p string) (*rsa.PrivateKey, error) {
	b, _ := pem.Decode([]byte(p))
	if b == nil {
		return nil, errors.New("not PEM")
	}
	if k, err := x509.ParsePKCS1PrivateKey(b.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an RSA key")
	}
	return rk, nil
}

// serviceProvider builds the crewjam SP for one org and connection.
func (s *Service) serviceProvider(ctx context.Context, slug string, c Connection) (*saml.ServiceProvider, error) {
	idp, err := idpDescriptor(*c.SAML)
	if err != nil {
		return nil, err
	}
	acs, _ := url.Parse(s.ACSURL(slug))
	md, _ := url.Parse(s.SPEntityID(slug))
	entityID := s.SPEntityID(slug)
	sp := &saml.ServiceProvider{EntityID: entityID, AcsURL: *acs, MetadataURL: *md, IDPMetadata: idp, HTTPClient: s.client,
		AllowIDPInitiated: false, RejectUnknownConditions: true, RejectSHA1Signatures: true, RequireSignedResponseForCBC: true,
		AuthnNameIDFormat: saml.UnspecifiedNameIDFormat, AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
		// Every AudienceRestriction must name this org's SP (SAML core §2.5.1.4) and at
		// least one must be present.
		ValidateAudienceRestriction: func(a *saml.Assertion) error {
			if a.Conditions == nil || len(a.Conditions.AudienceRestrictions) == 0 {
				return errAudience
			}
			for _, ar := range a.Conditions.AudienceRestrictions {
				ok := false
				for _, au := range ar.AllAudiences() {
					if au.Value == entityID {
						ok = true
					}
				}
				if !ok {
					return errAudience
				}
			}
			return nil
		},
	}
	if c.SecretSet && c.SAML.SPCertificatePEM != "" {
		keyPEM, err := s.secretOf(ctx, c)
		if err != nil {
			return nil, err
		}
		key, err := parseSPKey(string(keyPEM))
		if err != nil {
			return nil, err
		}
		certs, err := parseCerts(c.SAML.SPCertificatePEM)
		if err != nil || len(certs) != 1 {
			return nil, errors.New("sso: stored SP certificate is invalid")
		}
		sp.Key, sp.Certificate = key, certs[0]
		sp.DecryptionKeys = []*rsa.PrivateKey{key}
	}
	return sp, nil
}

var errAudience = errors.New("audience restriction does not name this service provider")

// SPMetadata returns the org's SP metadata document (for the first enabled SAML connection
// when it has an SP certificate for encrypted assertions, else without keys).
func (s *Service) SPMetadata(ctx context.Context, slug string) ([]byte, *Failure) {
	org, f := s.orgBySlug(ctx, slug)
	if f != nil {
		return nil, f
	}
	conns, err := dbsqlc.New(s.db).SSOConnectionListEnabled(ctx, org.ID)
	if err != nil {
		return nil, fail(503, ReasonProviderUnavailable, "Sign-in is unavailable right now. Please try again.", "list connections: %v", err)
	}
	acs, _ := url.Parse(s.ACSURL(slug))
	md, _ := url.Parse(s.SPEntityID(slug))
	sp := &saml.ServiceProvider{EntityID: s.SPEntityID(slug), AcsURL: *acs, MetadataURL: *md, AuthnNameIDFormat: saml.UnspecifiedNameIDFormat,
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding}}
	for _, r := range conns {
		c, err := fromRow(r)
		if err != nil || c.Protocol != SAML || c.SAML.SPCertificatePEM == "" {
			continue
		}
		if certs, err := parseCerts(c.SAML.SPCertificatePEM); err == nil && len(certs) == 1 {
			sp.Certificate = certs[0]
		}
		break
	}
	b, err := xml.MarshalIndent(sp.Metadata(), "", "  ")
	if err != nil {
		return nil, fail(503, ReasonProviderUnavailable, "Sign-in is unavailable right now.", "metadata: %v", err)
	}
	return b, nil
}

// classifySAML maps a library error to a failure reason.
func classifySAML(err error, rs *replayStore) *Failure {
	var ire *saml.InvalidResponseError
	cause := err
	if errors.As(err, &ire) {
		cause = ire.PrivateErr
	}
	msg := cause.Error()
	switch {
	case rs != nil && rs.replayed, errors.Is(cause, saml.ErrAssertionReplayed):
		return invalid(ReasonReplay, "assertion already used")
	case strings.Contains(msg, "Recipient"):
		return invalid(ReasonRecipient, "%s", msg)
	case errors.Is(cause, errAudience):
		return invalid(ReasonAudience, "%v", cause)
	case errors.Is(cause, saml.ErrDestinationMismatch):
		return invalid(ReasonDestination, "%v", cause)
	case errors.Is(cause, saml.ErrExpired):
		return invalid(ReasonExpired, "%v", cause)
	case errors.Is(cause, saml.ErrNotYetValid):
		return invalid(ReasonNotYetValid, "%v", cause)
	case errors.Is(cause, saml.ErrInvalidSignature):
		return invalid(ReasonSignature, "%v", cause)
	case errors.Is(cause, saml.ErrIssuerMismatch):
		return invalid(ReasonIssuer, "%v", cause)
	}
	switch {
	case strings.Contains(msg, "signature") || strings.Contains(msg, "Signature"):
		return invalid(ReasonSignature, "%s", msg)
	}
	return invalid(ReasonInvalidResponse, "%s", msg)
}

// checkSAMLAssertion enforces what the SPEC asks beyond the library: the bearer confirmation
// names this ACS and this request, and the validity window holds with the connection's skew.
func checkSAMLAssertion(a *saml.Assertion, acs, requestID string, now time.Time, skew time.Duration) *Failure {
	if a.Subject == nil {
		return invalid(ReasonMissingSubject, "assertion has no subject")
	}
	ok := false
	for _, sc := range a.Subject.SubjectConfirmations {
		d := sc.SubjectConfirmationData
		if sc.Method != "urn:oasis:names:tc:SAML:2.0:cm:bearer" || d == nil {
			continue
		}
		if d.Recipient != acs {
			return invalid(ReasonRecipient, "SubjectConfirmationData Recipient %q is not this org's ACS", truncate(d.Recipient, 200))
		}
		if d.InResponseTo != requestID {
			return invalid(ReasonRequestUnknown, "SubjectConfirmationData InResponseTo does not match the request")
		}
		if d.NotOnOrAfter.IsZero() || !now.Before(d.NotOnOrAfter.Add(skew)) {
			return invalid(ReasonExpired, "SubjectConfirmationData expired at %s", d.NotOnOrAfter.Format(time.RFC3339))
		}
		if !d.NotBefore.IsZero() && now.Add(skew).Before(d.NotBefore) {
			return invalid(ReasonNotYetValid, "SubjectConfirmationData not valid before %s", d.NotBefore.Format(time.RFC3339))
		}
		ok = true
	}
	if !ok {
		return invalid(ReasonInvalidResponse, "no bearer SubjectConfirmation")
	}
	if c := a.Conditions; c != nil {
		if !c.NotBefore.IsZero() && now.Add(skew).Before(c.NotBefore) {
			return invalid(ReasonNotYetValid, "assertion not valid before %s", c.NotBefore.Format(time.RFC3339))
		}
		if !c.NotOnOrAfter.IsZero() && !now.Before(c.NotOnOrAfter.Add(skew)) {
			return invalid(ReasonExpired, "assertion expired at %s", c.NotOnOrAfter.Format(time.RFC3339))
		}
	}
	if now.Add(skew).Before(a.IssueInstant) {
		return invalid(ReasonNotYetValid, "assertion issued in the future (%s)", a.IssueInstant.Format(time.RFC3339))
	}
	return nil
}

// samlClaims collects the assertion's attributes by name (values in order).
func samlClaims(a *saml.Assertion) map[string][]string {
	out := map[string][]string{}
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			for _, v := range at.Values {
				val := v.Value
				if v.NameID != nil {
					val = v.NameID.Value
				}
				out[at.Name] = append(out[at.Name], val)
				if at.FriendlyName != "" && at.FriendlyName != at.Name {
					out[at.FriendlyName] = append(out[at.FriendlyName], val)
				}
			}
		}
	}
	return out
}

// ACS handles a SAMLResponse posted to the org's ACS. bindings maps the request ids this
// browser holds cookies for to the cookie values.
func (s *Service) ACS(ctx context.Context, slug, samlResponse string, bindings map[string]string) (string, *Failure) {
	ctx = browserCtx(ctx)
	org, f := s.orgBySlug(ctx, slug)
	if f != nil {
		return "", f
	}
	fl := func(conn *Connection, f *Failure) (string, *Failure) {
		return "", s.recordFailure(ctx, org, conn, SAML, f)
	}
	if len(samlResponse) > MaxSAMLResponseBytes*4/3+4 {
		return fl(nil, fail(413, ReasonTooLarge, "The identity provider's response is too large.", "SAMLResponse of %d bytes", len(samlResponse)))
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Map(dropSpace, samlResponse))
	if err != nil || len(raw) == 0 {
		return fl(nil, invalid(ReasonMalformed, "SAMLResponse is not base64"))
	}
	if len(raw) > MaxSAMLResponseBytes {
		return fl(nil, fail(413, ReasonTooLarge, "The identity provider's response is too large.", "SAMLResponse of %d bytes", len(raw)))
	}
	pre, f := checkResponseShape(raw)
	if f != nil {
		return fl(nil, f)
	}
	binding, ok := bindings[pre.InResponseTo]
	if !ok {
		return fl(nil, invalid(ReasonRequestUnknown, "InResponseTo names no request started in this browser"))
	}
	lr, err := s.consumeLogin(ctx, org.ID, pre.InResponseTo, binding)
	if loginGone(err) {
		return fl(nil, invalid(ReasonRequestUnknown, "InResponseTo names no outstanding request of this browser (unknown, used or expired)"))
	}
	if err != nil {
		return "", s.unavailable(err)
	}
	conn, err := s.GetConnection(ctx, org.ID, lr.ConnectionID)
	if err != nil || conn.Protocol != SAML || !conn.Enabled {
		return fl(nil, fail(403, ReasonNoConnection, "This sign-in method is no longer available.", "connection gone or disabled"))
	}
	sp, err := s.serviceProvider(ctx, slug, conn)
	if err != nil {
		return "", s.unavailable(err)
	}
	var assertion *saml.Assertion
	var rs *replayStore
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		rs = &replayStore{ctx: ctx, q: q, orgID: org.ID, connID: conn.ID}
		sp.ReplayCache = rs
		acs, _ := url.Parse(s.ACSURL(slug))
		var perr error
		assertion, perr = sp.ParseXMLResponse(raw, []string{lr.ID}, *acs)
		return perr
	})
	if err != nil {
		return fl(&conn, classifySAML(err, rs))
	}
	skew := time.Duration(conn.SAML.ClockSkewSeconds) * time.Second
	if f := checkSAMLAssertion(assertion, s.ACSURL(slug), lr.ID, s.now(), skew); f != nil {
		return fl(&conn, f)
	}
	claims := samlClaims(assertion)
	id := userInfo{Claims: claims, EmailVerified: true}
	mapping := mappingFor(conn)
	nameID := ""
	nameIDFormat := ""
	if assertion.Subject.NameID != nil {
		nameID, nameIDFormat = strings.TrimSpace(assertion.Subject.NameID.Value), assertion.Subject.NameID.Format
	}
	switch {
	case conn.AttributeMapping[AttrSubject] != "":
		id.Subject = first(claims, []string{conn.AttributeMapping[AttrSubject]})
	case conn.Provider == EntraID && first(claims, []string{entraClaimObjectID}) != "" && first(claims, []string{entraClaimTenantID}) != "":
		id.Subject = "entra:" + first(claims, []string{entraClaimTenantID}) + ":" + first(claims, []string{entraClaimObjectID})
	default:
		id.Subject = nameID
	}
	id.Email = first(claims, mapping[AttrEmail])
	if id.Email == "" && (nameIDFormat == string(saml.EmailAddressNameIDFormat) || strings.Contains(nameID, "@")) {
		id.Email = nameID
	}
	id.fill(mapping)
	return s.finish(ctx, org, conn, SAML, id, lr.ReturnTo)
}

func dropSpace(r rune) rune {
	if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
		return -1
	}
	return r
}

func first(claims map[string][]string, names []string) string {
	for _, n := range names {
		for _, v := range claims[n] {
			if v = strings.TrimSpace(v); v != "" {
				return v
			}
		}
	}
	return ""
}
