// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package scim

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

func scimTypeOf(err error) string {
	e, ok := errcode.As(err)
	if !ok {
		return ""
	}
	s, _ := e.Meta["scimType"].(string)
	return s
}

func TestTranslateFilter(t *testing.T) {
	t.Parallel()
	ok := []string{
		`userName eq "a"`, `USERNAME EQ "a"`, `userName Eq "a" AND active eq true`, `not (title pr)`,
		`emails[type eq "work" and value co "@x"]`, `emails.value sw "a"`, `emails pr`,
		`meta.lastModified gt "2011-05-13T04:42:34Z"`, `name.givenName ew "x" or (displayName ne "y")`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "R&D"`,
		`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"`, `groups.value eq "0190a1b2-0000-7000-8000-000000000000"`,
		`externalId eq "x" and id eq "nope"`, `title le "m"`,
	}
	for _, f := range ok {
		sf, err := TranslateFilter(KindUser, f, 2)
		require.NoError(t, err, f)
		require.NotEmpty(t, sf.Where)
	}
	bad := []string{``, `userName`, `userName eq`, `foo eq "x"`, `active co "t"`, `active eq 1`, `name eq "x"`,
		`meta.created eq "yesterday"`, `emails[type eq "work"`, `emails[foo eq "x"]`, `userName eq null`,
		`members[value eq "x"]`, `groups[display eq "x"]`, `name.unknown eq "x"`, strings.Repeat("(", 5000)}
	for _, f := range bad {
		_, err := TranslateFilter(KindUser, f, 2)
		require.Error(t, err, f)
		require.Equal(t, InvalidFilter, scimTypeOf(err), f)
	}
	_, err := TranslateFilter(KindGroup, `displayName eq "Eng" and members[value eq "x"]`, 2)
	require.NoError(t, err)

	// String values are JSON strings: their escapes are decoded before comparing.
	for f, want := range map[string]string{
		`userName eq "q\"x"`:                             `q"x`,
		`userName eq "\u0041b"`:                          `Ab`,
		`userName eq "a\\b"`:                             `a\b`,
		`userName eq "\uD800"`:                           "\ufffd",
		`emails[value eq "\u00C9@x"] and active eq true`: "É@x",
	} {
		sf, err := TranslateFilter(KindUser, f, 1)
		require.NoError(t, err, f)
		require.Contains(t, sf.Args, want, f)
	}
	_, err = TranslateFilter(KindUser, `userName eq "a\u0000"`, 1)
	require.Equal(t, InvalidFilter, scimTypeOf(err))
}

func TestPatchApplier(t *testing.T) {
	t.Parallel()
	doc := map[string]any{"userName": "a@x.com", "active": true, "emails": []any{map[string]any{"type": "work", "value": "a@x.com"}}}
	p := &Patcher{Kind: KindUser, ID: "id-1", Doc: doc}
	require.NoError(t, p.Apply([]PatchOp{
		{Op: "replace", Path: "active", Value: "False"},
		{Op: "add", Path: `emails[type eq "home"].value`, Value: "h@x.com"},
		{Op: "replace", Path: `emails[type eq "work"].value`, Value: "w@x.com"},
		{Op: "replace", Value: map[string]any{"name.givenName": "A", EnterpriseSchema + ":department": "D", "id": "id-1"}},
		{Op: "remove", Path: `emails[type eq "other"]`},
		{Op: "add", Path: "nickName", Value: "ace"},
		{Op: "add", Path: "x-custom", Value: map[string]any{"k": "v"}},
		{Op: "Add", Path: "urn:ietf:params:scim:schemas:extension:acme:2.0:User:costCode", Value: "CC-1"},
		{Op: "replace", Value: map[string]any{"urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge": "B7"}},
	}))
	require.Equal(t, map[string]any{"costCode": "CC-1", "badge": "B7"}, p.Doc["urn:ietf:params:scim:schemas:extension:acme:2.0:User"])
	require.Equal(t, false, p.Doc["active"])
	require.Equal(t, map[string]any{"givenName": "A"}, p.Doc["name"])
	require.Equal(t, map[string]any{"department": "D"}, p.Doc[EnterpriseSchema])
	require.Len(t, p.Doc["emails"], 2)
	require.Equal(t, map[string]any{"k": "v"}, p.Doc["x-custom"])

	g := &Patcher{Kind: KindGroup, ID: "g", Doc: map[string]any{"displayName": "G"}}
	require.NoError(t, g.Apply([]PatchOp{
		{Op: "add", Path: "members", Value: []any{map[string]any{"value": "0190a1b2-0000-7000-8000-000000000001"}}},
		{Op: "remove", Path: `members[value eq "0190a1b2-0000-7000-8000-000000000001"]`},
		{Op: "remove", Path: "members", Value: []any{map[string]any{"value": "0190a1b2-0000-7000-8000-000000000002"}}},
		{Op: "replace", Value: map[string]any{"displayName": "H", "id": "g"}},
	}))
	require.Equal(t, []string{"add", "remove", "remove"}, []string{g.Members[0].Kind, g.Members[1].Kind, g.Members[2].Kind})
	require.Equal(t, "H", g.Doc["displayName"])
}

var placeholderRe = regexp.MustCompile(`\$(\d+)`)

// FuzzTranslateFilter: any input either fails as invalidFilter or yields SQL whose only
// variable parts are numbered placeholders matching the arguments — no value text is ever
// spliced into the statement.
func FuzzTranslateFilter(f *testing.F) {
	for _, s := range []string{`userName eq "a"`, `emails[type eq "work"]`, `userName eq "x' OR 1=1 --"`, `not (a pr)`,
		`meta.created gt "2020-01-01T00:00:00Z"`, `title co "%_\\"`, `userName eq "\"); DROP TABLE member;--"`, `a eq 1`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		sf, err := TranslateFilter(KindUser, raw, 2)
		if err != nil {
			require.Equal(t, InvalidFilter, scimTypeOf(err), "%q: %v", raw, err)
			return
		}
		require.NotContains(t, sf.Where, ";")
		require.NotContains(t, sf.Where, "--")
		for _, m := range placeholderRe.FindAllStringSubmatch(sf.Where, -1) {
			n, _ := strconv.Atoi(m[1])
			require.True(t, n >= 2 && n < 2+len(sf.Args), "%q: placeholder %s of %d args", raw, m[0], len(sf.Args))
		}
		for _, a := range sf.Args {
			if s, ok := a.(string); ok && len(s) > 12 && strings.ContainsAny(s, "'\"") {
				require.NotContains(t, sf.Where, s)
			}
		}
	})
}

// FuzzPatch: any PatchOp body either fails with a SCIM error type or leaves a document that
// still has its userName and canonical, typed values.
func FuzzPatch(f *testing.F) {
	for _, s := range []string{
		`{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
		`{"Operations":[{"op":"add","path":"emails[type eq \"work\"].value","value":"x@y.z"}]}`,
		`{"Operations":[{"op":"replace","value":{"name.givenName":"A","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":{"value":"m"}}}]}`,
		`{"Operations":[{"op":"replace","path":"id","value":"x"}]}`,
		`{"Operations":[{"op":"remove","path":"members[value eq \"x\"]"}]}`,
		`{"Operations":[{"op":"add","path":"x","value":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":{}}}}}}}}}}}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var body map[string]any
		if json.Unmarshal([]byte(raw), &body) != nil || body == nil {
			return
		}
		ops, err := ParsePatch(body)
		if err != nil {
			require.NotEmpty(t, scimTypeOf(err), "%v", err)
			return
		}
		for _, k := range []Kind{KindUser, KindGroup} {
			doc := map[string]any{"userName": "a@x.com", "displayName": "G", "active": true}
			p := &Patcher{Kind: k, ID: "id", Doc: doc}
			if err := p.Apply(ops); err != nil {
				require.NotEmpty(t, scimTypeOf(err), "%v", err)
				continue
			}
			if v, ok := p.Doc["active"]; ok && k == KindUser {
				_, isBool := v.(bool)
				require.True(t, isBool, "active must be canonical: %#v", v)
			}
			_, err := json.Marshal(p.Doc)
			require.NoError(t, err)
		}
	})
}

// FuzzProjection: any attributes / excludedAttributes text projects any resource without
// panicking, and id and schemas always survive.
func FuzzProjection(f *testing.F) {
	for _, s := range []string{"userName,name.givenName", "members", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "emails.value,,", ".", "name..x"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, attrs, excluded string) {
		for _, k := range []Kind{KindUser, KindGroup} {
			res := map[string]any{"id": "x", "schemas": []any{UserSchema}, "userName": "a", "name": map[string]any{"givenName": "A"},
				"emails": []any{map[string]any{"value": "a@x", "type": "work"}, "odd"}, EnterpriseSchema: map[string]any{"department": "D"},
				"members": []any{map[string]any{"value": "m"}}}
			out := ParseProjection(attrs, excluded).Apply(k, res)
			require.Contains(t, out, "id")
			require.Contains(t, out, "schemas")
			_ = ParseProjection(attrs, excluded).Wants("members")
		}
	})
}
