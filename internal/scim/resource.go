// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package scim

import (
	"fmt"
	"strings"

	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// SCIM error types (RFC 7644 §3.12) carried in errcode.Error.Meta["scimType"]; the API
// layer renders them in the SCIM error schema.
const (
	InvalidFilter = "invalidFilter"
	InvalidValue  = "invalidValue"
	InvalidPath   = "invalidPath"
	InvalidSyntax = "invalidSyntax"
	NoTarget      = "noTarget"
	Mutability    = "mutability"
	Uniqueness    = "uniqueness"
	TooMany       = "tooMany"
)

// Err returns a domain error with a SCIM error type. Validation codes answer 400 on /scim.
func Err(code errcode.Code, scimType, format string, args ...any) *errcode.Error {
	e := errcode.New(code, format, args...)
	e.Meta = map[string]any{"scimType": scimType}
	return e
}

func invalid(scimType, format string, args ...any) *errcode.Error {
	return Err(errcode.Validation, scimType, format, args...)
}

// Limits that keep one request from making a huge row.
const (
	maxMultiValues = 100
	maxStringLen   = 4096
	maxDepth       = 8
)

// getFold finds a key case-insensitively; an exact match wins.
func getFold(m map[string]any, key string) (string, any, bool) {
	if v, ok := m[key]; ok {
		return key, v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return k, v, true
		}
	}
	return "", nil, false
}

// deleteFold removes every key equal to key case-insensitively.
func deleteFold(m map[string]any, key string) {
	for k := range m {
		if strings.EqualFold(k, key) {
			delete(m, k)
		}
	}
}

// canonicalize rewrites an incoming resource body: known attribute names get their
// canonical spelling, values are checked against their types ("True"/"False" strings become
// booleans, as Entra sends them), nulls unassign, and unmodelled attributes are kept as sent.
// Read-only attributes (id, meta, groups) and schemas are dropped: the server sets them.
func canonicalize(k Kind, in map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for key, v := range in {
		if strings.EqualFold(key, "schemas") || strings.EqualFold(key, "password") {
			continue // passwords are not stored (changePassword is false); sign-in is SSO
		}
		if urn, ok := extensionURN(k, key); ok {
			if v == nil {
				delete(out, urn)
				continue
			}
			obj, ok := v.(map[string]any)
			if !ok {
				return nil, invalid(InvalidValue, "%s must be an object", urn)
			}
			ext, err := canonicalExt(obj)
			if err != nil {
				return nil, err
			}
			if len(ext) > 0 {
				out[urn] = ext
			}
			continue
		}
		ra, ok := lookupAttr(k, "", key)
		if !ok {
			if err := checkDepth(v, 0); err != nil {
				return nil, err
			}
			if v != nil {
				out[key] = v // unmodelled: kept and returned as sent
			}
			continue
		}
		if ra.common && ra.attr.Name != "externalId" || ra.attr.Mutability == "readOnly" {
			continue
		}
		cv, err := coerce(ra.attr, v, ra.attr.Name)
		if err != nil {
			return nil, err
		}
		if cv == nil {
			delete(out, ra.attr.Name)
			continue
		}
		out[ra.attr.Name] = cv
	}
	return out, nil
}

func canonicalExt(obj map[string]any) (map[string]any, error) {
	ext := map[string]any{}
	for ek, ev := range obj {
		a := EnterpriseResource.Attr(ek)
		if a == nil {
			if err := checkDepth(ev, 0); err != nil {
				return nil, err
			}
			if ev != nil {
				ext[ek] = ev
			}
			continue
		}
		cv, err := coerce(a, ev, a.Name)
		if err != nil {
			return nil, err
		}
		if cv != nil {
			ext[a.Name] = cv
		}
	}
	return ext, nil
}

func checkDepth(v any, depth int) error {
	if depth > maxDepth {
		return invalid(InvalidValue, "values may nest at most %d levels", maxDepth)
	}
	switch t := v.(type) {
	case map[string]any:
		for _, e := range t {
			if err := checkDepth(e, depth+1); err != nil {
				return err
			}
		}
	case []any:
		if len(t) > maxMultiValues*10 {
			return invalid(InvalidValue, "arrays may have at most %d values", maxMultiValues*10)
		}
		for _, e := range t {
			if err := checkDepth(e, depth+1); err != nil {
				return err
			}
		}
	case string:
		if len(t) > maxStringLen {
			return invalid(InvalidValue, "strings may be at most %d bytes", maxStringLen)
		}
	}
	return nil
}

// coerce checks v against the attribute's type and returns its canonical form (nil: unassigned).
func coerce(a *Attr, v any, path string) (any, error) {
	if v == nil {
		return nil, nil
	}
	if a.Multi {
		list, ok := v.([]any)
		if !ok {
			if _, obj := v.(map[string]any); !obj {
				return nil, invalid(InvalidValue, "%s must be an array", path)
			}
			list = []any{v} // a single value where a list belongs: be liberal in what we accept
		}
		if len(list) > maxMultiValues {
			return nil, invalid(InvalidValue, "%s may have at most %d values", path, maxMultiValues)
		}
		out := make([]any, 0, len(list))
		for i, e := range list {
			cv, err := coerceOne(a, e, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			if cv != nil {
				out = append(out, cv)
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
	return coerceOne(a, v, path)
}

func coerceOne(a *Attr, v any, path string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch a.Type {
	case TComplex:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, invalid(InvalidValue, "%s must be an object", path)
		}
		out := map[string]any{}
		for k, sv := range obj {
			sa := a.SubAttr(k)
			if sa == nil {
				if err := checkDepth(sv, 1); err != nil {
					return nil, err
				}
				if sv != nil {
					out[k] = sv
				}
				continue
			}
			cv, err := coerceOne(sa, sv, path+"."+sa.Name)
			if err != nil {
				return nil, err
			}
			if cv != nil {
				out[sa.Name] = cv
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	case TBoolean:
		return parseBool(v, path)
	default: // string, reference, dateTime, id
		s, ok := v.(string)
		if !ok {
			return nil, invalid(InvalidValue, "%s must be a string", path)
		}
		if len(s) > maxStringLen {
			return nil, invalid(InvalidValue, "%s may be at most %d bytes", path, maxStringLen)
		}
		return s, nil
	}
}

// parseBool accepts JSON booleans and the strings "true"/"false" in any case (Entra ID
// sends "True" and "False").
func parseBool(v any, path string) (bool, error) {
	switch t := v.(type) {
	case bool:
		return t, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, invalid(InvalidValue, "%s must be a boolean", path)
}

// deepCopy copies a JSON value.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(t))
		for i, e := range t {
			l[i] = deepCopy(e)
		}
		return l
	default:
		return v
	}
}

// Projection is the attributes / excludedAttributes query parameters.
type Projection struct {
	Attributes []string
	Excluded   []string
}

// ParseProjection reads the comma-separated parameters.
func ParseProjection(attributes, excluded string) Projection {
	split := func(s string) []string {
		var out []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	return Projection{Attributes: split(attributes), Excluded: split(excluded)}
}

// Wants reports whether the projection returns the top-level attribute name (so the
// caller can skip loading it: excludedAttributes=members must not read memberships).
func (p Projection) Wants(name string) bool {
	match := func(list []string) bool {
		for _, a := range list {
			base := a
			if _, rest, ok := splitURN(KindGroup, a); ok {
				base = rest
			} else if _, rest, ok := splitURN(KindUser, a); ok {
				base = rest
			}
			if i := strings.IndexByte(base, '.'); i >= 0 {
				base = base[:i]
			}
			if strings.EqualFold(base, name) {
				return true
			}
		}
		return false
	}
	if len(p.Attributes) > 0 {
		return match(p.Attributes)
	}
	return !match(p.Excluded)
}

// Apply projects a rendered resource. id, schemas and attributes returned "always" stay.
func (p Projection) Apply(k Kind, res map[string]any) map[string]any {
	always := map[string]bool{"id": true, "schemas": true}
	if k == KindUser {
		always["userName"] = true
	}
	if len(p.Attributes) > 0 {
		out := map[string]any{}
		for key := range always {
			if v, ok := res[key]; ok {
				out[key] = v
			}
		}
		for _, a := range p.Attributes {
			copyPath(k, res, out, a)
		}
		return out
	}
	for _, a := range p.Excluded {
		urn, rest := "", a
		if u, r, ok := splitURN(k, a); ok {
			urn, rest = u, r
		}
		target := res
		if urn != "" && urn != coreSchema(k) {
			ext, ok := res[urn].(map[string]any)
			if !ok {
				continue
			}
			target = ext
		}
		top, sub, hasSub := strings.Cut(rest, ".")
		if always[top] && urn == "" {
			continue
		}
		key, v, ok := getFold(target, top)
		if !ok {
			if extURN, isExt := extensionURN(k, a); isExt {
				delete(res, extURN)
			}
			continue
		}
		if !hasSub {
			delete(target, key)
			continue
		}
		if obj, ok := v.(map[string]any); ok {
			deleteFold(obj, sub)
		}
	}
	return res
}

func copyPath(k Kind, src, dst map[string]any, a string) {
	if urn, ok := extensionURN(k, a); ok {
		if v, ok := src[urn]; ok {
			dst[urn] = v
		}
		return
	}
	urn, rest := "", a
	if u, r, ok := splitURN(k, a); ok {
		urn, rest = u, r
	}
	from, to := src, dst
	if urn != "" && urn != coreSchema(k) {
		ext, ok := src[urn].(map[string]any)
		if !ok {
			return
		}
		from = ext
		d, ok := dst[urn].(map[string]any)
		if !ok {
			d = map[string]any{}
			dst[urn] = d
		}
		to = d
	}
	top, sub, hasSub := strings.Cut(rest, ".")
	key, v, ok := getFold(from, top)
	if !ok {
		return
	}
	if !hasSub {
		to[key] = v
		return
	}
	switch t := v.(type) {
	case map[string]any:
		d, ok := to[key].(map[string]any)
		if !ok {
			d = map[string]any{}
			to[key] = d
		}
		if sk, sv, ok := getFold(t, sub); ok {
			d[sk] = sv
		}
	case []any:
		list := make([]any, 0, len(t))
		for _, e := range t {
			if obj, ok := e.(map[string]any); ok {
				if sk, sv, ok := getFold(obj, sub); ok {
					list = append(list, map[string]any{sk: sv})
				}
			}
		}
		to[key] = list
	}
}
