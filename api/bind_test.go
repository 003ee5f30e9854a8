// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// TestDecodeStrictIntegerMessages: a fraction or an out-of-range number sent for an integer
// field says that an integer is expected (not "must be a number, got number 1.5").
func TestDecodeStrictIntegerMessages(t *testing.T) {
	var dst struct {
		Priority *int64 `json:"priority"`
		Count    uint32 `json:"count"`
	}
	for body, want := range map[string]string{
		`{"priority":1.5}`:                  "must be an integer in range, got number 1.5",
		`{"priority":99999999999999999999}`: "must be an integer in range, got number 99999999999999999999",
		`{"count":-1}`:                      "must be an integer in range, got number -1",
		`{"priority":"x"}`:                  "must be an integer in range, got string",
	} {
		e, ok := errcode.As(decodeStrict([]byte(body), &dst))
		require.True(t, ok, body)
		require.Equal(t, errcode.Validation, e.Code, body)
		require.Equal(t, want, e.Fields[0].Message, body)
	}
}

// FuzzDecodeStrict: any body either decodes or yields a client error — never a panic, never
// an unclassified error that would become a 500.
func FuzzDecodeStrict(f *testing.F) {
	for _, s := range []string{`{"name":"x","scopes":["admin"]}`, `{"name":"\u0000"}`, "{\"name\":\"\xff\"}", `[[[[`, `{"name":1e999}`, `{"scopes":[null]}`, `"x"`, `{"name":"a\\u0000"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var dst createKeyRequest
		err := decodeStrict(body, &dst)
		if err == nil {
			return
		}
		e, ok := errcode.As(err)
		if !ok || (e.Code != errcode.MalformedJSON && e.Code != errcode.Validation) {
			t.Fatalf("unclassified error for %q: %v", body, err)
		}
	})
}

func TestTypeErrorsNameTheItem(t *testing.T) {
	type item struct {
		ID       string `json:"id"`
		Duration int64  `json:"duration_ms"`
		Tags     []int  `json:"tags"`
	}
	type batch struct {
		Events []item `json:"events"`
	}
	cases := map[string]string{
		`{"events":[{"id":"a","duration_ms":1},{"id":"b","duration_ms":"slow"}]}`:     "events[1].duration_ms",
		`{"events":[{"id":"a"},{"id":"b"},{"id":"c","tags":[1,2,"x"]}]}`:              "events[2].tags[2]",
		`{"events":[{"id":"a","nested":{"x":[1,{"y":2}]},"duration_ms":1},{"id":5}]}`: "events[1].id",
		`{"events":[{"id":"a"},"not an object"]}`:                                     "events[1]",
		`{"events":{"id":"a"}}`: "events",
	}
	for body, want := range cases {
		var b batch
		dec := json.NewDecoder(strings.NewReader(body))
		err := dec.Decode(&b)
		require.Error(t, err, body)
		e, ok := errcode.As(jsonError(err, []byte(body)))
		require.True(t, ok, body)
		require.Equal(t, want, e.Fields[0].Field, body)
	}
}
