// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package scim

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// MaxLiveTokens is how many SCIM tokens an org may have live at once: two, so an admin can
// put a new one into the IdP before revoking the old (rotation without a gap).
const MaxLiveTokens = 2

// MaxTokenDays bounds expires_in_days.
const MaxTokenDays = 3650

// Token is a SCIM token as listed; the secret is never kept.
type Token struct {
	ID         uuid.UUID
	OrgID      uuid.UUID
	Name       string
	Prefix     string
	Last4      string
	ExpiresAt  *time.Time
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

func tokenFromRow(r dbsqlc.ScimToken) Token {
	return Token{ID: r.ID, OrgID: r.OrgID, Name: r.Name, Prefix: r.Prefix, Last4: r.Last4, ExpiresAt: r.ExpiresAt,
		CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt, RevokedAt: r.RevokedAt}
}

func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("scim: crypto/rand failed: " + err.Error())
	}
	return identity.SCIMPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// CreateToken makes a token and returns its secret (shown once).
func (s *Service) CreateToken(ctx context.Context, orgID uuid.UUID, name string, expiresInDays *int) (Token, string, error) {
	var f errcode.Fields
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 || strings.ContainsAny(name, "\x00\r\n") {
		f.Add("name", "is required (at most 200 characters)")
	}
	var expires *time.Time
	if expiresInDays != nil {
		if *expiresInDays < 1 || *expiresInDays > MaxTokenDays {
			f.Add("expires_in_days", "must be from 1 to %d", MaxTokenDays)
		} else {
			t := time.Now().UTC().Add(time.Duration(*expiresInDays) * 24 * time.Hour).Truncate(time.Microsecond)
			expires = &t
		}
	}
	if err := f.Err(); err != nil {
		return Token{}, "", err
	}
	secret := newSecret()
	var tok Token
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		// The org row lock serialises creates, so the live-token limit holds under concurrency.
		if _, err := q.OrganizationLockForSCIM(ctx, orgID); err != nil {
			return translate(err, "organization")
		}
		n, err := q.SCIMTokenCountLive(ctx, orgID)
		if err != nil {
			return err
		}
		if n >= MaxLiveTokens {
			return errcode.New(errcode.Conflict, "an organization may have at most %d live SCIM tokens; revoke one first", MaxLiveTokens)
		}
		row, err := q.SCIMTokenInsert(ctx, dbsqlc.SCIMTokenInsertParams{ID: newID(), OrgID: orgID, Name: name,
			Prefix: secret[:len(identity.SCIMPrefix)+6], Last4: secret[len(secret)-4:], SecretHash: identity.HashSecret(secret), ExpiresAt: expires})
		if err != nil {
			return err
		}
		tok = tokenFromRow(row)
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "scim_token.created", TargetType: "scim_token", TargetID: tok.ID.String(),
			Data: map[string]any{"after": map[string]any{"name": tok.Name, "prefix": tok.Prefix, "last4": tok.Last4, "expires_at": tok.ExpiresAt}}})
	})
	return tok, secret, err
}

// ListTokens pages through an org's tokens.
func (s *Service) ListTokens(ctx context.Context, orgID uuid.UUID, after *uuid.UUID, limit int, includeRevoked bool) ([]Token, error) {
	rows, err := dbsqlc.New(s.db).SCIMTokenList(ctx, dbsqlc.SCIMTokenListParams{OrgID: orgID, AfterID: after, Limit: int32(limit), IncludeRevoked: includeRevoked})
	if err != nil {
		return nil, err
	}
	out := make([]Token, len(rows))
	for i, r := range rows {
		out[i] = tokenFromRow(r)
	}
	return out, nil
}

// RevokeToken revokes a token at once.
func (s *Service) RevokeToken(ctx context.Context, orgID, id uuid.UUID) (Token, error) {
	var tok Token
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.SCIMTokenRevoke(ctx, dbsqlc.SCIMTokenRevokeParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "SCIM token")
		}
		tok = tokenFromRow(row)
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "scim_token.revoked", TargetType: "scim_token", TargetID: id.String(),
			Data: map[string]any{"before": map[string]any{"name": tok.Name, "prefix": tok.Prefix, "last4": tok.Last4}}})
	})
	return tok, err
}

// Caller is an authenticated SCIM client.
type Caller struct {
	TokenID uuid.UUID
	Org     identity.Org
}

// Authenticate resolves a scim_ bearer token. Unknown, revoked, expired and malformed
// tokens answer the same error (no oracle).
func (s *Service) Authenticate(ctx context.Context, token string) (Caller, error) {
	unauth := Err(errcode.Unauthenticated, "", "missing, invalid, expired or revoked SCIM token")
	delete(unauth.Meta, "scimType")
	if !strings.HasPrefix(token, identity.SCIMPrefix) || len(token) > 200 {
		return Caller{}, unauth
	}
	q := dbsqlc.New(s.db)
	h := identity.HashSecret(token)
	row, err := q.SCIMTokenAuthenticate(ctx, h)
	if database.IsNoRows(err) {
		return Caller{}, unauth
	}
	if err != nil {
		return Caller{}, err
	}
	if row.RevokedAt != nil || row.ExpiresAt != nil && !row.ExpiresAt.After(time.Now()) || subtle.ConstantTimeCompare(row.SecretHash, h) != 1 {
		return Caller{}, unauth
	}
	if s.touchDue(row.ID) {
		_ = q.SCIMTokenTouch(ctx, row.ID) // best effort
	}
	return Caller{TokenID: row.ID, Org: identity.Org{ID: row.OrgID, Slug: row.OrgSlug, Region: row.OrgRegion}}, nil
}

// RequestLogSize is how many requests per org the log keeps.
const RequestLogSize = 1000

// LogEntry is one SCIM request as the log shows it.
type LogEntry struct {
	ID        uuid.UUID
	TokenID   *uuid.UUID
	Method    string
	Path      string
	Status    int
	SCIMType  *string
	Error     *string
	RequestID string
	CreatedAt time.Time
}

// LogRequest records a request; every 50th insert (by id) trims the org's log to its size.
func (s *Service) LogRequest(ctx context.Context, orgID uuid.UUID, e LogEntry) error {
	q := dbsqlc.New(s.db)
	id := newID()
	if err := q.SCIMRequestLogInsert(ctx, dbsqlc.SCIMRequestLogInsertParams{ID: id, OrgID: orgID, TokenID: e.TokenID, Method: e.Method,
		Path: truncate(e.Path, 1000), Status: int32(e.Status), ScimType: e.SCIMType, Error: e.Error, RequestID: e.RequestID}); err != nil {
		return err
	}
	if id[15]%50 == 0 {
		return q.SCIMRequestLogTrim(ctx, dbsqlc.SCIMRequestLogTrimParams{OrgID: orgID, Keep: RequestLogSize})
	}
	return nil
}

// ListRequests returns the newest requests first, before the given id.
func (s *Service) ListRequests(ctx context.Context, orgID uuid.UUID, before *uuid.UUID, limit int) ([]LogEntry, error) {
	rows, err := dbsqlc.New(s.db).SCIMRequestLogList(ctx, dbsqlc.SCIMRequestLogListParams{OrgID: orgID, BeforeID: before, Limit: int32(limit)})
	if err != nil {
		return nil, err
	}
	out := make([]LogEntry, len(rows))
	for i, r := range rows {
		out[i] = LogEntry{ID: r.ID, TokenID: r.TokenID, Method: r.Method, Path: r.Path, Status: int(r.Status), SCIMType: r.ScimType,
			Error: r.Error, RequestID: r.RequestID, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// Mapping maps an IdP group to a permission group.
type Mapping struct {
	ID                uuid.UUID
	OrgID             uuid.UUID
	MatchBy           string // ID or DISPLAY_NAME
	IdPGroup          string
	PermissionGroupID uuid.UUID
	CreatedAt         time.Time
}

func mappingFromRow(r dbsqlc.DirectoryGroupMapping) Mapping {
	return Mapping{ID: r.ID, OrgID: r.OrgID, MatchBy: r.MatchBy, IdPGroup: r.IdpGroup, PermissionGroupID: r.PermissionGroupID, CreatedAt: r.CreatedAt}
}

// CreateMapping adds a mapping and recomputes every SCIM-managed member's group.
func (s *Service) CreateMapping(ctx context.Context, orgID uuid.UUID, matchBy, idpGroup string, groupID uuid.UUID) (Mapping, error) {
	var f errcode.Fields
	if matchBy != "ID" && matchBy != "DISPLAY_NAME" {
		f.Add("match_by", "must be ID or DISPLAY_NAME")
	}
	idpGroup = strings.TrimSpace(idpGroup)
	if idpGroup == "" || len(idpGroup) > 256 {
		f.Add("idp_group", "is required (at most 256 characters)")
	}
	if err := f.Err(); err != nil {
		return Mapping{}, err
	}
	var m Mapping
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		if _, err := q.PermissionGroupGet(ctx, dbsqlc.PermissionGroupGetParams{OrgID: orgID, ID: groupID}); err != nil {
			if database.IsNoRows(err) {
				return errcode.Invalid("permission_group_id", "no such permission group in this organization")
			}
			return err
		}
		row, err := q.DirectoryGroupMappingInsert(ctx, dbsqlc.DirectoryGroupMappingInsertParams{ID: newID(), OrgID: orgID, MatchBy: matchBy, IdpGroup: idpGroup, PermissionGroupID: groupID})
		if err != nil {
			return translate(err, "group mapping")
		}
		m = mappingFromRow(row)
		if err := audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "directory_group_mapping.created", TargetType: "directory_group_mapping", TargetID: m.ID.String(),
			Data: map[string]any{"after": map[string]any{"match_by": matchBy, "idp_group": idpGroup, "permission_group_id": groupID.String()}}}); err != nil {
			return err
		}
		return s.recomputeAll(ctx, q, orgID)
	})
	if e, ok := errcode.As(err); ok && e.Meta != nil && e.Code == errcode.Conflict {
		e.Meta = nil
	}
	return m, err
}

func (s *Service) recomputeAll(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID) error {
	ids, err := q.SCIMLiveMemberIDs(ctx, orgID)
	if err != nil {
		return err
	}
	return s.recompute(ctx, q, orgID, ids)
}

// ListMappings pages through the org's mappings.
func (s *Service) ListMappings(ctx context.Context, orgID uuid.UUID, after *uuid.UUID, limit int) ([]Mapping, error) {
	rows, err := dbsqlc.New(s.db).DirectoryGroupMappingList(ctx, dbsqlc.DirectoryGroupMappingListParams{OrgID: orgID, AfterID: after, Limit: int32(limit)})
	if err != nil {
		return nil, err
	}
	out := make([]Mapping, len(rows))
	for i, r := range rows {
		out[i] = mappingFromRow(r)
	}
	return out, nil
}

// GetMapping returns one mapping.
func (s *Service) GetMapping(ctx context.Context, orgID, id uuid.UUID) (Mapping, error) {
	row, err := dbsqlc.New(s.db).DirectoryGroupMappingGet(ctx, dbsqlc.DirectoryGroupMappingGetParams{OrgID: orgID, ID: id})
	if err != nil {
		return Mapping{}, translate(err, "group mapping")
	}
	return mappingFromRow(row), nil
}

// DeleteMapping removes a mapping and recomputes the members' groups.
func (s *Service) DeleteMapping(ctx context.Context, orgID, id uuid.UUID) error {
	return database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.DirectoryGroupMappingDelete(ctx, dbsqlc.DirectoryGroupMappingDeleteParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "group mapping")
		}
		if err := audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "directory_group_mapping.deleted", TargetType: "directory_group_mapping", TargetID: id.String(),
			Data: map[string]any{"before": map[string]any{"match_by": row.MatchBy, "idp_group": row.IdpGroup, "permission_group_id": row.PermissionGroupID.String()}}}); err != nil {
			return err
		}
		return s.recomputeAll(ctx, q, orgID)
	})
}

// PurgeDeprovisioned hard-deletes up to limit users deprovisioned longer ago than their org's
// deprovision_retention_days. It returns how many it removed. Idempotent.
func (s *Service) PurgeDeprovisioned(ctx context.Context, now time.Time, limit int) (int, error) {
	q := dbsqlc.New(s.db)
	due, err := q.SCIMUsersDueForPurge(ctx, dbsqlc.SCIMUsersDueForPurgeParams{Now: now, Limit: int32(limit)})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range due {
		err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
			c, err := q.SCIMMemberHardDelete(ctx, dbsqlc.SCIMMemberHardDeleteParams{OrgID: d.OrgID, ID: d.MemberID})
			if err != nil || c == 0 {
				return err
			}
			n++
			return audit.Record(ctx, q, audit.Event{OrgID: d.OrgID, Type: "member.deleted", TargetType: "member", TargetID: d.MemberID.String(),
				Data: map[string]any{"reason": "deprovision_retention_elapsed"}})
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// touchDue reports whether this process should record a token's use now: at most once a
// minute per token per replica, so a busy IdP does not cost a write per request.
func (s *Service) touchDue(id uuid.UUID) bool {
	s.touchMu.Lock()
	defer s.touchMu.Unlock()
	if s.touched == nil || len(s.touched) > 10_000 {
		s.touched = map[uuid.UUID]time.Time{}
	}
	if last, ok := s.touched[id]; ok && time.Since(last) < time.Minute {
		return false
	}
	s.touched[id] = time.Now()
	return true
}
