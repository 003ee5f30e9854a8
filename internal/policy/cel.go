// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package policy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"
)

// Limits of rule conditions.
const (
	// MaxConditionLen bounds the source text of a condition.
	MaxConditionLen = 16 << 10
	// CostBudget is the largest static cost estimate accepted at save and the runtime cost
	// limit of every evaluation. The estimate assumes inputs up to maxInputSize.
	CostBudget = 10_000_000
	// maxInputSize is the size hint for strings, lists and maps that come from a call: no
	// evaluation body is larger than the 1 MiB request limit, so nothing inside it is either.
	maxInputSize = 1 << 20
	// maxCollectionSize is the size hint for collections from a call: a JSON element takes
	// at least two bytes ("0,"), so a 1 MiB body holds at most half a million of them.
	maxCollectionSize = maxInputSize / 2
	// trackCostAbove is the static estimate above which a program also enforces CostBudget
	// at runtime (comprehensions, regexes over args). Below it the estimate, an upper bound
	// for inputs within the size hints, already proves the condition cheap; every program's
	// estimate is within CostBudget (refused at save otherwise).
	trackCostAbove = CostBudget / 4
)

// Compiler turns rule conditions into programs with the CEL environment of SPEC §5.1. PRE
// rules compile in an environment without `output`, so referring to it is a type error at
// the position of the reference.
type Compiler struct {
	pre, post *cel.Env
}

// NewCompiler builds the two environments. It only fails on a programming error.
func NewCompiler() (*Compiler, error) {
	common := []cel.EnvOption{
		cel.Variable("args", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("tool_name", cel.StringType),
		cel.Variable("server_id", cel.StringType),
		cel.Variable("user", cel.MapType(cel.StringType, cel.StringType)),
		cel.Variable("workspace", cel.MapType(cel.StringType, cel.StringType)),
		// agent is a map or null, so it is dynamically typed: `agent != null && agent.name == "x"`.
		cel.Variable("agent", cel.DynType),
		cel.Variable("now", cel.TimestampType),
		cel.OptionalTypes(),
		// JSON integers arrive as int or uint (above int64) and decimals as double; comparing
		// across them must work like numbers do, exactly.
		cel.CrossTypeNumericComparisons(true),
		cel.DefaultUTCTimeZone(true),
	}
	pre, err := cel.NewEnv(common...)
	if err != nil {
		return nil, err
	}
	post, err := pre.Extend(cel.Variable("output", cel.DynType))
	if err != nil {
		return nil, err
	}
	return &Compiler{pre: pre, post: post}, nil
}

// Program is a compiled condition.
type Program struct {
	prg cel.Program
	err error // set for a stored condition that no longer compiles: every evaluation fails
	// MaxCost is the static cost estimate's upper bound.
	MaxCost uint64
}

// CompileError is a condition that cannot be saved; Message carries the CEL error text with
// line and column.
type CompileError struct {
	Message string
	Line    int
	Column  int
}

func (e *CompileError) Error() string { return e.Message }

// Compile checks and plans a condition for a phase: syntax and type errors, a non-bool
// result, `output` in a PRE rule, and a static cost estimate over CostBudget are refused
// with their position.
func (c *Compiler) Compile(phase Phase, src string) (*Program, error) {
	if strings.TrimSpace(src) == "" {
		return nil, &CompileError{Message: "condition is required", Line: 1, Column: 1}
	}
	if len(src) > MaxConditionLen {
		return nil, &CompileError{Message: fmt.Sprintf("condition is longer than %d bytes", MaxConditionLen), Line: 1, Column: 1}
	}
	env := c.post
	if phase == PreExecution {
		env = c.pre
	}
	checked, iss := env.Compile(src)
	if iss != nil && iss.Err() != nil {
		ce := &CompileError{Message: strings.TrimSpace(iss.Err().Error()), Line: 1, Column: 1}
		if errs := iss.Errors(); len(errs) > 0 {
			ce.Line, ce.Column = errs[0].Location.Line(), errs[0].Location.Column()+1
		}
		// Some macro errors carry no column (CEL prints 1:0); positions here are 1-based.
		ce.Line, ce.Column = max(ce.Line, 1), max(ce.Column, 1)
		if phase == PreExecution && strings.Contains(ce.Message, "undeclared reference to 'output'") {
			ce.Message = "`output` is only available in POST_EXECUTION rules: " + ce.Message
		}
		return nil, ce
	}
	line, col := startOf(checked)
	if !checked.OutputType().IsExactType(cel.BoolType) {
		return nil, &CompileError{Line: line, Column: col, Message: fmt.Sprintf(
			"ERROR: <input>:%d:%d: the condition must evaluate to bool, not %s (compare explicitly, e.g. `... == true`)",
			line, col, checked.OutputType())}
	}
	est, err := env.EstimateCost(checked, sizeHints{})
	if err != nil {
		return nil, &CompileError{Line: line, Column: col, Message: "ERROR: <input>: cost estimate failed: " + err.Error()}
	}
	if est.Max > CostBudget {
		return nil, &CompileError{Line: line, Column: col, Message: fmt.Sprintf(
			"ERROR: <input>:%d:%d: the condition's estimated cost (up to %d) exceeds the budget of %d; avoid nested comprehensions over args",
			line, col, est.Max, CostBudget)}
	}
	opts := []cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)}
	if est.Max > trackCostAbove {
		// Runtime cost tracking is the guard against inputs beyond the size hints; it costs
		// about as much as evaluating a simple condition, so only conditions whose estimate
		// is anywhere near the budget (comprehensions, regexes over args) pay for it.
		opts = append(opts, cel.CostLimit(CostBudget))
	}
	prg, err := env.Program(checked, opts...)
	if err != nil {
		return nil, &CompileError{Line: line, Column: col, Message: "ERROR: <input>: " + err.Error()}
	}
	return &Program{prg: prg, MaxCost: est.Max}, nil
}

func startOf(a *cel.Ast) (int, int) {
	n := a.NativeRep()
	loc := n.SourceInfo().GetStartLocation(n.Expr().ID())
	if loc.Line() <= 0 {
		return 1, 1
	}
	return loc.Line(), loc.Column() + 1
}

// sizeHints bounds the size of every value that comes from a call, so the static estimate
// is finite and comprehensions over args are priced by the largest input we accept.
type sizeHints struct{}

func (sizeHints) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	p := n.Path()
	if len(p) == 0 {
		return nil
	}
	switch p[0] {
	case "args", "output", "user", "workspace", "agent", "tool_name", "server_id":
		max := uint64(maxInputSize)
		if k := n.Type().Kind(); k == types.ListKind || k == types.MapKind {
			max = maxCollectionSize
		}
		return &cost.SizeEstimate{Min: 0, Max: max}
	}
	return nil
}

func (sizeHints) EstimateCallCost(string, string, *cost.AstNode, []cost.AstNode) *cost.CallEstimate {
	return nil
}

// ErrNotBool is a condition that produced a non-bool value at runtime (only possible with
// dynamic values that the checker could not see through).
var ErrNotBool = errors.New("the condition did not evaluate to bool")

// activation is the per-call variable set. Values are converted to CEL once per call, on
// first use, and shared by every program evaluated for the call; activations are pooled.
type activation struct {
	call                  *Call
	args, user, workspace ref.Val
	agent, output         ref.Val
	hasOutput             bool
}

var activations = sync.Pool{New: func() any { return new(activation) }}

func newActivation(call *Call) *activation {
	act := activations.Get().(*activation)
	*act = activation{call: call, hasOutput: call.Phase == PostExecution}
	return act
}

// release returns the activation to the pool; it must not be used afterwards.
func (a *activation) release() {
	*a = activation{}
	activations.Put(a)
}

func (a *activation) argsVal() ref.Val {
	if a.args == nil {
		if a.call.Args == nil {
			a.args = types.NewRefValMap(types.DefaultTypeAdapter, map[ref.Val]ref.Val{})
		} else {
			// Converted lazily, field by field, as conditions read them: a call's cost stays
			// proportional to what its rules look at, not to the size of its arguments.
			a.args = types.DefaultTypeAdapter.NativeToValue(a.call.Args)
		}
	}
	return a.args
}

func (a *activation) callerVals() {
	v := a.call.vals
	if v == nil {
		v = callerValsOf(a.call.User, a.call.Workspace)
	}
	a.user, a.workspace = v.user, v.workspace
}

// callerVals are the CEL values of a caller's user and workspace, built once per cached
// caller instead of once per call.
type callerVals struct {
	user, workspace ref.Val
}

func callerValsOf(u UserCtx, w WorkspaceCtx) *callerVals {
	a := types.DefaultTypeAdapter
	return &callerVals{
		user: types.NewStringStringMap(a, map[string]string{"id": u.ID, "email": u.Email, "role": u.Role,
			"group_id": u.GroupID, "group_name": u.GroupName}),
		workspace: types.NewStringStringMap(a, map[string]string{"id": w.ID, "name": w.Name}),
	}
}

// PrepareCaller precomputes the call's user and workspace values (what the service's caller
// cache holds), so repeated evaluations for the same caller do not rebuild them.
func (c *Call) PrepareCaller() { c.vals = callerValsOf(c.User, c.Workspace) }

// ResolveName implements interpreter.Activation.
func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case "args":
		return a.argsVal(), true
	case "tool_name":
		return types.String(a.call.ToolName), true
	case "server_id":
		return types.String(a.call.ServerID), true
	case "user":
		if a.user == nil {
			a.callerVals()
		}
		return a.user, true
	case "workspace":
		if a.workspace == nil {
			a.callerVals()
		}
		return a.workspace, true
	case "agent":
		if a.agent == nil {
			a.agent = types.NullValue
			if ag := a.call.Agent; ag != nil {
				a.agent = types.NewStringStringMap(types.DefaultTypeAdapter, map[string]string{"id": ag.ID, "name": ag.Name})
			}
		}
		return a.agent, true
	case "now":
		return types.Timestamp{Time: a.call.Now.UTC()}, true
	case "output":
		if !a.hasOutput {
			return nil, false
		}
		if a.output == nil {
			a.output = types.NullValue
			if a.call.HasOutput {
				a.output = types.DefaultTypeAdapter.NativeToValue(a.call.Output)
			}
		}
		return a.output, true
	}
	return nil, false
}

// Parent implements interpreter.Activation.
func (a *activation) Parent() interpreter.Activation { return nil }

// eval runs one program; a non-bool result is an error (fail-closed upstream).
func (p *Program) eval(_ context.Context, act *activation) (bool, error) {
	if p.err != nil {
		return false, p.err
	}
	// Eval, not ContextEval: watching a context costs more than a simple condition, and the
	// runtime cost limit already bounds the conditions that could run long.
	out, _, err := p.prg.Eval(act)
	if err != nil {
		return false, err
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, ErrNotBool
	}
	return bool(b), nil
}
