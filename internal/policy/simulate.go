// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// SimRule is one rule of a candidate set: an existing rule by id, or a draft (with an id it
// replaces that rule, without one it is added).
type SimRule struct {
	ID    *uuid.UUID
	Draft *RuleInput
}

// SimulateInput replays a candidate rule set over recorded calls in [From, To).
type SimulateInput struct {
	Rules []SimRule
	From  time.Time
	To    time.Time
	Limit int
}

// SimRuleResult is what one listed rule would do over the replayed calls.
type SimRuleResult struct {
	Index      int
	ID         *uuid.UUID
	Name       string
	WouldBlock []uuid.UUID
	WouldTag   []uuid.UUID
	Errors     []uuid.UUID
}

// SimulateResult is the replay's outcome and its difference against the enforced set.
type SimulateResult struct {
	Calls           int
	Rules           []SimRuleResult
	NewlyBlocked    []uuid.UUID
	NoLongerBlocked []uuid.UUID
	NewlyTagged     []uuid.UUID
}

// Simulation limits.
const (
	DefaultSimulateLimit = 1000
	MaxSimulateLimit     = 10000
	maxSimRules          = 100
)

// Simulate replays the candidate set: the org's enabled rules with the listed rules laid
// over them (all as ENFORCE), against the enforced set as it is now.
func (s *Service) Simulate(ctx context.Context, orgID uuid.UUID, in SimulateInput) (SimulateResult, error) {
	var f errcode.Fields
	if len(in.Rules) == 0 || len(in.Rules) > maxSimRules {
		f.Add("rules", "must list 1 to %d rules", maxSimRules)
	}
	if in.Limit == 0 {
		in.Limit = DefaultSimulateLimit
	}
	if in.Limit < 1 || in.Limit > MaxSimulateLimit {
		f.Add("limit", "must be from 1 to %d", MaxSimulateLimit)
	}
	if in.To.IsZero() {
		in.To = time.Now().Add(time.Second)
	}
	if in.From.IsZero() {
		in.From = in.To.Add(-30 * 24 * time.Hour)
	}
	if !in.From.Before(in.To) {
		f.Add("from", "must be before to")
	}
	if err := f.Err(); err != nil {
		return SimulateResult{}, err
	}
	q := dbsqlc.New(s.db)
	current, err := q.AppRuleListEnabled(ctx, orgID)
	if err != nil {
		return SimulateResult{}, err
	}
	enforced := make([]dbsqlc.AppRule, 0, len(current))
	for _, r := range current {
		if r.Mode == string(ModeEnforce) {
			enforced = append(enforced, r)
		}
	}
	base := s.buildRuleSet(enforced)

	// The candidate set: current enforced rules by id, then the listed rules over them.
	byID := map[uuid.UUID]*Rule{}
	var order []uuid.UUID
	for _, row := range enforced {
		r := ruleFromRow(row)
		byID[r.ID] = &r
		order = append(order, r.ID)
	}
	listed := make([]*Rule, len(in.Rules))
	var ids []uuid.UUID
	for _, sr := range in.Rules {
		if sr.ID != nil && sr.Draft == nil {
			ids = append(ids, *sr.ID)
		}
	}
	saved := map[uuid.UUID]dbsqlc.AppRule{}
	if len(ids) > 0 {
		rows, err := q.AppRuleGetMany(ctx, dbsqlc.AppRuleGetManyParams{OrgID: orgID, Ids: ids})
		if err != nil {
			return SimulateResult{}, err
		}
		for _, r := range rows {
			saved[r.ID] = r
		}
	}
	prgs := map[*Rule]*Program{}
	for i, sr := range in.Rules {
		var r Rule
		switch {
		case sr.Draft != nil:
			d, prg, err := s.normalize(ctx, orgID, *sr.Draft)
			if err != nil {
				return SimulateResult{}, prefixed(err, fmt.Sprintf("rules[%d]", i))
			}
			r = d
			if sr.ID != nil {
				r.ID = *sr.ID
			} else if r.ID, err = uuid.NewV7(); err != nil {
				return SimulateResult{}, err
			}
			r.Version = 0 // a draft
			prgs[&r] = prg
		case sr.ID != nil:
			row, ok := saved[*sr.ID]
			if !ok {
				return SimulateResult{}, errcode.Invalid(fmt.Sprintf("rules[%d].id", i), "no such app rule")
			}
			r = ruleFromRow(row)
		default:
			return SimulateResult{}, errcode.Invalid(fmt.Sprintf("rules[%d]", i), "give an id or a draft rule")
		}
		r.Mode, r.Enabled = ModeEnforce, true
		listed[i] = &r
		if _, ok := byID[r.ID]; !ok {
			order = append(order, r.ID)
		}
		byID[r.ID] = &r
	}
	candRules := make([]*Rule, 0, len(order))
	candPrgs := make([]*Program, 0, len(order))
	for _, id := range order {
		r := byID[id]
		candRules = append(candRules, r)
		candPrgs = append(candPrgs, s.programFor(r, prgs))
	}
	cand := NewRuleSet(candRules, candPrgs)
	singles := make([]*RuleSet, len(listed))
	out := SimulateResult{Rules: make([]SimRuleResult, len(listed))}
	for i, r := range listed {
		singles[i] = NewRuleSet([]*Rule{r}, []*Program{s.programFor(r, prgs)})
		out.Rules[i] = SimRuleResult{Index: i, Name: r.Name, WouldBlock: []uuid.UUID{}, WouldTag: []uuid.UUID{}, Errors: []uuid.UUID{}}
		if r.Version > 0 || in.Rules[i].ID != nil {
			id := r.ID
			out.Rules[i].ID = &id
		}
	}
	out.NewlyBlocked, out.NoLongerBlocked, out.NewlyTagged = []uuid.UUID{}, []uuid.UUID{}, []uuid.UUID{}

	rows, err := q.PolicyToolCallRange(ctx, dbsqlc.PolicyToolCallRangeParams{OrgID: orgID, FromAt: in.From, ToAt: in.To, Limit: int32(in.Limit)})
	if err != nil {
		return SimulateResult{}, err
	}
	ectx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for _, row := range rows {
		call, ok := replayCall(row)
		if !ok {
			continue
		}
		out.Calls++
		for i, single := range singles {
			res := single.Evaluate(ectx, call)
			switch {
			case len(res.Errors) > 0:
				out.Rules[i].Errors = append(out.Rules[i].Errors, row.ID)
			case res.Decision == Block:
				out.Rules[i].WouldBlock = append(out.Rules[i].WouldBlock, row.ID)
			case len(res.Tags) > 0:
				out.Rules[i].WouldTag = append(out.Rules[i].WouldTag, row.ID)
			}
		}
		before, after := base.Evaluate(ectx, call), cand.Evaluate(ectx, call)
		switch {
		case before.Decision != Block && after.Decision == Block:
			out.NewlyBlocked = append(out.NewlyBlocked, row.ID)
		case before.Decision == Block && after.Decision != Block:
			out.NoLongerBlocked = append(out.NoLongerBlocked, row.ID)
		}
		for _, t := range after.Tags {
			if !slices.Contains(before.Tags, t) {
				out.NewlyTagged = append(out.NewlyTagged, row.ID)
				break
			}
		}
	}
	return out, nil
}

func (s *Service) programFor(r *Rule, drafts map[*Rule]*Program) *Program {
	if p, ok := drafts[r]; ok {
		return p
	}
	return s.programs.get(r, func() (*Program, error) { return s.compiler.Compile(r.Phase, r.Condition) })
}

// replayCall rebuilds a recorded call with its recorded caller context and time.
func replayCall(row dbsqlc.PolicyToolCall) (*Call, bool) {
	args, err := DecodeJSON(row.Args)
	if err != nil {
		return nil, false
	}
	m, ok := args.(map[string]any)
	if !ok {
		return nil, false
	}
	var caller recordedCaller
	if err := json.Unmarshal(row.Caller, &caller); err != nil {
		return nil, false
	}
	call := &Call{Phase: Phase(row.Phase), ServerID: row.ServerID, ToolName: row.ToolName, Args: m, User: caller.User,
		Workspace: caller.Workspace, Agent: caller.Agent, Now: row.OccurredAt}
	if len(row.Output) > 0 {
		if call.Output, err = DecodeJSON(row.Output); err != nil {
			return nil, false
		}
		call.HasOutput = true
	}
	return call, true
}

// prefixed puts a path in front of a validation error's fields (rules[2].condition).
func prefixed(err error, prefix string) error {
	e, ok := errcode.As(err)
	if !ok || e.Code != errcode.Validation {
		return err
	}
	c := *e
	c.Fields = make([]errcode.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		c.Fields[i] = errcode.FieldError{Field: prefix + "." + f.Field, Message: f.Message}
	}
	return &c
}
