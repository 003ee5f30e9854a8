// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package policy

import (
	"bytes"
	"context"
	"slices"
	"time"
)

// compiled is a rule ready to evaluate.
type compiled struct {
	rule *Rule
	prg  *Program
	// rank orders equal priorities: the more specific target first.
	rank int
}

func rankOf(t TargetType) int {
	switch t {
	case TargetAgent:
		return 0
	case TargetUser:
		return 1
	case TargetPermissionGroup:
		return 2
	default:
		return 3
	}
}

// before is the evaluation order of SPEC §5.1: priority ascending, then the more specific
// target (agent > user > group > org), then id.
func before(a, b *compiled) bool {
	if a.rule.Priority != b.rule.Priority {
		return a.rule.Priority < b.rule.Priority
	}
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	return bytes.Compare(a.rule.ID[:], b.rule.ID[:]) < 0
}

type targetKey struct {
	typ TargetType
	id  string
}

// serverIndex splits a target's rules by scope server; any holds rules for every server.
type serverIndex struct {
	byServer map[string][]*compiled
	any      []*compiled
}

// RuleSet is an org's enabled rules, compiled and indexed by phase, target and server so a
// call only looks at the rules that can apply to it.
type RuleSet struct {
	phases [2]map[targetKey]*serverIndex
	size   int
}

func phaseIdx(p Phase) int {
	if p == PostExecution {
		return 1
	}
	return 0
}

// Len is the number of rules in the set.
func (s *RuleSet) Len() int { return s.size }

// NewRuleSet indexes compiled rules. Disabled rules are left out.
func NewRuleSet(rules []*Rule, programs []*Program) *RuleSet {
	s := &RuleSet{}
	for i := range s.phases {
		s.phases[i] = map[targetKey]*serverIndex{}
	}
	for i, r := range rules {
		if !r.Enabled {
			continue
		}
		c := &compiled{rule: r, prg: programs[i], rank: rankOf(r.Target.Type)}
		key := targetKey{typ: r.Target.Type, id: r.Target.ID}
		if r.Target.Type == TargetOrganization {
			key.id = ""
		}
		m := s.phases[phaseIdx(r.Phase)]
		idx := m[key]
		if idx == nil {
			idx = &serverIndex{byServer: map[string][]*compiled{}}
			m[key] = idx
		}
		if r.Scope.ServerID == "" {
			idx.any = append(idx.any, c)
		} else {
			idx.byServer[r.Scope.ServerID] = append(idx.byServer[r.Scope.ServerID], c)
		}
		s.size++
	}
	return s
}

// applicable returns the rules that apply to call, in evaluation order.
func (s *RuleSet) applicable(call *Call, buf []*compiled) []*compiled {
	m := s.phases[phaseIdx(call.Phase)]
	out := buf[:0]
	add := func(key targetKey) {
		idx := m[key]
		if idx == nil {
			return
		}
		for _, list := range [2][]*compiled{idx.any, idx.byServer[call.ServerID]} {
			for _, c := range list {
				if len(c.rule.Scope.Tools) == 0 || slices.Contains(c.rule.Scope.Tools, call.ToolName) {
					out = append(out, c)
				}
			}
		}
	}
	add(targetKey{typ: TargetOrganization})
	if call.User.GroupID != "" {
		add(targetKey{typ: TargetPermissionGroup, id: call.User.GroupID})
	}
	if call.User.ID != "" {
		add(targetKey{typ: TargetUser, id: call.User.ID})
	}
	if call.Agent != nil && call.Agent.ID != "" {
		add(targetKey{typ: TargetAgent, id: call.Agent.ID})
	}
	// Few rules apply to one call: insertion sort beats sort.Slice and allocates nothing.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && before(out[j], out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// Evaluate decides a call (SPEC §5.1). Rules run in order; the first ENFORCE BLOCK that
// matches decides BLOCK and later BLOCK rules are skipped; every applicable TAG rule is
// evaluated and matching ones accumulate tags; SHADOW rules are evaluated and reported but
// never change the decision; an ENFORCE rule that fails to evaluate decides BLOCK with
// reason EVALUATION_ERROR (fail-closed). No match is ALLOW.
func (s *RuleSet) Evaluate(ctx context.Context, call *Call) Result {
	var buf [32]*compiled
	rules := s.applicable(call, buf[:])
	res := Result{Decision: Allow, Reason: ReasonNoMatch}
	if len(rules) == 0 {
		return res
	}
	act := newActivation(call)
	defer act.release()
	decided := false
	for _, c := range rules {
		r := c.rule
		if r.Mode == ModeShadow {
			ok, err := c.prg.eval(ctx, act)
			if err != nil {
				res.Shadow = append(res.Shadow, MatchedRule{ID: r.ID, Version: r.Version, Action: r.Action, Mode: r.Mode, Error: err.Error()})
			} else if ok {
				res.Shadow = append(res.Shadow, MatchedRule{ID: r.ID, Version: r.Version, Action: r.Action, Mode: r.Mode})
			}
			continue
		}
		if decided && r.Action == ActionBlock {
			continue // short-circuit: the decision is made; nothing after it can unblock
		}
		ok, err := c.prg.eval(ctx, act)
		if err != nil {
			m := MatchedRule{ID: r.ID, Version: r.Version, Action: r.Action, Mode: r.Mode, Error: err.Error()}
			res.Errors = append(res.Errors, m)
			if !decided {
				decided = true
				res.Decision, res.Reason = Block, ReasonEvaluationError
				res.Matched = append(res.Matched, m)
			}
			continue
		}
		if !ok {
			continue
		}
		res.Matched = append(res.Matched, MatchedRule{ID: r.ID, Version: r.Version, Action: r.Action, Mode: r.Mode})
		if r.Action == ActionTag {
			for _, t := range r.Tags {
				if !slices.Contains(res.Tags, t) {
					res.Tags = append(res.Tags, t)
				}
			}
			continue
		}
		decided = true
		res.Decision, res.Reason = Block, ReasonRuleMatched
	}
	return res
}

// RunTest evaluates one rule alone over a fixture: ALLOW when the rule does not apply (phase
// or scope) or does not match, its action when it matches, BLOCK when it fails to evaluate
// (what an ENFORCE rule would do). The target is not checked: fixtures describe the caller.
func RunTest(ctx context.Context, r *Rule, prg *Program, in TestInput) (Decision, error) {
	call := &Call{Phase: r.Phase, ServerID: in.ServerID, ToolName: in.ToolName, Output: in.Output,
		HasOutput: r.Phase == PostExecution}
	if r.Scope.ServerID != "" && r.Scope.ServerID != in.ServerID {
		return Allow, nil
	}
	if len(r.Scope.Tools) > 0 && !slices.Contains(r.Scope.Tools, in.ToolName) {
		return Allow, nil
	}
	args, err := NormalizeArgs(in.Args)
	if err != nil {
		return Block, err
	}
	call.Args = args
	if call.Output, err = NormalizeJSON(in.Output); err != nil {
		return Block, err
	}
	if in.User != nil {
		call.User = *in.User
	}
	if in.Workspace != nil {
		call.Workspace = *in.Workspace
	}
	call.Agent = in.Agent
	call.Now = testNow
	if in.Now != nil {
		call.Now = *in.Now
	}
	act := newActivation(call)
	defer act.release()
	ok, err := prg.eval(ctx, act)
	switch {
	case err != nil:
		return Block, err
	case !ok:
		return Allow, nil
	case r.Action == ActionTag:
		return Tag, nil
	default:
		return Block, nil
	}
}

// testNow is `now` in rule tests that give none: fixed, so a saved rule's tests never start
// failing on their own as time passes.
var testNow = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
