// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package benchgen

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/policy"
)

func TestWorkloadDecides(t *testing.T) {
	w := New(1000, 10)
	rs, err := w.RuleSet()
	require.NoError(t, err)
	require.Equal(t, 1000, rs.Len())
	res := rs.Evaluate(context.Background(), w.Call)
	require.Equal(t, policy.Allow, res.Decision)
	require.Equal(t, []string{"public-repo"}, res.Tags)
	require.Empty(t, res.Errors)
}

// BenchmarkDecision1000Rules10Applicable is SPEC §10's in-process policy decision: an org
// with 1,000 rules, 10 of which apply to the call.
func BenchmarkDecision1000Rules10Applicable(b *testing.B) {
	w := New(1000, 10)
	rs, err := w.RuleSet()
	require.NoError(b, err)
	ctx := context.Background()
	w.Call.PrepareCaller() // the service keeps these with its cached caller
	b.ReportAllocs()
	for b.Loop() {
		res := rs.Evaluate(ctx, w.Call)
		if res.Decision != policy.Allow {
			b.Fatal(res)
		}
	}
}
