// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"testing"

	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

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
