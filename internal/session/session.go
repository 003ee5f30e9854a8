// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package session owns server-side user sessions (SPEC §3.2): opaque bcs_ tokens stored as
// their hash, bounded by the org's idle timeout and maximum lifetime, authenticated as the
// identity.UserSession principal, introspected and revoked. A session lives only while its
// member is ACTIVE: the status is read on every authentication, and a database trigger
// (migration 0600) revokes the rows when any path suspends or deprovisions the member.
package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// Session is a live (or recently ended) user session. The token is never kept.
type Session struct {
	ID           uuid.UUID
	OrgID        uuid.UUID
	MemberID     uuid.UUID
	UserID       uuid.UUID
	ConnectionID *uuid.UUID
	CreatedAt    time.Time
	LastSeenAt   time.Time
	// ExpiresAt is the absolute end (created + the org's session_max_lifetime).
	ExpiresAt   time.Time
	IdleTimeout time.Duration
}

// IdleExpiresAt is when the session ends if it is not used again.
func (s Session) IdleExpiresAt() time.Time {
	t := s.LastSeenAt.Add(s.IdleTimeout)
	if t.After(s.ExpiresAt) {
		return s.ExpiresAt
	}
	return t
}

// Info is an authenticated session with the member and org it acts for.
type Info struct {
	Session
	OrgSlug           string
	OrgName           string
	OrgRegion         string
	Email             string
	Name              string
	Role              string
	Status            string
	PermissionGroupID uuid.UUID
}

// Service creates, authenticates and revokes sessions.
type Service struct {
	db database.DB
	// now is the clock (tests move it).
	now func() time.Time
}

// NewService returns the session service.
func NewService(db database.DB) *Service { return &Service{db: db, now: time.Now} }

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("session: crypto/rand failed: " + err.Error())
	}
	return identity.SessionPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// CreateInput describes a new session.
type CreateInput struct {
	OrgID        uuid.UUID
	MemberID     uuid.UUID
	UserID       uuid.UUID
	ConnectionID *uuid.UUID
	IdleTimeout  time.Duration
	MaxLifetime  time.Duration
}

// Create inserts a session with q (the caller's transaction) and returns its token, shown once.
func Create(ctx context.Context, q *dbsqlc.Queries, in CreateInput) (Session, string, error) {
	token := newToken()
	row, err := q.SessionInsert(ctx, dbsqlc.SessionInsertParams{ID: uuid.Must(uuid.NewV7()), OrgID: in.OrgID, MemberID: in.MemberID,
		UserID: in.UserID, ConnectionID: in.ConnectionID, TokenHash: identity.HashSecret(token),
		IdleTimeout: int32(in.IdleTimeout / time.Second), ExpiresAt: time.Now().Add(in.MaxLifetime)})
	if err != nil {
		return Session{}, "", err
	}
	return fromRow(row), token, nil
}

func fromRow(r dbsqlc.Session) Session {
	return Session{ID: r.ID, OrgID: r.OrgID, MemberID: r.MemberID, UserID: r.UserID, ConnectionID: r.ConnectionID,
		CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt, ExpiresAt: r.ExpiresAt, IdleTimeout: time.Duration(r.IdleTimeout) * time.Second}
}

var errUnauth = errcode.New(errcode.Unauthenticated, "missing, invalid or revoked credentials")

// lookup finds a session by token and says whether it is active now. Revoked, expired (idle
// or absolute), suspended/deprovisioned members and deleted orgs are all inactive.
func (s *Service) lookup(ctx context.Context, token string) (Info, bool, error) {
	if len(token) > 128 || len(token) < len(identity.SessionPrefix)+10 {
		return Info{}, false, nil
	}
	row, err := dbsqlc.New(s.db).SessionAuthenticate(ctx, identity.HashSecret(token))
	if database.IsNoRows(err) {
		return Info{}, false, nil
	}
	if err != nil {
		return Info{}, false, err
	}
	info := Info{Session: Session{ID: row.ID, OrgID: row.OrgID, MemberID: row.MemberID, UserID: row.UserID, ConnectionID: row.ConnectionID,
		CreatedAt: row.CreatedAt, LastSeenAt: row.LastSeenAt, ExpiresAt: row.ExpiresAt, IdleTimeout: time.Duration(row.IdleTimeout) * time.Second},
		OrgSlug: row.OrgSlug, OrgName: row.OrgName, OrgRegion: row.OrgRegion, Email: row.MemberEmail, Name: row.MemberName,
		Role: row.MemberRole, Status: row.MemberStatus, PermissionGroupID: row.PermissionGroupID}
	now := s.now()
	active := row.RevokedAt == nil && row.MemberStatus == "ACTIVE" && now.Before(info.ExpiresAt) && now.Before(info.IdleExpiresAt())
	return info, active, nil
}

// Authenticate resolves a bcs_ token to its principal and slides the idle timeout. Role ADMIN
// holds the admin scope (org admins may use admin endpoints, SPEC §2.1); MEMBER holds none.
func (s *Service) Authenticate(ctx context.Context, token string) (identity.Principal, error) {
	info, active, err := s.lookup(ctx, token)
	if err != nil {
		return identity.Principal{}, err
	}
	if !active {
		return identity.Principal{}, errUnauth
	}
	_ = dbsqlc.New(s.db).SessionTouch(ctx, info.ID) // best effort: never fail a request on it
	uid := info.UserID
	sid := info.ID
	scopes := []identity.Scope{}
	if info.Role == "ADMIN" {
		scopes = append(scopes, identity.ScopeAdmin)
	}
	return identity.Principal{Kind: identity.UserSession, UserID: &uid, SessionID: &sid, Label: "session:" + info.ID.String(), Scopes: scopes,
		Org: &identity.Org{ID: info.OrgID, Slug: info.OrgSlug, Name: info.OrgName, Region: info.OrgRegion}}, nil
}

// Introspect reports on a token of the org. Tokens of other orgs, unknown tokens and ended
// sessions all answer inactive (RFC 7662 style: no oracle).
func (s *Service) Introspect(ctx context.Context, orgID uuid.UUID, token string) (Info, bool, error) {
	info, active, err := s.lookup(ctx, token)
	if err != nil || !active || info.OrgID != orgID {
		return Info{}, false, err
	}
	return info, true, nil
}

// Revoke ends the session of a token of the org (sign-out) and records user.signed_out.
// Revoking an unknown or ended token is not an error: the outcome is the same.
func (s *Service) Revoke(ctx context.Context, orgID uuid.UUID, token string, reason string) (bool, error) {
	info, _, err := s.lookup(ctx, token)
	if err != nil || info.ID == uuid.Nil || info.OrgID != orgID {
		return false, err
	}
	revoked := false
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.SessionRevoke(ctx, dbsqlc.SessionRevokeParams{OrgID: orgID, ID: info.ID, RevokeReason: &reason})
		if database.IsNoRows(err) {
			return nil
		}
		if err != nil {
			return err
		}
		revoked = true
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "user.signed_out", TargetType: "member", TargetID: row.MemberID.String(),
			Data: map[string]any{"session_id": row.ID.String(), "user_id": row.UserID.String(), "reason": reason}})
	})
	return revoked, err
}

// RevokeMember ends every live session of a member in the caller's transaction. It is the
// orgadmin DeactivationHook the SSO module registers; the member_status trigger of migration
// 0600 does the same for paths that bypass orgadmin, and every authentication reads the
// member's status, so a suspended member's session cannot outlive the suspension.
func RevokeMember(ctx context.Context, q *dbsqlc.Queries, orgID, memberID uuid.UUID, status string) error {
	reason := "MEMBER_" + status
	_, err := q.SessionRevokeByMember(ctx, dbsqlc.SessionRevokeByMemberParams{OrgID: orgID, MemberID: memberID, RevokeReason: &reason})
	if err != nil {
		return err
	}
	_, err = q.SSOCodeDeleteByMember(ctx, dbsqlc.SSOCodeDeleteByMemberParams{OrgID: orgID, MemberID: memberID})
	return err
}
