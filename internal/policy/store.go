// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package policy

import (
	"bytes"
	"encoding/json"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

func ruleFromRow(r dbsqlc.AppRule) Rule {
	rule := Rule{ID: r.ID, OrgID: r.OrgID, Name: r.Name, Description: r.Description, Phase: Phase(r.Phase),
		Action: Action(r.Action), Target: Target{Type: TargetType(r.TargetType), ID: r.TargetID},
		Scope: Scope{ServerID: r.ScopeServerID, Tools: r.ScopeTools}, Condition: r.Condition, Priority: r.Priority,
		Tags: r.Tags, Enabled: r.Enabled, Mode: Mode(r.Mode), ExternalKey: r.ExternalKey, Version: r.Version,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	rule.Tests = decodeTests(r.Tests)
	return rule
}

// decodeTests reads stored fixtures keeping their integers exact.
func decodeTests(raw []byte) []RuleTest {
	var tests []RuleTest
	if len(raw) == 0 {
		return []RuleTest{}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&tests); err != nil || tests == nil {
		return []RuleTest{}
	}
	return tests
}

// ruleSnapshot is the JSON kept in app_rule_version: the whole rule as it was.
type ruleSnapshot struct {
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Phase       Phase      `json:"phase"`
	Action      Action     `json:"action"`
	TargetType  TargetType `json:"target_type"`
	TargetID    string     `json:"target_id"`
	ServerID    string     `json:"scope_server_id"`
	Tools       []string   `json:"scope_tools"`
	Condition   string     `json:"condition"`
	Priority    int32      `json:"priority"`
	Tags        []string   `json:"tags"`
	Enabled     bool       `json:"enabled"`
	Mode        Mode       `json:"mode"`
	Tests       []RuleTest `json:"tests"`
	ExternalKey *string    `json:"external_key"`
}

func snapshotOf(r Rule) ruleSnapshot {
	return ruleSnapshot{Name: r.Name, Description: r.Description, Phase: r.Phase, Action: r.Action, TargetType: r.Target.Type,
		TargetID: r.Target.ID, ServerID: r.Scope.ServerID, Tools: r.Scope.Tools, Condition: r.Condition, Priority: r.Priority,
		Tags: r.Tags, Enabled: r.Enabled, Mode: r.Mode, Tests: r.Tests, ExternalKey: r.ExternalKey}
}

func (s ruleSnapshot) apply(r *Rule) {
	r.Name, r.Description, r.Phase, r.Action = s.Name, s.Description, s.Phase, s.Action
	r.Target, r.Scope = Target{Type: s.TargetType, ID: s.TargetID}, Scope{ServerID: s.ServerID, Tools: s.Tools}
	r.Condition, r.Priority, r.Tags, r.Enabled, r.Mode, r.Tests, r.ExternalKey = s.Condition, s.Priority, s.Tags, s.Enabled, s.Mode, s.Tests, s.ExternalKey
}

func versionFromRow(v dbsqlc.AppRuleVersion) RuleVersion {
	out := RuleVersion{RuleID: v.RuleID, Version: v.Version, Change: v.Change, Actor: v.Actor, CreatedAt: v.CreatedAt}
	var snap ruleSnapshot
	dec := json.NewDecoder(bytes.NewReader(v.Snapshot))
	dec.UseNumber()
	_ = dec.Decode(&snap)
	out.Rule = Rule{ID: v.RuleID, OrgID: v.OrgID, Version: v.Version, CreatedAt: v.CreatedAt, UpdatedAt: v.CreatedAt}
	snap.apply(&out.Rule)
	if out.Rule.Tests == nil {
		out.Rule.Tests = []RuleTest{}
	}
	return out
}

func claimFromRow(r dbsqlc.AppClaim) Claim {
	return Claim{ID: r.ID, OrgID: r.OrgID, Provider: r.Provider, ExternalWorkspaceID: r.ExternalWorkspaceID,
		DisplayName: r.DisplayName, Enabled: r.Enabled, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func restrictionFromRow(r dbsqlc.DomainRestriction) DomainRestriction {
	return DomainRestriction{ID: r.ID, OrgID: r.OrgID, Provider: r.Provider, Domains: r.Domains, Version: r.Version,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// translate turns Postgres errors into domain errors.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	if database.IsNoRows(err) {
		return errcode.New(errcode.NotFound, "%s not found", what)
	}
	if c, ok := database.UniqueViolation(err); ok {
		switch c {
		case "app_rule_external_key":
			return &errcode.Error{Code: errcode.Conflict, Message: "an app rule with this external_key already exists",
				Fields: []errcode.FieldError{{Field: "external_key", Message: "already taken"}}}
		case "app_claim_enabled_key":
			return errcode.New(errcode.Conflict, "this provider workspace is already claimed by an organization")
		case "app_claim_org_key":
			return errcode.New(errcode.Conflict, "this organization already has a claim on this provider workspace")
		case "domain_restriction_provider_key":
			return &errcode.Error{Code: errcode.Conflict, Message: "a domain restriction for this provider already exists",
				Fields: []errcode.FieldError{{Field: "provider", Message: "already restricted; update the existing restriction"}}}
		}
		return errcode.New(errcode.Conflict, "%s already exists", what)
	}
	if _, ok := database.ForeignKeyViolation(err); ok {
		return errcode.New(errcode.NotFound, "a referenced resource of this %s does not exist", what)
	}
	return err
}
