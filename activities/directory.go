// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package activities

import (
	"context"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/bytechefhq/bytechef-ee/internal/directory"
	"github.com/bytechefhq/bytechef-ee/internal/scim"
)

// Directory holds the directory sync and SCIM deprovision-purge activities.
type Directory struct {
	Service *directory.Service
	SCIM    *scim.Service
	// Budget is how long one fetch or apply call works before returning its position
	// (0: a minute); the workflow calls again, so no call outlives its heartbeat by much.
	Budget time.Duration
}

// DirectoryFetchState and DirectoryApplyState are the positions the workflow carries.
type (
	DirectoryFetchState = directory.FetchState
	DirectoryApplyState = directory.ApplyState
)

// DirectoryRunRef names a run.
type DirectoryRunRef struct {
	OrgID string
	RunID string
}

// DirectoryBegin is BeginSync's answer.
type DirectoryBegin struct {
	RunID string
	Skip  bool
}

// DirectoryStep is one fetch or apply call: where to start and how much to do at most
// (MaxSteps 0 = until the time budget is spent).
type DirectoryStep struct {
	Ref      DirectoryRunRef
	Fetch    DirectoryFetchState
	Apply    DirectoryApplyState
	MaxSteps int
}

// DirectoryRunSummary is the finished run's counts (never its data).
type DirectoryRunSummary struct {
	Status string
	Counts map[string]int64
}

func dirOrgID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, temporal.NewNonRetryableApplicationError("bad org id", "validation_failed", err)
	}
	return id, nil
}

func (r DirectoryRunRef) ids() (uuid.UUID, uuid.UUID, error) {
	org, err := dirOrgID(r.OrgID)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	run, err := uuid.Parse(r.RunID)
	if err != nil {
		return uuid.Nil, uuid.Nil, temporal.NewNonRetryableApplicationError("bad run id", "validation_failed", err)
	}
	return org, run, nil
}

// classifyDirectory makes permanent directory errors (bad credentials, bad URL) and domain
// errors non-retryable; everything else retries.
func classifyDirectory(err error) error {
	if err == nil {
		return nil
	}
	if directory.IsPermanent(err) {
		return temporal.NewNonRetryableApplicationError(err.Error(), "directory_permanent", err)
	}
	return err
}

func (a *Directory) budget() time.Duration {
	if a.Budget > 0 {
		return a.Budget
	}
	return time.Minute
}

// BeginSync finds or creates the run row of this workflow. Idempotent.
func (a *Directory) BeginSync(ctx context.Context, orgID, workflowID string, dryRun bool) (DirectoryBegin, error) {
	org, err := dirOrgID(orgID)
	if err != nil {
		return DirectoryBegin{}, err
	}
	run, skip, err := a.Service.BeginRun(ctx, org, workflowID, dryRun)
	if err != nil {
		return DirectoryBegin{}, classifyDirectory(err)
	}
	if skip {
		return DirectoryBegin{Skip: true}, nil
	}
	return DirectoryBegin{RunID: run.ID.String()}, nil
}

// FetchDirectory pages through the directory, staging pages in Postgres. It heartbeats its
// position after every page; a retried attempt resumes from the last heartbeat (re-staging
// a page is an upsert, so nothing is duplicated).
func (a *Directory) FetchDirectory(ctx context.Context, step DirectoryStep) (DirectoryFetchState, error) {
	org, run, err := step.Ref.ids()
	if err != nil {
		return step.Fetch, err
	}
	st := step.Fetch
	if activity.HasHeartbeatDetails(ctx) {
		var hb DirectoryFetchState
		if activity.GetHeartbeatDetails(ctx, &hb) == nil {
			st = hb
		}
	}
	steps := 0
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st, err = a.Service.Fetch(bctx, org, run, st, a.budget(), func(s DirectoryFetchState) {
		activity.RecordHeartbeat(ctx, s)
		steps++
		if step.MaxSteps > 0 && steps >= step.MaxSteps {
			cancel()
		}
	})
	if err != nil && bctx.Err() != nil && ctx.Err() == nil {
		return st, nil // stopped by MaxSteps after a committed page
	}
	return st, classifyDirectory(err)
}

// ApplyDirectory applies staged batches (heartbeating its position after every batch).
func (a *Directory) ApplyDirectory(ctx context.Context, step DirectoryStep) (DirectoryApplyState, error) {
	org, run, err := step.Ref.ids()
	if err != nil {
		return step.Apply, err
	}
	st := step.Apply
	if activity.HasHeartbeatDetails(ctx) {
		var hb DirectoryApplyState
		if activity.GetHeartbeatDetails(ctx, &hb) == nil {
			st = hb
		}
	}
	steps := 0
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st, err = a.Service.Apply(bctx, org, run, st, a.budget(), func(s DirectoryApplyState) {
		activity.RecordHeartbeat(ctx, s)
		steps++
		if step.MaxSteps > 0 && steps >= step.MaxSteps {
			cancel()
		}
	})
	if err != nil && bctx.Err() != nil && ctx.Err() == nil {
		return st, nil
	}
	return st, classifyDirectory(err)
}

// FinishSync records the run's end (reason "" = completed). Idempotent.
func (a *Directory) FinishSync(ctx context.Context, ref DirectoryRunRef, reason string) (DirectoryRunSummary, error) {
	org, run, err := ref.ids()
	if err != nil {
		return DirectoryRunSummary{}, err
	}
	r, err := a.Service.Finish(ctx, org, run, reason)
	if err != nil {
		return DirectoryRunSummary{}, classifyDirectory(err)
	}
	return DirectoryRunSummary{Status: r.Status, Counts: r.Counts}, nil
}

// PurgeDeprovisioned hard-deletes SCIM users deprovisioned longer ago than their org's
// deprovision_retention_days. Idempotent.
func (a *Directory) PurgeDeprovisioned(ctx context.Context, now time.Time, limit int) (int, error) {
	return a.SCIM.PurgeDeprovisioned(ctx, now, limit)
}
