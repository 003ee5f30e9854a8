// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package scim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	filter "github.com/scim2/filter-parser/v2"
)

// maxFilterLen bounds the filter text; maxFilterNodes bounds the expression tree, so a
// hostile filter cannot make an enormous SQL statement.
const (
	maxFilterLen   = 4096
	maxFilterNodes = 64
)

// SQLFilter is a filter translated to a SQL boolean expression over the resource table
// (alias r). Values are never spliced into the text: they are in Args, referenced as $n.
type SQLFilter struct {
	Where string
	Args  []any
}

// ParseFilter parses a filter with the RFC 7644 grammar (attribute and operator names are
// case-insensitive). Anything the parser or the translation does not support is
// invalidFilter: a filter is never ignored.
func ParseFilter(raw string) (filter.Expression, error) {
	if len(raw) > maxFilterLen {
		return nil, invalid(InvalidFilter, "the filter is longer than %d characters", maxFilterLen)
	}
	e, err := filter.ParseFilter([]byte(raw))
	if err != nil || e == nil {
		return nil, invalid(InvalidFilter, "the filter is not valid SCIM filter syntax")
	}
	if n := countNodes(e); n > maxFilterNodes {
		return nil, invalid(InvalidFilter, "the filter has more than %d terms", maxFilterNodes)
	}
	if err := unescapeStrings(e); err != nil {
		return nil, err
	}
	return e, nil
}

// unescapeStrings decodes the JSON escapes of every string compare value: the parser returns
// the text between the quotes as written, so "q\"x" or "\u0041" would otherwise be compared
// literally. An unpaired surrogate reads as U+FFFD (as in request bodies); NUL is refused.
func unescapeStrings(e filter.Expression) error {
	switch t := e.(type) {
	case *filter.LogicalExpression:
		if err := unescapeStrings(t.Left); err != nil {
			return err
		}
		return unescapeStrings(t.Right)
	case *filter.NotExpression:
		return unescapeStrings(t.Expression)
	case *filter.ValuePath:
		return unescapeStrings(t.ValueFilter)
	case *filter.AttributeExpression:
		raw, ok := t.CompareValue.(string)
		if !ok {
			return nil
		}
		var s string
		if err := json.Unmarshal([]byte(`"`+raw+`"`), &s); err != nil {
			return invalid(InvalidFilter, "%q is not a valid string", truncate(raw, 100))
		}
		if strings.ContainsRune(s, 0) {
			return invalid(InvalidFilter, "filter values cannot contain NUL characters")
		}
		t.CompareValue = s
	}
	return nil
}

func countNodes(e filter.Expression) int {
	switch t := e.(type) {
	case *filter.LogicalExpression:
		return 1 + countNodes(t.Left) + countNodes(t.Right)
	case *filter.NotExpression:
		return 1 + countNodes(t.Expression)
	case *filter.ValuePath:
		return 1 + countNodes(t.ValueFilter)
	default:
		return 1
	}
}

// TranslateFilter turns a filter into SQL for the kind's table, with parameters numbered
// from firstArg.
func TranslateFilter(k Kind, raw string, firstArg int) (SQLFilter, error) {
	e, err := ParseFilter(raw)
	if err != nil {
		return SQLFilter{}, err
	}
	b := &sqlBuilder{kind: k, next: firstArg}
	where, err := b.expr(e)
	if err != nil {
		return SQLFilter{}, err
	}
	return SQLFilter{Where: where, Args: b.args}, nil
}

type sqlBuilder struct {
	kind Kind
	args []any
	next int
}

func (b *sqlBuilder) arg(v any) string {
	b.args = append(b.args, v)
	s := "$" + strconv.Itoa(b.next)
	b.next++
	return s
}

func (b *sqlBuilder) expr(e filter.Expression) (string, error) {
	switch t := e.(type) {
	case *filter.LogicalExpression:
		l, err := b.expr(t.Left)
		if err != nil {
			return "", err
		}
		r, err := b.expr(t.Right)
		if err != nil {
			return "", err
		}
		switch strings.ToLower(string(t.Operator)) {
		case "and":
			return "(" + l + " AND " + r + ")", nil
		case "or":
			return "(" + l + " OR " + r + ")", nil
		}
		return "", invalid(InvalidFilter, "unknown logical operator %q", t.Operator)
	case *filter.NotExpression:
		inner, err := b.expr(t.Expression)
		if err != nil {
			return "", err
		}
		return "(NOT " + inner + ")", nil
	case *filter.AttributeExpression:
		return b.attrExpr(t)
	case *filter.ValuePath:
		return b.valuePath(t)
	}
	return "", invalid(InvalidFilter, "unsupported filter expression")
}

func attrName(p filter.AttributePath) string { return p.String() }

// resolve finds the attribute a path names (URN prefix, name, optional sub-attribute).
func (b *sqlBuilder) resolve(p filter.AttributePath) (resolvedAttr, *Attr, error) {
	urn := ""
	if p.URIPrefix != nil {
		urn = *p.URIPrefix
	}
	ra, ok := lookupAttr(b.kind, urn, p.AttributeName)
	if !ok {
		return resolvedAttr{}, nil, invalid(InvalidFilter, "unknown attribute %q", attrName(p))
	}
	var sub *Attr
	if p.SubAttribute != nil {
		if sub = ra.attr.SubAttr(*p.SubAttribute); sub == nil {
			return resolvedAttr{}, nil, invalid(InvalidFilter, "unknown attribute %q", attrName(p))
		}
	}
	return ra, sub, nil
}

// jsonPath is the text[] path of an attribute inside the attrs column.
func jsonPath(ra resolvedAttr, names ...string) []string {
	var p []string
	if ra.schema == EnterpriseSchema {
		p = append(p, EnterpriseSchema)
	}
	return append(p, names...)
}

func (b *sqlBuilder) attrExpr(e *filter.AttributeExpression) (string, error) {
	ra, sub, err := b.resolve(e.AttributePath)
	if err != nil {
		return "", err
	}
	op := strings.ToLower(string(e.Operator))
	a := ra.attr
	name := a.Name
	// Columns and special attributes first.
	switch {
	case ra.common && name == "id":
		return b.compareID("r.id", op, e.CompareValue)
	case ra.common && name == "externalId":
		return b.compare("r.external_id", TString, true, op, e.CompareValue)
	case ra.common && name == "meta":
		if sub == nil {
			return b.presence("r.id IS NOT NULL", op)
		}
		switch sub.Name {
		case "created":
			return b.compare("r.created_at", TDateTime, false, op, e.CompareValue)
		case "lastModified":
			return b.compare("r.updated_at", TDateTime, false, op, e.CompareValue)
		case "resourceType":
			return b.compare(b.arg(map[Kind]string{KindUser: "User", KindGroup: "Group"}[b.kind]), TString, true, op, e.CompareValue)
		}
		return "", invalid(InvalidFilter, "filtering on meta.%s is not supported", sub.Name)
	case b.kind == KindUser && name == "userName":
		return b.compare("r.user_name", TString, false, op, e.CompareValue)
	case b.kind == KindUser && name == "active":
		return b.compare("r.active", TBoolean, false, op, e.CompareValue)
	case b.kind == KindGroup && name == "displayName":
		return b.compare("r.display_name", TString, false, op, e.CompareValue)
	case b.kind == KindUser && name == "groups", b.kind == KindGroup && name == "members":
		return b.membership(name, sub, op, e.CompareValue)
	}
	if a.Multi {
		// "emails eq x" compares the values; "emails.type eq x" the sub-attribute of any value.
		target := sub
		if target == nil {
			target = a.SubAttr("value")
		}
		if op == "pr" && sub == nil {
			return fmt.Sprintf("(jsonb_typeof(r.attrs #> %s::text[]) = 'array' AND jsonb_array_length(r.attrs #> %s::text[]) > 0)",
				b.arg(jsonPath(ra, a.Name)), b.arg(jsonPath(ra, a.Name))), nil
		}
		if target == nil {
			return "", invalid(InvalidFilter, "%q has no value to compare", attrName(e.AttributePath))
		}
		cond, err := b.compareJSON("e.v", []string{target.Name}, target, op, e.CompareValue)
		if err != nil {
			return "", err
		}
		return b.exists(ra, a.Name, cond), nil
	}
	if a.Type == TComplex {
		if sub == nil {
			if op == "pr" {
				return b.compareJSON("r.attrs", jsonPath(ra, a.Name), a, op, nil)
			}
			return "", invalid(InvalidFilter, "%q is complex; compare one of its sub-attributes", attrName(e.AttributePath))
		}
		return b.compareJSON("r.attrs", jsonPath(ra, a.Name, sub.Name), sub, op, e.CompareValue)
	}
	return b.compareJSON("r.attrs", jsonPath(ra, a.Name), a, op, e.CompareValue)
}

// exists is "some value of the multi-valued attribute satisfies cond" (cond uses e.v).
func (b *sqlBuilder) exists(ra resolvedAttr, name, cond string) string {
	p := b.arg(jsonPath(ra, name))
	return fmt.Sprintf("EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(r.attrs #> %s::text[]) = 'array' THEN r.attrs #> %s::text[] ELSE '[]'::jsonb END) AS e(v) WHERE %s)", p, p, cond)
}

func (b *sqlBuilder) valuePath(vp *filter.ValuePath) (string, error) {
	ra, sub, err := b.resolve(vp.AttributePath)
	if err != nil {
		return "", err
	}
	if sub != nil || !ra.attr.Multi || ra.attr.Type != TComplex {
		return "", invalid(InvalidFilter, "%q is not a multi-valued complex attribute", attrName(vp.AttributePath))
	}
	if b.kind == KindUser && ra.attr.Name == "groups" || b.kind == KindGroup && ra.attr.Name == "members" {
		// members[value eq "x"] is the only form membership filters support.
		ae, ok := vp.ValueFilter.(*filter.AttributeExpression)
		if !ok || ae.AttributePath.URIPrefix != nil || ae.AttributePath.SubAttribute != nil || !strings.EqualFold(ae.AttributePath.AttributeName, "value") {
			return "", invalid(InvalidFilter, "%s filters support only [value eq \"id\"]", ra.attr.Name)
		}
		return b.membership(ra.attr.Name, ra.attr.SubAttr("value"), strings.ToLower(string(ae.Operator)), ae.CompareValue)
	}
	cond, err := b.elementExpr(ra.attr, vp.ValueFilter)
	if err != nil {
		return "", err
	}
	return b.exists(ra, ra.attr.Name, cond), nil
}

// elementExpr translates the filter inside [...] over one element e.v.
func (b *sqlBuilder) elementExpr(parent *Attr, e filter.Expression) (string, error) {
	switch t := e.(type) {
	case *filter.LogicalExpression:
		l, err := b.elementExpr(parent, t.Left)
		if err != nil {
			return "", err
		}
		r, err := b.elementExpr(parent, t.Right)
		if err != nil {
			return "", err
		}
		if strings.EqualFold(string(t.Operator), "and") {
			return "(" + l + " AND " + r + ")", nil
		}
		return "(" + l + " OR " + r + ")", nil
	case *filter.NotExpression:
		inner, err := b.elementExpr(parent, t.Expression)
		if err != nil {
			return "", err
		}
		return "(NOT " + inner + ")", nil
	case *filter.AttributeExpression:
		if t.AttributePath.URIPrefix != nil || t.AttributePath.SubAttribute != nil {
			return "", invalid(InvalidFilter, "inside [ ] name a sub-attribute of %s", parent.Name)
		}
		sa := parent.SubAttr(t.AttributePath.AttributeName)
		if sa == nil {
			return "", invalid(InvalidFilter, "%s has no sub-attribute %q", parent.Name, t.AttributePath.AttributeName)
		}
		return b.compareJSON("e.v", []string{sa.Name}, sa, strings.ToLower(string(t.Operator)), t.CompareValue)
	}
	return "", invalid(InvalidFilter, "value filters cannot nest")
}

// membership filters users by group or groups by member (value eq "<id>").
func (b *sqlBuilder) membership(name string, sub *Attr, op string, v any) (string, error) {
	col, other := "gm.group_id", "gm.member_id"
	if b.kind == KindUser {
		col, other = "gm.member_id", "gm.group_id"
	}
	if op == "pr" && sub == nil {
		return fmt.Sprintf("EXISTS (SELECT 1 FROM scim_group_member gm WHERE %s = r.id)", col), nil
	}
	if sub != nil && sub.Name != "value" || op != "eq" && op != "ne" {
		return "", invalid(InvalidFilter, "%s supports only value eq/ne \"<id>\"", name)
	}
	s, ok := v.(string)
	if !ok {
		return "", invalid(InvalidFilter, "%s.value must be compared with a string", name)
	}
	id, err := uuid.Parse(s)
	cond := "false"
	if err == nil {
		cond = fmt.Sprintf("EXISTS (SELECT 1 FROM scim_group_member gm WHERE %s = r.id AND %s = %s::uuid)", col, other, b.arg(id))
	}
	if op == "ne" {
		return "(NOT " + cond + ")", nil
	}
	return cond, nil
}

func (b *sqlBuilder) presence(expr, op string) (string, error) {
	if op != "pr" {
		return "", invalid(InvalidFilter, "only pr applies here")
	}
	return expr, nil
}

func (b *sqlBuilder) compareID(col, op string, v any) (string, error) {
	if op == "pr" {
		return "true", nil
	}
	if op != "eq" && op != "ne" {
		return "", invalid(InvalidFilter, "id supports eq, ne and pr")
	}
	s, ok := v.(string)
	if !ok {
		return "", invalid(InvalidFilter, "id must be compared with a string")
	}
	id, err := uuid.Parse(s)
	if err != nil { // an id that cannot exist matches nothing (or everything, for ne)
		return map[string]string{"eq": "false", "ne": "true"}[op], nil
	}
	if op == "eq" {
		return col + " = " + b.arg(id) + "::uuid", nil
	}
	return col + " <> " + b.arg(id) + "::uuid", nil
}

// compareJSON compares a value inside a jsonb document (base #> path).
func (b *sqlBuilder) compareJSON(base string, path []string, a *Attr, op string, v any) (string, error) {
	p := b.arg(path)
	if op == "pr" {
		return fmt.Sprintf("COALESCE(%s #> %s::text[] NOT IN ('null'::jsonb, '\"\"'::jsonb, '[]'::jsonb, '{}'::jsonb), false)", base, p), nil
	}
	switch a.Type {
	case TBoolean:
		bv, err := filterBool(v, op)
		if err != nil {
			return "", err
		}
		cmp := "="
		if op == "ne" {
			return fmt.Sprintf("COALESCE(%s #> %s::text[] <> to_jsonb(%s::boolean), true)", base, p, b.arg(bv)), nil
		}
		return fmt.Sprintf("COALESCE(%s #> %s::text[] %s to_jsonb(%s::boolean), false)", base, p, cmp, b.arg(bv)), nil
	case TComplex:
		return "", invalid(InvalidFilter, "%s is complex; compare one of its sub-attributes", a.Name)
	}
	return b.compare(fmt.Sprintf("(%s #>> %s::text[])", base, p), a.Type, a.CaseExact, op, v)
}

func filterBool(v any, op string) (bool, error) {
	if op != "eq" && op != "ne" {
		return false, invalid(InvalidFilter, "booleans support eq, ne and pr")
	}
	bv, ok := v.(bool)
	if !ok {
		return false, invalid(InvalidFilter, "compare a boolean attribute with true or false")
	}
	return bv, nil
}

// compare builds a comparison of a text (or boolean/timestamp column) expression.
func (b *sqlBuilder) compare(col, typ string, caseExact bool, op string, v any) (string, error) {
	if op == "pr" {
		if typ == TString {
			return fmt.Sprintf("COALESCE(%s <> '', false)", col), nil
		}
		return col + " IS NOT NULL", nil
	}
	switch typ {
	case TBoolean:
		bv, err := filterBool(v, op)
		if err != nil {
			return "", err
		}
		if op == "ne" {
			return fmt.Sprintf("COALESCE(%s <> %s::boolean, true)", col, b.arg(bv)), nil
		}
		return fmt.Sprintf("COALESCE(%s = %s::boolean, false)", col, b.arg(bv)), nil
	case TDateTime:
		s, ok := v.(string)
		if !ok {
			return "", invalid(InvalidFilter, "compare a dateTime with an RFC 3339 string")
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return "", invalid(InvalidFilter, "%q is not an RFC 3339 dateTime", s)
		}
		sqlOp, ok := map[string]string{"eq": "=", "ne": "<>", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}[op]
		if !ok {
			return "", invalid(InvalidFilter, "dateTime supports eq ne gt ge lt le pr")
		}
		// Stored times have microsecond precision; compare at that precision.
		return fmt.Sprintf("COALESCE(date_trunc('milliseconds', (%s)::timestamptz) %s date_trunc('milliseconds', %s::timestamptz), %t)", col, sqlOp, b.arg(t), op == "ne"), nil
	}
	s, ok := v.(string)
	if !ok {
		return "", invalid(InvalidFilter, "compare a string attribute with a string")
	}
	lhs, rhs := col, b.arg(s)+"::text"
	if !caseExact {
		lhs, rhs = "lower("+lhs+")", "lower("+rhs+")"
	}
	var expr string
	switch op {
	case "eq":
		expr = lhs + " = " + rhs
	case "ne":
		return fmt.Sprintf("(%s IS NULL OR %s <> %s)", col, lhs, rhs), nil
	case "co":
		expr = fmt.Sprintf("strpos(%s, %s) > 0", lhs, rhs)
	case "sw":
		expr = fmt.Sprintf("starts_with(%s, %s)", lhs, rhs)
	case "ew":
		expr = fmt.Sprintf("right(%s, char_length(%s)) = %s", lhs, rhs, rhs)
	case "gt", "ge", "lt", "le":
		sqlOp := map[string]string{"gt": ">", "ge": ">=", "lt": "<", "le": "<="}[op]
		expr = fmt.Sprintf(`%s COLLATE "C" %s %s COLLATE "C"`, lhs, sqlOp, rhs)
	default:
		return "", invalid(InvalidFilter, "unknown operator %q", op)
	}
	// "expr AND col IS NOT NULL" is false, never NULL, for a missing value (so NOT works as
	// RFC 7644 expects), and unlike COALESCE it leaves expr indexable (userName eq, externalId eq).
	return "(" + expr + " AND " + col + " IS NOT NULL)", nil
}
