// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package session

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/jackc/pgx/v5/pgxpool.(*Pool).backgroundHealthCheck"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"),
	)
}

type fixture struct {
	svc    *Service
	ids    *identity.Service
	admin  *orgadmin.Service
	db     database.DB
	org    identity.Org
	member orgadmin.Member
}

func setup(t *testing.T) fixture {
	t.Helper()
	cfg, err := config.Load(func(string) (string, bool) { return "", false })
	require.NoError(t, err)
	pool := dbtest.New(t)
	f := fixture{svc: NewService(pool), ids: identity.NewService(pool, cfg), admin: orgadmin.NewService(pool, cfg), db: pool}
	f.ids.SetSessionAuthenticator(f.svc)
	f.org, err = f.ids.CreateOrg(context.Background(), identity.CreateOrgInput{Name: "Acme", Slug: "acme"})
	require.NoError(t, err)
	email := "dana@example.com"
	f.member, err = f.admin.CreateMember(context.Background(), f.org.ID, orgadmin.MemberPatch{Email: &email})
	require.NoError(t, err)
	return f
}

func (f fixture) create(t *testing.T, idle, max time.Duration) (Session, string) {
	t.Helper()
	var s Session
	var tok string
	require.NoError(t, database.InTx(context.Background(), f.db, func(q *dbsqlc.Queries) error {
		var err error
		s, tok, err = Create(context.Background(), q, CreateInput{OrgID: f.org.ID, MemberID: f.member.ID, UserID: f.member.UserID, IdleTimeout: idle, MaxLifetime: max})
		return err
	}))
	return s, tok
}

func TestSessionLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t)
	s, tok := f.create(t, time.Hour, 8*time.Hour)
	require.Regexp(t, `^bcs_[A-Za-z0-9_-]{43}$`, tok)

	// Through identity.Authenticate: a user-session principal of the org, no admin scope.
	p, err := f.ids.Authenticate(ctx, tok)
	require.NoError(t, err)
	require.Equal(t, identity.UserSession, p.Kind)
	require.Equal(t, f.member.UserID, *p.UserID)
	require.Equal(t, s.ID, *p.SessionID)
	require.False(t, p.Has(identity.ScopeAdmin))
	require.Equal(t, f.org.ID, p.Org.ID)

	// ADMIN members' sessions hold admin (read on every request, so a demotion is immediate).
	role := "ADMIN"
	_, err = f.admin.UpdateMember(ctx, f.org.ID, f.member.ID, orgadmin.MemberPatch{Role: &role}, nil)
	require.NoError(t, err)
	p, err = f.ids.Authenticate(ctx, tok)
	require.NoError(t, err)
	require.True(t, p.Has(identity.ScopeAdmin))

	// Other orgs see an inactive token.
	other, err := f.ids.CreateOrg(ctx, identity.CreateOrgInput{Name: "Other", Slug: "other"})
	require.NoError(t, err)
	_, active, err := f.svc.Introspect(ctx, other.ID, tok)
	require.NoError(t, err)
	require.False(t, active)
	revoked, err := f.svc.Revoke(ctx, other.ID, tok, "x")
	require.NoError(t, err)
	require.False(t, revoked)

	// Garbage is refused the same way as unknown tokens.
	for _, bad := range []string{"bcs_", "bcs_x", "bcs_" + uuid.NewString(), tok + "x"} {
		_, err := f.ids.Authenticate(ctx, bad)
		require.True(t, errcode.Is(err, errcode.Unauthenticated), bad)
	}

	revoked, err = f.svc.Revoke(ctx, f.org.ID, tok, "SIGNED_OUT")
	require.NoError(t, err)
	require.True(t, revoked)
	_, err = f.ids.Authenticate(ctx, tok)
	require.True(t, errcode.Is(err, errcode.Unauthenticated))
	revoked, err = f.svc.Revoke(ctx, f.org.ID, tok, "SIGNED_OUT")
	require.NoError(t, err)
	require.False(t, revoked)
}

func TestIdleAndAbsoluteTimeouts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t)
	base := time.Now()
	clock := base
	f.svc.now = func() time.Time { return clock }
	_, tok := f.create(t, 10*time.Minute, time.Hour)

	clock = base.Add(9 * time.Minute)
	_, active, err := f.svc.Introspect(ctx, f.org.ID, tok)
	require.NoError(t, err)
	require.True(t, active)
	clock = base.Add(11 * time.Minute)
	_, active, _ = f.svc.Introspect(ctx, f.org.ID, tok)
	require.False(t, active, "idle timeout")

	// Use slides the idle window (last_seen_at is written by the database clock, so this
	// part uses a session that is used now and checked against the real clock).
	f.svc.now = time.Now
	_, tok2 := f.create(t, 10*time.Minute, time.Hour)
	_, err = f.svc.db.Exec(ctx, `UPDATE session SET last_seen_at = now() - interval '9 minutes', created_at = now() - interval '9 minutes'`)
	require.NoError(t, err)
	_, err = f.ids.Authenticate(ctx, tok2) // touches last_seen_at
	require.NoError(t, err)
	info, active, err := f.svc.Introspect(ctx, f.org.ID, tok2)
	require.NoError(t, err)
	require.True(t, active)
	require.WithinDuration(t, time.Now().Add(10*time.Minute), info.IdleExpiresAt(), 5*time.Second)

	// The absolute lifetime wins over activity.
	_, err = f.svc.db.Exec(ctx, `UPDATE session SET expires_at = now() - interval '1 second'`)
	require.NoError(t, err)
	_, err = f.ids.Authenticate(ctx, tok2)
	require.True(t, errcode.Is(err, errcode.Unauthenticated))
}

// TestDeactivationHook: registered on orgadmin (as the SSO module does), the hook ends the
// sessions in the suspending transaction; a suspension rolled back leaves them alive.
func TestDeactivationHook(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t)
	var calls int
	f.admin.OnDeactivate(func(ctx context.Context, q *dbsqlc.Queries, m orgadmin.Member) error {
		calls++
		return RevokeMember(ctx, q, m.OrgID, m.ID, string(m.Status))
	})
	_, tok := f.create(t, time.Hour, 8*time.Hour)
	st := "SUSPENDED"
	_, err := f.admin.UpdateMember(ctx, f.org.ID, f.member.ID, orgadmin.MemberPatch{Status: &st}, nil)
	require.NoError(t, err)
	require.Equal(t, 1, calls)
	_, err = f.ids.Authenticate(ctx, tok)
	require.True(t, errcode.Is(err, errcode.Unauthenticated))
	var live int
	require.NoError(t, f.db.QueryRow(ctx, `SELECT count(*) FROM session WHERE revoked_at IS NULL`).Scan(&live))
	require.Zero(t, live)
}

// TestSuspensionKillsSessionsWhoeverSuspends: the member status is read on every
// authentication, and the trigger revokes the rows even for a direct SQL update (the path
// SCIM or directory sync might take).
func TestSuspensionKillsSessionsWhoeverSuspends(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t)
	_, tok := f.create(t, time.Hour, 8*time.Hour)
	_, err := f.db.Exec(ctx, `UPDATE member SET status = 'DEPROVISIONED' WHERE id = $1`, f.member.ID)
	require.NoError(t, err)
	_, err = f.ids.Authenticate(ctx, tok)
	require.True(t, errcode.Is(err, errcode.Unauthenticated))
	var reason string
	require.NoError(t, f.db.QueryRow(ctx, `SELECT revoke_reason FROM session WHERE member_id = $1`, f.member.ID).Scan(&reason))
	require.Equal(t, "MEMBER_DEPROVISIONED", reason)
	// Reactivation does not bring the old session back.
	_, err = f.db.Exec(ctx, `UPDATE member SET status = 'ACTIVE' WHERE id = $1`, f.member.ID)
	require.NoError(t, err)
	_, err = f.ids.Authenticate(ctx, tok)
	require.True(t, errcode.Is(err, errcode.Unauthenticated))
	// Deleting the member removes its sessions.
	require.NoError(t, f.admin.DeleteMember(ctx, f.org.ID, f.member.ID, nil))
	var n int
	require.NoError(t, f.db.QueryRow(ctx, `SELECT count(*) FROM session`).Scan(&n))
	require.Zero(t, n)
}

// BenchmarkAuthenticate measures one bcs_ authentication (hash, one indexed join, touch
// skipped within 30 s) against the real Postgres.
func BenchmarkAuthenticate(b *testing.B) {
	cfg, err := config.Load(func(string) (string, bool) { return "", false })
	require.NoError(b, err)
	pool := dbtest.New(b)
	svc := NewService(pool)
	ids := identity.NewService(pool, cfg)
	org, err := ids.CreateOrg(context.Background(), identity.CreateOrgInput{Name: "B", Slug: "bench"})
	require.NoError(b, err)
	email := "b@example.com"
	m, err := orgadmin.NewService(pool, cfg).CreateMember(context.Background(), org.ID, orgadmin.MemberPatch{Email: &email})
	require.NoError(b, err)
	var tok string
	require.NoError(b, database.InTx(context.Background(), pool, func(q *dbsqlc.Queries) error {
		_, tok, err = Create(context.Background(), q, CreateInput{OrgID: org.ID, MemberID: m.ID, UserID: m.UserID, IdleTimeout: time.Hour, MaxLifetime: time.Hour})
		return err
	}))
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.Authenticate(context.Background(), tok); err != nil {
			b.Fatal(err)
		}
	}
}
