// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package jsontext

import (
	"context"
	"encoding/json"
	"strings"
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

func TestNumberOutOfRange(t *testing.T) {
	big := strings.Repeat("9", 1001)
	for in, bad := range map[string]bool{
		`{"a":1}`:                        false,
		`{"a":-0.000123e-5}`:             false,
		`{"a":1e1000}`:                   true, // 1001 digits before the point
		`{"a":1e999}`:                    false,
		`{"a":1e-1000}`:                  false,
		`{"a":1e-1001}`:                  true,
		`{"a":1e999999}`:                 true,
		`{"a":1E+99999999999999999999}`:  true,
		`{"a":-1e-99999999999999999999}`: true,
		`{"a":0e999999}`:                 false, // zero
		`{"a":` + big + `}`:              true,
		`{"a":` + big[:1000] + `}`:       false,
		`{"a":0.` + big + `}`:            true,
		`{"a":"1e999999"}`:               false, // a string
		`{"a":"\"1e999999"}`:             false,
		`{"1e999999":[1,2,{"b":1e9}]}`:   false,
		`[1e5, 2e999999]`:                true,
		`{"a":100e998}`:                  true, // = 1e1000
	} {
		got := NumberOutOfRange([]byte(in)) >= 0
		require.Equal(t, bad, got, "in %.60s", in)
	}
}

// TestBoundaryNumbersAreAcceptedByJSONB: the largest accepted numbers store as jsonb.
func TestBoundaryNumbersAreAcceptedByJSONB(t *testing.T) {
	pool := dbtest.New(t)
	for _, n := range []string{"9.99e999", "1e-1000", strings.Repeat("9", 1000), "0." + strings.Repeat("1", 1000)} {
		label := n[:min(len(n), 10)]
		require.Equal(t, -1, NumberOutOfRange([]byte(n)), label)
		var ok bool
		require.NoError(t, pool.QueryRow(context.Background(), "SELECT $1::jsonb IS NOT NULL", n).Scan(&ok), label)
	}
}

// FuzzNumberOutOfRange: any input is scanned without panicking, and a lone number the
// decoder accepts is judged the same as that number inside an object.
func FuzzNumberOutOfRange(f *testing.F) {
	for _, seed := range []string{"1e999999", "-0.5e-3", "0." + strings.Repeat("1", 1200), `"1e9"`, "[1,2e3000]"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		lone := NumberOutOfRange(in)
		if lone > len(in) {
			t.Fatalf("offset %d past the end", lone)
		}
		var n json.Number
		if json.Unmarshal(in, &n) == nil {
			wrapped := NumberOutOfRange(append(append([]byte(`{"k":`), in...), '}'))
			if (lone >= 0) != (wrapped >= 0) {
				t.Fatalf("%q: alone %d, in an object %d", in, lone, wrapped)
			}
		}
	})
}
