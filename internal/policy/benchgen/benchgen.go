// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package benchgen builds the policy benchmark workload of SPEC §10: an org with n app rules
// of which a given number apply to one call, as CEL rules for this product and as the
// equivalent Rego module for the OPA reference measured in the same run.
package benchgen

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/internal/policy"
)

// Workload is the rule set, the call, and the same call and rules for OPA.
type Workload struct {
	Rules []*policy.Rule
	Call  *policy.Call
	// Input is the call as OPA's input document; Rego is the module; Query its entry point.
	Input map[string]any
	Rego  string
	Query string
}

// New builds n rules of which applicable apply to the call. Applicable rule 0 is a TAG rule
// that matches; the other applicable rules are BLOCK rules that do not match, so every
// applicable rule is evaluated (no short-circuit helps) and the answer is ALLOW with a tag.
// The rest target other servers, groups and users, as in a real org.
func New(n, applicable int) Workload {
	w := Workload{Query: "data.app.result"}
	var rego strings.Builder
	rego.WriteString("package app\n\nimport rego.v1\n\ndefault decision := \"ALLOW\"\n\ndecision := \"BLOCK\" if count(block) > 0\n\n")
	rego.WriteString("result := {\"decision\": decision, \"tags\": tag, \"blocked_by\": block}\n\n")
	for i := range n {
		r := &policy.Rule{ID: uuid.Must(uuid.NewV7()), Name: fmt.Sprintf("r%d", i), Phase: policy.PreExecution, Action: policy.ActionBlock,
			Target: policy.Target{Type: policy.TargetOrganization}, Enabled: true, Mode: policy.ModeEnforce, Version: 1, Priority: int32(i % 7)}
		var guard string // the Rego equivalent of target and scope
		if i < applicable {
			r.Scope.ServerID = "github"
			guard = `input.server_id == "github"`
		} else {
			switch i % 3 {
			case 0:
				r.Scope.ServerID = fmt.Sprintf("srv-%d", i)
				guard = fmt.Sprintf(`input.server_id == "srv-%d"`, i)
			case 1:
				r.Target = policy.Target{Type: policy.TargetPermissionGroup, ID: fmt.Sprintf("g-%d", i)}
				guard = fmt.Sprintf(`input.user.group_id == "g-%d"`, i)
			default:
				r.Target = policy.Target{Type: policy.TargetUser, ID: fmt.Sprintf("u-%d", i)}
				guard = fmt.Sprintf(`input.user.id == "u-%d"`, i)
			}
		}
		var body string
		switch {
		case i == 0:
			r.Action, r.Tags = policy.ActionTag, []string{"public-repo"}
			r.Condition = `args.repo.startsWith("pub")`
			fmt.Fprintf(&rego, "tag contains \"public-repo\" if {\n\t%s\n\tstartswith(input.args.repo, \"pub\")\n}\n\n", guard)
			w.Rules = append(w.Rules, r)
			continue
		case i%3 == 0:
			r.Condition = fmt.Sprintf(`args.repo == "secret-%d"`, i)
			body = fmt.Sprintf(`input.args.repo == "secret-%d"`, i)
		case i%3 == 1:
			r.Condition = fmt.Sprintf(`has(args.labels) && "prod-%d" in args.labels`, i)
			body = fmt.Sprintf(`"prod-%d" in input.args.labels`, i)
		default:
			r.Condition = fmt.Sprintf(`user.email.endsWith("@evil-%d.com")`, i)
			body = fmt.Sprintf(`endswith(input.user.email, "@evil-%d.com")`, i)
		}
		fmt.Fprintf(&rego, "block contains %q if {\n\t%s\n\t%s\n}\n\n", r.Name, guard, body)
		w.Rules = append(w.Rules, r)
	}
	w.Rego = rego.String()
	args := map[string]any{"repo": "public-site", "labels": []any{"dev", "docs"}, "count": int64(3)}
	w.Call = &policy.Call{Phase: policy.PreExecution, ServerID: "github", ToolName: "createIssue", Args: args,
		User:      policy.UserCtx{ID: "u-self", Email: "ann@acme.com", Role: "MEMBER", GroupID: "g-self", GroupName: "Engineers"},
		Workspace: policy.WorkspaceCtx{ID: "w1", Name: "Main"}, Now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	w.Input = map[string]any{"server_id": "github", "tool_name": "createIssue", "args": args,
		"user":      map[string]any{"id": "u-self", "email": "ann@acme.com", "role": "MEMBER", "group_id": "g-self", "group_name": "Engineers"},
		"workspace": map[string]any{"id": "w1", "name": "Main"}}
	return w
}

// RuleSet compiles the workload's rules.
func (w Workload) RuleSet() (*policy.RuleSet, error) {
	c, err := policy.NewCompiler()
	if err != nil {
		return nil, err
	}
	prgs := make([]*policy.Program, len(w.Rules))
	for i, r := range w.Rules {
		if prgs[i], err = c.Compile(r.Phase, r.Condition); err != nil {
			return nil, fmt.Errorf("rule %d: %w", i, err)
		}
	}
	return policy.NewRuleSet(w.Rules, prgs), nil
}
