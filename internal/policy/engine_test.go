// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

var testCompiler = func() *Compiler {
	c, err := NewCompiler()
	if err != nil {
		panic(err)
	}
	return c
}()

type ruleOpt func(*Rule)

func withTarget(t TargetType, id string) ruleOpt {
	return func(r *Rule) { r.Target = Target{Type: t, ID: id} }
}
func withPriority(p int32) ruleOpt { return func(r *Rule) { r.Priority = p } }
func withAction(a Action, tags ...string) ruleOpt {
	return func(r *Rule) { r.Action, r.Tags = a, tags }
}
func withMode(m Mode) ruleOpt   { return func(r *Rule) { r.Mode = m } }
func withPhase(p Phase) ruleOpt { return func(r *Rule) { r.Phase = p } }
func withScope(server string, tools ...string) ruleOpt {
	return func(r *Rule) { r.Scope = Scope{ServerID: server, Tools: tools} }
}
func disabled() ruleOpt { return func(r *Rule) { r.Enabled = false } }

func newRule(t testing.TB, cond string, opts ...ruleOpt) *Rule {
	t.Helper()
	r := &Rule{ID: uuid.Must(uuid.NewV7()), Name: "r", Phase: PreExecution, Action: ActionBlock,
		Target: Target{Type: TargetOrganization}, Condition: cond, Enabled: true, Mode: ModeEnforce, Version: 1}
	for _, o := range opts {
		o(r)
	}
	return r
}

func ruleSet(t testing.TB, rules ...*Rule) *RuleSet {
	t.Helper()
	prgs := make([]*Program, len(rules))
	for i, r := range rules {
		p, err := testCompiler.Compile(r.Phase, r.Condition)
		require.NoError(t, err, "rule %q", r.Condition)
		prgs[i] = p
	}
	return NewRuleSet(rules, prgs)
}

func mustArgs(t testing.TB, s string) map[string]any {
	t.Helper()
	v, err := DecodeJSON([]byte(s))
	require.NoError(t, err)
	return v.(map[string]any)
}

func baseCall(t testing.TB, args string) *Call {
	return &Call{Phase: PreExecution, ServerID: "github", ToolName: "createIssue", Args: mustArgs(t, args),
		User:      UserCtx{ID: "u1", Email: "ann@acme.com", Role: "MEMBER", GroupID: "g1", GroupName: "Engineers"},
		Workspace: WorkspaceCtx{ID: "w1", Name: "Main"}, Now: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
}

func TestConditionSemantics(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		cond string
		args string
		want Decision
		// reason is checked when set
		reason string
	}{
		{"plain match", `args.repo == "secret"`, `{"repo":"secret"}`, Block, ReasonRuleMatched},
		{"plain miss", `args.repo == "secret"`, `{"repo":"public"}`, Allow, ReasonNoMatch},
		{"missing key errors: fail-closed", `args.repo == "secret"`, `{}`, Block, ReasonEvaluationError},
		{"error absorbed by || true", `args.missing == 1 || true`, `{}`, Block, ReasonRuleMatched},
		{"error absorbed by true ||", `true || args.missing == 1`, `{}`, Block, ReasonRuleMatched},
		{"error || false stays an error", `args.missing == 1 || false`, `{}`, Block, ReasonEvaluationError},
		{"error absorbed by && false", `args.missing == 1 && false`, `{}`, Allow, ReasonNoMatch},
		{"false && error absorbed", `false && args.missing == 1`, `{}`, Allow, ReasonNoMatch},
		{"error && true stays an error", `args.missing == 1 && true`, `{}`, Block, ReasonEvaluationError},
		{"has on missing key", `has(args.repo)`, `{}`, Allow, ReasonNoMatch},
		{"has on present key", `has(args.repo)`, `{"repo":1}`, Block, ReasonRuleMatched},
		{"has on missing nested parent errors", `has(args.a.b)`, `{}`, Block, ReasonEvaluationError},
		{"has guarded by parent", `has(args.a) && has(args.a.b)`, `{}`, Allow, ReasonNoMatch},
		{"has on nested present", `has(args.a) && has(args.a.b)`, `{"a":{"b":null}}`, Block, ReasonRuleMatched},
		{"optional chain on missing", `args.?a.?b.orValue("none") == "none"`, `{}`, Block, ReasonRuleMatched},
		{"optional chain present", `args.?a.?b.orValue("none") == "x"`, `{"a":{"b":"x"}}`, Block, ReasonRuleMatched},
		{"optional hasValue", `args.?a.hasValue()`, `{}`, Allow, ReasonNoMatch},
		{"non-identifier key", `args["x-y"] == "z"`, `{"x-y":"z"}`, Block, ReasonRuleMatched},
		{"key with dots and spaces", `args["a.b c"] == 1`, `{"a.b c":1}`, Block, ReasonRuleMatched},
		{"in on keys", `"x-y" in args`, `{"x-y":0}`, Block, ReasonRuleMatched},
		{"2^53+1 exact", `args.n == 9007199254740993`, `{"n":9007199254740993}`, Block, ReasonRuleMatched},
		{"2^53+1 not equal 2^53", `args.n == 9007199254740992`, `{"n":9007199254740993}`, Allow, ReasonNoMatch},
		{"2^53+1 greater than 2^53", `args.n > 9007199254740992`, `{"n":9007199254740993}`, Block, ReasonRuleMatched},
		{"int64 max exact", `args.n == 9223372036854775807`, `{"n":9223372036854775807}`, Block, ReasonRuleMatched},
		{"above int64 is uint", `args.n == 9223372036854775808u`, `{"n":9223372036854775808}`, Block, ReasonRuleMatched},
		{"above int64 compares with int", `args.n > 9223372036854775807`, `{"n":9223372036854775808}`, Block, ReasonRuleMatched},
		{"uint64 max exact", `args.n == 18446744073709551615u`, `{"n":18446744073709551615}`, Block, ReasonRuleMatched},
		{"uint64 max minus one differs", `args.n == 18446744073709551614u`, `{"n":18446744073709551615}`, Allow, ReasonNoMatch},
		{"negative int64 min", `args.n == -9223372036854775808`, `{"n":-9223372036854775808}`, Block, ReasonRuleMatched},
		{"int equals double", `args.n == 1.0`, `{"n":1}`, Block, ReasonRuleMatched},
		{"decimal stays double", `args.n > 1`, `{"n":1.5}`, Block, ReasonRuleMatched},
		{"type error at runtime", `args.n + 1 == 2`, `{"n":"one"}`, Block, ReasonEvaluationError},
		{"string functions", `args.url.startsWith("https://evil.")`, `{"url":"https://evil.example"}`, Block, ReasonRuleMatched},
		{"regex", `args.email.matches("^[^@]+@acme\\.com$")`, `{"email":"a@acme.com"}`, Block, ReasonRuleMatched},
		{"user and workspace", `user.group_name == "Engineers" && workspace.name == "Main" && user.role == "MEMBER"`, `{}`, Block, ReasonRuleMatched},
		{"agent null", `agent == null`, `{}`, Block, ReasonRuleMatched},
		{"agent guarded", `agent != null && agent.name == "bot"`, `{}`, Allow, ReasonNoMatch},
		{"now", `now > timestamp("2026-01-01T00:00:00Z")`, `{}`, Block, ReasonRuleMatched},
		{"tool and server", `tool_name == "createIssue" && server_id == "github"`, `{}`, Block, ReasonRuleMatched},
		{"exists over list", `args.labels.exists(l, l == "prod")`, `{"labels":["dev","prod"]}`, Block, ReasonRuleMatched},
		{"size", `size(args.body) > 3`, `{"body":"hello"}`, Block, ReasonRuleMatched},
		{"division by zero is an error", `args.n / 0 == 1`, `{"n":1}`, Block, ReasonEvaluationError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rs := ruleSet(t, newRule(t, tc.cond))
			res := rs.Evaluate(context.Background(), baseCall(t, tc.args))
			require.Equal(t, tc.want, res.Decision, "%+v", res)
			if tc.reason != "" {
				require.Equal(t, tc.reason, res.Reason, "%+v", res)
			}
		})
	}
}

func TestCompileRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, cond string
		phase      Phase
		contains   string
		line, col  int
	}{
		{"syntax", `args.x ==`, PreExecution, "Syntax error", 1, 10},
		{"syntax second line", "args.x == 1 &&\n  (", PreExecution, "Syntax error", 2, 0},
		{"undeclared", `foo == 1`, PreExecution, "undeclared reference to 'foo'", 1, 1},
		{"type error", `tool_name + 1 == 2`, PreExecution, "no matching overload", 1, 0},
		{"non-bool", `tool_name`, PreExecution, "must evaluate to bool", 1, 1},
		{"dyn is not bool", `args.flag`, PreExecution, "must evaluate to bool", 1, 0},
		{"int result", `1 + 2`, PreExecution, "must evaluate to bool", 1, 0},
		{"output in PRE", `tool_name == "x" && output.ok == true`, PreExecution, "only available in POST_EXECUTION", 1, 21},
		{"cost over budget", `args.items.all(a, args.items.all(b, a == b))`, PreExecution, "exceeds the budget", 1, 0},
		{"cost over budget with strings", `args.items.exists(a, args.items.exists(b, string(a).contains(string(b))))`, PostExecution, "exceeds the budget", 1, 0},
		{"empty", `  `, PreExecution, "required", 1, 1},
		{"too long", strings.Repeat("true && ", MaxConditionLen/8+1) + "true", PreExecution, "longer than", 1, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := testCompiler.Compile(tc.phase, tc.cond)
			require.Error(t, err)
			ce, ok := err.(*CompileError)
			require.True(t, ok, "%T", err)
			require.Contains(t, ce.Message, tc.contains)
			if tc.line > 0 {
				require.Equal(t, tc.line, ce.Line, ce.Message)
			}
			if tc.col > 0 {
				require.Equal(t, tc.col, ce.Column, ce.Message)
			}
		})
	}
	// output is fine in a POST rule, and a cheap comprehension is within budget.
	_, err := testCompiler.Compile(PostExecution, `has(output.secret) || args.items.exists(i, i == "x")`)
	require.NoError(t, err)
}

func TestRuntimeCostLimit(t *testing.T) {
	t.Parallel()
	// The static estimate assumes inputs within the request limit; a list comprehension that
	// builds quadratically more work than estimated still stops at the runtime limit.
	prg, err := testCompiler.Compile(PreExecution, `args.items.map(a, args.items.map(b, a + b)).size() > 0`)
	if err != nil {
		require.Contains(t, err.Error(), "exceeds the budget") // refused at save: also fine
		return
	}
	items := make([]any, 3000)
	for i := range items {
		items[i] = int64(i)
	}
	rs := NewRuleSet([]*Rule{newRule(t, "x")}, []*Program{prg})
	res := rs.Evaluate(context.Background(), &Call{Phase: PreExecution, Args: map[string]any{"items": items}})
	require.Equal(t, Block, res.Decision)
	require.Equal(t, ReasonEvaluationError, res.Reason)
}

func TestPrecedence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("priority first", func(t *testing.T) {
		t.Parallel()
		tag := newRule(t, `true`, withPriority(1), withAction(ActionTag, "pii"))
		blk := newRule(t, `true`, withPriority(2))
		tag2 := newRule(t, `true`, withPriority(3), withAction(ActionTag, "late"))
		res := ruleSet(t, blk, tag2, tag).Evaluate(ctx, baseCall(t, `{}`))
		require.Equal(t, Block, res.Decision)
		require.Equal(t, []string{"pii", "late"}, res.Tags, "every matching TAG rule is recorded")
		require.Equal(t, []uuid.UUID{tag.ID, blk.ID, tag2.ID}, ids(res.Matched))
	})
	t.Run("first BLOCK decides, later BLOCKs skipped", func(t *testing.T) {
		t.Parallel()
		a := newRule(t, `true`, withPriority(1))
		b := newRule(t, `args.missing == 1`, withPriority(2)) // would error, but is never evaluated
		res := ruleSet(t, b, a).Evaluate(ctx, baseCall(t, `{}`))
		require.Equal(t, Block, res.Decision)
		require.Equal(t, ReasonRuleMatched, res.Reason)
		require.Equal(t, []uuid.UUID{a.ID}, ids(res.Matched))
	})
	t.Run("specificity at equal priority", func(t *testing.T) {
		t.Parallel()
		org := newRule(t, `true`, withAction(ActionTag, "org"))
		grp := newRule(t, `true`, withAction(ActionTag, "group"), withTarget(TargetPermissionGroup, "g1"))
		usr := newRule(t, `true`, withAction(ActionTag, "user"), withTarget(TargetUser, "u1"))
		agt := newRule(t, `true`, withAction(ActionTag, "agent"), withTarget(TargetAgent, "a1"))
		call := baseCall(t, `{}`)
		call.Agent = &AgentCtx{ID: "a1", Name: "bot"}
		res := ruleSet(t, org, grp, usr, agt).Evaluate(ctx, call)
		require.Equal(t, Allow, res.Decision)
		require.Equal(t, []string{"agent", "user", "group", "org"}, res.Tags)
	})
	t.Run("id breaks ties", func(t *testing.T) {
		t.Parallel()
		a := newRule(t, `true`, withAction(ActionTag, "a"))
		b := newRule(t, `true`, withAction(ActionTag, "b"))
		res := ruleSet(t, b, a).Evaluate(ctx, baseCall(t, `{}`))
		require.Equal(t, []string{"a", "b"}, res.Tags) // a has the smaller UUIDv7
	})
	t.Run("targets that do not match the caller do not apply", func(t *testing.T) {
		t.Parallel()
		rs := ruleSet(t,
			newRule(t, `true`, withTarget(TargetPermissionGroup, "g2")),
			newRule(t, `true`, withTarget(TargetUser, "u2")),
			newRule(t, `true`, withTarget(TargetAgent, "a1")), // the call has no agent
			newRule(t, `true`, withPhase(PostExecution)),
			newRule(t, `true`, disabled()),
			newRule(t, `true`, withScope("slack")),
			newRule(t, `true`, withScope("github", "deleteRepo")),
		)
		res := rs.Evaluate(ctx, baseCall(t, `{}`))
		require.Equal(t, Allow, res.Decision, "%+v", res)
	})
	t.Run("scope matches server and tools", func(t *testing.T) {
		t.Parallel()
		res := ruleSet(t, newRule(t, `true`, withScope("github", "deleteRepo", "createIssue"))).Evaluate(ctx, baseCall(t, `{}`))
		require.Equal(t, Block, res.Decision)
	})
	t.Run("an erroring TAG rule in ENFORCE mode blocks", func(t *testing.T) {
		t.Parallel()
		res := ruleSet(t, newRule(t, `args.nope == 1`, withAction(ActionTag, "x"))).Evaluate(ctx, baseCall(t, `{}`))
		require.Equal(t, Block, res.Decision)
		require.Equal(t, ReasonEvaluationError, res.Reason)
		require.Len(t, res.Errors, 1)
		require.Contains(t, res.Errors[0].Error, "no such key")
	})
	t.Run("error after a BLOCK decision keeps RULE_MATCHED", func(t *testing.T) {
		t.Parallel()
		res := ruleSet(t, newRule(t, `true`, withPriority(1)), newRule(t, `args.nope == 1`, withPriority(2), withAction(ActionTag, "x"))).
			Evaluate(ctx, baseCall(t, `{}`))
		require.Equal(t, ReasonRuleMatched, res.Reason)
		require.Len(t, res.Errors, 1)
	})
}

func TestShadowNeverBlocks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	blk := newRule(t, `true`, withMode(ModeShadow))
	errs := newRule(t, `args.nope == 1`, withMode(ModeShadow))
	tag := newRule(t, `true`, withMode(ModeShadow), withAction(ActionTag, "shadow-tag"))
	res := ruleSet(t, blk, errs, tag).Evaluate(ctx, baseCall(t, `{}`))
	require.Equal(t, Allow, res.Decision)
	require.Equal(t, ReasonNoMatch, res.Reason)
	require.Empty(t, res.Tags)
	require.Empty(t, res.Matched)
	require.Len(t, res.Shadow, 3)
	// Shadow rules are still reported after an ENFORCE block decided.
	res = ruleSet(t, newRule(t, `true`, withPriority(-1)), newRule(t, `true`, withMode(ModeShadow), withPriority(5))).Evaluate(ctx, baseCall(t, `{}`))
	require.Equal(t, Block, res.Decision)
	require.Len(t, res.Shadow, 1)
}

func TestRunTest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRule(t, `args.n > 10`, withScope("github", "createIssue"))
	prg, err := testCompiler.Compile(r.Phase, r.Condition)
	require.NoError(t, err)
	var in TestInput
	require.NoError(t, json.Unmarshal([]byte(`{"server_id":"github","tool_name":"createIssue","args":{"n":11}}`), &in))
	d, err := RunTest(ctx, r, prg, in)
	require.NoError(t, err)
	require.Equal(t, Block, d)
	in.ToolName = "other"
	d, _ = RunTest(ctx, r, prg, in)
	require.Equal(t, Allow, d)
	in.ToolName, in.Args = "createIssue", map[string]any{}
	d, err = RunTest(ctx, r, prg, in)
	require.Error(t, err)
	require.Equal(t, Block, d)
}

func TestNormalizeJSON(t *testing.T) {
	t.Parallel()
	v, err := DecodeJSON([]byte(`{"a":9007199254740993,"b":18446744073709551615,"c":1e2,"d":-5,"e":99999999999999999999999,"f":[1,2.5]}`))
	require.NoError(t, err)
	m := v.(map[string]any)
	require.Equal(t, int64(9007199254740993), m["a"])
	require.Equal(t, uint64(18446744073709551615), m["b"])
	require.Equal(t, float64(100), m["c"])
	require.Equal(t, int64(-5), m["d"])
	require.IsType(t, float64(0), m["e"])
	require.Equal(t, []any{int64(1), 2.5}, m["f"])
	deep := strings.Repeat("[", MaxDepth+2) + strings.Repeat("]", MaxDepth+2)
	_, err = DecodeJSON([]byte(deep))
	require.ErrorIs(t, err, ErrTooDeep)
}

func ids(ms []MatchedRule) []uuid.UUID {
	out := make([]uuid.UUID, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

// FuzzCompile feeds arbitrary conditions to the save path: it must never panic or hang, and
// anything it accepts must evaluate without panicking on a typical call.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{`args.x == 1`, `has(args.a.b)`, `args["x-y"] > 2 || true`, `output.ok`, `args.?a.orValue(1) == 1`,
		`args.items.all(a, args.items.all(b, a == b))`, `timestamp("2020-01-01T00:00:00Z") < now`, `"\xff"`, `[1,2,3].map(x, x*x)[0] == 1`,
		`matches(tool_name, "(a+)+$")`, `size(args) > 0 && user.email.endsWith("@acme.com")`, "a\x00b", `{`, `dyn(args).x.y.z == null`} {
		f.Add(s, true)
		f.Add(s, false)
	}
	call := &Call{Phase: PostExecution, ServerID: "s", ToolName: "t", Args: map[string]any{"x": int64(1), "items": []any{int64(1), "a"}},
		Output: map[string]any{"ok": true}, HasOutput: true, Now: time.Unix(0, 0)}
	f.Fuzz(func(t *testing.T, cond string, pre bool) {
		phase := PostExecution
		if pre {
			phase = PreExecution
		}
		prg, err := testCompiler.Compile(phase, cond)
		if err != nil {
			ce, ok := err.(*CompileError)
			if !ok {
				t.Fatalf("not a CompileError: %T %v", err, err)
			}
			if ce.Line < 1 || ce.Column < 1 {
				t.Fatalf("bad position %d:%d for %q", ce.Line, ce.Column, ce.Message)
			}
			return
		}
		c := *call
		c.Phase = phase
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		rs := NewRuleSet([]*Rule{newRule(t, cond, withPhase(phase))}, []*Program{prg})
		res := rs.Evaluate(ctx, &c)
		if res.Decision != Allow && res.Decision != Block {
			t.Fatalf("decision %q", res.Decision)
		}
	})
}

// FuzzEvaluateInput feeds arbitrary JSON args to a fixed rule set: decoding either fails
// cleanly or the evaluation answers ALLOW or BLOCK, never panics.
func FuzzEvaluateInput(f *testing.F) {
	for _, s := range []string{`{}`, `{"repo":"secret"}`, `{"n":9007199254740993}`, `{"n":18446744073709551616}`, `{"n":-1e400}`,
		`{"x-y":{"a":[1,{"b":null}]}}`, `{"labels":["prod"]}`, `[1]`, `null`, `{"a":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`} {
		f.Add(s)
	}
	rs := ruleSet(f,
		newRule(f, `has(args.repo) && args.repo == "secret"`, withPriority(1)),
		newRule(f, `args.?n.orValue(0) > 9007199254740992`, withAction(ActionTag, "big")),
		newRule(f, `has(args.labels) && args.labels.exists(l, l == "prod")`, withPriority(2)),
		newRule(f, `args["x-y"].a[1].b == null`, withMode(ModeShadow)),
	)
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := DecodeJSON([]byte(raw))
		if err != nil {
			return
		}
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		call := &Call{Phase: PreExecution, Args: m, Now: time.Unix(0, 0)}
		res := rs.Evaluate(context.Background(), call)
		if res.Decision != Allow && res.Decision != Block {
			t.Fatalf("decision %q", res.Decision)
		}
		_ = fmt.Sprint(res)
	})
}
