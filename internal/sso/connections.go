// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package sso

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/crypto"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// ConnectionInput creates or changes a connection. On update nil fields are unchanged; a
// given oidc or saml block replaces the stored one, except that an omitted client_secret /
// sp_private_key_pem keeps the stored secret.
type ConnectionInput struct {
	Protocol         string
	Provider         *string
	Name             *string
	Enabled          *bool
	JITProvisioning  *bool
	AttributeMapping map[string]string
	OIDC             *OIDCInput
	SAML             *SAMLInput
}

// OIDCInput is the oidc block of a connection body.
type OIDCInput struct {
	Issuer           string
	ClientID         string
	ClientSecret     *string
	Scopes           []string
	AllowedTenantIDs []string
}

// SAMLInput is the saml block: metadata XML, metadata URL, or entity id + SSO URL + certificate(s).
type SAMLInput struct {
	MetadataXML      string
	MetadataURL      string
	EntityID         string
	SSOURL           string
	CertificatePEM   string
	ClockSkewSeconds *int
	SPPrivateKeyPEM  *string
	SPCertificatePEM string
}

// Limits on connection input.
const (
	maxMetadataBytes = 1 << 20
	maxMappingValue  = 500
	maxScopes        = 50
	maxTenants       = 200
)

const (
	purposeOIDCSecret = "sso_connection.oidc_client_secret"
	purposeSPKey      = "sso_connection.saml_sp_private_key"
)

type storedConfig struct {
	OIDC *OIDCConfig `json:"oidc,omitempty"`
	SAML *SAMLConfig `json:"saml,omitempty"`
}

func fromRow(r dbsqlc.SsoConnection) (Connection, error) {
	var cfg storedConfig
	if err := json.Unmarshal(r.Config, &cfg); err != nil {
		return Connection{}, fmt.Errorf("sso: connection %s config: %w", r.ID, err)
	}
	m := map[string]string{}
	if len(r.AttributeMapping) > 0 {
		if err := json.Unmarshal(r.AttributeMapping, &m); err != nil {
			return Connection{}, fmt.Errorf("sso: connection %s mapping: %w", r.ID, err)
		}
	}
	return Connection{ID: r.ID, OrgID: r.OrgID, Protocol: Protocol(r.Protocol), Provider: Provider(r.Provider), Name: r.Name,
		Enabled: r.Enabled, JITProvisioning: r.JitProvisioning, AttributeMapping: m, OIDC: cfg.OIDC, SAML: cfg.SAML,
		SecretSet: len(r.Secret) > 0, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}, nil
}

func summary(c Connection) map[string]any {
	m := map[string]any{"protocol": c.Protocol, "provider": c.Provider, "name": c.Name, "enabled": c.Enabled,
		"jit_provisioning": c.JITProvisioning, "attribute_mapping": c.AttributeMapping, "secret_set": c.SecretSet}
	if c.OIDC != nil {
		m["oidc"] = map[string]any{"issuer": c.OIDC.Issuer, "client_id": c.OIDC.ClientID, "scopes": c.OIDC.Scopes, "allowed_tenant_ids": c.OIDC.AllowedTenantIDs}
	}
	if c.SAML != nil {
		m["saml"] = map[string]any{"idp_entity_id": c.SAML.EntityID, "idp_sso_url": c.SAML.SSOURL, "idp_metadata_url": c.SAML.MetadataURL,
			"clock_skew_seconds": c.SAML.ClockSkewSeconds}
	}
	return m
}

// urlAllowed accepts https URLs, and http for loopback hosts (local IdPs in development).
func urlAllowed(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || len(raw) > 2000 {
		return false
	}
	h := u.Hostname()
	return u.Scheme == "https" || (u.Scheme == "http" && (h == "localhost" || h == "127.0.0.1" || h == "::1"))
}

// built is a validated connection ready to store.
type built struct {
	c         Connection
	mapping   []byte
	config    []byte
	secret    []byte
	secretNew bool
}

func (s *Service) build(ctx context.Context, orgID uuid.UUID, cur *Connection, curSecret []byte, in ConnectionInput) (built, error) {
	var f errcode.Fields
	c := Connection{OrgID: orgID, Enabled: true}
	if cur != nil {
		c = *cur
		if in.Protocol != "" && Protocol(in.Protocol) != cur.Protocol {
			f.Add("protocol", "cannot change after creation")
		}
	} else {
		c.Protocol = Protocol(in.Protocol)
		if c.Protocol != SAML && c.Protocol != OIDC {
			f.Add("protocol", "must be SAML or OIDC")
		}
		if in.Provider == nil {
			f.Add("provider", "is required")
		}
	}
	if in.Provider != nil {
		c.Provider = Provider(*in.Provider)
		if !slices.Contains(Providers, c.Provider) {
			f.Add("provider", "must be one of OKTA, ENTRA_ID, GOOGLE_WORKSPACE, JUMPCLOUD, PING_IDENTITY, GENERIC")
		}
	}
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		if len(n) > 200 || strings.ContainsAny(n, "\x00\r\n") {
			f.Add("name", "must be at most 200 printable characters")
		}
		c.Name = n
	}
	if in.Enabled != nil {
		c.Enabled = *in.Enabled
	}
	if in.JITProvisioning != nil {
		c.JITProvisioning = *in.JITProvisioning
	}
	if in.AttributeMapping != nil {
		m := map[string]string{}
		for k, v := range in.AttributeMapping {
			switch {
			case !slices.Contains(mappingKeys, k):
				f.Add("attribute_mapping."+k, "unknown key; use one of %s", strings.Join(mappingKeys, ", "))
			case strings.TrimSpace(v) == "" || len(v) > maxMappingValue || strings.ContainsAny(v, "\x00\r\n"):
				f.Add("attribute_mapping."+k, "must be a non-empty attribute name of at most %d characters", maxMappingValue)
			default:
				m[k] = strings.TrimSpace(v)
			}
		}
		c.AttributeMapping = m
	}
	if c.AttributeMapping == nil {
		c.AttributeMapping = map[string]string{}
	}
	b := built{secret: curSecret}
	switch c.Protocol {
	case OIDC:
		if in.SAML != nil {
			f.Add("saml", "must not be given for an OIDC connection")
		}
		if in.OIDC == nil && cur == nil {
			f.Add("oidc", "is required for an OIDC connection")
		}
		if in.OIDC != nil {
			o := in.OIDC
			cfg := &OIDCConfig{Issuer: strings.TrimSpace(o.Issuer), ClientID: strings.TrimSpace(o.ClientID), Scopes: cleanList(o.Scopes),
				AllowedTenantIDs: cleanList(o.AllowedTenantIDs)}
			if !urlAllowed(strings.ReplaceAll(cfg.Issuer, "{tenantid}", "tenant")) {
				f.Add("oidc.issuer", "must be an https URL (http only for localhost)")
			}
			if cfg.ClientID == "" || len(cfg.ClientID) > 500 {
				f.Add("oidc.client_id", "is required (at most 500 characters)")
			}
			if len(cfg.Scopes) == 0 {
				cfg.Scopes = []string{"openid", "email", "profile"}
			}
			if !slices.Contains(cfg.Scopes, "openid") {
				cfg.Scopes = append([]string{"openid"}, cfg.Scopes...)
			}
			if len(cfg.Scopes) > maxScopes {
				f.Add("oidc.scopes", "must have at most %d entries", maxScopes)
			}
			if len(cfg.AllowedTenantIDs) > maxTenants {
				f.Add("oidc.allowed_tenant_ids", "must have at most %d entries", maxTenants)
			}
			if strings.Contains(cfg.Issuer, "{tenantid}") && len(cfg.AllowedTenantIDs) == 0 {
				f.Add("oidc.allowed_tenant_ids", "is required when the issuer is a {tenantid} template (Entra multi-tenant)")
			}
			c.OIDC = cfg
			if o.ClientSecret != nil {
				if *o.ClientSecret == "" {
					b.secret, b.secretNew = nil, true
				} else if len(*o.ClientSecret) > 4096 {
					f.Add("oidc.client_secret", "must be at most 4096 characters")
				} else {
					ct, err := s.keys.Seal([]byte(*o.ClientSecret), crypto.AD(orgID, purposeOIDCSecret))
					if errors.Is(err, config.ErrNoEncryptionKeys) {
						f.Add("oidc.client_secret", "cannot be stored: BYTECHEF_ENCRYPTION_KEYS is not configured on this deployment")
					} else if err != nil {
						return built{}, err
					}
					b.secret, b.secretNew = ct, true
				}
			}
		}
	case SAML:
		if in.OIDC != nil {
			f.Add("oidc", "must not be given for a SAML connection")
		}
		if in.SAML == nil && cur == nil {
			f.Add("saml", "is required for a SAML connection")
		}
		if in.SAML != nil {
			cfg, err := s.buildSAML(ctx, &f, in.SAML)
			if err != nil {
				return built{}, err
			}
			c.SAML = cfg
			if in.SAML.SPPrivateKeyPEM != nil {
				if *in.SAML.SPPrivateKeyPEM == "" {
					b.secret, b.secretNew = nil, true
				} else if _, err := parseSPKey(*in.SAML.SPPrivateKeyPEM); err != nil {
					f.Add("saml.sp_private_key_pem", "must be a PEM RSA private key (PKCS#1 or PKCS#8)")
				} else {
					ct, err := s.keys.Seal([]byte(*in.SAML.SPPrivateKeyPEM), crypto.AD(orgID, purposeSPKey))
					if errors.Is(err, config.ErrNoEncryptionKeys) {
						f.Add("saml.sp_private_key_pem", "cannot be stored: BYTECHEF_ENCRYPTION_KEYS is not configured on this deployment")
					} else if err != nil {
						return built{}, err
					}
					b.secret, b.secretNew = ct, true
				}
			}
		}
	}
	if err := f.Err(); err != nil {
		return built{}, err
	}
	c.SecretSet = len(b.secret) > 0
	var err error
	if b.mapping, err = json.Marshal(c.AttributeMapping); err != nil {
		return built{}, err
	}
	if b.config, err = json.Marshal(storedConfig{OIDC: c.OIDC, SAML: c.SAML}); err != nil {
		return built{}, err
	}
	b.c = c
	return b, nil
}

func (s *Service) buildSAML(ctx context.Context, f *errcode.Fields, in *SAMLInput) (*SAMLConfig, error) {
	cfg := &SAMLConfig{ClockSkewSeconds: int(DefaultClockSkew.Seconds()), SPCertificatePEM: strings.TrimSpace(in.SPCertificatePEM)}
	if in.ClockSkewSeconds != nil {
		if *in.ClockSkewSeconds < 0 || *in.ClockSkewSeconds > int(MaxClockSkew.Seconds()) {
			f.Add("saml.clock_skew_seconds", "must be from 0 to %d", int(MaxClockSkew.Seconds()))
		}
		cfg.ClockSkewSeconds = *in.ClockSkewSeconds
	}
	if cfg.SPCertificatePEM != "" {
		if certs, err := parseCerts(cfg.SPCertificatePEM); err != nil || len(certs) != 1 {
			f.Add("saml.sp_certificate_pem", "must be one PEM certificate")
		}
	}
	given := 0
	for _, v := range []string{in.MetadataXML, in.MetadataURL, in.EntityID + in.SSOURL + in.CertificatePEM} {
		if strings.TrimSpace(v) != "" {
			given++
		}
	}
	if given != 1 {
		f.Add("saml", "give exactly one of idp_metadata_xml, idp_metadata_url, or idp_entity_id + idp_sso_url + idp_certificate_pem")
		return cfg, nil
	}
	switch {
	case in.MetadataURL != "":
		if !urlAllowed(in.MetadataURL) {
			f.Add("saml.idp_metadata_url", "must be an https URL (http only for localhost)")
			return cfg, nil
		}
		raw, err := s.fetchMetadata(ctx, in.MetadataURL)
		if err != nil {
			f.Add("saml.idp_metadata_url", "could not be fetched: %s", err.Error())
			return cfg, nil
		}
		cfg.MetadataURL, cfg.MetadataXML = in.MetadataURL, string(raw)
		if _, err := idpFromMetadata([]byte(cfg.MetadataXML)); err != nil {
			f.Add("saml.idp_metadata_url", "%s", err.Error())
		}
	case in.MetadataXML != "":
		if len(in.MetadataXML) > maxMetadataBytes {
			f.Add("saml.idp_metadata_xml", "must be at most %d bytes", maxMetadataBytes)
			return cfg, nil
		}
		cfg.MetadataXML = in.MetadataXML
		if _, err := idpFromMetadata([]byte(cfg.MetadataXML)); err != nil {
			f.Add("saml.idp_metadata_xml", "%s", err.Error())
		}
	default:
		cfg.EntityID, cfg.SSOURL = strings.TrimSpace(in.EntityID), strings.TrimSpace(in.SSOURL)
		if cfg.EntityID == "" || len(cfg.EntityID) > 1024 {
			f.Add("saml.idp_entity_id", "is required (at most 1024 characters)")
		}
		if !urlAllowed(cfg.SSOURL) {
			f.Add("saml.idp_sso_url", "must be an https URL (http only for localhost)")
		}
		certs, err := parseCerts(in.CertificatePEM)
		if err != nil || len(certs) == 0 {
			f.Add("saml.idp_certificate_pem", "must hold one or more PEM certificates")
		}
		for _, c := range certs {
			cfg.CertificatesPEM = append(cfg.CertificatesPEM, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})))
		}
	}
	return cfg, nil
}

// fetchMetadata GETs IdP metadata with the client's timeout and a size limit.
func (s *Service) fetchMetadata(ctx context.Context, raw string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, errors.New("invalid URL")
	}
	res, err := s.client.Do(req)
	if errors.Is(err, ErrEgressRefused) {
		return nil, ErrEgressRefused
	}
	if err != nil {
		return nil, errors.New("the request failed or timed out")
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the server answered %d", res.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, maxMetadataBytes+1))
	if err != nil {
		return nil, errors.New("reading the response failed")
	}
	if len(b) > maxMetadataBytes {
		return nil, fmt.Errorf("the metadata is larger than %d bytes", maxMetadataBytes)
	}
	return b, nil
}

// idpFromMetadata parses IdP metadata, refusing DTDs, and requires an IdP SSO descriptor
// with a signing certificate and a redirect or POST SSO endpoint.
func idpFromMetadata(raw []byte) (*saml.EntityDescriptor, error) {
	if hasDTD(raw) {
		return nil, errors.New("metadata with a DTD or entity declarations is refused")
	}
	ed, err := samlsp.ParseMetadata(raw)
	if err != nil {
		return nil, errors.New("is not valid SAML IdP metadata")
	}
	if len(ed.IDPSSODescriptors) == 0 {
		return nil, errors.New("has no IDPSSODescriptor")
	}
	hasCert, hasSSO := false, false
	for _, d := range ed.IDPSSODescriptors {
		for _, kd := range d.KeyDescriptors {
			if (kd.Use == "" || kd.Use == "signing") && len(kd.KeyInfo.X509Data.X509Certificates) > 0 {
				hasCert = true
			}
		}
		for _, e := range d.SingleSignOnServices {
			if e.Binding == saml.HTTPRedirectBinding || e.Binding == saml.HTTPPostBinding {
				hasSSO = true
			}
		}
	}
	if !hasCert {
		return nil, errors.New("has no signing certificate")
	}
	if !hasSSO {
		return nil, errors.New("has no HTTP-Redirect or HTTP-POST SingleSignOnService")
	}
	return ed, nil
}

func parseCerts(p string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := []byte(strings.TrimSpace(p))
	for len(rest) > 0 {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			if len(strings.TrimSpace(string(rest))) > 0 || len(out) == 0 {
				return nil, errors.New("not PEM")
			}
			break
		}
		if b.Type != "CERTIFICATE" {
			return nil, errors.New("not a certificate")
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		rest = []byte(strings.TrimSpace(string(rest)))
	}
	return out, nil
}

// CreateConnection creates a connection (audit sso_connection.created).
func (s *Service) CreateConnection(ctx context.Context, orgID uuid.UUID, in ConnectionInput) (Connection, error) {
	b, err := s.build(ctx, orgID, nil, nil, in)
	if err != nil {
		return Connection{}, err
	}
	var out Connection
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.SSOConnectionInsert(ctx, dbsqlc.SSOConnectionInsertParams{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, Protocol: string(b.c.Protocol),
			Provider: string(b.c.Provider), Name: b.c.Name, Enabled: b.c.Enabled, JitProvisioning: b.c.JITProvisioning,
			AttributeMapping: b.mapping, Config: b.config, Secret: b.secret})
		if err != nil {
			return err
		}
		if out, err = fromRow(row); err != nil {
			return err
		}
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "sso_connection.created", TargetType: "sso_connection", TargetID: out.ID.String(),
			Data: map[string]any{"after": summary(out)}})
	})
	return out, err
}

// GetConnection returns one connection of the org.
func (s *Service) GetConnection(ctx context.Context, orgID, id uuid.UUID) (Connection, error) {
	row, err := dbsqlc.New(s.db).SSOConnectionGet(ctx, dbsqlc.SSOConnectionGetParams{OrgID: orgID, ID: id})
	if database.IsNoRows(err) {
		return Connection{}, errcode.New(errcode.NotFound, "sso connection not found")
	}
	if err != nil {
		return Connection{}, err
	}
	return fromRow(row)
}

// ListConnections pages through the org's connections by id.
func (s *Service) ListConnections(ctx context.Context, orgID uuid.UUID, after *uuid.UUID, limit int) ([]Connection, error) {
	rows, err := dbsqlc.New(s.db).SSOConnectionList(ctx, dbsqlc.SSOConnectionListParams{OrgID: orgID, AfterID: after, Limit: int32(limit)})
	if err != nil {
		return nil, err
	}
	out := make([]Connection, 0, len(rows))
	for _, r := range rows {
		c, err := fromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// UpdateConnection changes a connection (audit sso_connection.updated). IfVersion is If-Match.
func (s *Service) UpdateConnection(ctx context.Context, orgID, id uuid.UUID, in ConnectionInput, ifVersion *int32) (Connection, error) {
	var out Connection
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.SSOConnectionGetForUpdate(ctx, dbsqlc.SSOConnectionGetForUpdateParams{OrgID: orgID, ID: id})
		if database.IsNoRows(err) {
			return errcode.New(errcode.NotFound, "sso connection not found")
		}
		if err != nil {
			return err
		}
		if ifVersion != nil && *ifVersion != row.Version {
			return errcode.New(errcode.PreconditionFail, "the sso connection changed since it was read (version %d, If-Match %d)", row.Version, *ifVersion)
		}
		cur, err := fromRow(row)
		if err != nil {
			return err
		}
		// The HTTP call for a metadata URL happens inside this transaction only for updates
		// that change it; it is bounded by the client timeout.
		b, err := s.build(ctx, orgID, &cur, row.Secret, in)
		if err != nil {
			return err
		}
		updated, err := q.SSOConnectionUpdate(ctx, dbsqlc.SSOConnectionUpdateParams{OrgID: orgID, ID: id, Provider: string(b.c.Provider), Name: b.c.Name,
			Enabled: b.c.Enabled, JitProvisioning: b.c.JITProvisioning, AttributeMapping: b.mapping, Config: b.config, Secret: b.secret})
		if err != nil {
			return err
		}
		if out, err = fromRow(updated); err != nil {
			return err
		}
		data := map[string]any{"before": summary(cur), "after": summary(out)}
		if b.secretNew {
			data["secret_changed"] = true
		}
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "sso_connection.updated", TargetType: "sso_connection", TargetID: id.String(), Data: data})
	})
	if err == nil {
		s.forgetProvider(id)
	}
	return out, err
}

// DeleteConnection deletes a connection and its SSO identities (audit sso_connection.deleted).
func (s *Service) DeleteConnection(ctx context.Context, orgID, id uuid.UUID, ifVersion *int32) error {
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.SSOConnectionGetForUpdate(ctx, dbsqlc.SSOConnectionGetForUpdateParams{OrgID: orgID, ID: id})
		if database.IsNoRows(err) {
			return errcode.New(errcode.NotFound, "sso connection not found")
		}
		if err != nil {
			return err
		}
		if ifVersion != nil && *ifVersion != row.Version {
			return errcode.New(errcode.PreconditionFail, "the sso connection changed since it was read (version %d, If-Match %d)", row.Version, *ifVersion)
		}
		cur, err := fromRow(row)
		if err != nil {
			return err
		}
		if _, err := q.SSOConnectionDelete(ctx, dbsqlc.SSOConnectionDeleteParams{OrgID: orgID, ID: id}); err != nil {
			return err
		}
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "sso_connection.deleted", TargetType: "sso_connection", TargetID: id.String(),
			Data: map[string]any{"before": summary(cur)}})
	})
	if err == nil {
		s.forgetProvider(id)
	}
	return err
}

// secretOf opens a connection's stored secret.
func (s *Service) secretOf(ctx context.Context, c Connection) ([]byte, error) {
	row, err := dbsqlc.New(s.db).SSOConnectionGet(ctx, dbsqlc.SSOConnectionGetParams{OrgID: c.OrgID, ID: c.ID})
	if err != nil || len(row.Secret) == 0 {
		return nil, err
	}
	purpose := purposeOIDCSecret
	if c.Protocol == SAML {
		purpose = purposeSPKey
	}
	return s.keys.Open(row.Secret, crypto.AD(c.OrgID, purpose))
}

// IdPEntityID returns the IdP's entity id (from the metadata when given as a document).
func IdPEntityID(c SAMLConfig) string {
	if c.EntityID != "" || c.MetadataXML == "" {
		return c.EntityID
	}
	if ed, err := idpFromMetadata([]byte(c.MetadataXML)); err == nil {
		return ed.EntityID
	}
	return ""
}

// Org returns an org by id (for the token exchange answer).
func (s *Service) Org(ctx context.Context, id uuid.UUID) (identity.Org, error) {
	return s.ids.GetOrg(ctx, id.String())
}
