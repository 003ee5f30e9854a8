// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package activities

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/bytechefhq/bytechef-ee/internal/audit"
)

// AuditRetention holds the audit retention activities (BYTECHEF_AUDIT_LOGS_ENABLED). Each is
// idempotent: archiving picks up where a killed attempt stopped (see audit.ArchiveOrg), and
// purging and partition dropping converge on the same end state.
type AuditRetention struct {
	Audit  *audit.Service
	Region string
}

// HeartbeatEvery is how often long audit activities heartbeat; the workflow's heartbeat
// timeout is a few multiples of it.
const HeartbeatEvery = 3 * time.Second

// RetentionOrg is one org and its effective policy.
type RetentionOrg struct {
	OrgID         string
	HotDays       int
	RetentionDays int
}

// ListRetentionOrgsInput pages through the orgs by id.
type ListRetentionOrgsInput struct {
	After string
	Limit int
}

// ListRetentionOrgs returns up to Limit orgs of this region after the given id.
func (a *AuditRetention) ListRetentionOrgs(ctx context.Context, in ListRetentionOrgsInput) ([]RetentionOrg, error) {
	orgs, err := a.Audit.RetentionOrgs(ctx, a.Region)
	if err != nil {
		return nil, classify(err)
	}
	sort.Slice(orgs, func(i, j int) bool { return orgs[i].OrgID.String() < orgs[j].OrgID.String() })
	out := []RetentionOrg{}
	for _, o := range orgs {
		if o.OrgID.String() <= in.After {
			continue
		}
		out = append(out, RetentionOrg{OrgID: o.OrgID.String(), HotDays: o.HotDays, RetentionDays: o.RetentionDays})
		if in.Limit > 0 && len(out) == in.Limit {
			break
		}
	}
	return out, nil
}

// ArchiveOrgInput names an org, its hot window and the run's clock (from the workflow).
type ArchiveOrgInput struct {
	OrgID   string
	HotDays int
	Now     time.Time
}

func parseOrg(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, temporal.NewNonRetryableApplicationError("invalid org id", "validation_failed", err)
	}
	return id, nil
}

// ArchiveOrgResult counts what archiving one org did.
type ArchiveOrgResult struct {
	Days   int
	Parts  int
	Events int64
}

// ArchiveOrg moves the org's days older than its hot window to S3, heartbeating per part.
func (a *AuditRetention) ArchiveOrg(ctx context.Context, in ArchiveOrgInput) (ArchiveOrgResult, error) {
	org, err := parseOrg(in.OrgID)
	if err != nil {
		return ArchiveOrgResult{}, err
	}
	// Heartbeat on a clock as well as per part: a part can take a while on a busy server, and
	// a short heartbeat timeout is what lets Temporal retry promptly when a worker dies.
	var mu sync.Mutex
	var progress audit.ArchiveResult
	stop := make(chan struct{})
	defer close(stop)
	if activity.IsActivity(ctx) {
		go func() {
			t := time.NewTicker(HeartbeatEvery)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					mu.Lock()
					p := progress
					mu.Unlock()
					activity.RecordHeartbeat(ctx, p)
				}
			}
		}()
	}
	res, err := a.Audit.ArchiveOrg(ctx, org, in.HotDays, in.Now, func(r audit.ArchiveResult) {
		mu.Lock()
		progress = r
		mu.Unlock()
		if activity.IsActivity(ctx) {
			activity.RecordHeartbeat(ctx, r)
		}
	})
	return ArchiveOrgResult{Days: res.Days, Parts: res.Parts, Events: res.Events}, classify(err)
}

// PurgeOrgInput names an org, its retention and the run's clock.
type PurgeOrgInput struct {
	OrgID         string
	RetentionDays int
	Now           time.Time
}

// PurgeOrgResult counts what purging one org did.
type PurgeOrgResult struct {
	Parts   int
	Objects int
	IDs     int64
}

// PurgeOrgArchives deletes the org's archives past retention.
func (a *AuditRetention) PurgeOrgArchives(ctx context.Context, in PurgeOrgInput) (PurgeOrgResult, error) {
	org, err := parseOrg(in.OrgID)
	if err != nil {
		return PurgeOrgResult{}, err
	}
	res, err := a.Audit.PurgeOrg(ctx, org, in.RetentionDays, in.Now)
	return PurgeOrgResult{Parts: res.Parts, Objects: res.Objects, IDs: res.IDs}, classify(err)
}

// DropEmptyPartitions drops empty monthly partitions before the ingestion window.
func (a *AuditRetention) DropEmptyPartitions(ctx context.Context, now time.Time) ([]string, error) {
	dropped, err := a.Audit.DropEmptyPartitions(ctx, now)
	if dropped == nil {
		dropped = []string{}
	}
	return dropped, classify(err)
}
