// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package scim

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"

	"github.com/google/uuid"
	filter "github.com/scim2/filter-parser/v2"
)

// maxPatchOps bounds one PATCH request.
const maxPatchOps = 1000

// PatchOp is one operation of a PatchOp request.
type PatchOp struct {
	Op    string
	Path  string
	Value any
}

// ParsePatch decodes a PatchOp body. Member names are matched case-insensitively
// ("Operations", "operations"), as real clients vary.
func ParsePatch(body map[string]any) ([]PatchOp, error) {
	_, schemas, _ := getFold(body, "schemas")
	if list, ok := schemas.([]any); ok {
		found := false
		for _, s := range list {
			if str, ok := s.(string); ok && strings.EqualFold(str, PatchSchema) {
				found = true
			}
		}
		if !found {
			return nil, invalid(InvalidSyntax, "schemas must contain %s", PatchSchema)
		}
	}
	_, raw, ok := getFold(body, "Operations")
	list, isList := raw.([]any)
	if !ok || !isList || len(list) == 0 {
		return nil, invalid(InvalidSyntax, "Operations must be a non-empty array")
	}
	if len(list) > maxPatchOps {
		return nil, invalid(InvalidSyntax, "a PATCH may have at most %d operations", maxPatchOps)
	}
	ops := make([]PatchOp, 0, len(list))
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, invalid(InvalidSyntax, "each operation must be an object")
		}
		var op PatchOp
		_, o, _ := getFold(m, "op")
		s, ok := o.(string)
		if !ok {
			return nil, invalid(InvalidSyntax, "op must be add, replace or remove")
		}
		op.Op = strings.ToLower(strings.TrimSpace(s))
		if op.Op != "add" && op.Op != "replace" && op.Op != "remove" {
			return nil, invalid(InvalidSyntax, "op must be add, replace or remove, not %q", truncate(s, 40))
		}
		if _, p, ok := getFold(m, "path"); ok && p != nil {
			ps, ok := p.(string)
			if !ok {
				return nil, invalid(InvalidPath, "path must be a string")
			}
			op.Path = strings.TrimSpace(ps)
		}
		_, op.Value, _ = getFold(m, "value")
		if op.Path == "" && op.Op == "remove" {
			return nil, invalid(NoTarget, "remove needs a path")
		}
		ops = append(ops, op)
	}
	return ops, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// MemberChange is one membership delta of a group PATCH, applied in order.
type MemberChange struct {
	// Kind is "add", "remove", "remove_all" or "set".
	Kind string
	IDs  []uuid.UUID
}

// Patcher applies PATCH operations to a stored resource document.
type Patcher struct {
	Kind Kind
	// ID is the resource id, so an operation that "sets" id to its own value is harmless.
	ID string
	// Doc is the stored document (canonical attrs, no id/meta/groups); changed in place.
	Doc map[string]any
	// Members collects group membership deltas (groups only).
	Members []MemberChange
}

// Apply runs the operations, then re-canonicalizes the document.
func (p *Patcher) Apply(ops []PatchOp) error {
	for _, op := range ops {
		if op.Path == "" {
			obj, ok := op.Value.(map[string]any)
			if !ok {
				return invalid(InvalidValue, "an operation without a path needs an object value")
			}
			for key, v := range obj {
				if err := p.applyPath(op.Op, key, v, true); err != nil {
					return err
				}
			}
			continue
		}
		if err := p.applyPath(op.Op, op.Path, op.Value, false); err != nil {
			return err
		}
	}
	doc, err := canonicalize(p.Kind, p.Doc)
	if err != nil {
		return err
	}
	p.Doc = doc
	return nil
}

func (p *Patcher) applyPath(op, path string, v any, pathless bool) error {
	if strings.EqualFold(path, "schemas") {
		return nil
	}
	// A whole extension: {"urn:...:enterprise:2.0:User": {"department": "x"}}.
	if urn, ok := extensionURN(p.Kind, path); ok {
		if op == "remove" {
			delete(p.Doc, urn)
			return nil
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return invalid(InvalidValue, "%s must be an object", urn)
		}
		for k, sv := range obj {
			if err := p.applyPath(op, urn+":"+k, sv, pathless); err != nil {
				return err
			}
		}
		return nil
	}
	parsed, err := filter.ParsePath([]byte(path))
	if err == nil && parsed.ValueExpression != nil {
		err = unescapeStrings(parsed.ValueExpression)
	}
	if err != nil {
		// An unmodelled attribute name that the grammar does not accept is still kept.
		if !strings.ContainsAny(path, "[]. \"") && path != "" && len(path) < 200 {
			return p.setRaw(op, path, v)
		}
		return invalid(InvalidPath, "%q is not a valid attribute path", truncate(path, 100))
	}
	urn := ""
	if parsed.AttributePath.URIPrefix != nil {
		urn = *parsed.AttributePath.URIPrefix
	}
	ra, ok := lookupAttr(p.Kind, urn, parsed.AttributePath.AttributeName)
	if !ok {
		if urn == "" && parsed.AttributePath.SubAttribute == nil && parsed.ValueExpression == nil {
			return p.setRaw(op, parsed.AttributePath.AttributeName, v)
		}
		if urn != "" && !strings.EqualFold(urn, coreSchema(p.Kind)) && !strings.EqualFold(urn, EnterpriseSchema) && parsed.ValueExpression == nil {
			return p.setExtension(op, urn, parsed, v)
		}
		return invalid(InvalidPath, "unknown attribute %q", truncate(path, 100))
	}
	a := ra.attr
	if ra.common && a.Name == "id" {
		if s, ok := v.(string); ok && s == p.ID && op != "remove" {
			return nil
		}
		return invalid(Mutability, "id is read-only")
	}
	if a.Mutability == "readOnly" {
		if pathless && ra.common && a.Name == "meta" {
			return invalid(Mutability, "meta is read-only")
		}
		return invalid(Mutability, "%s is read-only", a.Name)
	}
	if p.Kind == KindGroup && a.Name == "members" {
		return p.members(op, parsed, v)
	}
	container := p.Doc
	if ra.schema == EnterpriseSchema {
		ext, ok := p.Doc[EnterpriseSchema].(map[string]any)
		if !ok {
			if op == "remove" {
				return nil
			}
			ext = map[string]any{}
			p.Doc[EnterpriseSchema] = ext
		}
		container = ext
	}
	var sub *Attr
	if parsed.AttributePath.SubAttribute != nil {
		if sub = a.SubAttr(*parsed.AttributePath.SubAttribute); sub == nil {
			return invalid(InvalidPath, "%s has no sub-attribute %q", a.Name, *parsed.AttributePath.SubAttribute)
		}
	}
	if parsed.SubAttribute != nil {
		if sub = a.SubAttr(*parsed.SubAttribute); sub == nil {
			return invalid(InvalidPath, "%s has no sub-attribute %q", a.Name, *parsed.SubAttribute)
		}
	}
	if parsed.ValueExpression != nil {
		return p.filtered(op, container, a, parsed.ValueExpression, sub, v)
	}
	key, cur, exists := getFold(container, a.Name)
	if exists && key != a.Name {
		delete(container, key)
		container[a.Name] = cur
	}
	if sub != nil {
		return p.subAttr(op, container, a, sub, v)
	}
	switch op {
	case "remove":
		if a.Required {
			return invalid(Mutability, "%s is required and cannot be removed", a.Name)
		}
		if a.Multi && v != nil {
			container[a.Name] = removeValues(cur, v)
			return nil
		}
		delete(container, a.Name)
	case "add":
		if a.Multi {
			container[a.Name] = appendValues(cur, v)
			return nil
		}
		container[a.Name] = mergeComplex(a, cur, v)
	case "replace":
		if a.Multi {
			container[a.Name] = v
			return nil
		}
		container[a.Name] = mergeComplex(a, cur, v)
	}
	return nil
}

// setRaw sets or removes an unmodelled top-level attribute.
// attrNameRe is RFC 7643's ATTRNAME (ALPHA *("-" / "_" / DIGIT / ALPHA)): an unmodelled
// attribute is kept only under a name a client can address again.
var attrNameRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

func (p *Patcher) setRaw(op, name string, v any) error {
	if !attrNameRe.MatchString(name) {
		return invalid(InvalidPath, "%q is not a valid attribute name", truncate(name, 100))
	}
	if p.Kind == KindUser {
		if _, _, ok := splitURN(p.Kind, name); ok {
			return invalid(InvalidPath, "unknown attribute %q", truncate(name, 100))
		}
	}
	if err := checkDepth(v, 0); err != nil {
		return err
	}
	if op == "remove" {
		deleteFold(p.Doc, name)
		return nil
	}
	p.Doc[name] = v
	return nil
}

// mergeComplex merges sub-attributes into a single-valued complex attribute (RFC 7644
// §3.5.2.3: unspecified sub-attributes are left unchanged); other values replace.
func mergeComplex(a *Attr, cur, v any) any {
	if a.Type != TComplex {
		return v
	}
	nv, ok := v.(map[string]any)
	old, ok2 := cur.(map[string]any)
	if !ok || !ok2 {
		return v
	}
	out := deepCopy(old).(map[string]any)
	for k, e := range nv {
		deleteFold(out, k)
		out[k] = e
	}
	return out
}

func asList(v any) []any {
	switch t := v.(type) {
	case []any:
		return t
	case nil:
		return nil
	default:
		return []any{t}
	}
}

// appendValues adds values to a multi-valued attribute, skipping exact duplicates.
func appendValues(cur, v any) any {
	out := append([]any{}, asList(cur)...)
	for _, nv := range asList(v) {
		dup := false
		for _, e := range out {
			if reflect.DeepEqual(e, nv) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, nv)
		}
	}
	return out
}

func removeValues(cur, v any) any {
	var out []any
	for _, e := range asList(cur) {
		keep := true
		for _, rv := range asList(v) {
			if reflect.DeepEqual(e, rv) {
				keep = false
			}
		}
		if keep {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// subAttr handles name.givenName (single complex) and emails.value (every value).
func (p *Patcher) subAttr(op string, container map[string]any, a, sub *Attr, v any) error {
	if sub.Mutability == "readOnly" {
		return invalid(Mutability, "%s.%s is read-only", a.Name, sub.Name)
	}
	cur := container[a.Name]
	if a.Multi {
		list := asList(cur)
		if len(list) == 0 && op != "remove" {
			container[a.Name] = []any{map[string]any{sub.Name: v}}
			return nil
		}
		for _, e := range list {
			if obj, ok := e.(map[string]any); ok {
				deleteFold(obj, sub.Name)
				if op != "remove" {
					obj[sub.Name] = v
				}
			}
		}
		return nil
	}
	obj, ok := cur.(map[string]any)
	if !ok {
		if op == "remove" {
			return nil
		}
		obj = map[string]any{}
		container[a.Name] = obj
	}
	deleteFold(obj, sub.Name)
	if op != "remove" {
		obj[sub.Name] = v
	}
	return nil
}

// filtered handles emails[type eq "work"] and emails[type eq "work"].value. add and replace
// create the value when none matches (Entra and Okta rely on it; RFC 7644 treats a replace
// of a missing target as an add); remove of a missing value is a no-op.
func (p *Patcher) filtered(op string, container map[string]any, a *Attr, expr filter.Expression, sub *Attr, v any) error {
	if !a.Multi || a.Type != TComplex {
		return invalid(InvalidPath, "%s is not a multi-valued complex attribute", a.Name)
	}
	list := asList(container[a.Name])
	var matched []map[string]any
	var kept []any
	for _, e := range list {
		obj, ok := e.(map[string]any)
		if !ok {
			kept = append(kept, e)
			continue
		}
		m, err := matchElem(a, expr, obj)
		if err != nil {
			return err
		}
		if m {
			matched = append(matched, obj)
			if op == "remove" && sub == nil {
				continue
			}
		}
		kept = append(kept, e)
	}
	if op == "remove" {
		if sub != nil {
			for _, obj := range matched {
				deleteFold(obj, sub.Name)
			}
		}
		if len(kept) == 0 {
			delete(container, a.Name)
		} else {
			container[a.Name] = kept
		}
		return nil
	}
	if len(matched) == 0 {
		elem, ok := eqTerms(a, expr)
		if !ok {
			return invalid(NoTarget, "no value of %s matches the filter, and the filter does not say how to create one", a.Name)
		}
		if sub != nil {
			elem[sub.Name] = v
		} else if obj, ok := v.(map[string]any); ok {
			for k, e := range obj {
				elem[k] = e
			}
		} else {
			return invalid(InvalidValue, "the value of %s must be an object", a.Name)
		}
		container[a.Name] = append(kept, elem)
		return nil
	}
	for _, obj := range matched {
		if sub != nil {
			deleteFold(obj, sub.Name)
			obj[sub.Name] = v
			continue
		}
		nv, ok := v.(map[string]any)
		if !ok {
			return invalid(InvalidValue, "the value of %s must be an object", a.Name)
		}
		for k, e := range nv {
			deleteFold(obj, k)
			obj[k] = e
		}
	}
	container[a.Name] = kept
	return nil
}

// eqTerms turns a filter made only of "sub eq value" joined by and into the element it
// describes (create-on-absent).
func eqTerms(a *Attr, e filter.Expression) (map[string]any, bool) {
	switch t := e.(type) {
	case *filter.AttributeExpression:
		if !strings.EqualFold(string(t.Operator), "eq") || t.AttributePath.SubAttribute != nil || t.AttributePath.URIPrefix != nil {
			return nil, false
		}
		sa := a.SubAttr(t.AttributePath.AttributeName)
		if sa == nil {
			return nil, false
		}
		return map[string]any{sa.Name: t.CompareValue}, true
	case *filter.LogicalExpression:
		if !strings.EqualFold(string(t.Operator), "and") {
			return nil, false
		}
		l, ok := eqTerms(a, t.Left)
		if !ok {
			return nil, false
		}
		r, ok := eqTerms(a, t.Right)
		if !ok {
			return nil, false
		}
		for k, v := range r {
			l[k] = v
		}
		return l, true
	}
	return nil, false
}

// matchElem evaluates a value filter against one value of a multi-valued attribute.
func matchElem(a *Attr, e filter.Expression, obj map[string]any) (bool, error) {
	switch t := e.(type) {
	case *filter.LogicalExpression:
		l, err := matchElem(a, t.Left, obj)
		if err != nil {
			return false, err
		}
		r, err := matchElem(a, t.Right, obj)
		if err != nil {
			return false, err
		}
		if strings.EqualFold(string(t.Operator), "and") {
			return l && r, nil
		}
		return l || r, nil
	case *filter.NotExpression:
		m, err := matchElem(a, t.Expression, obj)
		return !m, err
	case *filter.AttributeExpression:
		if t.AttributePath.URIPrefix != nil || t.AttributePath.SubAttribute != nil {
			return false, invalid(InvalidFilter, "inside [ ] name a sub-attribute of %s", a.Name)
		}
		sa := a.SubAttr(t.AttributePath.AttributeName)
		if sa == nil {
			return false, invalid(InvalidFilter, "%s has no sub-attribute %q", a.Name, t.AttributePath.AttributeName)
		}
		_, v, present := getFold(obj, sa.Name)
		return compareValue(sa, strings.ToLower(string(t.Operator)), v, present, t.CompareValue)
	}
	return false, invalid(InvalidFilter, "value filters cannot nest")
}

func compareValue(a *Attr, op string, v any, present bool, want any) (bool, error) {
	if op == "pr" {
		return present && v != nil && v != "", nil
	}
	if a.Type == TBoolean {
		wb, ok := want.(bool)
		if !ok || op != "eq" && op != "ne" {
			return false, invalid(InvalidFilter, "compare %s with true or false using eq or ne", a.Name)
		}
		have, err := parseBool(v, a.Name)
		if err != nil {
			return op == "ne", nil
		}
		return (have == wb) == (op == "eq"), nil
	}
	ws, ok := want.(string)
	if !ok {
		return false, invalid(InvalidFilter, "compare %s with a string", a.Name)
	}
	hs, ok := v.(string)
	if !ok {
		return op == "ne", nil
	}
	if !a.CaseExact {
		hs, ws = strings.ToLower(hs), strings.ToLower(ws)
	}
	switch op {
	case "eq":
		return hs == ws, nil
	case "ne":
		return hs != ws, nil
	case "co":
		return strings.Contains(hs, ws), nil
	case "sw":
		return strings.HasPrefix(hs, ws), nil
	case "ew":
		return strings.HasSuffix(hs, ws), nil
	case "gt":
		return hs > ws, nil
	case "ge":
		return hs >= ws, nil
	case "lt":
		return hs < ws, nil
	case "le":
		return hs <= ws, nil
	}
	return false, invalid(InvalidFilter, "unknown operator %q", op)
}

// members turns a members operation into deltas: add and remove touch only the members
// named, so a group of any size is never truncated by a partial list.
func (p *Patcher) members(op string, parsed filter.Path, v any) error {
	if parsed.AttributePath.SubAttribute != nil || parsed.SubAttribute != nil {
		return invalid(InvalidPath, "members sub-attributes cannot be patched")
	}
	if parsed.ValueExpression != nil {
		if op != "remove" {
			return invalid(InvalidPath, "use add with a members list to add members")
		}
		ids, err := memberFilterIDs(parsed.ValueExpression)
		if err != nil {
			return err
		}
		p.Members = append(p.Members, MemberChange{Kind: "remove", IDs: ids})
		return nil
	}
	if op == "remove" && v == nil {
		p.Members = append(p.Members, MemberChange{Kind: "remove_all"})
		return nil
	}
	ids, err := memberValueIDs(v)
	if err != nil {
		return err
	}
	kind := map[string]string{"add": "add", "remove": "remove", "replace": "set"}[op]
	p.Members = append(p.Members, MemberChange{Kind: kind, IDs: ids})
	return nil
}

// memberValueIDs reads [{"value":"id"}, ...] (a single object is accepted too).
func memberValueIDs(v any) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	for _, e := range asList(v) {
		var raw any
		switch t := e.(type) {
		case map[string]any:
			_, raw, _ = getFold(t, "value")
		case string:
			raw = t
		}
		s, ok := raw.(string)
		if !ok {
			return nil, invalid(InvalidValue, "each member needs a string value (the user's id)")
		}
		id, err := uuid.Parse(s)
		if err != nil {
			return nil, invalid(InvalidValue, "member %q is not a user of this organization", truncate(s, 60))
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// memberFilterIDs reads members[value eq "a"] and members[value eq "a" or value eq "b"].
func memberFilterIDs(e filter.Expression) ([]uuid.UUID, error) {
	switch t := e.(type) {
	case *filter.AttributeExpression:
		if !strings.EqualFold(t.AttributePath.AttributeName, "value") || t.AttributePath.SubAttribute != nil ||
			!strings.EqualFold(string(t.Operator), "eq") {
			return nil, invalid(InvalidFilter, "member filters support value eq \"id\" (joined by or)")
		}
		s, ok := t.CompareValue.(string)
		if !ok {
			return nil, invalid(InvalidFilter, "member ids are strings")
		}
		id, err := uuid.Parse(s)
		if err != nil {
			return nil, nil // no such member: nothing to remove
		}
		return []uuid.UUID{id}, nil
	case *filter.LogicalExpression:
		if !strings.EqualFold(string(t.Operator), "or") {
			return nil, invalid(InvalidFilter, "member filters support value eq \"id\" joined by or")
		}
		l, err := memberFilterIDs(t.Left)
		if err != nil {
			return nil, err
		}
		r, err := memberFilterIDs(t.Right)
		if err != nil {
			return nil, err
		}
		return append(l, r...), nil
	}
	return nil, invalid(InvalidFilter, "member filters support value eq \"id\" (joined by or)")
}

// DecodeJSON decodes a JSON body into a generic map, keeping numbers exact.
func DecodeJSON(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, invalid(InvalidSyntax, "the body must be a JSON object")
	}
	if dec.More() {
		return nil, invalid(InvalidSyntax, "unexpected data after the JSON object")
	}
	return m, nil
}

// setExtension keeps an attribute of an extension schema this server does not model (Entra
// custom extension attributes, say) under its URN, as sent, so it is returned on read.
func (p *Patcher) setExtension(op, urn string, parsed filter.Path, v any) error {
	if !strings.HasPrefix(strings.ToLower(urn), "urn:") || len(urn) > 200 {
		return invalid(InvalidPath, "unknown schema %q", truncate(urn, 100))
	}
	if err := checkDepth(v, 1); err != nil {
		return err
	}
	ext, ok := p.Doc[urn].(map[string]any)
	if !ok {
		if op == "remove" {
			return nil
		}
		ext = map[string]any{}
		p.Doc[urn] = ext
	}
	name := parsed.AttributePath.AttributeName
	if parsed.AttributePath.SubAttribute == nil {
		if op == "remove" {
			deleteFold(ext, name)
		} else {
			ext[name] = v
		}
		return nil
	}
	sub, ok := ext[name].(map[string]any)
	if !ok {
		if op == "remove" {
			return nil
		}
		sub = map[string]any{}
		ext[name] = sub
	}
	if op == "remove" {
		deleteFold(sub, *parsed.AttributePath.SubAttribute)
	} else {
		sub[*parsed.AttributePath.SubAttribute] = v
	}
	return nil
}
