// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// Service owns app rules, their evaluation, claims and domain restrictions.
type Service struct {
	db       database.DB
	compiler *Compiler
	programs *programCache
	cache    *Cache
	recorder *Recorder
	resolver Resolver
	metrics  *Metrics
	log      *slog.Logger
}

// NewService returns the service. cache, recorder and metrics may be nil in tests that do not
// evaluate (a nil cache loads from the database every time).
func NewService(db database.DB, resolver Resolver, cache *Cache, recorder *Recorder, metrics *Metrics, log *slog.Logger) (*Service, error) {
	c, err := NewCompiler()
	if err != nil {
		return nil, err
	}
	if cache == nil {
		cache = NewCache()
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: db, compiler: c, programs: newProgramCache(), cache: cache, recorder: recorder,
		resolver: resolver, metrics: metrics, log: log}, nil
}

// Compiler returns the service's CEL compiler.
func (s *Service) Compiler() *Compiler { return s.compiler }

// RuleInput is a rule as an admin writes it.
type RuleInput struct {
	Name        string
	Description string
	Phase       Phase
	Action      Action
	Target      Target
	Scope       Scope
	Condition   string
	Priority    int32
	Tags        []string
	Enabled     *bool
	Mode        Mode
	Tests       []RuleTest
	ExternalKey *string
	// IfVersion, when set, must equal the current version (If-Match).
	IfVersion *int32
}

// Limits of rule fields.
const (
	maxNameLen  = 200
	maxDescLen  = 4000
	maxIDLen    = 200
	maxTools    = 200
	maxTags     = 50
	maxTagLen   = 100
	maxTests    = 50
	maxKeyLen   = 200
	maxTestName = 200
)

func validText(f *errcode.Fields, field, v string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(v) == "":
		f.Add(field, "is required")
	case utf8.RuneCountInString(v) > max:
		f.Add(field, "must be at most %d characters", max)
	case strings.ContainsAny(v, "\x00"):
		f.Add(field, "must not contain NUL characters")
	}
}

// normalize validates the input and returns the rule it describes (without ids), with the
// condition compiled. A condition problem is a 422 whose message is the CEL error text.
func (s *Service) normalize(ctx context.Context, orgID uuid.UUID, in RuleInput) (Rule, *Program, error) {
	var f errcode.Fields
	validText(&f, "name", in.Name, maxNameLen, true)
	if strings.ContainsAny(in.Name, "\r\n") {
		f.Add("name", "must not contain line breaks")
	}
	validText(&f, "description", in.Description, maxDescLen, false)
	r := Rule{OrgID: orgID, Name: strings.TrimSpace(in.Name), Description: in.Description, Phase: in.Phase, Action: in.Action,
		Condition: in.Condition, Priority: in.Priority, Enabled: true, Mode: in.Mode, ExternalKey: in.ExternalKey}
	if in.Enabled != nil {
		r.Enabled = *in.Enabled
	}
	if r.Mode == "" {
		r.Mode = ModeEnforce
	}
	if r.Phase != PreExecution && r.Phase != PostExecution {
		f.Add("phase", "must be PRE_EXECUTION or POST_EXECUTION")
	}
	if r.Action != ActionBlock && r.Action != ActionTag {
		f.Add("action", "must be BLOCK or TAG")
	}
	if r.Mode != ModeEnforce && r.Mode != ModeShadow {
		f.Add("mode", "must be ENFORCE or SHADOW")
	}
	r.Target = in.Target
	switch in.Target.Type {
	case TargetOrganization:
		if in.Target.ID != "" && in.Target.ID != orgID.String() {
			f.Add("target.id", "must be empty or this organization's id")
		}
		r.Target.ID = ""
	case TargetPermissionGroup, TargetUser:
		id, err := uuid.Parse(in.Target.ID)
		if err != nil {
			f.Add("target.id", "must be the UUID of a %s", strings.ToLower(strings.ReplaceAll(string(in.Target.Type), "_", " ")))
		} else {
			r.Target.ID = id.String()
		}
	case TargetAgent:
		validText(&f, "target.id", in.Target.ID, maxIDLen, true)
	default:
		f.Add("target.type", "must be ORGANIZATION, PERMISSION_GROUP, USER or AGENT")
	}
	validText(&f, "scope.server_id", in.Scope.ServerID, maxIDLen, false)
	r.Scope.ServerID = in.Scope.ServerID
	r.Scope.Tools = []string{}
	if len(in.Scope.Tools) > maxTools {
		f.Add("scope.tools", "must have at most %d entries", maxTools)
	}
	for i, t := range in.Scope.Tools {
		validText(&f, fmt.Sprintf("scope.tools[%d]", i), t, maxIDLen, true)
		if !slices.Contains(r.Scope.Tools, t) {
			r.Scope.Tools = append(r.Scope.Tools, t)
		}
	}
	slices.Sort(r.Scope.Tools)
	r.Tags = []string{}
	if len(in.Tags) > maxTags {
		f.Add("tags", "must have at most %d entries", maxTags)
	}
	for i, t := range in.Tags {
		validText(&f, fmt.Sprintf("tags[%d]", i), t, maxTagLen, true)
		if !slices.Contains(r.Tags, t) {
			r.Tags = append(r.Tags, t)
		}
	}
	if r.Action == ActionTag && len(r.Tags) == 0 {
		f.Add("tags", "a TAG rule needs at least one tag")
	}
	if in.ExternalKey != nil {
		validText(&f, "external_key", *in.ExternalKey, maxKeyLen, true)
	}
	if len(in.Tests) > maxTests {
		f.Add("tests", "must have at most %d entries", maxTests)
	}
	r.Tests = in.Tests
	if r.Tests == nil {
		r.Tests = []RuleTest{}
	}
	for i, t := range r.Tests {
		validText(&f, fmt.Sprintf("tests[%d].name", i), t.Name, maxTestName, true)
		if t.Expect != Allow && t.Expect != Block && t.Expect != Tag {
			f.Add(fmt.Sprintf("tests[%d].expect", i), "must be ALLOW, BLOCK or TAG")
		}
	}
	var prg *Program
	if r.Phase == PreExecution || r.Phase == PostExecution {
		p, err := s.compiler.Compile(r.Phase, r.Condition)
		if err != nil {
			ce := err.(*CompileError)
			if len(f) > 0 {
				f.Add("condition", "%s", ce.Message)
				return r, nil, f.Err()
			}
			return r, nil, conditionError(ce)
		}
		prg = p
	}
	if err := f.Err(); err != nil {
		return r, nil, err
	}
	// Rule tests run on every save; a rule whose tests fail is refused.
	var failures errcode.Fields
	for i, t := range r.Tests {
		got, err := RunTest(ctx, &r, prg, t.Input)
		if got != t.Expect {
			msg := fmt.Sprintf("test %q expected %s, got %s", t.Name, t.Expect, got)
			if err != nil {
				msg += " (evaluation error: " + err.Error() + ")"
			}
			failures.Add(fmt.Sprintf("tests[%d]", i), "%s", msg)
		}
	}
	if len(failures) > 0 {
		return r, nil, &errcode.Error{Code: errcode.Validation, Message: fmt.Sprintf("%d of %d rule tests failed", len(failures), len(r.Tests)), Fields: failures}
	}
	return r, prg, nil
}

func conditionError(ce *CompileError) error {
	return &errcode.Error{Code: errcode.Validation, Message: "the condition is invalid: " + ce.Message,
		Fields: []errcode.FieldError{{Field: "condition", Message: ce.Message}},
		Meta:   map[string]any{"line": ce.Line, "column": ce.Column}}
}

func sameRule(a, b Rule) bool {
	x, _ := json.Marshal(snapshotOf(a))
	y, _ := json.Marshal(snapshotOf(b))
	return string(x) == string(y)
}

func ruleSummary(r Rule) map[string]any {
	return map[string]any{"name": r.Name, "phase": r.Phase, "action": r.Action, "target": map[string]any{"type": r.Target.Type, "id": r.Target.ID},
		"scope": map[string]any{"server_id": r.Scope.ServerID, "tools": r.Scope.Tools}, "condition": r.Condition, "priority": r.Priority,
		"tags": r.Tags, "enabled": r.Enabled, "mode": r.Mode, "version": r.Version}
}

func (s *Service) writeVersion(ctx context.Context, q *dbsqlc.Queries, r Rule, change string) error {
	snap, err := json.Marshal(snapshotOf(r))
	if err != nil {
		return err
	}
	return q.AppRuleVersionInsert(ctx, dbsqlc.AppRuleVersionInsertParams{OrgID: r.OrgID, RuleID: r.ID, Version: r.Version,
		Change: change, Actor: audit.MetaFrom(ctx).ActorLabel, Snapshot: snap})
}

// CreateRule saves a new rule (version 1) after compiling its condition and running its tests.
func (s *Service) CreateRule(ctx context.Context, orgID uuid.UUID, in RuleInput) (Rule, error) {
	r, _, err := s.normalize(ctx, orgID, in)
	if err != nil {
		return Rule{}, err
	}
	r.ID, err = uuid.NewV7()
	if err != nil {
		return Rule{}, err
	}
	var out Rule
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := s.insert(ctx, q, r)
		if err != nil {
			return err
		}
		out = row
		if err := s.writeVersion(ctx, q, out, "CREATED"); err != nil {
			return err
		}
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "app_rule.created", TargetType: "app_rule",
			TargetID: out.ID.String(), Data: map[string]any{"after": ruleSummary(out)}})
	})
	s.changed(orgID, err)
	return out, err
}

// changed drops this replica's cached rule set at once after a committed change, so the
// writer reads its own write; other replicas hear of it through NOTIFY.
func (s *Service) changed(orgID uuid.UUID, err error) {
	if err == nil {
		s.cache.Invalidate(orgID)
	}
}

func (s *Service) insert(ctx context.Context, q *dbsqlc.Queries, r Rule) (Rule, error) {
	tests, err := json.Marshal(r.Tests)
	if err != nil {
		return Rule{}, err
	}
	row, err := q.AppRuleInsert(ctx, dbsqlc.AppRuleInsertParams{ID: r.ID, OrgID: r.OrgID, Name: r.Name, Description: r.Description,
		Phase: string(r.Phase), Action: string(r.Action), TargetType: string(r.Target.Type), TargetID: r.Target.ID,
		ScopeServerID: r.Scope.ServerID, ScopeTools: r.Scope.Tools, Condition: r.Condition, Priority: r.Priority, Tags: r.Tags,
		Enabled: r.Enabled, Mode: string(r.Mode), Tests: tests, ExternalKey: r.ExternalKey})
	if err != nil {
		return Rule{}, translate(err, "app rule")
	}
	return ruleFromRow(row), nil
}

// GetRule returns one rule of the org.
func (s *Service) GetRule(ctx context.Context, orgID, id uuid.UUID) (Rule, error) {
	row, err := dbsqlc.New(s.db).AppRuleGet(ctx, dbsqlc.AppRuleGetParams{OrgID: orgID, ID: id})
	if err != nil {
		return Rule{}, translate(err, "app rule")
	}
	return ruleFromRow(row), nil
}

// ListRules lists the org's rules after the given id, optionally of one phase.
func (s *Service) ListRules(ctx context.Context, orgID uuid.UUID, after *uuid.UUID, phase *string, limit int) ([]Rule, error) {
	rows, err := dbsqlc.New(s.db).AppRuleList(ctx, dbsqlc.AppRuleListParams{OrgID: orgID, AfterID: after, Phase: phase, Limit: int32(limit)})
	if err != nil {
		return nil, translate(err, "app rule")
	}
	out := make([]Rule, len(rows))
	for i, r := range rows {
		out[i] = ruleFromRow(r)
	}
	return out, nil
}

// UpdateRule replaces a rule. The same content again changes nothing (no new version).
func (s *Service) UpdateRule(ctx context.Context, orgID, id uuid.UUID, in RuleInput) (Rule, error) {
	r, _, err := s.normalize(ctx, orgID, in)
	if err != nil {
		return Rule{}, err
	}
	var out Rule
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		cur, err := q.AppRuleGetForUpdate(ctx, dbsqlc.AppRuleGetForUpdateParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "app rule")
		}
		out, err = s.update(ctx, q, ruleFromRow(cur), r, in.IfVersion)
		return err
	})
	s.changed(orgID, err)
	return out, err
}

func (s *Service) update(ctx context.Context, q *dbsqlc.Queries, before, r Rule, ifVersion *int32) (Rule, error) {
	if ifVersion != nil && *ifVersion != before.Version {
		return Rule{}, errcode.New(errcode.PreconditionFail, "the app rule changed since it was read (version %d, If-Match %d)", before.Version, *ifVersion)
	}
	if r.ExternalKey == nil {
		r.ExternalKey = before.ExternalKey
	}
	if sameRule(before, r) {
		return before, nil
	}
	tests, err := json.Marshal(r.Tests)
	if err != nil {
		return Rule{}, err
	}
	row, err := q.AppRuleUpdate(ctx, dbsqlc.AppRuleUpdateParams{OrgID: before.OrgID, ID: before.ID, Name: r.Name, Description: r.Description,
		Phase: string(r.Phase), Action: string(r.Action), TargetType: string(r.Target.Type), TargetID: r.Target.ID,
		ScopeServerID: r.Scope.ServerID, ScopeTools: r.Scope.Tools, Condition: r.Condition, Priority: r.Priority, Tags: r.Tags,
		Enabled: r.Enabled, Mode: string(r.Mode), Tests: tests, ExternalKey: r.ExternalKey})
	if err != nil {
		return Rule{}, translate(err, "app rule")
	}
	out := ruleFromRow(row)
	if err := s.writeVersion(ctx, q, out, "UPDATED"); err != nil {
		return Rule{}, err
	}
	return out, audit.Record(ctx, q, audit.Event{OrgID: before.OrgID, Type: "app_rule.updated", TargetType: "app_rule",
		TargetID: out.ID.String(), Data: map[string]any{"before": ruleSummary(before), "after": ruleSummary(out)}})
}

// UpsertRuleByKey creates or replaces the rule with this external key; the same body twice
// leaves it (and its version) unchanged. created reports whether it was created.
func (s *Service) UpsertRuleByKey(ctx context.Context, orgID uuid.UUID, key string, in RuleInput) (Rule, bool, error) {
	in.ExternalKey = &key
	r, _, err := s.normalize(ctx, orgID, in)
	if err != nil {
		return Rule{}, false, err
	}
	var out Rule
	created := false
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		cur, err := q.AppRuleGetByKeyForUpdate(ctx, dbsqlc.AppRuleGetByKeyForUpdateParams{OrgID: orgID, ExternalKey: key})
		if database.IsNoRows(err) {
			if in.IfVersion != nil {
				return errcode.New(errcode.PreconditionFail, "no app rule has this external_key yet")
			}
			if r.ID, err = uuid.NewV7(); err != nil {
				return err
			}
			if out, err = s.insert(ctx, q, r); err != nil {
				return err
			}
			created = true
			if err := s.writeVersion(ctx, q, out, "CREATED"); err != nil {
				return err
			}
			return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "app_rule.created", TargetType: "app_rule",
				TargetID: out.ID.String(), Data: map[string]any{"after": ruleSummary(out)}})
		}
		if err != nil {
			return translate(err, "app rule")
		}
		out, err = s.update(ctx, q, ruleFromRow(cur), r, in.IfVersion)
		return err
	})
	s.changed(orgID, err)
	return out, created, err
}

// DeleteRule deletes a rule; its history stays, ending with a DELETED version.
func (s *Service) DeleteRule(ctx context.Context, orgID, id uuid.UUID, ifVersion *int32) (err error) {
	defer func() { s.changed(orgID, err) }()
	return database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		cur, err := q.AppRuleGetForUpdate(ctx, dbsqlc.AppRuleGetForUpdateParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "app rule")
		}
		before := ruleFromRow(cur)
		if ifVersion != nil && *ifVersion != before.Version {
			return errcode.New(errcode.PreconditionFail, "the app rule changed since it was read (version %d, If-Match %d)", before.Version, *ifVersion)
		}
		if _, err := q.AppRuleDelete(ctx, dbsqlc.AppRuleDeleteParams{OrgID: orgID, ID: id}); err != nil {
			return translate(err, "app rule")
		}
		gone := before
		gone.Version++
		if err := s.writeVersion(ctx, q, gone, "DELETED"); err != nil {
			return err
		}
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "app_rule.deleted", TargetType: "app_rule",
			TargetID: id.String(), Data: map[string]any{"before": ruleSummary(before)}})
	})
}

// ListVersions returns a rule's history, newest first, before the given version.
func (s *Service) ListVersions(ctx context.Context, orgID, id uuid.UUID, before *int32, limit int) ([]RuleVersion, error) {
	rows, err := dbsqlc.New(s.db).AppRuleVersionList(ctx, dbsqlc.AppRuleVersionListParams{OrgID: orgID, RuleID: id, BeforeVersion: before, Limit: int32(limit)})
	if err != nil {
		return nil, translate(err, "app rule version")
	}
	if len(rows) == 0 && before == nil {
		return nil, errcode.New(errcode.NotFound, "app rule not found")
	}
	out := make([]RuleVersion, len(rows))
	for i, r := range rows {
		out[i] = versionFromRow(r)
	}
	return out, nil
}
