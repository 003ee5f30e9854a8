// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package sso

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/crewjam/saml"
	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
	"github.com/bytechefhq/bytechef-ee/internal/session"
)

// Timing of the login dance.
const (
	// LoginTTL bounds an outstanding login (SAML request / OIDC state) and its cookie.
	LoginTTL = 10 * time.Minute
	// CodeTTL is the life of the one-time hand-off code.
	CodeTTL = 60 * time.Second
	// CookiePrefix starts the name of each per-login browser-binding cookie; the rest of the
	// name is the request id (SAML) or state (OIDC).
	CookiePrefix = "bytechef_sso_"
)

func random(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("sso: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashOf(s string) []byte { sum := sha256.Sum256([]byte(s)); return sum[:] }

// browserCtx marks work done for an unauthenticated browser: audited as the SSO system
// until the user is known.
func browserCtx(ctx context.Context) context.Context {
	m := audit.MetaFrom(ctx)
	if m.ActorType == "" {
		m.ActorType, m.ActorLabel = audit.ActorSystem, "sso"
	}
	return audit.WithMeta(ctx, m)
}

func (s *Service) orgBySlug(ctx context.Context, slug string) (identity.Org, *Failure) {
	org, err := s.ids.GetOrg(ctx, slug)
	// The slug must be the org's own spelling: it is part of the SP entity id and ACS URL.
	if err != nil || !identity.ValidSlug(slug) || org.Slug != slug {
		if err != nil && !errcode.Is(err, errcode.NotFound) {
			return identity.Org{}, s.unavailable(err)
		}
		return identity.Org{}, fail(404, ReasonOrgNotFound, "There is no organization at this sign-in address.", "slug %q", truncate(slug, 100))
	}
	if org.Region != s.region {
		f := fail(421, ReasonRegionMismatch, "This organization is served from another region.", "region %s", org.Region)
		if u, ok := s.regions[org.Region]; ok {
			f.Meta = map[string]string{"region_url": u}
		}
		return identity.Org{}, f
	}
	return org, nil
}

func (s *Service) unavailable(err error) *Failure {
	s.log.Error("sso: internal error", "error", err)
	return fail(503, ReasonProviderUnavailable, "Sign-in is unavailable right now. Please try again in a moment.", "internal error")
}

// Start is the outcome of starting a login: where to send the browser and the cookie that
// binds the login to it.
type Start struct {
	RedirectURL string
	CookieName  string
	CookieValue string
	CookiePath  string
	MaxAge      time.Duration
}

// ReturnToAllowed applies the redirect rule: return_to must equal one of the org's
// allowed_redirect_uris exactly (scheme, host, port, path and query, byte for byte). When it
// is omitted and exactly one URI is allowed, that one is used.
func ReturnToAllowed(allowed []string, returnTo string) (string, bool) {
	if returnTo == "" {
		if len(allowed) == 1 {
			return allowed[0], true
		}
		return "", false
	}
	return returnTo, slices.Contains(allowed, returnTo)
}

// Begin starts SP-initiated login at GET /sso/{slug}.
func (s *Service) Begin(ctx context.Context, slug, returnTo, connectionID string) (Start, *Failure) {
	ctx = browserCtx(ctx)
	org, f := s.orgBySlug(ctx, slug)
	if f != nil {
		return Start{}, f
	}
	settings, err := s.admin.GetSettings(ctx, org.ID)
	if err != nil {
		return Start{}, s.unavailable(err)
	}
	rt, ok := ReturnToAllowed(settings.AllowedRedirectURIs, returnTo)
	if !ok {
		return Start{}, s.recordFailure(ctx, org, nil, "", fail(400, ReasonReturnToNotAllowed,
			"The application asked to return to an address this organization does not allow.", "return_to %q", truncate(returnTo, 300)))
	}
	conn, f := s.pickConnection(ctx, org.ID, connectionID)
	if f != nil {
		return Start{}, f
	}
	q := dbsqlc.New(s.db)
	s.housekeep(ctx)
	binding := random(32)
	st := Start{CookieValue: binding, CookiePath: "/sso/" + slug + "/", MaxAge: LoginTTL}
	expires := s.now().Add(LoginTTL)
	switch conn.Protocol {
	case SAML:
		sp, err := s.serviceProvider(ctx, slug, conn)
		if err != nil {
			return Start{}, s.unavailable(err)
		}
		ssoURL := sp.GetSSOBindingLocation(saml.HTTPRedirectBinding)
		if ssoURL == "" {
			return Start{}, fail(503, ReasonProviderUnavailable, "This sign-in method is misconfigured. Contact your administrator.", "IdP has no redirect SSO endpoint")
		}
		req, err := sp.MakeAuthenticationRequest(ssoURL, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
		if err != nil {
			return Start{}, s.unavailable(err)
		}
		if err := q.SSOLoginRequestInsert(ctx, dbsqlc.SSOLoginRequestInsertParams{ID: req.ID, OrgID: org.ID, ConnectionID: conn.ID,
			BrowserHash: hashOf(binding), ReturnTo: rt, ExpiresAt: expires}); err != nil {
			return Start{}, s.unavailable(err)
		}
		u, err := req.Redirect("", sp)
		if err != nil {
			return Start{}, s.unavailable(err)
		}
		st.RedirectURL, st.CookieName = u.String(), CookiePrefix+req.ID
	case OIDC:
		p, err := s.provider(ctx, conn)
		if err != nil {
			return Start{}, s.recordFailure(ctx, org, &conn, OIDC, fail(503, ReasonProviderUnavailable,
				"The identity provider cannot be reached right now. Please try again.", "discovery: %v", err))
		}
		state, nonce, verifier := random(32), random(32), oauth2.GenerateVerifier()
		if err := q.SSOLoginRequestInsert(ctx, dbsqlc.SSOLoginRequestInsertParams{ID: state, OrgID: org.ID, ConnectionID: conn.ID,
			BrowserHash: hashOf(binding), ReturnTo: rt, Nonce: nonce, PkceVerifier: verifier, ExpiresAt: expires}); err != nil {
			return Start{}, s.unavailable(err)
		}
		oc := s.oauthConfig(slug, conn, p, "")
		st.RedirectURL = oc.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", nonce))
		st.CookieName = CookiePrefix + state
	}
	return st, nil
}

func (s *Service) pickConnection(ctx context.Context, orgID uuid.UUID, ref string) (Connection, *Failure) {
	if ref != "" {
		id, err := uuid.Parse(ref)
		if err != nil {
			return Connection{}, fail(404, ReasonNoConnection, "This sign-in method does not exist.", "connection %q", truncate(ref, 100))
		}
		c, err := s.GetConnection(ctx, orgID, id)
		if err != nil || !c.Enabled {
			return Connection{}, fail(404, ReasonNoConnection, "This sign-in method does not exist or is disabled.", "connection %s", id)
		}
		return c, nil
	}
	rows, err := dbsqlc.New(s.db).SSOConnectionListEnabled(ctx, orgID)
	if err != nil {
		return Connection{}, s.unavailable(err)
	}
	switch len(rows) {
	case 0:
		return Connection{}, fail(404, ReasonNoConnection, "Single sign-on is not set up for this organization.", "no enabled connection")
	case 1:
		c, err := fromRow(rows[0])
		if err != nil {
			return Connection{}, s.unavailable(err)
		}
		return c, nil
	}
	return Connection{}, fail(400, ReasonConnectionAmbiguous, "This organization has several sign-in methods; the application must name one with ?connection=.", "several enabled connections")
}

func (s *Service) consumeLogin(ctx context.Context, orgID uuid.UUID, id, binding string) (dbsqlc.SsoLoginRequest, error) {
	lr, err := dbsqlc.New(s.db).SSOLoginRequestConsume(ctx, dbsqlc.SSOLoginRequestConsumeParams{ID: id, OrgID: orgID, BrowserHash: hashOf(binding)})
	if err != nil {
		return lr, err
	}
	if !s.now().Before(lr.ExpiresAt) {
		return lr, errLoginExpired
	}
	return lr, nil
}

var errLoginExpired = errors.New("sso: login request expired")

// loginGone reports a login request that is unknown, already used, of another browser or expired.
func loginGone(err error) bool { return database.IsNoRows(err) || errors.Is(err, errLoginExpired) }

// userInfo is what a validated response says about the user.
type userInfo struct {
	Subject       string
	Email         string
	EmailVerified bool
	FirstName     string
	LastName      string
	Name          string
	Groups        []string
	Claims        map[string][]string
}

func (u *userInfo) fill(m map[string][]string) {
	u.FirstName = first(u.Claims, m[AttrFirstName])
	u.LastName = first(u.Claims, m[AttrLastName])
	u.Name = first(u.Claims, m[AttrName])
	if u.Name == "" {
		u.Name = strings.TrimSpace(u.FirstName + " " + u.LastName)
	}
	for _, n := range m[AttrGroups] {
		u.Groups = append(u.Groups, u.Claims[n]...)
	}
}

func (u userInfo) claimNames() []string {
	out := make([]string, 0, len(u.Claims))
	for k := range u.Claims {
		out = append(out, k)
	}
	sort.Strings(out)
	if len(out) > 50 {
		out = out[:50]
	}
	return out
}

// finish resolves the identity to a member (JIT when allowed), issues the one-time code and
// returns where to send the browser.
func (s *Service) finish(ctx context.Context, org identity.Org, conn Connection, proto Protocol, u userInfo, returnTo string) (string, *Failure) {
	fl := func(f *Failure) (string, *Failure) { return "", s.recordFailure(ctx, org, &conn, proto, f) }
	if u.Subject == "" || len(u.Subject) > 1024 {
		return fl(invalid(ReasonMissingSubject, "no usable subject identifier"))
	}
	q := dbsqlc.New(s.db)
	var member orgadmin.Member
	ident, err := q.SSOIdentityGet(ctx, dbsqlc.SSOIdentityGetParams{ConnectionID: conn.ID, Subject: u.Subject})
	jit := false
	switch {
	case err == nil:
		member, err = s.admin.GetMember(ctx, org.ID, ident.MemberID)
		if err != nil {
			return "", s.unavailable(err)
		}
	case database.IsNoRows(err):
		if u.Email == "" {
			return fl(fail(400, ReasonMissingEmail, "Your identity provider did not send an email address. Ask your administrator to release the email attribute. Received: "+
				strings.Join(u.claimNames(), ", "), "no email; claims received: %s", strings.Join(u.claimNames(), ", ")))
		}
		if !u.EmailVerified {
			return fl(fail(403, ReasonEmailNotVerified, "Your identity provider reports that your email address is not verified.", "email_verified false"))
		}
		email, err := orgadmin.NormalizeEmail(u.Email)
		if err != nil {
			return fl(fail(400, ReasonMissingEmail, "Your identity provider sent an email address that is not valid.", "invalid email"))
		}
		existing, err := s.admin.MemberByEmail(ctx, org.ID, email)
		switch {
		case err == nil:
			// Never linked silently by email. An existing member is linked to this identity
			// only through the org's own connection, for an email the IdP does not report
			// unverified, at a domain the org has proven it owns — and never when the member
			// already has another identity on this connection (the IdP reassigned the email
			// to someone else). The link is audited (user.sso_identity_linked).
			verified, verr := q.DomainIsVerifiedByOrg(ctx, dbsqlc.DomainIsVerifiedByOrgParams{OrgID: org.ID, Domain: orgadmin.EmailDomain(email)})
			if verr != nil {
				return "", s.unavailable(verr)
			}
			other, verr := q.SSOIdentityExistsForMember(ctx, dbsqlc.SSOIdentityExistsForMemberParams{ConnectionID: conn.ID, MemberID: existing.ID})
			if verr != nil {
				return "", s.unavailable(verr)
			}
			if other {
				return fl(fail(409, ReasonAccountExists, "This email address belongs to another account of this sign-in method. Ask your administrator.",
					"member %s is linked to another subject of this connection", existing.ID))
			}
			if !verified {
				return fl(fail(409, ReasonAccountExists, "An account with this email already exists in this organization. It can be linked to single sign-on once the organization has verified the email domain; ask your administrator.",
					"member %s exists; domain %s not verified, not linked by email", existing.ID, orgadmin.EmailDomain(email)))
			}
			member = existing
		case errcode.Is(err, errcode.NotFound):
			if !conn.JITProvisioning {
				return fl(fail(403, ReasonNotProvisioned, "You do not have an account in this organization. Ask your administrator for access.", "JIT provisioning is off"))
			}
			d, err := s.admin.SignupAllowed(ctx, org.ID, email)
			if err != nil {
				return "", s.unavailable(err)
			}
			if !d.Allowed {
				return fl(fail(403, ReasonSignupNotAllowed, "This organization does not allow new accounts for your email address. Ask your administrator for access.",
					"signup refused: %s", d.Reason))
			}
			name := u.Name
			if len(name) > 200 {
				name = name[:200]
			}
			src, role := string(orgadmin.SourceSSOJIT), string(orgadmin.RoleMember)
			groupID, err := s.mappedGroup(ctx, org.ID, u.Groups)
			if err != nil {
				return "", s.unavailable(err)
			}
			member, err = s.admin.CreateMember(ctx, org.ID, orgadmin.MemberPatch{Email: &email, Name: &name, Source: &src, Role: &role, PermissionGroupID: groupID})
			if err != nil {
				if errcode.Is(err, errcode.Conflict) {
					return fl(fail(409, ReasonAccountExists, "Your account is being created by another sign-in; please try again.", "concurrent JIT"))
				}
				return "", s.unavailable(err)
			}
			jit = true
		default:
			return "", s.unavailable(err)
		}
		err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
			if _, err := q.SSOIdentityInsert(ctx, dbsqlc.SSOIdentityInsertParams{ID: uuid.Must(uuid.NewV7()), OrgID: org.ID, ConnectionID: conn.ID,
				Subject: u.Subject, MemberID: member.ID, Email: email}); err != nil {
				return err
			}
			data := map[string]any{"connection_id": conn.ID.String(), "protocol": proto, "email": email, "user_id": member.UserID.String()}
			typ := "user.sso_identity_linked"
			if jit {
				typ = "user.jit_provisioned"
				data["permission_group_id"] = member.PermissionGroupID.String()
			}
			return audit.Record(ctx, q, audit.Event{OrgID: org.ID, Type: typ, TargetType: "member", TargetID: member.ID.String(), Data: data})
		})
		if err != nil {
			if _, ok := database.UniqueViolation(err); ok {
				return fl(fail(409, ReasonAccountExists, "Your sign-in is already being processed; please try again.", "concurrent identity insert"))
			}
			return "", s.unavailable(err)
		}
	default:
		return "", s.unavailable(err)
	}
	switch member.Status {
	case orgadmin.StatusSuspended:
		return fl(fail(403, ReasonMemberSuspended, "Your account in this organization is suspended. Contact your administrator.", "member %s suspended", member.ID))
	case orgadmin.StatusDeprovisioned:
		return fl(fail(403, ReasonMemberDeprovisioned, "Your account in this organization has been removed. Contact your administrator.", "member %s deprovisioned", member.ID))
	}
	code := random(32)
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		if err := q.SSOCodeInsert(ctx, dbsqlc.SSOCodeInsertParams{CodeHash: hashOf(code), OrgID: org.ID, MemberID: member.ID, ConnectionID: conn.ID,
			ExpiresAt: s.now().Add(CodeTTL)}); err != nil {
			return err
		}
		if ident.ID != uuid.Nil {
			if err := q.SSOIdentityTouch(ctx, dbsqlc.SSOIdentityTouchParams{ID: ident.ID, Email: u.Email}); err != nil {
				return err
			}
		}
		uid := member.UserID
		ctx := audit.WithMeta(ctx, withUser(audit.MetaFrom(ctx), uid))
		return audit.Record(ctx, q, audit.Event{OrgID: org.ID, Type: "user.signed_in", TargetType: "member", TargetID: member.ID.String(),
			Data: map[string]any{"connection_id": conn.ID.String(), "protocol": proto, "provider": conn.Provider, "user_id": member.UserID.String(), "jit_provisioned": jit}})
	})
	if err != nil {
		return "", s.unavailable(err)
	}
	s.logins.WithLabelValues(string(proto), "success").Inc()
	u2, err := url.Parse(returnTo)
	if err != nil {
		return "", s.unavailable(err)
	}
	qv := u2.Query()
	qv.Set("code", code)
	u2.RawQuery = qv.Encode()
	return u2.String(), nil
}

func withUser(m audit.Meta, uid uuid.UUID) audit.Meta {
	m.ActorType, m.ActorUserID, m.ActorLabel = audit.ActorUser, &uid, "user:"+uid.String()
	return m
}

// recordFailure audits user.sign_in_failed with its reason, counts it and returns f.
func (s *Service) recordFailure(ctx context.Context, org identity.Org, conn *Connection, proto Protocol, f *Failure) *Failure {
	f.OrgID = org.ID
	if proto == "" && conn != nil {
		proto = conn.Protocol
	}
	label := string(proto)
	if label == "" {
		label = "UNKNOWN"
	}
	s.logins.WithLabelValues(label, "failure").Inc()
	s.log.WarnContext(ctx, "sso sign-in failed", "org_id", org.ID.String(), "reason", string(f.Reason), "detail", f.Detail)
	data := map[string]any{"reason": f.Reason, "detail": truncate(f.Detail, 1000)}
	target, tid := "organization", org.ID.String()
	if conn != nil {
		data["connection_id"] = conn.ID.String()
		data["protocol"] = conn.Protocol
		target, tid = "sso_connection", conn.ID.String()
	}
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		return audit.Record(ctx, q, audit.Event{OrgID: org.ID, Type: "user.sign_in_failed", TargetType: target, TargetID: tid, Data: data})
	})
	if err != nil {
		s.log.Error("sso: audit of a failed sign-in", "error", err)
	}
	return f
}

// Exchange is the answer to POST /api/v1/sso/token.
type Exchange struct {
	Token   string
	Session session.Session
	Member  orgadmin.Member
	Org     identity.Org
	Group   orgadmin.Group
}

// ExchangeCode trades a one-time code of the org for a session.
func (s *Service) ExchangeCode(ctx context.Context, org identity.Org, code string) (Exchange, error) {
	bad := errcode.Invalid("code", "is unknown, used or expired")
	if code == "" || len(code) > 200 {
		return Exchange{}, bad
	}
	var out Exchange
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.SSOCodeConsume(ctx, dbsqlc.SSOCodeConsumeParams{CodeHash: hashOf(code), OrgID: org.ID})
		if database.IsNoRows(err) {
			return bad
		}
		if err != nil {
			return err
		}
		if !s.now().Before(row.ExpiresAt) {
			return bad
		}
		m, err := q.MemberGetForUpdate(ctx, dbsqlc.MemberGetForUpdateParams{OrgID: org.ID, ID: row.MemberID})
		if err != nil {
			return bad
		}
		if m.Status != string(orgadmin.StatusActive) {
			return bad
		}
		settings, err := s.admin.GetSettings(ctx, org.ID)
		if err != nil {
			return err
		}
		connID := row.ConnectionID
		sess, token, err := session.Create(ctx, q, session.CreateInput{OrgID: org.ID, MemberID: m.ID, UserID: m.UserID, ConnectionID: &connID,
			IdleTimeout: time.Duration(settings.SessionIdleTimeout) * time.Second, MaxLifetime: time.Duration(settings.SessionMaxLifetime) * time.Second})
		if err != nil {
			return err
		}
		out.Token, out.Session = token, sess
		return nil
	})
	if err != nil {
		return Exchange{}, err
	}
	out.Org = org
	if out.Member, err = s.admin.GetMember(ctx, org.ID, out.Session.MemberID); err != nil {
		return Exchange{}, err
	}
	if out.Group, err = s.admin.GetGroup(ctx, org.ID, out.Member.PermissionGroupID); err != nil {
		return Exchange{}, err
	}
	return out, nil
}

// mappedGroup is the permission group the IdP groups map to (nil: the Default group).
func (s *Service) mappedGroup(ctx context.Context, orgID uuid.UUID, groups []string) (*uuid.UUID, error) {
	if len(groups) == 0 {
		return nil, nil
	}
	if len(groups) > 1000 {
		groups = groups[:1000]
	}
	lower := make([]string, len(groups))
	for i, g := range groups {
		lower[i] = strings.ToLower(g)
	}
	id, err := dbsqlc.New(s.db).SSOGroupForIdPGroups(ctx, dbsqlc.SSOGroupForIdPGroupsParams{OrgID: orgID, Groups: groups, LowerGroups: lower})
	if database.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// housekeep deletes expired login requests, replay ids, codes and long-ended sessions, at
// most once a minute per process (every replica does its share; the deletes are idempotent).
func (s *Service) housekeep(ctx context.Context) {
	now := s.now().Unix()
	last := s.lastPurge.Load()
	if now-last < 60 || !s.lastPurge.CompareAndSwap(last, now) {
		return
	}
	if err := dbsqlc.New(s.db).SSOPurgeExpired(ctx); err != nil {
		s.log.Warn("sso: housekeeping", "error", err)
	}
}
