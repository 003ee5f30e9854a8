// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package identity

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/coalesce"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// Service manages orgs and API keys and authenticates bearer credentials.
type Service struct {
	db       database.DB
	region   string
	regions  map[string]string
	adminKey []byte // sha256 of BYTECHEF_ADMIN_API_KEY, nil when disabled
	// sessions resolves bcs_ user-session tokens; nil until the SSO feature installs it.
	sessions atomic.Pointer[SessionAuthenticator]
	// keys looks API keys up by secret hash, concurrent requests sharing one query.
	keys *coalesce.Loader[[32]byte, dbsqlc.APIKeyAuthenticateRow]
}

// Key lookups: up to keyRunners queries in flight, each for up to keyBatch keys and at most
// keyLookupTimeout long.
const (
	keyRunners, keyBatch = 4, 128
	keyLookupTimeout     = 5 * time.Second
)

// SessionAuthenticator resolves user-session tokens (bcs_…) to principals. The SSO feature
// module installs one with SetSessionAuthenticator; without it session tokens are refused.
type SessionAuthenticator interface {
	Authenticate(ctx context.Context, token string) (Principal, error)
}

// SetSessionAuthenticator installs the resolver of bcs_ tokens.
func (s *Service) SetSessionAuthenticator(a SessionAuthenticator) { s.sessions.Store(&a) }

// NewService returns the identity service.
func NewService(db database.DB, cfg config.Config) *Service {
	s := &Service{db: db, region: cfg.Region, regions: cfg.RegionURLs}
	s.keys = coalesce.New(keyRunners, keyBatch, s.lookupKeys)
	if cfg.AdminAPIKey != "" {
		sum := sha256.Sum256([]byte(cfg.AdminAPIKey))
		s.adminKey = sum[:]
	}
	return s
}

// CreateOrgInput is what an instance admin (or bootstrap) gives to create an org.
type CreateOrgInput struct {
	Name   string
	Slug   string
	Region string
}

// validName checks a display name: present, bounded and printable.
func validName(f *errcode.Fields, field, name string) {
	switch {
	case strings.TrimSpace(name) == "":
		f.Add(field, "is required")
	case utf8.RuneCountInString(name) > 200:
		f.Add(field, "must be at most 200 characters")
	case strings.ContainsAny(name, "\x00\r\n"):
		f.Add(field, "must not contain control characters")
	}
}

// CreateOrg creates an org pinned to a region. Only this deployment's region can be created
// here: another region's org must be created by that region's deployment (data residency).
func (s *Service) CreateOrg(ctx context.Context, in CreateOrgInput) (Org, error) {
	var f errcode.Fields
	validName(&f, "name", in.Name)
	if !ValidSlug(in.Slug) {
		f.Add("slug", "must be 1-63 lowercase letters, digits or inner hyphens")
	}
	if in.Region == "" {
		in.Region = s.region
	}
	if err := f.Err(); err != nil {
		return Org{}, err
	}
	if in.Region != s.region {
		return Org{}, RegionMismatch(in.Region, s.regions)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Org{}, err
	}
	var org Org
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.OrganizationInsert(ctx, dbsqlc.OrganizationInsertParams{
			ID: id, Slug: in.Slug, Name: strings.TrimSpace(in.Name), Region: in.Region, Settings: []byte("{}"),
		})
		if err != nil {
			return translate(err, "organization")
		}
		org = orgFromRow(row)
		// Every org has its Default permission group from the start (SPEC §3.1): members
		// always have a group to land in.
		if err := q.PermissionGroupInsertDefault(ctx, dbsqlc.PermissionGroupInsertDefaultParams{ID: uuid.Must(uuid.NewV7()), OrgID: org.ID}); err != nil {
			return translate(err, "permission group")
		}
		return audit.Record(ctx, q, audit.Event{OrgID: org.ID, Type: "organization.created", TargetType: "organization",
			TargetID: org.ID.String(), Data: map[string]any{"after": orgSummary(org)}})
	})
	return org, err
}

func orgSummary(o Org) map[string]any {
	return map[string]any{"slug": o.Slug, "name": o.Name, "region": o.Region}
}

// RegionMismatch is the error for an org of another region, carrying that region's base URL.
func RegionMismatch(region string, urls map[string]string) *errcode.Error {
	e := errcode.New(errcode.RegionMismatch, "this organization lives in region %q, served by another deployment", region)
	e.Meta = map[string]any{"region": region}
	if u, ok := urls[region]; ok {
		e.Meta["region_url"] = u
	}
	return e
}

// GetOrg returns an org by id or slug.
func (s *Service) GetOrg(ctx context.Context, ref string) (Org, error) {
	q := dbsqlc.New(s.db)
	var row dbsqlc.Organization
	var err error
	if id, perr := uuid.Parse(ref); perr == nil {
		row, err = q.OrganizationGet(ctx, id)
	} else if ValidSlug(strings.ToLower(ref)) {
		row, err = q.OrganizationGetBySlug(ctx, ref)
	} else {
		return Org{}, errcode.New(errcode.NotFound, "organization not found")
	}
	if err != nil {
		return Org{}, translate(err, "organization")
	}
	return orgFromRow(row), nil
}

// ListOrgs returns up to limit orgs after the given id (keyset on the UUIDv7 id).
func (s *Service) ListOrgs(ctx context.Context, after *uuid.UUID, limit int) ([]Org, error) {
	rows, err := dbsqlc.New(s.db).OrganizationList(ctx, dbsqlc.OrganizationListParams{AfterID: after, Limit: int32(limit)})
	if err != nil {
		return nil, translate(err, "organization")
	}
	out := make([]Org, len(rows))
	for i, r := range rows {
		out[i] = orgFromRow(r)
	}
	return out, nil
}

// UpdateOrgInput changes an org's mutable fields; nil means unchanged.
type UpdateOrgInput struct {
	Name *string
	// IfVersion, when set, must equal the current version (optimistic concurrency, If-Match).
	IfVersion *int32
}

// UpdateOrg renames an org. The region is immutable.
func (s *Service) UpdateOrg(ctx context.Context, id uuid.UUID, in UpdateOrgInput) (Org, error) {
	var f errcode.Fields
	if in.Name != nil {
		validName(&f, "name", *in.Name)
	}
	if err := f.Err(); err != nil {
		return Org{}, err
	}
	var org Org
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		cur, err := q.OrganizationLockForUpdate(ctx, id)
		if err != nil {
			return translate(err, "organization")
		}
		if in.IfVersion != nil && *in.IfVersion != cur.Version {
			return errcode.New(errcode.PreconditionFail, "the organization changed since it was read (version %d, If-Match %d)", cur.Version, *in.IfVersion)
		}
		before := orgFromRow(cur)
		name := cur.Name
		if in.Name != nil {
			name = strings.TrimSpace(*in.Name)
		}
		if name == cur.Name {
			org = before // nothing changes: no new version, no audit event
			return nil
		}
		row, err := q.OrganizationUpdate(ctx, dbsqlc.OrganizationUpdateParams{ID: id, Name: name, Settings: cur.Settings})
		if err != nil {
			return translate(err, "organization")
		}
		org = orgFromRow(row)
		return audit.Record(ctx, q, audit.Event{OrgID: id, Type: "organization.updated", TargetType: "organization",
			TargetID: id.String(), Data: map[string]any{"before": orgSummary(before), "after": orgSummary(org)}})
	})
	return org, err
}

// CountOrgs returns the number of live orgs.
func (s *Service) CountOrgs(ctx context.Context) (int64, error) {
	return dbsqlc.New(s.db).OrganizationCount(ctx)
}

// SoleOrg returns the only org when exactly one exists (single-org mode).
func (s *Service) SoleOrg(ctx context.Context) (Org, error) {
	orgs, err := s.ListOrgs(ctx, nil, 2)
	if err != nil {
		return Org{}, err
	}
	if len(orgs) != 1 {
		return Org{}, errcode.New(errcode.OrgRequired, "name the organization with the X-ByteChef-Org header")
	}
	return orgs[0], nil
}

// CreateKeyInput describes a new API key.
type CreateKeyInput struct {
	Name   string
	Scopes []string
	// MemberID, when set, makes the key act for that member: suspending, deprovisioning or
	// removing the member revokes it. The member must be active.
	MemberID *uuid.UUID
}

// CreateAPIKey creates a key and returns it with its secret, which is never shown again.
func (s *Service) CreateAPIKey(ctx context.Context, orgID uuid.UUID, in CreateKeyInput) (APIKey, string, error) {
	var f errcode.Fields
	validName(&f, "name", in.Name)
	scopes := normalizeScopes(&f, in.Scopes)
	if err := f.Err(); err != nil {
		return APIKey{}, "", err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return APIKey{}, "", err
	}
	secret := newSecret(APIKeyPrefix)
	prefix, last4 := displayParts(secret)
	var key APIKey
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		if in.MemberID != nil {
			// Locking the member row orders this insert with a concurrent suspension, which
			// revokes the member's keys under the same lock: no key slips past it.
			m, err := q.MemberGetForUpdate(ctx, dbsqlc.MemberGetForUpdateParams{OrgID: orgID, ID: *in.MemberID})
			if database.IsNoRows(err) {
				return errcode.Invalid("member_id", "no such member in this organization")
			}
			if err != nil {
				return err
			}
			if m.Status != "ACTIVE" {
				return errcode.Invalid("member_id", "the member is %s; only active members can hold keys", m.Status)
			}
		}
		row, err := q.APIKeyInsert(ctx, dbsqlc.APIKeyInsertParams{ID: id, OrgID: orgID, Name: strings.TrimSpace(in.Name),
			Scopes: scopes, Prefix: prefix, Last4: last4, SecretHash: HashSecret(secret), CreatedBy: audit.MetaFrom(ctx).ActorLabel, MemberID: in.MemberID})
		if err != nil {
			return translate(err, "api key")
		}
		key = keyFromRow(row)
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "api_key.created", TargetType: "api_key",
			TargetID: id.String(), Data: map[string]any{"after": keySummary(key)}})
	})
	return key, secret, err
}

func normalizeScopes(f *errcode.Fields, in []string) []string {
	if len(in) == 0 {
		f.Add("scopes", "at least one scope is required")
		return nil
	}
	out := make([]string, 0, len(in))
	for i, s := range in {
		if !ValidScope(s) {
			f.Add(fmt.Sprintf("scopes[%d]", i), "unknown scope %q", s)
			continue
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func keySummary(k APIKey) map[string]any {
	m := map[string]any{"name": k.Name, "scopes": k.Scopes, "prefix": k.Prefix, "last4": k.Last4}
	if k.MemberID != nil {
		m["member_id"] = k.MemberID.String()
	}
	return m
}

// ListAPIKeys lists an org's keys after the given id.
func (s *Service) ListAPIKeys(ctx context.Context, orgID uuid.UUID, after *uuid.UUID, limit int, includeRevoked bool) ([]APIKey, error) {
	rows, err := dbsqlc.New(s.db).APIKeyList(ctx, dbsqlc.APIKeyListParams{OrgID: orgID, AfterID: after, Limit: int32(limit), IncludeRevoked: includeRevoked})
	if err != nil {
		return nil, translate(err, "api key")
	}
	out := make([]APIKey, len(rows))
	for i, r := range rows {
		out[i] = keyFromRow(r)
	}
	return out, nil
}

// GetAPIKey returns one key of the org.
func (s *Service) GetAPIKey(ctx context.Context, orgID, id uuid.UUID) (APIKey, error) {
	row, err := dbsqlc.New(s.db).APIKeyGet(ctx, dbsqlc.APIKeyGetParams{OrgID: orgID, ID: id})
	if err != nil {
		return APIKey{}, translate(err, "api key")
	}
	return keyFromRow(row), nil
}

// RevokeAPIKey revokes a key at once. Revoking a revoked key is not found (it is gone).
func (s *Service) RevokeAPIKey(ctx context.Context, orgID, id uuid.UUID) (APIKey, error) {
	var key APIKey
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.APIKeyRevoke(ctx, dbsqlc.APIKeyRevokeParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "api key")
		}
		key = keyFromRow(row)
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "api_key.revoked", TargetType: "api_key",
			TargetID: id.String(), Data: map[string]any{"before": keySummary(key)}})
	})
	return key, err
}

// RotateAPIKey replaces a key's secret; the old secret stops working at once.
func (s *Service) RotateAPIKey(ctx context.Context, orgID, id uuid.UUID) (APIKey, string, error) {
	secret := newSecret(APIKeyPrefix)
	prefix, last4 := displayParts(secret)
	var key APIKey
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.APIKeyRotate(ctx, dbsqlc.APIKeyRotateParams{OrgID: orgID, ID: id, SecretHash: HashSecret(secret), Prefix: prefix, Last4: last4})
		if err != nil {
			return translate(err, "api key")
		}
		key = keyFromRow(row)
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "api_key.rotated", TargetType: "api_key",
			TargetID: id.String(), Data: map[string]any{"after": keySummary(key)}})
	})
	return key, secret, err
}

// lookupKeys reads the keys of a batch of requests in one query.
func (s *Service) lookupKeys(ctx context.Context, hashes [][32]byte) (map[[32]byte]dbsqlc.APIKeyAuthenticateRow, error) {
	// The lookup serves several requests, so no request's cancellation applies to it; the
	// bound keeps a stalled connection from holding a lookup slot.
	ctx, cancel := context.WithTimeout(ctx, keyLookupTimeout)
	defer cancel()
	arg := make([][]byte, len(hashes))
	for i := range hashes {
		arg[i] = hashes[i][:]
	}
	rows, err := dbsqlc.New(s.db).APIKeyAuthenticate(ctx, arg)
	if err != nil {
		return nil, err
	}
	out := make(map[[32]byte]dbsqlc.APIKeyAuthenticateRow, len(rows))
	for _, r := range rows {
		if len(r.SecretHash) == sha256.Size {
			out[[32]byte(r.SecretHash)] = r
		}
	}
	return out, nil
}

// Authenticate resolves a bearer token to a principal. Unknown, revoked and malformed
// credentials all answer the same unauthenticated error (no oracle).
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	unauth := errcode.New(errcode.Unauthenticated, "missing, invalid or revoked credentials")
	if token == "" || len(token) > 512 {
		return Principal{}, unauth
	}
	if strings.HasPrefix(token, APIKeyPrefix) {
		hash := HashSecret(token)
		row, found, err := s.keys.Load(ctx, [32]byte(hash))
		if errors.Is(err, context.DeadlineExceeded) {
			return Principal{}, errcode.New(errcode.Unavailable, "credentials could not be checked in time; try again")
		}
		if err != nil {
			return Principal{}, err
		}
		if !found || row.RevokedAt != nil || subtle.ConstantTimeCompare(row.SecretHash, hash) != 1 {
			return Principal{}, unauth
		}
		if row.LastUsedAt == nil || time.Since(*row.LastUsedAt) > time.Minute {
			// Best effort and at minute granularity: a hot key costs one query per request.
			_ = dbsqlc.New(s.db).APIKeyTouch(ctx, row.ID)
		}
		scopes := make([]Scope, len(row.Scopes))
		for i, sc := range row.Scopes {
			scopes[i] = Scope(sc)
		}
		return Principal{Kind: OrgAPIKey, KeyID: row.ID, Label: "api-key:" + row.ID.String(), Scopes: scopes,
			Org: &Org{ID: row.OrgID, Slug: row.OrgSlug, Region: row.OrgRegion}}, nil
	}
	if strings.HasPrefix(token, SessionPrefix) {
		if a := s.sessions.Load(); a != nil {
			return (*a).Authenticate(ctx, token)
		}
		return Principal{}, unauth
	}
	if s.adminKey != nil {
		sum := sha256.Sum256([]byte(token))
		if subtle.ConstantTimeCompare(sum[:], s.adminKey) == 1 {
			return Principal{Kind: InstanceAdmin, Label: "instance-admin"}, nil
		}
	}
	return Principal{}, unauth
}
