// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

import (
	"context"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

func eventFromRow(r dbsqlc.AuditEvent) StoredEvent {
	return StoredEvent{ID: r.ID, OccurredAt: r.OccurredAt.UTC(), EventType: r.EventType, Category: r.Category,
		ActorUserID: r.ActorUserID, ActorType: r.ActorType, ActorIP: r.ActorIp, UserAgent: r.UserAgent,
		SessionID: r.SessionID, OrgID: r.OrgID, WorkspaceID: r.WorkspaceID, TargetEntityType: r.TargetEntityType,
		TargetEntityID: r.TargetEntityID, ActionData: r.ActionData, CorrelationID: r.CorrelationID, Seq: r.Seq,
		IngestedAt: r.IngestedAt.UTC(), Xid: r.Xid, PIISalt: r.PiiSalt, PIIDigest: r.PiiDigest,
		DataDigest: r.DataDigest, PseudonymisedAt: r.PseudonymisedAt}
}

func eventsFromRows(rows []dbsqlc.AuditEvent) []StoredEvent {
	out := make([]StoredEvent, len(rows))
	for i, r := range rows {
		out[i] = eventFromRow(r)
	}
	return out
}

// translate turns Postgres errors into domain errors; the rest stay unknown (500 upstream).
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	if database.IsNoRows(err) {
		return errcode.New(errcode.NotFound, "%s not found", what)
	}
	if _, ok := database.ForeignKeyViolation(err); ok {
		return errcode.New(errcode.NotFound, "a referenced resource of this %s does not exist", what)
	}
	return err
}

// isNoPartition reports the error Postgres raises when a row's occurred_at has no partition.
func isNoPartition(err error) bool {
	_, ok := database.CheckViolation(err)
	return ok
}

var partitionName = regexp.MustCompile(`^audit_event_(\d{4})_(\d{2})$`)

// partition is one monthly partition of audit_event.
type partition struct {
	Name          string
	Year, Month   int
	DetachPending bool
}

// listPartitions reads the catalogue directly: partition management is DDL over dynamic
// names, which sqlc cannot express (the one place this package talks to pgx itself).
func listPartitions(ctx context.Context, db database.DB) ([]partition, error) {
	rows, err := db.Query(ctx, `SELECT c.relname::text, i.inhdetachpending
		FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'audit_event'::regclass ORDER BY c.relname`)
	if err != nil {
		return nil, err
	}
	var out []partition
	for rows.Next() {
		var p partition
		if err := rows.Scan(&p.Name, &p.DetachPending); err != nil {
			rows.Close()
			return nil, err
		}
		m := partitionName.FindStringSubmatch(p.Name)
		if m == nil {
			continue
		}
		_, _ = fmt.Sscanf(m[1]+" "+m[2], "%d %d", &p.Year, &p.Month)
		out = append(out, p)
	}
	rows.Close()
	return out, rows.Err()
}

// partitionEmpty reports whether a partition holds no rows.
func partitionEmpty(ctx context.Context, db database.DB, name string) (bool, error) {
	var exists bool
	err := db.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+pgx.Identifier{name}.Sanitize()+")").Scan(&exists)
	return !exists, err
}

// detachAndDrop removes an empty partition without blocking writers: DETACH ... CONCURRENTLY
// takes only a SHARE UPDATE EXCLUSIVE lock on audit_event (it cannot run in a transaction).
// A detach interrupted earlier is finished with FINALIZE.
func detachAndDrop(ctx context.Context, db database.DB, p partition) error {
	name := pgx.Identifier{p.Name}.Sanitize()
	stmt := "ALTER TABLE audit_event DETACH PARTITION " + name + " CONCURRENTLY"
	if p.DetachPending {
		stmt = "ALTER TABLE audit_event DETACH PARTITION " + name + " FINALIZE"
	}
	if _, err := db.Exec(ctx, stmt); err != nil {
		return err
	}
	_, err := db.Exec(ctx, "DROP TABLE IF EXISTS "+name)
	return err
}
