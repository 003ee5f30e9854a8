// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package jsontext

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
)

var surrogateCases = []struct{ in, want string }{
	{`{"a":"plain"}`, `{"a":"plain"}`},
	{`{"a":"\ud800"}`, `{"a":"\ufffd"}`},
	{`{"a":"\uDBFF"}`, `{"a":"\ufffd"}`},
	{`{"a":"\udc00"}`, `{"a":"\ufffd"}`},
	{`{"a":"\ud83d\ude00"}`, `{"a":"\ud83d\ude00"}`},             // a pair (😀) stays
	{`{"a":"\ud800\ud83d\ude00"}`, `{"a":"\ufffd\ud83d\ude00"}`}, // lone high, then a pair
	{`{"a":"\ude00\ud83d"}`, `{"a":"\ufffd\ufffd"}`},             // reversed pair: both alone
	{`{"a":"\ud800x\udc00"}`, `{"a":"\ufffdx\ufffd"}`},
	{`{"a":"\ud800\n"}`, `{"a":"\ufffd\n"}`},
	{`{"a":"\\ud800"}`, `{"a":"\\ud800"}`}, // an escaped backslash: text, not an escape
	{`{"a":"\\\ud800"}`, `{"a":"\\\ufffd"}`},
	{`{"\ud800":1}`, `{"\ufffd":1}`}, // keys too
	{`{"a":"\ud800`, `{"a":"\ufffd`}, // truncated documents are still repaired, not judged
	{`"\ud8`, `"\ud8`},
	{`"\u00e9\u0041"`, `"\u00e9\u0041"`},
	{``, ``},
}

func TestFixSurrogates(t *testing.T) {
	for _, c := range surrogateCases {
		in := []byte(c.in)
		got := FixSurrogates(in)
		require.Equal(t, c.want, string(got), "in %s", c.in)
		require.Equal(t, c.in, string(in), "the input is never modified")
	}
}

func TestNULOffset(t *testing.T) {
	for in, want := range map[string]int{
		`{"a":"b"}`:          -1,
		`{"a":"\u0000"}`:     6,
		"{\"a\":\"\x00\"}":   6,
		`{"a":"\\u0000"}`:    -1, // the text \u0000
		`{"a":"\\\u0000"}`:   8,
		`{"a":"\u00001"}`:    6,
		`{"a":"\u000"}`:      -1,
		`{"a":"x\\\\u0000"}`: -1,
	} {
		require.Equal(t, want, NULOffset([]byte(in)), "in %s", in)
	}
}

// TestRepairedTextIsAcceptedByJSONB stores each repaired case as jsonb in real Postgres and
// checks it reads back as the value encoding/json decodes from the original.
func TestRepairedTextIsAcceptedByJSONB(t *testing.T) {
	pool := dbtest.New(t)
	for _, c := range surrogateCases {
		if !json.Valid([]byte(c.in)) {
			continue
		}
		var stored string
		require.NoError(t, pool.QueryRow(context.Background(), "SELECT $1::jsonb::text", string(FixSurrogates([]byte(c.in)))).Scan(&stored), "in %s", c.in)
		var want, got any
		require.NoError(t, json.Unmarshal([]byte(c.in), &want))
		require.NoError(t, json.Unmarshal([]byte(stored), &got))
		require.Equal(t, want, got, "in %s", c.in)
	}
}

// FuzzFixSurrogates: the repair keeps the length, keeps valid JSON valid, changes nothing
// encoding/json can see, and leaves no unpaired surrogate escape behind (a second pass is a
// no-op).
func FuzzFixSurrogates(f *testing.F) {
	for _, c := range surrogateCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := FixSurrogates(in)
		if len(out) != len(in) {
			t.Fatalf("length %d → %d", len(in), len(out))
		}
		if again := FixSurrogates(out); string(again) != string(out) {
			t.Fatalf("not idempotent: %q → %q → %q", in, out, again)
		}
		if json.Valid(in) != json.Valid(out) {
			t.Fatalf("validity changed: %q → %q", in, out)
		}
		if json.Valid(in) {
			var a, b any
			_ = json.Unmarshal(in, &a)
			_ = json.Unmarshal(out, &b)
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			if string(ja) != string(jb) {
				t.Fatalf("decoded value changed: %q → %q", in, out)
			}
		}
	})
}
