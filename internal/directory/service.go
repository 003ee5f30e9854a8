// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/crypto"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
	"github.com/bytechefhq/bytechef-ee/internal/scim"
)

// Scheduler keeps an org's sync schedule in Temporal and starts runs on demand.
type Scheduler interface {
	EnsureSchedule(ctx context.Context, orgID uuid.UUID) error
	RemoveSchedule(ctx context.Context, orgID uuid.UUID) error
	StartRun(ctx context.Context, orgID, runID uuid.UUID, dryRun bool) error
}

// Service manages connections and sync runs and applies the diff.
type Service struct {
	db    database.DB
	keys  *crypto.KeyRing
	scim  *scim.Service
	sched Scheduler
	// HTTP is the client directory requests use (tests point it at local servers).
	HTTP *http.Client
}

// NewService returns the directory service. sched may be nil (no Temporal: API-only tests).
func NewService(db database.DB, keys *crypto.KeyRing, sc *scim.Service, sched Scheduler) *Service {
	return &Service{db: db, keys: keys, scim: sc, sched: sched}
}

const purposeSecret = "directory_connection.secret"

func connFromRow(r dbsqlc.DirectoryConnection) (Connection, error) {
	c := Connection{ID: r.ID, OrgID: r.OrgID, Kind: Kind(r.Kind), Name: r.Name, BaseURL: r.BaseUrl, Enabled: r.Enabled,
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if err := json.Unmarshal(r.Settings, &c.Settings); err != nil {
		return Connection{}, fmt.Errorf("directory: connection %s settings: %w", r.ID, err)
	}
	return c, nil
}

func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	if database.IsNoRows(err) {
		return errcode.New(errcode.NotFound, "%s not found", what)
	}
	if c, ok := database.UniqueViolation(err); ok {
		switch c {
		case "directory_connection_enabled_key":
			return errcode.New(errcode.Conflict, "the organization already has an enabled directory connection; disable it first")
		case "directory_sync_run_running_key":
			return errcode.New(errcode.Conflict, "a directory sync is already running")
		}
		return errcode.New(errcode.Conflict, "%s already exists", what)
	}
	return err
}

// ConnectionInput creates or changes a connection; nil fields are unchanged on update.
type ConnectionInput struct {
	Kind     *string
	Name     *string
	BaseURL  *string
	Secret   *string
	Settings *Settings
	Enabled  *bool
}

func validBaseURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.RawQuery == "" && u.Fragment == "" && u.User == nil
}

func (in ConnectionInput) apply(cur Connection, creating bool) (Connection, error) {
	var f errcode.Fields
	next := cur
	if in.Kind != nil {
		if !creating && Kind(*in.Kind) != cur.Kind {
			f.Add("kind", "cannot change; create another connection")
		}
		switch Kind(*in.Kind) {
		case KindOkta, KindEntra, KindSCIM:
			next.Kind = Kind(*in.Kind)
		default:
			f.Add("kind", "must be OKTA, ENTRA_ID or SCIM")
		}
	} else if creating {
		f.Add("kind", "is required")
	}
	if in.Name != nil {
		next.Name = strings.TrimSpace(*in.Name)
	}
	if next.Name == "" || len(next.Name) > 200 || strings.ContainsAny(next.Name, "\x00\r\n") {
		f.Add("name", "is required (at most 200 characters)")
	}
	if in.BaseURL != nil {
		next.BaseURL = strings.TrimRight(strings.TrimSpace(*in.BaseURL), "/")
	}
	if next.BaseURL == "" && next.Kind == KindEntra {
		next.BaseURL = "https://graph.microsoft.com"
	}
	if !validBaseURL(next.BaseURL) {
		f.Add("base_url", "must be an http(s) URL without query or credentials")
	}
	if in.Settings != nil {
		next.Settings = *in.Settings
	}
	if next.Kind == KindEntra {
		if next.Settings.ClientID == "" {
			f.Add("settings.client_id", "is required for ENTRA_ID")
		}
		if next.Settings.TenantID == "" && next.Settings.TokenURL == "" {
			f.Add("settings.tenant_id", "is required for ENTRA_ID (or settings.token_url)")
		}
		if next.Settings.TokenURL != "" && !validBaseURL(next.Settings.TokenURL) {
			f.Add("settings.token_url", "must be an http(s) URL")
		}
	}
	if creating && (in.Secret == nil || *in.Secret == "") {
		f.Add("secret", "is required (Okta API token, Entra client secret or SCIM bearer token)")
	}
	if in.Secret != nil && len(*in.Secret) > 4096 {
		f.Add("secret", "must be at most 4096 characters")
	}
	if in.Enabled != nil {
		next.Enabled = *in.Enabled
	} else if creating {
		next.Enabled = true
	}
	return next, f.Err()
}

func connSummary(c Connection) map[string]any {
	return map[string]any{"kind": c.Kind, "name": c.Name, "base_url": c.BaseURL, "enabled": c.Enabled, "settings": c.Settings}
}

// CreateConnection stores a connection with its sealed secret and, when enabled, its schedule.
func (s *Service) CreateConnection(ctx context.Context, orgID uuid.UUID, in ConnectionInput) (Connection, error) {
	c, err := in.apply(Connection{}, true)
	if err != nil {
		return Connection{}, err
	}
	id := uuid.Must(uuid.NewV7())
	sealed, err := s.keys.Seal([]byte(*in.Secret), crypto.AD(orgID, purposeSecret))
	if err != nil {
		return Connection{}, errcode.New(errcode.Unavailable, "secrets cannot be stored: BYTECHEF_ENCRYPTION_KEYS is not configured")
	}
	settings, _ := json.Marshal(c.Settings)
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.DirectoryConnectionInsert(ctx, dbsqlc.DirectoryConnectionInsertParams{ID: id, OrgID: orgID, Kind: string(c.Kind), Name: c.Name,
			BaseUrl: c.BaseURL, Settings: settings, SecretCiphertext: sealed, Enabled: c.Enabled})
		if err != nil {
			return translate(err, "directory connection")
		}
		if c, err = connFromRow(row); err != nil {
			return err
		}
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "directory_connection.created", TargetType: "directory_connection",
			TargetID: id.String(), Data: map[string]any{"after": connSummary(c)}})
	})
	if err != nil {
		return Connection{}, err
	}
	return c, s.syncSchedule(ctx, orgID, c.Enabled)
}

func (s *Service) syncSchedule(ctx context.Context, orgID uuid.UUID, enabled bool) error {
	if s.sched == nil {
		return nil
	}
	var err error
	if enabled {
		err = s.sched.EnsureSchedule(ctx, orgID)
	} else {
		err = s.sched.RemoveSchedule(ctx, orgID)
	}
	if err != nil {
		return errcode.New(errcode.Unavailable, "the connection is saved but its schedule could not be updated in Temporal; retry the request")
	}
	return nil
}

// GetConnection returns one connection.
func (s *Service) GetConnection(ctx context.Context, orgID, id uuid.UUID) (Connection, error) {
	row, err := dbsqlc.New(s.db).DirectoryConnectionGet(ctx, dbsqlc.DirectoryConnectionGetParams{OrgID: orgID, ID: id})
	if err != nil {
		return Connection{}, translate(err, "directory connection")
	}
	return connFromRow(row)
}

// ListConnections pages through the org's connections.
func (s *Service) ListConnections(ctx context.Context, orgID uuid.UUID, after *uuid.UUID, limit int) ([]Connection, error) {
	rows, err := dbsqlc.New(s.db).DirectoryConnectionList(ctx, dbsqlc.DirectoryConnectionListParams{OrgID: orgID, AfterID: after, Limit: int32(limit)})
	if err != nil {
		return nil, err
	}
	out := make([]Connection, 0, len(rows))
	for _, r := range rows {
		c, err := connFromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// UpdateConnection changes a connection (a new secret is sealed; the old one is dropped).
func (s *Service) UpdateConnection(ctx context.Context, orgID, id uuid.UUID, in ConnectionInput) (Connection, error) {
	var c Connection
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.DirectoryConnectionGetForUpdate(ctx, dbsqlc.DirectoryConnectionGetForUpdateParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "directory connection")
		}
		cur, err := connFromRow(row)
		if err != nil {
			return err
		}
		next, err := in.apply(cur, false)
		if err != nil {
			return err
		}
		sealed := row.SecretCiphertext
		if in.Secret != nil {
			if sealed, err = s.keys.Seal([]byte(*in.Secret), crypto.AD(orgID, purposeSecret)); err != nil {
				return errcode.New(errcode.Unavailable, "secrets cannot be stored: BYTECHEF_ENCRYPTION_KEYS is not configured")
			}
		}
		settings, _ := json.Marshal(next.Settings)
		updated, err := q.DirectoryConnectionUpdate(ctx, dbsqlc.DirectoryConnectionUpdateParams{OrgID: orgID, ID: id, Name: next.Name, BaseUrl: next.BaseURL,
			Settings: settings, SecretCiphertext: sealed, Enabled: next.Enabled})
		if err != nil {
			return translate(err, "directory connection")
		}
		if c, err = connFromRow(updated); err != nil {
			return err
		}
		data := map[string]any{"before": connSummary(cur), "after": connSummary(c)}
		if in.Secret != nil {
			data["secret_rotated"] = true
		}
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "directory_connection.updated", TargetType: "directory_connection", TargetID: id.String(), Data: data})
	})
	if err != nil {
		return Connection{}, err
	}
	return c, s.syncSchedule(ctx, orgID, c.Enabled)
}

// DeleteConnection removes a connection, its runs and its schedule.
func (s *Service) DeleteConnection(ctx context.Context, orgID, id uuid.UUID) error {
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.DirectoryConnectionGetForUpdate(ctx, dbsqlc.DirectoryConnectionGetForUpdateParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "directory connection")
		}
		cur, err := connFromRow(row)
		if err != nil {
			return err
		}
		if _, err := q.DirectoryConnectionDelete(ctx, dbsqlc.DirectoryConnectionDeleteParams{OrgID: orgID, ID: id}); err != nil {
			return err
		}
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "directory_connection.deleted", TargetType: "directory_connection", TargetID: id.String(),
			Data: map[string]any{"before": connSummary(cur)}})
	})
	if err != nil {
		return err
	}
	return s.syncSchedule(ctx, orgID, false)
}

func runFromRow(r dbsqlc.DirectorySyncRun) Run {
	run := Run{ID: r.ID, OrgID: r.OrgID, ConnectionID: r.ConnectionID, WorkflowID: r.WorkflowID, Trigger: r.Trigger, DryRun: r.DryRun,
		Status: r.Status, Phase: r.Phase, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Counts: map[string]int64{}, Drift: []Drift{}, Errors: []string{}}
	_ = json.Unmarshal(r.Counts, &run.Counts)
	_ = json.Unmarshal(r.Drift, &run.Drift)
	_ = json.Unmarshal(r.Errors, &run.Errors)
	return run
}

// staleAfter is how old a RUNNING run must be before a new run may declare it abandoned
// (its workflow timed out or was terminated without recording the end).
const staleAfter = 6 * time.Hour

// TriggerRun records a manual run and starts its workflow: 409 with the running run's id
// when one is in flight (SPEC §3.5).
func (s *Service) TriggerRun(ctx context.Context, orgID uuid.UUID, dryRun bool) (Run, error) {
	runID := uuid.Must(uuid.NewV7())
	run, err := s.insertRun(ctx, orgID, runID, WorkflowID(orgID, runID.String()), "MANUAL", dryRun)
	if err != nil {
		return Run{}, err
	}
	if s.sched == nil {
		return run, nil
	}
	if err := s.sched.StartRun(ctx, orgID, runID, dryRun); err != nil {
		_ = s.finish(context.WithoutCancel(ctx), orgID, runID, RunFailed, []string{"the workflow could not be started"})
		return Run{}, errcode.New(errcode.Unavailable, "the workflow engine could not start the sync; try again")
	}
	return run, nil
}

func (s *Service) insertRun(ctx context.Context, orgID, runID uuid.UUID, workflowID, trigger string, dryRun bool) (Run, error) {
	var run Run
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		conn, err := q.DirectoryConnectionEnabled(ctx, orgID)
		if database.IsNoRows(err) {
			return errcode.New(errcode.NotFound, "the organization has no enabled directory connection")
		}
		if err != nil {
			return err
		}
		if _, err := q.DirectorySyncRunAbandon(ctx, dbsqlc.DirectorySyncRunAbandonParams{OrgID: orgID, OlderThan: time.Now().Add(-staleAfter)}); err != nil {
			return err
		}
		if cur, err := q.DirectorySyncRunRunning(ctx, orgID); err == nil {
			e := errcode.New(errcode.Conflict, "a directory sync is already running (run %s)", cur.ID)
			e.Meta = map[string]any{"running_run_id": cur.ID.String()}
			return e
		}
		row, err := q.DirectorySyncRunInsert(ctx, dbsqlc.DirectorySyncRunInsertParams{ID: runID, OrgID: orgID, ConnectionID: conn.ID,
			WorkflowID: workflowID, Trigger: trigger, DryRun: dryRun})
		if err != nil {
			return translate(err, "sync run")
		}
		run = runFromRow(row)
		return nil
	})
	return run, err
}

// BeginRun is the workflow's first step: the run row of this workflow id (created by
// TriggerRun, or here for a scheduled run). skip is true when another run is in flight or
// the org has no enabled connection any more — the scheduled run then ends quietly.
func (s *Service) BeginRun(ctx context.Context, orgID uuid.UUID, workflowID string, dryRun bool) (run Run, skip bool, err error) {
	row, err := dbsqlc.New(s.db).DirectorySyncRunByWorkflow(ctx, workflowID)
	if err == nil {
		if row.OrgID != orgID {
			return Run{}, true, nil
		}
		return runFromRow(row), row.Status != RunRunning, nil
	}
	if !database.IsNoRows(err) {
		return Run{}, false, err
	}
	run, err = s.insertRun(ctx, orgID, uuid.Must(uuid.NewV7()), workflowID, "SCHEDULE", dryRun)
	if e, ok := errcode.As(err); ok && (e.Code == errcode.Conflict || e.Code == errcode.NotFound) {
		return Run{}, true, nil
	}
	return run, false, err
}

// GetRun returns one run.
func (s *Service) GetRun(ctx context.Context, orgID, id uuid.UUID) (Run, error) {
	row, err := dbsqlc.New(s.db).DirectorySyncRunGet(ctx, dbsqlc.DirectorySyncRunGetParams{OrgID: orgID, ID: id})
	if err != nil {
		return Run{}, translate(err, "sync run")
	}
	return runFromRow(row), nil
}

// ListRuns returns runs newest first.
func (s *Service) ListRuns(ctx context.Context, orgID uuid.UUID, before *uuid.UUID, limit int) ([]Run, error) {
	rows, err := dbsqlc.New(s.db).DirectorySyncRunList(ctx, dbsqlc.DirectorySyncRunListParams{OrgID: orgID, BeforeID: before, Limit: int32(limit)})
	if err != nil {
		return nil, err
	}
	out := make([]Run, len(rows))
	for i, r := range rows {
		out[i] = runFromRow(r)
	}
	return out, nil
}

// ReconcileSchedules makes sure every org with an enabled connection has its sync schedule
// (for instance after Temporal was unreachable when the connection was saved, or after a
// Temporal namespace was rebuilt). Idempotent; returns how many it reconciled.
func (s *Service) ReconcileSchedules(ctx context.Context) (int, error) {
	if s.sched == nil {
		return 0, nil
	}
	orgs, err := dbsqlc.New(s.db).DirectoryConnectionsEnabledAll(ctx)
	if err != nil {
		return 0, err
	}
	for i, org := range orgs {
		if err := s.sched.EnsureSchedule(ctx, org); err != nil {
			return i, err
		}
	}
	return len(orgs), nil
}
