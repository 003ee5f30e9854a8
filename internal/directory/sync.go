// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package directory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
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

// Fetch phases.
const (
	FetchUsers   = "users"
	FetchGroups  = "groups"
	FetchMembers = "members"
	FetchDone    = "done"
)

// FetchState is where fetching stands; small, so it travels in heartbeats and workflow input.
type FetchState struct {
	Phase string
	Next  string // the directory's position within the phase ("" = first page)
	Group string // members phase: the external id of the group being paged
	Pages int
}

// Apply phases.
const (
	ApplyUsers        = "users"
	ApplySuspend      = "suspend"
	ApplyGroups       = "groups"
	ApplyRemoveGroups = "remove_groups"
	ApplyMembers      = "members"
	ApplyDone         = "done"
)

// ApplyState is where applying stands.
type ApplyState struct {
	Phase   string
	After   string
	Batches int
}

// Batch sizes: big enough to amortise a transaction, small enough to commit in seconds.
const (
	userBatch  = 1000
	groupBatch = 200
	maxDrift   = 500
	maxErrors  = 100
)

func (s *Service) runAndConn(ctx context.Context, orgID, runID uuid.UUID) (Run, dbsqlc.DirectoryConnection, error) {
	q := dbsqlc.New(s.db)
	row, err := q.DirectorySyncRunGet(ctx, dbsqlc.DirectorySyncRunGetParams{OrgID: orgID, ID: runID})
	if err != nil {
		return Run{}, dbsqlc.DirectoryConnection{}, translate(err, "sync run")
	}
	conn, err := q.DirectoryConnectionGet(ctx, dbsqlc.DirectoryConnectionGetParams{OrgID: orgID, ID: row.ConnectionID})
	if err != nil {
		return Run{}, dbsqlc.DirectoryConnection{}, translate(err, "directory connection")
	}
	return runFromRow(row), conn, nil
}

func (s *Service) fetcher(conn dbsqlc.DirectoryConnection) (Fetcher, error) {
	c, err := connFromRow(conn)
	if err != nil {
		return nil, err
	}
	secret, err := s.keys.Open(conn.SecretCiphertext, crypto.AD(conn.OrgID, purposeSecret))
	if err != nil {
		return nil, &PermanentError{Msg: "the connection's secret cannot be decrypted with the configured key ring"}
	}
	return NewFetcher(c, string(secret), s.HTTP)
}

// Fetch pages through the directory from st, staging each page, until done or the budget
// is spent. progress is called after every staged page (the activity heartbeats it).
func (s *Service) Fetch(ctx context.Context, orgID, runID uuid.UUID, st FetchState, budget time.Duration, progress func(FetchState)) (FetchState, error) {
	run, conn, err := s.runAndConn(ctx, orgID, runID)
	if err != nil {
		return st, err
	}
	if run.Status != RunRunning {
		return FetchState{Phase: FetchDone}, nil
	}
	f, err := s.fetcher(conn)
	if err != nil {
		return st, err
	}
	q := dbsqlc.New(s.db)
	deadline := time.Now().Add(budget)
	if st.Phase == "" {
		st.Phase = FetchUsers
	}
	for st.Phase != FetchDone && time.Now().Before(deadline) {
		switch st.Phase {
		case FetchUsers:
			p, err := f.Users(ctx, st.Next)
			if err != nil {
				return st, err
			}
			if err := stageUsers(ctx, q, runID, orgID, p.Users); err != nil {
				return st, err
			}
			st.Next = p.Next
			if p.Next == "" {
				st.Phase = FetchGroups
			}
		case FetchGroups:
			p, err := f.Groups(ctx, st.Next)
			if err != nil {
				return st, err
			}
			if err := stageGroups(ctx, q, runID, orgID, p); err != nil {
				return st, err
			}
			st.Next = p.Next
			if p.Next == "" {
				st.Phase, st.Group = FetchMembers, ""
				if p.Inline != nil {
					st.Phase = FetchDone // members came with the groups
				}
			}
		case FetchMembers:
			if st.Group == "" {
				groups, err := q.DirectoryStagedGroupsAfter(ctx, dbsqlc.DirectoryStagedGroupsAfterParams{RunID: runID, After: "", Limit: 1})
				if err != nil {
					return st, err
				}
				if len(groups) == 0 {
					st.Phase = FetchDone
					break
				}
				st.Group = groups[0].ExternalID
			}
			p, ok, err := f.Members(ctx, st.Group, st.Next)
			if err != nil {
				return st, err
			}
			if !ok {
				st.Phase = FetchDone
				break
			}
			if len(p.Members) > 0 {
				if err := q.DirectoryStageMemberships(ctx, dbsqlc.DirectoryStageMembershipsParams{RunID: runID, OrgID: orgID, GroupExternalID: st.Group, UserExternalIds: p.Members}); err != nil {
					return st, err
				}
			}
			st.Next = p.Next
			if p.Next == "" {
				groups, err := q.DirectoryStagedGroupsAfter(ctx, dbsqlc.DirectoryStagedGroupsAfterParams{RunID: runID, After: st.Group, Limit: 1})
				if err != nil {
					return st, err
				}
				if len(groups) == 0 {
					st.Phase, st.Group = FetchDone, ""
				} else {
					st.Group = groups[0].ExternalID
				}
			}
		}
		st.Pages++
		if debug {
			fmt.Fprintf(os.Stderr, "dirsync fetch %s page %d at %s\n", st.Phase, st.Pages, time.Now().Format("15:04:05.000"))
		}
		progress(st)
		if err := ctx.Err(); err != nil {
			return st, err
		}
	}
	if st.Phase == FetchDone {
		if err := q.DirectorySyncRunSetPhase(ctx, dbsqlc.DirectorySyncRunSetPhaseParams{OrgID: orgID, ID: runID, Phase: "APPLY", Counts: []byte("{}")}); err != nil {
			return st, err
		}
	}
	return st, nil
}

func stageUsers(ctx context.Context, q *dbsqlc.Queries, runID, orgID uuid.UUID, users []User) error {
	if len(users) == 0 {
		return nil
	}
	p := dbsqlc.DirectoryStageUsersParams{RunID: runID, OrgID: orgID}
	for _, u := range users {
		if u.ExternalID == "" || u.UserName == "" {
			continue // not a usable directory entry
		}
		p.ExternalIds = append(p.ExternalIds, u.ExternalID)
		p.UserNames = append(p.UserNames, u.UserName)
		p.Emails = append(p.Emails, u.Email)
		p.GivenNames = append(p.GivenNames, u.GivenName)
		p.FamilyNames = append(p.FamilyNames, u.FamilyName)
		p.DisplayNames = append(p.DisplayNames, u.DisplayName)
		p.Actives = append(p.Actives, u.Active)
	}
	if len(p.ExternalIds) == 0 {
		return nil
	}
	return q.DirectoryStageUsers(ctx, p)
}

func stageGroups(ctx context.Context, q *dbsqlc.Queries, runID, orgID uuid.UUID, p Page) error {
	if len(p.Groups) == 0 {
		return nil
	}
	gp := dbsqlc.DirectoryStageGroupsParams{RunID: runID, OrgID: orgID}
	for _, g := range p.Groups {
		if g.ExternalID == "" || strings.TrimSpace(g.DisplayName) == "" {
			continue
		}
		gp.ExternalIds = append(gp.ExternalIds, g.ExternalID)
		gp.DisplayNames = append(gp.DisplayNames, g.DisplayName)
	}
	if len(gp.ExternalIds) > 0 {
		if err := q.DirectoryStageGroups(ctx, gp); err != nil {
			return err
		}
	}
	for gid, members := range p.Inline {
		if len(members) == 0 {
			continue
		}
		if err := q.DirectoryStageMemberships(ctx, dbsqlc.DirectoryStageMembershipsParams{RunID: runID, OrgID: orgID, GroupExternalID: gid, UserExternalIds: members}); err != nil {
			return err
		}
	}
	return nil
}

// batchResult is what one batch changed.
type batchResult struct {
	Counts map[string]int64 `json:"counts"`
	Drift  []Drift          `json:"drift"`
	Errors []string         `json:"errors"`
}

func newResult() *batchResult { return &batchResult{Counts: map[string]int64{}} }

func (r *batchResult) drift(kind, target, detail string) {
	r.Counts[CountDrift]++
	if len(r.Drift) < 50 {
		r.Drift = append(r.Drift, Drift{Kind: kind, Target: target, Detail: detail})
	}
}

func (r *batchResult) fail(target string, err error) {
	r.Counts[CountErrors]++
	if len(r.Errors) < 20 {
		msg := "internal error"
		if e, ok := errcode.As(err); ok {
			msg = e.Message
		}
		r.Errors = append(r.Errors, target+": "+msg)
	}
}

// Apply applies the staged directory from st in idempotent batches until done or the
// budget is spent. Each batch commits with its record (key, counts, drift, next position),
// so a batch re-run after a crash is recognised and skipped, never counted twice.
func (s *Service) Apply(ctx context.Context, orgID, runID uuid.UUID, st ApplyState, budget time.Duration, progress func(ApplyState)) (ApplyState, error) {
	run, _, err := s.runAndConn(ctx, orgID, runID)
	if err != nil {
		return st, err
	}
	if run.Status != RunRunning {
		return ApplyState{Phase: ApplyDone}, nil
	}
	if st.Phase == "" {
		st.Phase = ApplyUsers
	}
	deadline := time.Now().Add(budget)
	q := dbsqlc.New(s.db)
	for st.Phase != ApplyDone && time.Now().Before(deadline) {
		// Statistics go stale as a first sync fills the tables; refresh them at the start of
		// the set-based phases and every few user batches.
		if st.After == "" && (st.Phase == ApplyUsers || st.Phase == ApplyMembers) || st.Phase == ApplyUsers && st.Batches%10 == 9 {
			if err := s.analyze(ctx); err != nil {
				return st, err
			}
		}
		key := st.Phase + ":" + st.After
		b, err := q.DirectoryBatchGet(ctx, dbsqlc.DirectoryBatchGetParams{RunID: runID, BatchKey: key})
		if err == nil {
			st = advance(st, b.NextAfter)
			continue
		}
		if !database.IsNoRows(err) {
			return st, err
		}
		res := newResult()
		var next string
		t0 := time.Now()
		switch st.Phase {
		case ApplyUsers:
			next, err = s.applyUsers(ctx, orgID, runID, run.DryRun, st.After, res, key)
		case ApplySuspend:
			next, err = s.applySuspend(ctx, orgID, runID, run.DryRun, st.After, res, key)
		case ApplyGroups:
			next, err = s.applyGroups(ctx, orgID, runID, run.DryRun, st.After, res, key)
		case ApplyRemoveGroups:
			next, err = s.applyRemoveGroups(ctx, orgID, runID, run.DryRun, res, key)
		case ApplyMembers:
			next, err = s.applyMembers(ctx, orgID, runID, run.DryRun, st.After, res, key)
		default:
			return st, fmt.Errorf("directory: unknown apply phase %q", st.Phase)
		}
		if err != nil {
			return st, err
		}
		if debug {
			fmt.Fprintf(os.Stderr, "dirsync apply %s after=%q took %s\n", st.Phase, st.After, time.Since(t0))
		}
		st = advance(st, next)
		st.Batches++
		progress(st)
	}
	return st, nil
}

// advance moves to the next batch; "" ends the phase.
func advance(st ApplyState, next string) ApplyState {
	if next != "" {
		st.After = next
		return st
	}
	order := []string{ApplyUsers, ApplySuspend, ApplyGroups, ApplyRemoveGroups, ApplyMembers, ApplyDone}
	for i, p := range order {
		if p == st.Phase {
			st.Phase, st.After = order[i+1], ""
			break
		}
	}
	return st
}

// record stores the batch. For a dry run the batch's changes were rolled back, so the
// record goes in its own transaction.
func (s *Service) record(ctx context.Context, q *dbsqlc.Queries, orgID, runID uuid.UUID, key, next string, res *batchResult) error {
	counts, _ := json.Marshal(res.Counts)
	drift, _ := json.Marshal(batchResult{Drift: res.Drift, Errors: res.Errors})
	return q.DirectoryBatchInsert(ctx, dbsqlc.DirectoryBatchInsertParams{RunID: runID, OrgID: orgID, BatchKey: key, Counts: counts, Drift: drift, NextAfter: next})
}

// inBatch runs a batch's work and records it: in the same transaction normally, after the
// rollback for a dry run.
func (s *Service) inBatch(ctx context.Context, orgID, runID uuid.UUID, dry bool, key string, res *batchResult, next *string,
	fn func(q *dbsqlc.Queries, each func(func(q *dbsqlc.Queries) error) error) error) error {
	err := s.batchTx(ctx, dry, func(q *dbsqlc.Queries, each func(func(q *dbsqlc.Queries) error) error) error {
		if err := fn(q, each); err != nil {
			return err
		}
		if dry {
			return nil
		}
		return s.record(ctx, q, orgID, runID, key, *next, res)
	})
	if err != nil || !dry {
		return err
	}
	return s.record(ctx, dbsqlc.New(s.db), orgID, runID, key, *next, res)
}

func (s *Service) applyUsers(ctx context.Context, orgID, runID uuid.UUID, dry bool, after string, res *batchResult, key string) (string, error) {
	staged, err := dbsqlc.New(s.db).DirectoryStagedUsersAfter(ctx, dbsqlc.DirectoryStagedUsersAfterParams{RunID: runID, After: after, Limit: userBatch})
	if err != nil || len(staged) == 0 {
		return "", err
	}
	next := ""
	if len(staged) == userBatch {
		next = staged[len(staged)-1].ExternalID
	}
	err = s.inBatch(ctx, orgID, runID, dry, key, res, &next, func(q *dbsqlc.Queries, each func(func(q *dbsqlc.Queries) error) error) error {
		ext := make([]string, len(staged))
		names := make([]string, len(staged))
		for i, su := range staged {
			ext[i], names[i] = su.ExternalID, strings.ToLower(su.UserName)
		}
		locals, err := q.DirectoryLocalUsersFor(ctx, dbsqlc.DirectoryLocalUsersForParams{OrgID: orgID, ExternalIds: ext, UserNames: names})
		if err != nil {
			return err
		}
		byExt, byName := map[string]*dbsqlc.ScimUser{}, map[string]*dbsqlc.ScimUser{}
		for i := range locals {
			l := &locals[i]
			if l.ExternalID != nil {
				if cur, ok := byExt[*l.ExternalID]; !ok || cur.DeletedAt != nil {
					byExt[*l.ExternalID] = l
				}
			}
			if cur, ok := byName[strings.ToLower(l.UserName)]; !ok || cur.DeletedAt != nil {
				byName[strings.ToLower(l.UserName)] = l
			}
		}
		// Users new to the org go through the set-based path; the rest (and whatever it
		// leaves) one by one, each in a savepoint.
		type item struct {
			du    scim.DirectoryUser
			local *dbsqlc.ScimUser
		}
		var one []item
		var fresh []scim.DirectoryUser
		for _, su := range staged {
			local := byExt[su.ExternalID]
			if local == nil {
				local = byName[strings.ToLower(su.UserName)]
			}
			du := scim.DirectoryUser{ExternalID: su.ExternalID, UserName: su.UserName, Email: su.Email, GivenName: su.GivenName,
				FamilyName: su.FamilyName, DisplayName: su.DisplayName, Active: su.Active}
			if local == nil {
				fresh = append(fresh, du)
			} else if !scim.UserUpToDate(local, du) {
				one = append(one, item{du: du, local: local})
			}
		}
		if len(fresh) > 0 {
			var created, rest []scim.DirectoryUser
			err := each(func(q *dbsqlc.Queries) error {
				var err error
				created, rest, err = s.scim.BulkCreateUsers(ctx, q, orgID, fresh)
				return err
			})
			if err != nil {
				return err
			}
			for _, du := range created {
				res.Counts[CountUsersCreated]++
				res.drift("user_missing", du.UserName, "")
			}
			for _, du := range rest {
				one = append(one, item{du: du})
			}
		}
		for _, it := range one {
			du, local := it.du, it.local
			var result, detail string
			err := each(func(q *dbsqlc.Queries) error {
				var err error
				result, detail, err = s.scim.ReconcileUser(ctx, q, orgID, local, du)
				return err
			})
			if err != nil {
				if ctx.Err() != nil || !isDomainErr(err) {
					return err
				}
				res.fail(du.UserName, err)
				continue
			}
			switch result {
			case scim.Created:
				res.Counts[CountUsersCreated]++
				res.drift("user_missing", du.UserName, "")
			case scim.Updated:
				res.Counts[CountUsersUpdated]++
				res.drift("user_changed", du.UserName, detail)
			case scim.Suspended:
				res.Counts[CountUsersSuspended]++
				res.drift("user_suspended", du.UserName, detail)
			case scim.Reactivated:
				res.Counts[CountUsersRestored]++
				res.drift("user_reactivated", du.UserName, detail)
			}
		}
		return nil
	})
	return next, err
}

func isDomainErr(err error) bool {
	_, ok := errcode.As(err)
	return ok
}

func (s *Service) applySuspend(ctx context.Context, orgID, runID uuid.UUID, dry bool, after string, res *batchResult, key string) (string, error) {
	from := uuid.Nil
	if after != "" {
		var err error
		if from, err = uuid.Parse(after); err != nil {
			return "", err
		}
	}
	missing, err := dbsqlc.New(s.db).DirectoryLocalUsersMissing(ctx, dbsqlc.DirectoryLocalUsersMissingParams{OrgID: orgID, After: from, RunID: runID, Limit: userBatch})
	if err != nil || len(missing) == 0 {
		return "", err
	}
	next := ""
	if len(missing) == userBatch {
		next = missing[len(missing)-1].MemberID.String()
	}
	err = s.inBatch(ctx, orgID, runID, dry, key, res, &next, func(q *dbsqlc.Queries, each func(func(q *dbsqlc.Queries) error) error) error {
		for _, m := range missing {
			if err := each(func(q *dbsqlc.Queries) error { return s.scim.SuspendUser(ctx, q, m) }); err != nil {
				if !isDomainErr(err) {
					return err
				}
				res.fail(m.UserName, err)
				continue
			}
			res.Counts[CountUsersSuspended]++
			res.drift("user_not_in_directory", m.UserName, "suspended")
		}
		return nil
	})
	return next, err
}

func (s *Service) applyGroups(ctx context.Context, orgID, runID uuid.UUID, dry bool, after string, res *batchResult, key string) (string, error) {
	staged, err := dbsqlc.New(s.db).DirectoryStagedGroupsAfter(ctx, dbsqlc.DirectoryStagedGroupsAfterParams{RunID: runID, After: after, Limit: groupBatch})
	if err != nil || len(staged) == 0 {
		return "", err
	}
	next := ""
	if len(staged) == groupBatch {
		next = staged[len(staged)-1].ExternalID
	}
	err = s.inBatch(ctx, orgID, runID, dry, key, res, &next, func(q *dbsqlc.Queries, each func(func(q *dbsqlc.Queries) error) error) error {
		ext := make([]string, len(staged))
		names := make([]string, len(staged))
		for i, g := range staged {
			ext[i], names[i] = g.ExternalID, strings.ToLower(g.DisplayName)
		}
		locals, err := q.DirectoryLocalGroupsFor(ctx, dbsqlc.DirectoryLocalGroupsForParams{OrgID: orgID, ExternalIds: ext, DisplayNames: names})
		if err != nil {
			return err
		}
		byExt, byName := map[string]*dbsqlc.ScimGroup{}, map[string]*dbsqlc.ScimGroup{}
		for i := range locals {
			if locals[i].ExternalID != nil {
				byExt[*locals[i].ExternalID] = &locals[i]
			}
			byName[strings.ToLower(locals[i].DisplayName)] = &locals[i]
		}
		for _, g := range staged {
			local := byExt[g.ExternalID]
			if local == nil {
				local = byName[strings.ToLower(g.DisplayName)]
			}
			var result string
			err := each(func(q *dbsqlc.Queries) error {
				var err error
				_, result, err = s.scim.ReconcileGroup(ctx, q, orgID, local, g.ExternalID, g.DisplayName)
				return err
			})
			if err != nil {
				if !isDomainErr(err) {
					return err
				}
				res.fail(g.DisplayName, err)
				continue
			}
			switch result {
			case scim.Created:
				res.Counts[CountGroupsCreated]++
				res.drift("group_missing", g.DisplayName, "")
			case scim.Updated:
				res.Counts[CountGroupsUpdated]++
				res.drift("group_changed", g.DisplayName, "")
			}
		}
		return nil
	})
	return next, err
}

func (s *Service) applyRemoveGroups(ctx context.Context, orgID, runID uuid.UUID, dry bool, res *batchResult, key string) (string, error) {
	next := ""
	err := s.inBatch(ctx, orgID, runID, dry, key, res, &next, func(q *dbsqlc.Queries, _ func(func(q *dbsqlc.Queries) error) error) error {
		gone, err := q.DirectoryLocalGroupsMissing(ctx, dbsqlc.DirectoryLocalGroupsMissingParams{OrgID: orgID, RunID: runID})
		if err != nil {
			return err
		}
		for _, g := range gone {
			if err := s.scim.DeleteGroupTx(ctx, q, orgID, g.ID); err != nil {
				return err
			}
			res.Counts[CountGroupsDeleted]++
			res.drift("group_removed", g.DisplayName, "")
		}
		return nil
	})
	return next, err
}

// applyMembers reconciles one group's memberships per batch, as set-based deltas.
func (s *Service) applyMembers(ctx context.Context, orgID, runID uuid.UUID, dry bool, after string, res *batchResult, key string) (string, error) {
	q0 := dbsqlc.New(s.db)
	staged, err := q0.DirectoryStagedGroupsAfter(ctx, dbsqlc.DirectoryStagedGroupsAfterParams{RunID: runID, After: after, Limit: 1})
	if err != nil || len(staged) == 0 {
		return "", err
	}
	g := staged[0]
	next := g.ExternalID
	err = s.inBatch(ctx, orgID, runID, dry, key, res, &next, func(q *dbsqlc.Queries, _ func(func(q *dbsqlc.Queries) error) error) error {
		locals, err := q.DirectoryLocalGroupsFor(ctx, dbsqlc.DirectoryLocalGroupsForParams{OrgID: orgID, ExternalIds: []string{g.ExternalID}, DisplayNames: []string{strings.ToLower(g.DisplayName)}})
		if err != nil || len(locals) == 0 {
			return err // the group failed to reconcile; its error is already recorded
		}
		sort.Slice(locals, func(i, j int) bool { return locals[i].ExternalID != nil && *locals[i].ExternalID == g.ExternalID })
		gid := locals[0].ID
		add, err := q.DirectoryMembershipsToAdd(ctx, dbsqlc.DirectoryMembershipsToAddParams{RunID: runID, GroupExternalID: g.ExternalID, GroupID: gid})
		if err != nil {
			return err
		}
		remove, err := q.DirectoryMembershipsToRemove(ctx, dbsqlc.DirectoryMembershipsToRemoveParams{OrgID: orgID, GroupID: gid, RunID: runID, GroupExternalID: g.ExternalID})
		if err != nil {
			return err
		}
		if len(add) == 0 && len(remove) == 0 {
			return nil
		}
		if err := s.scim.ChangeMembers(ctx, q, orgID, gid, add, remove); err != nil {
			return err
		}
		res.Counts[CountMembersAdded] += int64(len(add))
		res.Counts[CountMembersRemoved] += int64(len(remove))
		if len(add) > 0 {
			res.drift("members_added", g.DisplayName, fmt.Sprintf("%d", len(add)))
		}
		if len(remove) > 0 {
			res.drift("members_removed", g.DisplayName, fmt.Sprintf("%d", len(remove)))
		}
		return nil
	})
	return next, err
}

// Finish ends a run: totals from the batch records, drift and errors (capped), the staged
// pages removed, and an audit event. Idempotent (a finished run is left as it is).
func (s *Service) Finish(ctx context.Context, orgID, runID uuid.UUID, failReason string) (Run, error) {
	status := RunCompleted
	var errs []string
	if failReason != "" {
		status, errs = RunFailed, []string{failReason}
	}
	if err := s.finish(ctx, orgID, runID, status, errs); err != nil {
		return Run{}, err
	}
	return s.GetRun(ctx, orgID, runID)
}

func (s *Service) finish(ctx context.Context, orgID, runID uuid.UUID, status string, errs []string) error {
	return database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		seen, err := q.DirectoryStagedCounts(ctx, runID)
		if err != nil {
			return err
		}
		batches, err := q.DirectoryBatches(ctx, runID)
		if err != nil {
			return err
		}
		counts := map[string]int64{CountUsersSeen: seen.Users, CountGroupsSeen: seen.Groups, CountMembershipsSeen: seen.Memberships}
		drift := []Drift{}
		for _, b := range batches {
			var c map[string]int64
			_ = json.Unmarshal(b.Counts, &c)
			for k, v := range c {
				counts[k] += v
			}
			var r batchResult
			_ = json.Unmarshal(b.Drift, &r)
			for _, d := range r.Drift {
				if len(drift) < maxDrift {
					drift = append(drift, d)
				}
			}
			for _, e := range r.Errors {
				if len(errs) < maxErrors {
					errs = append(errs, e)
				}
			}
		}
		if errs == nil {
			errs = []string{}
		}
		cj, _ := json.Marshal(counts)
		dj, _ := json.Marshal(drift)
		ej, _ := json.Marshal(errs)
		row, err := q.DirectorySyncRunFinish(ctx, dbsqlc.DirectorySyncRunFinishParams{OrgID: orgID, ID: runID, Status: status, Counts: cj, Drift: dj, Errors: ej})
		if database.IsNoRows(err) {
			return nil // already finished
		}
		if err != nil {
			return err
		}
		for _, clear := range []func(context.Context, uuid.UUID) error{q.DirectoryStagingClear, q.DirectoryStagingClearUsers, q.DirectoryStagingClearGroups} {
			if err := clear(ctx, runID); err != nil {
				return err
			}
		}
		typ := "directory_sync.completed"
		if status == RunFailed {
			typ = "directory_sync.failed"
		}
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: typ, TargetType: "directory_sync_run", TargetID: runID.String(),
			Data: map[string]any{"counts": counts, "dry_run": row.DryRun, "errors": len(errs)}})
	})
}

// IsPermanent reports whether an error cannot be fixed by retrying.
func IsPermanent(err error) bool {
	var pe *PermanentError
	if errors.As(err, &pe) {
		return true
	}
	e, ok := errcode.As(err)
	return ok && e.Code != errcode.Unavailable
}

var debug = os.Getenv("DIRSYNC_DEBUG") != ""
