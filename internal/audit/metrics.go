// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the bytechef_audit_* collectors.
type Metrics struct {
	Ingested   prometheus.Counter
	Duplicates prometheus.Counter
	Batches    *prometheus.CounterVec
	IngestTime prometheus.Histogram
	Archived   prometheus.Counter
	Purged     prometheus.Counter
	Verify     *prometheus.CounterVec
	Sealed     prometheus.Counter
}

// NewMetrics registers the audit metrics on r.
func NewMetrics(r prometheus.Registerer) *Metrics {
	m := &Metrics{
		Ingested: prometheus.NewCounter(prometheus.CounterOpts{Name: "bytechef_audit_events_ingested_total",
			Help: "Audit events stored by ingestion (duplicates excluded)."}),
		Duplicates: prometheus.NewCounter(prometheus.CounterOpts{Name: "bytechef_audit_events_duplicate_total",
			Help: "Ingested audit events ignored as duplicates of a known id."}),
		Batches: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bytechef_audit_ingest_batches_total",
			Help: "Ingestion batches by result."}, []string{"result"}),
		IngestTime: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "bytechef_audit_ingest_batch_seconds",
			Help: "Time to commit one ingestion batch.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}),
		Archived: prometheus.NewCounter(prometheus.CounterOpts{Name: "bytechef_audit_events_archived_total",
			Help: "Audit events moved to the cold tier."}),
		Purged: prometheus.NewCounter(prometheus.CounterOpts{Name: "bytechef_audit_archives_purged_total",
			Help: "Archive objects deleted past retention."}),
		Verify: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bytechef_audit_verifications_total",
			Help: "Tamper-evidence verifications by result."}, []string{"result"}),
		Sealed: prometheus.NewCounter(prometheus.CounterOpts{Name: "bytechef_audit_events_sealed_total",
			Help: "Audit events added to the hash chain."}),
	}
	r.MustRegister(m.Ingested, m.Duplicates, m.Batches, m.IngestTime, m.Archived, m.Purged, m.Verify, m.Sealed)
	return m
}
