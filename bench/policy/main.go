// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Command policy measures SPEC §10's in-process policy decision (1,000 rules in the org, 10
// applicable) for the product's CEL engine and, in the same run on the same workload, for
// OPA evaluating the equivalent Rego with a prepared query. It lives in its own module so
// OPA's dependency graph stays out of the product's go.mod.
//
//	cd bench/policy && go run . [-rules 1000] [-applicable 10] [-rounds 20]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/bytechefhq/bytechef-ee/internal/policy"
	"github.com/bytechefhq/bytechef-ee/internal/policy/benchgen"
)

func main() {
	rules := flag.Int("rules", 1000, "rules in the org")
	applicable := flag.Int("applicable", 10, "rules that apply to the call")
	rounds := flag.Int("rounds", 20, "alternating measurement rounds (shares machine noise between engines)")
	celPer := flag.Int("cel", 20000, "CEL decisions per round")
	opaPer := flag.Int("opa", 2000, "OPA decisions per round")
	flag.Parse()

	ctx := context.Background()
	w := benchgen.New(*rules, *applicable)
	rs, err := w.RuleSet()
	check(err)
	w.Call.PrepareCaller() // the service caches these with the resolved caller
	pq, err := rego.New(rego.Query(w.Query), rego.Module("app.rego", w.Rego)).PrepareForEval(ctx)
	check(err)

	// Both engines must decide the same: ALLOW with the one tag.
	res := rs.Evaluate(ctx, w.Call)
	rr, err := pq.Eval(ctx, rego.EvalInput(w.Input))
	check(err)
	out := rr[0].Expressions[0].Value.(map[string]any)
	if res.Decision != policy.Allow || out["decision"] != "ALLOW" || len(res.Tags) != 1 || len(out["tags"].([]any)) != 1 {
		fmt.Fprintf(os.Stderr, "engines disagree: cel=%+v opa=%v\n", res, out)
		os.Exit(1)
	}

	var celNs, opaNs []float64
	celOne := func() {
		t := time.Now()
		r := rs.Evaluate(ctx, w.Call)
		celNs = append(celNs, float64(time.Since(t).Nanoseconds()))
		if r.Decision != policy.Allow {
			panic("cel")
		}
	}
	opaOne := func() {
		t := time.Now()
		r, err := pq.Eval(ctx, rego.EvalInput(w.Input))
		opaNs = append(opaNs, float64(time.Since(t).Nanoseconds()))
		if err != nil || len(r) != 1 {
			panic(err)
		}
	}
	for range 2000 { // warm up both
		celOne()
	}
	for range 200 {
		opaOne()
	}
	celNs, opaNs = celNs[:0], opaNs[:0]
	runtime.GC()
	for range *rounds {
		for range *celPer {
			celOne()
		}
		for range *opaPer {
			opaOne()
		}
	}
	c, o := stats(celNs), stats(opaNs)
	host, _ := os.Hostname()
	fmt.Printf("machine: %s, %d CPUs, %s/%s, %s; date %s\n", host, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), time.Now().UTC().Format(time.RFC3339))
	fmt.Printf("workload: %d rules in the org, %d applicable to the call (1 TAG matches, 9 BLOCK rules evaluated and not matching)\n\n", *rules, *applicable)
	fmt.Println("| engine | decisions | p50 | p90 | p99 | mean |")
	fmt.Println("|---|---|---|---|---|---|")
	fmt.Printf("| CEL (this product, in process) | %d | %s | %s | %s | %s |\n", len(celNs), us(c.p50), us(c.p90), us(c.p99), us(c.mean))
	fmt.Printf("| OPA v1.22.4 rego, prepared query | %d | %s | %s | %s | %s |\n", len(opaNs), us(o.p50), us(o.p90), us(o.p99), us(o.mean))
	fmt.Printf("\nratio OPA/CEL: p50 %.1fx, mean %.1fx (target: p50 <= 10 us and >= 20x)\n", o.p50/c.p50, o.mean/c.mean)
}

type summary struct{ p50, p90, p99, mean float64 }

func stats(ns []float64) summary {
	s := slices.Clone(ns)
	slices.Sort(s)
	var sum float64
	for _, v := range s {
		sum += v
	}
	at := func(q float64) float64 { return s[int(q*float64(len(s)-1))] }
	return summary{p50: at(.5), p90: at(.9), p99: at(.99), mean: sum / float64(len(s))}
}

func us(ns float64) string { return fmt.Sprintf("%.2f µs", ns/1000) }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
