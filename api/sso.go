// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
	"github.com/bytechefhq/bytechef-ee/internal/session"
	"github.com/bytechefhq/bytechef-ee/internal/sso"
)

// SSORoutes serves SSO connections (admin), the browser login flow at /sso/{org_slug}, the
// code exchange and the session endpoints (SPEC §3.2).
type SSORoutes struct {
	SSO      *sso.Service
	Sessions *session.Service
}

// Register mounts the SSO routes.
func (h SSORoutes) Register(r *Router) {
	g := r.Org.Group("/sso/connections", requireScope(identity.ScopeAdmin))
	g.POST("", r.Idempotent, h.create)
	g.GET("", h.list(r))
	g.GET("/:id", h.get)
	g.PATCH("/:id", h.update)
	g.DELETE("/:id", h.delete)
	r.Org.POST("/sso/token", requireScope(identity.ScopeSSOExchange), h.token)
	r.Org.POST("/sessions/introspect", h.introspect)
	r.Org.POST("/sessions/revoke", h.revoke)

	r.Public.GET("/sso/:slug", h.begin)
	r.Public.GET("/sso/:slug/saml/metadata", h.metadata)
	r.Public.POST("/sso/:slug/saml/acs", h.acs)
	r.Public.GET("/sso/:slug/oidc/callback", h.oidcCallback)
}

// SSOConnectionDTO is a connection as answered: never a secret.
type SSOConnectionDTO struct {
	ID               string            `json:"id"`
	Protocol         string            `json:"protocol"`
	Provider         string            `json:"provider"`
	Name             string            `json:"name"`
	Enabled          bool              `json:"enabled"`
	JITProvisioning  bool              `json:"jit_provisioning"`
	AttributeMapping map[string]string `json:"attribute_mapping"`
	// EffectiveAttributeMapping is the preset merged with the overrides: the names read.
	EffectiveAttributeMapping map[string][]string `json:"effective_attribute_mapping"`
	OIDC                      *ssoOIDCDTO         `json:"oidc"`
	SAML                      *ssoSAMLDTO         `json:"saml"`
	LoginURL                  string              `json:"login_url"`
	CreatedAt                 time.Time           `json:"created_at"`
	UpdatedAt                 time.Time           `json:"updated_at"`
}

type ssoOIDCDTO struct {
	Issuer           string   `json:"issuer"`
	ClientID         string   `json:"client_id"`
	ClientSecretSet  bool     `json:"client_secret_set"`
	Scopes           []string `json:"scopes"`
	AllowedTenantIDs []string `json:"allowed_tenant_ids"`
	RedirectURI      string   `json:"redirect_uri"`
}

type ssoSAMLDTO struct {
	IDPMetadataURL   *string  `json:"idp_metadata_url"`
	IDPMetadataSet   bool     `json:"idp_metadata_xml_set"`
	IDPEntityID      *string  `json:"idp_entity_id"`
	IDPSSOURL        *string  `json:"idp_sso_url"`
	IDPCertificates  []string `json:"idp_certificate_pem"`
	ClockSkewSeconds int      `json:"clock_skew_seconds"`
	SPEntityID       string   `json:"sp_entity_id"`
	ACSURL           string   `json:"acs_url"`
	MetadataURL      string   `json:"metadata_url"`
	SPPrivateKeySet  bool     `json:"sp_private_key_set"`
	SPCertificatePEM *string  `json:"sp_certificate_pem"`
}

func optStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (h SSORoutes) dto(c *gin.Context, conn sso.Connection) SSOConnectionDTO {
	slug := orgOf(c).Slug
	d := SSOConnectionDTO{ID: conn.ID.String(), Protocol: string(conn.Protocol), Provider: string(conn.Provider), Name: conn.Name, Enabled: conn.Enabled,
		JITProvisioning: conn.JITProvisioning, AttributeMapping: conn.AttributeMapping, EffectiveAttributeMapping: map[string][]string{},
		LoginURL:  strings.TrimSuffix(h.SSO.SPEntityID(slug), "/saml/metadata") + "?connection=" + conn.ID.String(),
		CreatedAt: conn.CreatedAt.UTC(), UpdatedAt: conn.UpdatedAt.UTC()}
	for k, v := range sso.Preset(conn.Provider, conn.Protocol) {
		d.EffectiveAttributeMapping[k] = v
	}
	for k, v := range conn.AttributeMapping {
		d.EffectiveAttributeMapping[k] = []string{v}
	}
	if conn.OIDC != nil {
		d.OIDC = &ssoOIDCDTO{Issuer: conn.OIDC.Issuer, ClientID: conn.OIDC.ClientID, ClientSecretSet: conn.SecretSet, Scopes: conn.OIDC.Scopes,
			AllowedTenantIDs: conn.OIDC.AllowedTenantIDs, RedirectURI: h.SSO.OIDCRedirectURI(slug)}
		if d.OIDC.AllowedTenantIDs == nil {
			d.OIDC.AllowedTenantIDs = []string{}
		}
	}
	if s := conn.SAML; s != nil {
		d.SAML = &ssoSAMLDTO{IDPMetadataURL: optStr(s.MetadataURL), IDPMetadataSet: s.MetadataXML != "", IDPEntityID: optStr(sso.IdPEntityID(*s)),
			IDPSSOURL: optStr(s.SSOURL), IDPCertificates: s.CertificatesPEM, ClockSkewSeconds: s.ClockSkewSeconds, SPEntityID: h.SSO.SPEntityID(slug),
			ACSURL: h.SSO.ACSURL(slug), MetadataURL: h.SSO.SPEntityID(slug), SPPrivateKeySet: conn.SecretSet, SPCertificatePEM: optStr(s.SPCertificatePEM)}
		if d.SAML.IDPCertificates == nil {
			d.SAML.IDPCertificates = []string{}
		}
	}
	return d
}

type ssoConnectionRequest struct {
	Protocol         string            `json:"protocol"`
	Provider         *string           `json:"provider"`
	Name             *string           `json:"name"`
	Enabled          *bool             `json:"enabled"`
	JITProvisioning  *bool             `json:"jit_provisioning"`
	AttributeMapping map[string]string `json:"attribute_mapping"`
	OIDC             *struct {
		Issuer           string   `json:"issuer"`
		ClientID         string   `json:"client_id"`
		ClientSecret     *string  `json:"client_secret"`
		Scopes           []string `json:"scopes"`
		AllowedTenantIDs []string `json:"allowed_tenant_ids"`
	} `json:"oidc"`
	SAML *struct {
		IDPMetadataXML   string  `json:"idp_metadata_xml"`
		IDPMetadataURL   string  `json:"idp_metadata_url"`
		IDPEntityID      string  `json:"idp_entity_id"`
		IDPSSOURL        string  `json:"idp_sso_url"`
		IDPCertificate   string  `json:"idp_certificate_pem"`
		ClockSkewSeconds *int    `json:"clock_skew_seconds"`
		SPPrivateKeyPEM  *string `json:"sp_private_key_pem"`
		SPCertificatePEM string  `json:"sp_certificate_pem"`
	} `json:"saml"`
}

func (r ssoConnectionRequest) input() sso.ConnectionInput {
	in := sso.ConnectionInput{Protocol: r.Protocol, Provider: r.Provider, Name: r.Name, Enabled: r.Enabled, JITProvisioning: r.JITProvisioning,
		AttributeMapping: r.AttributeMapping}
	if o := r.OIDC; o != nil {
		in.OIDC = &sso.OIDCInput{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret, Scopes: o.Scopes, AllowedTenantIDs: o.AllowedTenantIDs}
	}
	if s := r.SAML; s != nil {
		in.SAML = &sso.SAMLInput{MetadataXML: s.IDPMetadataXML, MetadataURL: s.IDPMetadataURL, EntityID: s.IDPEntityID, SSOURL: s.IDPSSOURL,
			CertificatePEM: s.IDPCertificate, ClockSkewSeconds: s.ClockSkewSeconds, SPPrivateKeyPEM: s.SPPrivateKeyPEM, SPCertificatePEM: s.SPCertificatePEM}
	}
	return in
}

// connectionBodyLimit admits IdP metadata documents (up to 1 MiB) inside the JSON body.
const connectionBodyLimit = 2 << 20

func (h SSORoutes) create(c *gin.Context) {
	c.Set(ctxBodyLimit, int64(connectionBodyLimit))
	var req ssoConnectionRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	conn, err := h.SSO.CreateConnection(c.Request.Context(), orgOf(c).ID, req.input())
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/sso/connections/"+conn.ID.String())
	writeVersioned(c, http.StatusCreated, conn.Version, h.dto(c, conn))
}

func (h SSORoutes) list(r *Router) gin.HandlerFunc {
	return func(c *gin.Context) {
		org := orgOf(c).ID
		orgPage(c, r, "sso-connections", struct{}{}, func(after *uuid.UUID, limit int) ([]sso.Connection, error) {
			return h.SSO.ListConnections(c.Request.Context(), org, after, limit)
		}, func(k sso.Connection) uuid.UUID { return k.ID }, func(k sso.Connection) SSOConnectionDTO { return h.dto(c, k) })
	}
}

func (h SSORoutes) get(c *gin.Context) {
	id, err := pathID(c, "sso connection")
	if err != nil {
		fail(c, err)
		return
	}
	conn, err := h.SSO.GetConnection(c.Request.Context(), orgOf(c).ID, id)
	if err != nil {
		fail(c, err)
		return
	}
	writeVersioned(c, http.StatusOK, conn.Version, h.dto(c, conn))
}

func (h SSORoutes) update(c *gin.Context) {
	c.Set(ctxBodyLimit, int64(connectionBodyLimit))
	id, err := pathID(c, "sso connection")
	if err != nil {
		fail(c, err)
		return
	}
	var req ssoConnectionRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	ver, err := ifMatch(c)
	if err != nil {
		fail(c, err)
		return
	}
	conn, err := h.SSO.UpdateConnection(c.Request.Context(), orgOf(c).ID, id, req.input(), ver)
	if err != nil {
		fail(c, err)
		return
	}
	writeVersioned(c, http.StatusOK, conn.Version, h.dto(c, conn))
}

func (h SSORoutes) delete(c *gin.Context) {
	id, err := pathID(c, "sso connection")
	if err != nil {
		fail(c, err)
		return
	}
	ver, err := ifMatch(c)
	if err != nil {
		fail(c, err)
		return
	}
	if err := h.SSO.DeleteConnection(c.Request.Context(), orgOf(c).ID, id, ver); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// SSOTokenDTO is the answer of POST /api/v1/sso/token.
type SSOTokenDTO struct {
	SessionToken string    `json:"session_token"`
	ExpiresAt    time.Time `json:"expires_at"`
	User         struct {
		ID       string `json:"id"`
		MemberID string `json:"member_id"`
		Email    string `json:"email"`
		Name     string `json:"name"`
	} `json:"user"`
	Org struct {
		ID   string `json:"id"`
		Slug string `json:"slug"`
		Name string `json:"name"`
	} `json:"org"`
	Role            string `json:"role"`
	PermissionGroup struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"permission_group"`
}

func (h SSORoutes) token(c *gin.Context) {
	var req struct {
		Code string `json:"code"`
	}
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	org := orgOf(c)
	if full, err := h.SSO.Org(c.Request.Context(), org.ID); err == nil {
		org = full
	}
	x, err := h.SSO.ExchangeCode(c.Request.Context(), org, req.Code)
	if err != nil {
		fail(c, err)
		return
	}
	var out SSOTokenDTO
	out.SessionToken, out.ExpiresAt = x.Token, x.Session.ExpiresAt.UTC()
	out.User.ID, out.User.MemberID, out.User.Email, out.User.Name = x.Member.UserID.String(), x.Member.ID.String(), x.Member.Email, x.Member.Name
	out.Org.ID, out.Org.Slug, out.Org.Name = x.Org.ID.String(), x.Org.Slug, x.Org.Name
	out.Role = string(x.Member.Role)
	out.PermissionGroup.ID, out.PermissionGroup.Name = x.Group.ID.String(), x.Group.Name
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
}

// sessionTarget resolves which session token a sessions endpoint acts on: a key with
// sso:exchange (or admin) names any token of its org in the body; a user session acts on
// itself only (no token, or its own).
func sessionTarget(c *gin.Context) (string, bool) {
	var req struct {
		Token string `json:"token"`
	}
	if c.Request.ContentLength != 0 {
		if err := bindJSON(c, &req); err != nil {
			fail(c, err)
			return "", false
		}
	}
	p, _ := principalOf(c)
	own := ""
	if p.Kind == identity.UserSession {
		_, own, _ = strings.Cut(c.GetHeader("Authorization"), " ")
		own = strings.TrimSpace(own)
	}
	switch {
	case p.Kind == identity.UserSession && (req.Token == "" || req.Token == own):
		return own, true
	case p.Kind != identity.UserSession && p.Has(identity.ScopeSSOExchange):
		if req.Token == "" {
			fail(c, errcode.Invalid("token", "is required"))
			return "", false
		}
		return req.Token, true
	}
	fail(c, errcode.New(errcode.Forbidden, "this credential may only introspect or revoke its own session"))
	return "", false
}

// SessionIntrospectionDTO answers POST /api/v1/sessions/introspect (RFC 7662 style).
type SessionIntrospectionDTO struct {
	Active            bool       `json:"active"`
	SessionID         *string    `json:"session_id,omitempty"`
	UserID            *string    `json:"user_id,omitempty"`
	MemberID          *string    `json:"member_id,omitempty"`
	Email             *string    `json:"email,omitempty"`
	Role              *string    `json:"role,omitempty"`
	OrgID             *string    `json:"org_id,omitempty"`
	OrgSlug           *string    `json:"org_slug,omitempty"`
	PermissionGroupID *string    `json:"permission_group_id,omitempty"`
	CreatedAt         *time.Time `json:"created_at,omitempty"`
	LastSeenAt        *time.Time `json:"last_seen_at,omitempty"`
	IdleExpiresAt     *time.Time `json:"idle_expires_at,omitempty"`
	ExpiresAt         *time.Time `json:"expires_at,omitempty"`
}

func ptr[T any](v T) *T { return &v }

func (h SSORoutes) introspect(c *gin.Context) {
	token, ok := sessionTarget(c)
	if !ok {
		return
	}
	info, active, err := h.Sessions.Introspect(c.Request.Context(), orgOf(c).ID, token)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	if !active {
		c.JSON(http.StatusOK, SessionIntrospectionDTO{Active: false})
		return
	}
	c.JSON(http.StatusOK, SessionIntrospectionDTO{Active: true, SessionID: ptr(info.ID.String()), UserID: ptr(info.UserID.String()),
		MemberID: ptr(info.MemberID.String()), Email: ptr(info.Email), Role: ptr(info.Role), OrgID: ptr(info.OrgID.String()), OrgSlug: ptr(info.OrgSlug),
		PermissionGroupID: ptr(info.PermissionGroupID.String()), CreatedAt: ptr(info.CreatedAt.UTC()), LastSeenAt: ptr(info.LastSeenAt.UTC()),
		IdleExpiresAt: ptr(info.IdleExpiresAt().UTC()), ExpiresAt: ptr(info.ExpiresAt.UTC())})
}

func (h SSORoutes) revoke(c *gin.Context) {
	token, ok := sessionTarget(c)
	if !ok {
		return
	}
	reason := "REVOKED"
	if p, _ := principalOf(c); p.Kind == identity.UserSession {
		reason = "SIGNED_OUT"
	}
	revoked, err := h.Sessions.Revoke(c.Request.Context(), orgOf(c).ID, token, reason)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"revoked": revoked})
}

// ---- browser flow ----

func (h SSORoutes) begin(c *gin.Context) {
	st, f := h.SSO.Begin(c.Request.Context(), c.Param("slug"), c.Query("return_to"), c.Query("connection"))
	if f != nil {
		ssoErrorPage(c, f)
		return
	}
	http.SetCookie(c.Writer, h.cookie(st.CookieName, st.CookieValue, st.CookiePath, int(st.MaxAge.Seconds())))
	noStore(c)
	c.Redirect(http.StatusFound, st.RedirectURL)
}

func (h SSORoutes) cookie(name, value, path string, maxAge int) *http.Cookie {
	ck := &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	if h.SSO.Secure() {
		// The IdP POSTs the SAML response cross-site: only SameSite=None cookies ride along,
		// and those must be Secure.
		ck.Secure, ck.SameSite = true, http.SameSiteNoneMode
	}
	return ck
}

// bindings collects this browser's outstanding-login cookies (request id or state → value).
func bindings(c *gin.Context) map[string]string {
	out := map[string]string{}
	for _, ck := range c.Request.Cookies() {
		if id, ok := strings.CutPrefix(ck.Name, sso.CookiePrefix); ok && id != "" && len(out) < 20 {
			out[id] = ck.Value
		}
	}
	return out
}

func (h SSORoutes) clearCookies(c *gin.Context, b map[string]string, id string) {
	if _, ok := b[id]; ok {
		http.SetCookie(c.Writer, h.cookie(sso.CookiePrefix+id, "", "/sso/"+c.Param("slug")+"/", -1))
	}
}

func (h SSORoutes) metadata(c *gin.Context) {
	b, f := h.SSO.SPMetadata(c.Request.Context(), c.Param("slug"))
	if f != nil {
		ssoErrorPage(c, f)
		return
	}
	c.Data(http.StatusOK, "application/samlmetadata+xml", b)
}

// maxACSForm bounds the ACS form body (the SAMLResponse is limited further inside).
const maxACSForm = 1 << 20

func (h SSORoutes) acs(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxACSForm)
	if err := c.Request.ParseForm(); err != nil {
		ssoErrorPage(c, &sso.Failure{Status: http.StatusRequestEntityTooLarge, Reason: sso.ReasonTooLarge, Message: "The identity provider's response is too large or malformed."})
		return
	}
	b := bindings(c)
	loc, f := h.SSO.ACS(c.Request.Context(), c.Param("slug"), c.Request.PostForm.Get("SAMLResponse"), b)
	if f != nil {
		ssoErrorPage(c, f)
		return
	}
	for id := range b {
		h.clearCookies(c, b, id)
	}
	noStore(c)
	c.Redirect(http.StatusSeeOther, loc)
}

func (h SSORoutes) oidcCallback(c *gin.Context) {
	b := bindings(c)
	state := c.Query("state")
	loc, f := h.SSO.OIDCCallback(c.Request.Context(), c.Param("slug"), state, c.Query("code"), c.Query("error"), b)
	h.clearCookies(c, b, state)
	if f != nil {
		ssoErrorPage(c, f)
		return
	}
	noStore(c)
	c.Redirect(http.StatusSeeOther, loc)
}

func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
}
