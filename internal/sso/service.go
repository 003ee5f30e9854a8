// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package sso

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/crypto"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
)

// Service runs SSO connections and logins.
type Service struct {
	db        database.DB
	ids       *identity.Service
	admin     *orgadmin.Service
	keys      *crypto.KeyRing
	publicURL string
	region    string
	regions   map[string]string
	log       *slog.Logger
	// client fetches IdP metadata, discovery documents, JWKS and tokens.
	client *http.Client
	logins *prometheus.CounterVec
	now    func() time.Time

	// providers caches OIDC discovery and signing keys per connection version, so the
	// JWKS refetch limit holds across requests in this process.
	mu        sync.Mutex
	providers map[string]*oidcProvider
	lastPurge atomic.Int64
}

// Params are the service's dependencies.
type Params struct {
	DB       database.DB
	IDs      *identity.Service
	Admin    *orgadmin.Service
	Keys     *crypto.KeyRing
	Config   config.Config
	Log      *slog.Logger
	Registry prometheus.Registerer
	// HTTPClient is used for outbound calls to IdPs; nil: a client with a 10 s timeout that
	// obeys BYTECHEF_SSO_IDP_EGRESS.
	HTTPClient *http.Client
}

// NewService returns the SSO service and registers bytechef_sso_logins_total.
func NewService(p Params) (*Service, error) {
	c := p.HTTPClient
	if c == nil {
		c = egressClient(p.Config.SSOIdPEgress)
	}
	logins := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bytechef_sso_logins_total",
		Help: "SSO sign-ins by protocol and result (success, failure)."}, []string{"protocol", "result"})
	if p.Registry != nil {
		if err := p.Registry.Register(logins); err != nil {
			if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
				logins = are.ExistingCollector.(*prometheus.CounterVec)
			} else {
				return nil, err
			}
		}
	}
	log := p.Log
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: p.DB, ids: p.IDs, admin: p.Admin, keys: p.Keys, publicURL: strings.TrimSuffix(p.Config.PublicURL, "/"),
		region: p.Config.Region, regions: p.Config.RegionURLs, log: log, client: c, logins: logins, now: time.Now,
		providers: map[string]*oidcProvider{}}, nil
}

// SPEntityID is the org's SAML SP entity id (also its metadata URL).
func (s *Service) SPEntityID(slug string) string {
	return s.publicURL + "/sso/" + slug + "/saml/metadata"
}

// ACSURL is the org's SAML assertion consumer service URL.
func (s *Service) ACSURL(slug string) string { return s.publicURL + "/sso/" + slug + "/saml/acs" }

// OIDCRedirectURI is the org's OIDC redirect URI.
func (s *Service) OIDCRedirectURI(slug string) string {
	return s.publicURL + "/sso/" + slug + "/oidc/callback"
}

// Secure reports whether cookies must be Secure (the public URL is https).
func (s *Service) Secure() bool { return strings.HasPrefix(s.publicURL, "https://") }
