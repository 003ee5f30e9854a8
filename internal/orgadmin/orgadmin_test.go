// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package orgadmin

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dnstest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/jackc/pgx/v5/pgxpool.(*Pool).backgroundHealthCheck"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"),
	)
}

type fixture struct {
	svc *Service
	ids *identity.Service
	dns *dnstest.Server
}

func setup(t *testing.T) fixture {
	t.Helper()
	dns := dnstest.Start(t)
	cfg, err := config.Load(func(name string) (string, bool) {
		if name == "BYTECHEF_DNS_RESOLVER" {
			return dns.Addr(), true
		}
		return "", false
	})
	require.NoError(t, err)
	pool := dbtest.New(t)
	return fixture{svc: NewService(pool, cfg), ids: identity.NewService(pool, cfg), dns: dns}
}

func (f fixture) org(t *testing.T, slug string) uuid.UUID {
	t.Helper()
	o, err := f.ids.CreateOrg(context.Background(), identity.CreateOrgInput{Name: slug, Slug: slug})
	require.NoError(t, err)
	return o.ID
}

func ptr[T any](v T) *T { return &v }

func code(err error) errcode.Code {
	if e, ok := errcode.As(err); ok {
		return e.Code
	}
	return "none"
}

func TestDefaultGroupAndOneGroupPerMember(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	org := f.org(t, "groups")
	def, err := f.svc.DefaultGroup(ctx, org)
	require.NoError(t, err)
	require.True(t, def.IsDefault)
	require.Equal(t, "Default", def.Name)

	m, err := f.svc.CreateMember(ctx, org, MemberPatch{Email: ptr("Ada@Example.COM")})
	require.NoError(t, err)
	require.Equal(t, "Ada@example.com", m.Email, "the domain is lowercased, the local part kept")
	require.Equal(t, def.ID, m.PermissionGroupID, "new members land in Default")
	require.Equal(t, SourceManual, m.Source)

	// Concurrent moves between two groups: afterwards the member is in exactly one of them.
	a, err := f.svc.CreateGroup(ctx, org, GroupPatch{Name: ptr("A"), Priority: ptr(int32(10))})
	require.NoError(t, err)
	b, err := f.svc.CreateGroup(ctx, org, GroupPatch{Name: ptr("B"), Priority: ptr(int32(10))})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			target := a.ID
			if i%2 == 1 {
				target = b.ID
			}
			_, err := f.svc.UpdateMember(ctx, org, m.ID, MemberPatch{PermissionGroupID: &target}, nil)
			require.NoError(t, err)
		}()
	}
	wg.Wait()
	got, err := f.svc.GetMember(ctx, org, m.ID)
	require.NoError(t, err)
	require.Contains(t, []uuid.UUID{a.ID, b.ID}, got.PermissionGroupID)
	var inA, inB int
	for _, g := range []uuid.UUID{a.ID, b.ID} {
		ms, err := f.svc.ListMembers(ctx, org, MemberFilter{PermissionGroupID: &g}, Page{Limit: 10})
		require.NoError(t, err)
		if g == a.ID {
			inA = len(ms)
		} else {
			inB = len(ms)
		}
	}
	require.Equal(t, 1, inA+inB, "exactly one group")

	// Highest priority wins; ties go to the older group whatever the order of ids.
	hi, err := f.svc.HighestPriorityGroup(ctx, org, []uuid.UUID{b.ID, a.ID})
	require.NoError(t, err)
	require.Equal(t, a.ID, hi.ID)
	_, err = f.svc.UpdateGroup(ctx, org, b.ID, GroupPatch{Priority: ptr(int32(20))}, nil)
	require.NoError(t, err)
	hi, err = f.svc.HighestPriorityGroup(ctx, org, []uuid.UUID{a.ID, b.ID, uuid.New()})
	require.NoError(t, err)
	require.Equal(t, b.ID, hi.ID)
	hi, err = f.svc.HighestPriorityGroup(ctx, org, []uuid.UUID{uuid.New()})
	require.NoError(t, err)
	require.Equal(t, def.ID, hi.ID, "no known group: Default")

	// Deleting Default is refused; deleting a group moves its members to Default.
	require.Equal(t, errcode.Conflict, code(f.svc.DeleteGroup(ctx, org, def.ID, nil)))
	require.NoError(t, f.svc.DeleteGroup(ctx, org, got.PermissionGroupID, nil))
	got, err = f.svc.GetMember(ctx, org, m.ID)
	require.NoError(t, err)
	require.Equal(t, def.ID, got.PermissionGroupID)

	// Another org cannot see or use these ids.
	other := f.org(t, "other")
	_, err = f.svc.GetMember(ctx, other, m.ID)
	require.Equal(t, errcode.NotFound, code(err))
	_, err = f.svc.UpdateMember(ctx, org, m.ID, MemberPatch{PermissionGroupID: ptr(mustDefault(t, f, other))}, nil)
	require.Equal(t, errcode.Validation, code(err))
}

func mustDefault(t *testing.T, f fixture, org uuid.UUID) uuid.UUID {
	g, err := f.svc.DefaultGroup(context.Background(), org)
	require.NoError(t, err)
	return g.ID
}

func TestSuspensionRevokesKeysAndEffectivePermissions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	org := f.org(t, "susp")
	g, err := f.svc.CreateGroup(ctx, org, GroupPatch{Name: ptr("Builders"),
		FeatureRestrictions: &FeatureRestrictions{RestrictPublicSharing: true},
		RateLimits:          &RateLimits{MaxConcurrentExecutions: ptr(int32(3))},
		OAuthScopeAllowlist: map[string][]string{"googleDrive": {"drive.readonly", "drive.readonly"}},
		ComponentDenylist:   []string{"code/scriptExecutor", "category:code", "category:code"}})
	require.NoError(t, err)
	require.Equal(t, []string{"category:code", "code/scriptExecutor"}, g.ComponentDenylist, "deduplicated and sorted")
	require.Equal(t, []string{"drive.readonly"}, g.OAuthScopeAllowlist["googleDrive"])
	m, err := f.svc.CreateMember(ctx, org, MemberPatch{Email: ptr("grace@example.com"), PermissionGroupID: &g.ID})
	require.NoError(t, err)
	_, secret, err := f.ids.CreateAPIKey(ctx, org, identity.CreateKeyInput{Name: "grace's key", Scopes: []string{"policy:evaluate"}, MemberID: &m.ID})
	require.NoError(t, err)
	_, err = f.ids.Authenticate(ctx, secret)
	require.NoError(t, err)

	eff, err := f.svc.EffectivePermissions(ctx, org, m.UserID)
	require.NoError(t, err)
	require.True(t, eff.Active)
	require.Equal(t, g.ID, eff.Group.ID)
	require.True(t, eff.FeatureRestrictions.RestrictPublicSharing)
	require.Equal(t, int32(3), *eff.RateLimits.MaxConcurrentExecutions)
	require.Nil(t, eff.RateLimits.MaxExecutionsPerHour)

	m, err = f.svc.UpdateMember(ctx, org, m.ID, MemberPatch{Status: ptr("SUSPENDED")}, nil)
	require.NoError(t, err)
	require.Equal(t, StatusSuspended, m.Status)
	require.NotNil(t, m.StatusChangedAt)
	_, err = f.ids.Authenticate(ctx, secret)
	require.Equal(t, errcode.Unauthenticated, code(err), "suspension revoked the member's key")
	eff, err = f.svc.EffectivePermissions(ctx, org, m.UserID)
	require.NoError(t, err)
	require.False(t, eff.Active)

	// A suspended member cannot get a new key; reactivation does not bring old keys back.
	_, _, err = f.ids.CreateAPIKey(ctx, org, identity.CreateKeyInput{Name: "again", Scopes: []string{"admin"}, MemberID: &m.ID})
	require.Equal(t, errcode.Validation, code(err))
	_, err = f.svc.UpdateMember(ctx, org, m.ID, MemberPatch{Status: ptr("ACTIVE")}, nil)
	require.NoError(t, err)
	_, err = f.ids.Authenticate(ctx, secret)
	require.Error(t, err)

	// Signup rule: an existing member decides by status.
	d, err := f.svc.SignupAllowed(ctx, org, "GRACE@example.com")
	require.NoError(t, err)
	require.Equal(t, SignupDecision{Allowed: true, OrgID: org, Reason: ReasonMemberExists}, d)
}

func TestDomainVerificationOverDNS(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	org := f.org(t, "acme")
	rival := f.org(t, "rival")

	for _, bad := range []string{"gmail.com", "mail.GMAIL.com", "outlook.com", "localhost", "1.2.3.4", "-x.com", "a..com", "", "exa mple.com", "ü.com"} {
		_, err := f.svc.CreateDomain(ctx, org, bad)
		require.Equal(t, errcode.Validation, code(err), bad)
	}
	d, err := f.svc.CreateDomain(ctx, org, "Acme.Example.")
	require.NoError(t, err)
	require.Equal(t, "acme.example", d.Domain)
	require.Equal(t, "_bytechef-challenge.acme.example", d.RecordName())
	require.True(t, strings.HasPrefix(d.VerificationToken, tokenPrefix))
	_, err = f.svc.CreateDomain(ctx, org, "acme.example")
	require.Equal(t, errcode.Conflict, code(err))
	again, created, err := f.svc.EnsureDomain(ctx, org, "ACME.example")
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, d.ID, again.ID)

	// The rival may claim it too (nobody can squat by claiming first) …
	rd, err := f.svc.CreateDomain(ctx, rival, "acme.example")
	require.NoError(t, err)

	// … but verification needs the record: missing → validation error; wrong value → same.
	_, err = f.svc.VerifyDomain(ctx, org, d.ID)
	require.Equal(t, errcode.Validation, code(err))
	f.dns.SetTXT(d.RecordName(), "v=spf1 -all", "bytechef-domain-verification=wrong")
	_, err = f.svc.VerifyDomain(ctx, org, d.ID)
	require.Equal(t, errcode.Validation, code(err))
	f.dns.SetTXT(d.RecordName(), "v=spf1 -all", d.VerificationToken)
	v, err := f.svc.VerifyDomain(ctx, org, d.ID)
	require.NoError(t, err)
	require.NotNil(t, v.VerifiedAt)
	require.Positive(t, f.dns.Queries())
	v2, err := f.svc.VerifyDomain(ctx, org, d.ID)
	require.NoError(t, err)
	require.Equal(t, v.Version, v2.Version, "verifying again changes nothing")

	// Once verified by acme, the rival cannot verify it, nor claim it anew.
	f.dns.SetTXT(d.RecordName(), rd.VerificationToken)
	_, err = f.svc.VerifyDomain(ctx, rival, rd.ID)
	require.Equal(t, errcode.Conflict, code(err))
	_, err = f.svc.CreateDomain(ctx, rival, "acme.example")
	require.Equal(t, errcode.Conflict, code(err))

	// Signup by domain.
	require.NoError(t, err2(f.svc.UpdateSettings(ctx, org, SettingsPatch{SignupMode: ptr("VERIFIED_DOMAINS_ONLY")}, nil)))
	dec, err := f.svc.SignupAllowed(ctx, org, "new@acme.example")
	require.NoError(t, err)
	require.Equal(t, ReasonVerifiedDomain, dec.Reason)
	require.True(t, dec.Allowed)
	dec, err = f.svc.SignupAllowed(ctx, org, "new@elsewhere.example")
	require.NoError(t, err)
	require.Equal(t, ReasonDomainNotVerified, dec.Reason)
	require.False(t, dec.Allowed)
	require.NoError(t, err2(f.svc.UpdateSettings(ctx, org, SettingsPatch{SignupMode: ptr("INVITE_ONLY")}, nil)))
	dec, err = f.svc.SignupAllowed(ctx, org, "new@acme.example")
	require.NoError(t, err)
	require.Equal(t, SignupDecision{OrgID: org, Reason: ReasonInviteRequired}, dec)
	require.NoError(t, err2(f.svc.UpdateSettings(ctx, org, SettingsPatch{SignupMode: ptr("OPEN")}, nil)))
	dec, err = f.svc.SignupAllowed(ctx, org, "anyone@gmail.com")
	require.NoError(t, err)
	require.True(t, dec.Allowed)
	_, err = f.svc.SignupAllowed(ctx, org, "not an email")
	require.Equal(t, errcode.Validation, code(err))

	// An unreachable resolver is "unavailable", never "not verified".
	dead := setupWithResolver(t, "127.0.0.1:1")
	org3 := dead.org(t, "dead")
	d3, err := dead.svc.CreateDomain(ctx, org3, "dead.example")
	require.NoError(t, err)
	dead.svc.dnsTimeout = 500_000_000
	_, err = dead.svc.VerifyDomain(ctx, org3, d3.ID)
	require.Contains(t, []errcode.Code{errcode.Unavailable, errcode.Validation}, code(err))
}

func setupWithResolver(t *testing.T, addr string) fixture {
	t.Helper()
	cfg, err := config.Load(func(name string) (string, bool) {
		if name == "BYTECHEF_DNS_RESOLVER" {
			return addr, true
		}
		return "", false
	})
	require.NoError(t, err)
	pool := dbtest.New(t)
	return fixture{svc: NewService(pool, cfg), ids: identity.NewService(pool, cfg)}
}

func err2[T any](_ T, err error) error { return err }

func TestSettingsValidation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	org := f.org(t, "settings")
	s, err := f.svc.GetSettings(ctx, org)
	require.NoError(t, err)
	def := DefaultSettings()
	def.Version = s.Version
	require.Equal(t, def, s)

	bad := []SettingsPatch{
		{SessionIdleTimeout: ptr(int64(10))},
		{SessionMaxLifetime: ptr(int64(100 * 24 * 3600))},
		{SessionIdleTimeout: ptr(int64(7200)), SessionMaxLifetime: ptr(int64(3600))},
		{AuditHotDays: ptr(int32(400))},
		{AuditRetentionDays: ptr(int32(3000))},
		{AuditRetentionDays: ptr(int32(0))},
		{SignupMode: ptr("open")},
		{DeprovisionRetentionDays: ptr(int32(-1))},
		{AllowedRedirectURIs: []string{"http://app.example.com/cb"}},
		{AllowedRedirectURIs: []string{"https://app.example.com/cb#frag"}},
		{AllowedRedirectURIs: []string{"/relative"}},
		{AllowedRedirectURIs: []string{"javascript:alert(1)"}},
		{AllowedRedirectURIs: []string{"https://user:pw@app.example.com/"}},
	}
	for i, p := range bad {
		_, err := f.svc.UpdateSettings(ctx, org, p, nil)
		require.Equal(t, errcode.Validation, code(err), "case %d", i)
	}
	s2, err := f.svc.UpdateSettings(ctx, org, SettingsPatch{SessionIdleTimeout: ptr(int64(1800)),
		AllowedRedirectURIs:      []string{"https://b.example.com/cb", "http://localhost:3000/cb", "https://b.example.com/cb"},
		DeprovisionRetentionDays: ptr(int32(0))}, &s.Version)
	require.NoError(t, err)
	require.Equal(t, []string{"http://localhost:3000/cb", "https://b.example.com/cb"}, s2.AllowedRedirectURIs)
	require.Greater(t, s2.Version, s.Version)
	// Same values again: no new version.
	s3, err := f.svc.UpdateSettings(ctx, org, SettingsPatch{SessionIdleTimeout: ptr(int64(1800))}, nil)
	require.NoError(t, err)
	require.Equal(t, s2.Version, s3.Version)
	// Stale If-Match.
	_, err = f.svc.UpdateSettings(ctx, org, SettingsPatch{SessionIdleTimeout: ptr(int64(900))}, &s.Version)
	require.Equal(t, errcode.PreconditionFail, code(err))
}

func TestNormalizeEmailHostile(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"ada@example.com":            "ada@example.com",
		" Ada.Lovelace@EXAMPLE.com ": "Ada.Lovelace@example.com",
		"a+tag@sub.example.co.uk":    "a+tag@sub.example.co.uk",
	}
	for in, want := range good {
		got, err := NormalizeEmail(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got)
	}
	for _, in := range []string{"", "ada", "@example.com", "ada@", "ada@localhost", "Ada <ada@example.com>", "ada@example.com,bob@example.com",
		"ada@exa mple.com", "ada@@example.com", "ada@[127.0.0.1]", strings.Repeat("a", 320) + "@example.com", "ada\n@example.com", "\"a b\"@-example.com"} {
		_, err := NormalizeEmail(in)
		require.Error(t, err, "%q", in)
	}
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"ada@example.com", "Ada <ada@example.com>", "\"x\"@y.z", "a@b", "a@xn--bcher-kva.example", "\x00@a.b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := NormalizeEmail(in)
		if err != nil {
			return
		}
		// What is accepted is stable, bounded and has a valid domain.
		again, err := NormalizeEmail(out)
		if err != nil || again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q (%v)", in, out, again, err)
		}
		if len(out) > 320 || !utf8.ValidString(out) {
			t.Fatalf("bad output %q", out)
		}
		if _, err := NormalizeDomain(EmailDomain(out)); err != nil {
			t.Fatalf("accepted %q with invalid domain", out)
		}
	})
}

func FuzzNormalizeDomain(f *testing.F) {
	for _, s := range []string{"example.com", "EXAMPLE.com.", "a..b", "1.2.3.4", "xn--bcher-kva.example", "-a.com", "gmail.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := NormalizeDomain(in)
		if err != nil {
			return
		}
		if out != strings.ToLower(out) || len(out) > 253 || strings.HasSuffix(out, ".") || !strings.Contains(out, ".") {
			t.Fatalf("bad output %q for %q", out, in)
		}
		if again, err := NormalizeDomain(out); err != nil || again != out {
			t.Fatalf("not idempotent: %q", out)
		}
	})
}

func FuzzGroupAxes(f *testing.F) {
	f.Add("code/scriptExecutor", "googleDrive", "drive.readonly")
	f.Add("category:code", "category:communication", "scope with space")
	f.Add("", "", "")
	f.Add("a/b/c", "категория", "\x00")
	f.Fuzz(func(t *testing.T, deny, connector, scope string) {
		var fields errcode.Fields
		list := normalizeDenylist(&fields, []string{deny, deny})
		allow := normalizeAllowlist(&fields, map[string][]string{connector: {scope, scope}})
		if len(fields) > 0 {
			return
		}
		// Accepted input normalizes to a fixed point: applying it again changes nothing.
		var again errcode.Fields
		require.Equal(t, list, normalizeDenylist(&again, list))
		require.Equal(t, allow, normalizeAllowlist(&again, allow))
		require.Empty(t, again)
		require.Len(t, list, 1)
	})
}

func FuzzRedirectURIs(f *testing.F) {
	for _, s := range []string{"https://app.example.com/cb", "http://localhost:3000/cb", "javascript:alert(1)", "https://u:p@x.example/",
		"https://x.example/#f", "//x.example/cb", "https://[::1]/", "http://127.0.0.1.nip.io/", "https://x.example/\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var fields errcode.Fields
		out := normalizeRedirectURIs(&fields, []string{raw})
		if len(fields) > 0 {
			require.Empty(t, out)
			return
		}
		// Whatever is accepted is an absolute https URL, or http on a loopback host only.
		require.Equal(t, []string{raw}, out)
		u, err := url.Parse(raw)
		require.NoError(t, err)
		require.NotEmpty(t, u.Host)
		require.True(t, u.Scheme == "https" || (u.Scheme == "http" && isLoopback(u.Hostname())), raw)
		require.Nil(t, u.User)
		require.NotContains(t, raw, "#")
	})
}

func TestDeactivationHooksRunInTheTransaction(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	org := f.org(t, "hooks")
	var mu sync.Mutex
	var seen []string
	fail := false
	f.svc.OnDeactivate(func(ctx context.Context, q *dbsqlc.Queries, m Member) error {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return errcode.New(errcode.Unavailable, "session store down")
		}
		seen = append(seen, m.Email+":"+string(m.Status))
		return nil
	})
	m, err := f.svc.CreateMember(ctx, org, MemberPatch{Email: ptr("h@hooks.example")})
	require.NoError(t, err)
	// A failing hook rolls the suspension back.
	fail = true
	_, err = f.svc.UpdateMember(ctx, org, m.ID, MemberPatch{Status: ptr("SUSPENDED")}, nil)
	require.Equal(t, errcode.Unavailable, code(err))
	got, err := f.svc.GetMember(ctx, org, m.ID)
	require.NoError(t, err)
	require.Equal(t, StatusActive, got.Status)
	fail = false
	_, err = f.svc.UpdateMember(ctx, org, m.ID, MemberPatch{Status: ptr("SUSPENDED")}, nil)
	require.NoError(t, err)
	// SUSPENDED → DEPROVISIONED is not a new deactivation; removing an inactive member neither.
	_, err = f.svc.UpdateMember(ctx, org, m.ID, MemberPatch{Status: ptr("DEPROVISIONED")}, nil)
	require.NoError(t, err)
	require.NoError(t, f.svc.DeleteMember(ctx, org, m.ID, nil))
	m2, err := f.svc.CreateMember(ctx, org, MemberPatch{Email: ptr("h2@hooks.example")})
	require.NoError(t, err)
	require.NoError(t, f.svc.DeleteMember(ctx, org, m2.ID, nil))
	require.Equal(t, []string{"h@hooks.example:SUSPENDED", "h2@hooks.example:ACTIVE"}, seen)
}

func TestSettingsKeepOtherFeaturesKeys(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	org := f.org(t, "merge")
	_, err := f.svc.db.Exec(ctx, `UPDATE organization SET settings = settings || '{"branding_theme":"dark"}' WHERE id = $1`, org)
	require.NoError(t, err)
	_, err = f.svc.UpdateSettings(ctx, org, SettingsPatch{SignupMode: ptr("OPEN")}, nil)
	require.NoError(t, err)
	var theme, mode string
	require.NoError(t, f.svc.db.QueryRow(ctx, `SELECT settings->>'branding_theme', settings->>'signup_mode' FROM organization WHERE id = $1`, org).Scan(&theme, &mode))
	require.Equal(t, "dark", theme)
	require.Equal(t, "OPEN", mode)
}
