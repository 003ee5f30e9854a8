// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package policy

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the app policy collectors.
type Metrics struct {
	Decisions *prometheus.CounterVec
	Duration  prometheus.Histogram
	registry  *prometheus.Registry // set by tests that read the values back
}

// NewMetrics registers bytechef_policy_decisions_total{decision} and the evaluation latency
// histogram on r.
func NewMetrics(r prometheus.Registerer) *Metrics {
	m := &Metrics{
		Decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bytechef_policy_decisions_total", Help: "Policy decisions by outcome (ALLOW or BLOCK).",
		}, []string{"decision"}),
		Duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "bytechef_policy_evaluation_duration_seconds",
			Help:    "Time to decide a tool call in process (caller resolution and rule evaluation, not the record write).",
			Buckets: []float64{.000005, .00001, .000025, .00005, .0001, .00025, .0005, .001, .0025, .005, .01, .05},
		}),
	}
	r.MustRegister(m.Decisions, m.Duration)
	return m
}
