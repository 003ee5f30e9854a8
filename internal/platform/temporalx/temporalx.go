// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package temporalx connects the product to Temporal: the client, the custom search
// attributes operators filter by, and the reconciler that keeps Temporal Schedules equal to
// their declaration in code.
package temporalx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
)

// Search attributes set on every workflow (SPEC §9).
var (
	OrgIDKey   = temporal.NewSearchAttributeKeyKeyword("ByteChefOrgId")
	FeatureKey = temporal.NewSearchAttributeKeyKeyword("ByteChefFeature")
)

// SearchAttributes returns the typed attributes for a workflow of a feature (and an org, when
// the workflow belongs to one).
func SearchAttributes(feature, orgID string) temporal.SearchAttributes {
	updates := []temporal.SearchAttributeUpdate{FeatureKey.ValueSet(feature)}
	if orgID != "" {
		updates = append(updates, OrgIDKey.ValueSet(orgID))
	}
	return temporal.NewSearchAttributes(updates...)
}

// NewClient returns a lazily connecting client: the API starts even while Temporal is down
// (readiness reports it) and connects on first use.
func NewClient(cfg config.Config, log *slog.Logger) (client.Client, error) {
	c, err := client.NewLazyClient(client.Options{
		HostPort:  cfg.TemporalAddress,
		Namespace: cfg.TemporalNamespace,
		Logger:    newLogger(log),
	})
	if err != nil {
		return nil, fmt.Errorf("temporal: BYTECHEF_TEMPORAL_ADDRESS: %w", err)
	}
	return c, nil
}

// EnsureSearchAttributes registers the product's custom search attributes when missing.
// Temporal Cloud does not allow this call; there they are created once in the console, so a
// permission error is logged, not fatal.
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string, log *slog.Logger) error {
	want := map[string]enumspb.IndexedValueType{
		OrgIDKey.GetName():   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		FeatureKey.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	}
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("temporal: list search attributes: %w", err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range want {
		if _, ok := have.GetCustomAttributes()[name]; !ok {
			missing[name] = typ
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: missing})
	var denied *serviceerror.PermissionDenied
	var exists *serviceerror.AlreadyExists
	switch {
	case err == nil, errors.As(err, &exists):
		log.Info("registered Temporal search attributes", "count", len(missing))
		return nil
	case errors.As(err, &denied):
		log.Warn("cannot register Temporal search attributes; create ByteChefOrgId and ByteChefFeature (Keyword) in the namespace", "error", err)
		return nil
	default:
		return fmt.Errorf("temporal: add search attributes: %w", err)
	}
}

// Schedule declares one Temporal Schedule.
type Schedule struct {
	ID            string
	Spec          client.ScheduleSpec
	Workflow      string
	WorkflowID    string
	Args          []any
	Feature       string
	Overlap       enumspb.ScheduleOverlapPolicy
	CatchupWindow time.Duration
	Memo          map[string]any
	// RunTimeout bounds one run of the scheduled workflow.
	RunTimeout time.Duration
}

func (s Schedule) action(taskQueue string) *client.ScheduleWorkflowAction {
	return &client.ScheduleWorkflowAction{
		ID:                       s.WorkflowID,
		Workflow:                 s.Workflow,
		Args:                     s.Args,
		TaskQueue:                taskQueue,
		WorkflowExecutionTimeout: s.RunTimeout,
		TypedSearchAttributes:    SearchAttributes(s.Feature, ""),
		Memo:                     s.Memo,
	}
}

// Reconcile creates or updates every declared schedule so Temporal matches the code.
// It is idempotent: running it again with the same declarations changes nothing observable.
func Reconcile(ctx context.Context, c client.Client, taskQueue string, schedules []Schedule, log *slog.Logger) error {
	sc := c.ScheduleClient()
	for _, s := range schedules {
		_, err := sc.Create(ctx, client.ScheduleOptions{
			ID:            s.ID,
			Spec:          s.Spec,
			Action:        s.action(taskQueue),
			Overlap:       s.Overlap,
			CatchupWindow: s.CatchupWindow,
			Memo:          s.Memo,
		})
		if err == nil {
			log.Info("schedule created", "schedule_id", s.ID)
			continue
		}
		if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
			return fmt.Errorf("temporal: create schedule %s: %w", s.ID, err)
		}
		err = sc.GetHandle(ctx, s.ID).Update(ctx, client.ScheduleUpdateOptions{
			DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
				sched := in.Description.Schedule
				spec := s.Spec
				sched.Spec = &spec
				sched.Action = s.action(taskQueue)
				if sched.Policy == nil {
					sched.Policy = &client.SchedulePolicies{}
				}
				sched.Policy.Overlap = s.Overlap
				sched.Policy.CatchupWindow = s.CatchupWindow
				return &client.ScheduleUpdate{Schedule: &sched}, nil
			},
		})
		if err != nil {
			return fmt.Errorf("temporal: update schedule %s: %w", s.ID, err)
		}
		log.Info("schedule reconciled", "schedule_id", s.ID)
	}
	return nil
}
