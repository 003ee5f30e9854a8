// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package directory pulls an org's users and groups from its identity provider (Okta
// Management API, Microsoft Graph for Entra ID, or a remote SCIM server) and reconciles the
// local SCIM state with them (SPEC §3.5): directory connections with sealed secrets, sync
// runs with counts, drift and errors, page staging in Postgres, and the idempotent batch
// apply the DirectorySyncWorkflow's activities call.
package directory

import (
	"time"

	"github.com/google/uuid"
)

// Kind is a directory type.
type Kind string

// The directory kinds.
const (
	KindOkta  Kind = "OKTA"
	KindEntra Kind = "ENTRA_ID"
	KindSCIM  Kind = "SCIM"
)

// Settings are the non-secret connection parameters. The JSON tags are the storage encoding.
type Settings struct {
	TenantID string `json:"tenant_id,omitempty"`
	ClientID string `json:"client_id,omitempty"`
	TokenURL string `json:"token_url,omitempty"`
	Scope    string `json:"scope,omitempty"`
}

// Connection is a directory the org's schedule pulls from. The secret (Okta SSWS token,
// Entra client secret, remote SCIM bearer) is sealed and never returned.
type Connection struct {
	ID        uuid.UUID
	OrgID     uuid.UUID
	Kind      Kind
	Name      string
	BaseURL   string
	Settings  Settings
	Enabled   bool
	Version   int32
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Run statuses.
const (
	RunRunning   = "RUNNING"
	RunCompleted = "COMPLETED"
	RunFailed    = "FAILED"
)

// Run is one sync run.
type Run struct {
	ID           uuid.UUID
	OrgID        uuid.UUID
	ConnectionID uuid.UUID
	WorkflowID   string
	Trigger      string
	DryRun       bool
	Status       string
	Phase        string
	Counts       map[string]int64
	Drift        []Drift
	Errors       []string
	StartedAt    time.Time
	FinishedAt   *time.Time
}

// Drift is one difference between the directory and the local state: something the IdP's
// push had missed (or an admin changed locally).
type Drift struct {
	Kind   string `json:"kind"` // user_missing, user_changed, user_suspended, user_reactivated, group_missing, group_renamed, group_removed, member_added, member_removed
	Target string `json:"target"`
	Detail string `json:"detail,omitempty"`
}

// Counts keys.
const (
	CountUsersSeen       = "users_seen"
	CountGroupsSeen      = "groups_seen"
	CountMembershipsSeen = "memberships_seen"
	CountUsersCreated    = "users_created"
	CountUsersUpdated    = "users_updated"
	CountUsersSuspended  = "users_suspended"
	CountUsersRestored   = "users_reactivated"
	CountGroupsCreated   = "groups_created"
	CountGroupsUpdated   = "groups_updated"
	CountGroupsDeleted   = "groups_deleted"
	CountMembersAdded    = "members_added"
	CountMembersRemoved  = "members_removed"
	CountErrors          = "errors"
	CountDrift           = "drift"
)

// WorkflowName is the registered name of DirectorySyncWorkflow (workflows.WorkflowDirectorySync).
const WorkflowName = "DirectorySyncWorkflow"

// Feature is the ByteChefFeature search attribute of directory workflows.
const Feature = "SCIM"

// WorkflowInput is the workflow's input as the API and the schedule send it (the workflow's
// DirectorySyncInput has the same leading fields).
type WorkflowInput struct {
	OrgID   string
	RunID   string
	DryRun  bool
	Trigger string
}

// WorkflowID is the business-key workflow id of a run (SPEC §9).
func WorkflowID(orgID uuid.UUID, run string) string { return "dirsync/" + orgID.String() + "/" + run }

// ScheduleID is the id of an org's sync schedule.
func ScheduleID(orgID uuid.UUID) string { return "dirsync-" + orgID.String() }
