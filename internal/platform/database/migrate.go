// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package database

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/bytechefhq/bytechef-ee/db"
	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
)

// PartitionMonthsAhead is how many future months of audit partitions are kept ready.
const PartitionMonthsAhead = 3

func provider(pool *pgxpool.Pool) (*goose.Provider, *sql.DB, error) {
	sqlDB := stdlib.OpenDBFromPool(pool)
	// Out-of-order application lets features developed in parallel number their migrations
	// in their own ranges without breaking databases that already ran a later one.
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, db.Migrations, goose.WithAllowOutofOrder(true))
	if err != nil {
		_ = sqlDB.Close()
		return nil, nil, fmt.Errorf("migrations: %w", err)
	}
	return p, sqlDB, nil
}

// MigrateUp applies every pending migration, then makes sure the audit partitions for the
// previous, current and next months exist. Concurrent runs are serialised by goose's lock.
func MigrateUp(ctx context.Context, pool *pgxpool.Pool, out io.Writer) error {
	p, sqlDB, err := provider(pool)
	if err != nil {
		return err
	}
	defer sqlDB.Close()
	results, err := p.Up(ctx)
	for _, r := range results {
		fmt.Fprintf(out, "applied %s (%s)\n", r.Source.Path, r.Duration.Round(time.Millisecond))
	}
	if err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	_, err = EnsurePartitions(ctx, dbsqlc.New(pool), time.Now())
	return err
}

// MigrateDown rolls back the newest migration.
func MigrateDown(ctx context.Context, pool *pgxpool.Pool, out io.Writer) error {
	p, sqlDB, err := provider(pool)
	if err != nil {
		return err
	}
	defer sqlDB.Close()
	r, err := p.Down(ctx)
	if r != nil {
		fmt.Fprintf(out, "rolled back %s\n", r.Source.Path)
	}
	if err != nil {
		return fmt.Errorf("migrate down: %w", err)
	}
	return nil
}

// MigrateStatus prints each migration and whether it is applied.
func MigrateStatus(ctx context.Context, pool *pgxpool.Pool, out io.Writer) (pending int, err error) {
	p, sqlDB, err := provider(pool)
	if err != nil {
		return 0, err
	}
	defer sqlDB.Close()
	st, err := p.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate status: %w", err)
	}
	for _, s := range st {
		state := "applied " + s.AppliedAt.UTC().Format(time.RFC3339)
		if s.State == goose.StatePending {
			state = "pending"
			pending++
		}
		fmt.Fprintf(out, "%-40s %s\n", s.Source.Path, state)
	}
	return pending, nil
}

// EnsurePartitions creates the audit partitions from last month to PartitionMonthsAhead ahead.
func EnsurePartitions(ctx context.Context, q *dbsqlc.Queries, now time.Time) (int32, error) {
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	n, err := q.AuditEnsurePartitions(ctx, dbsqlc.AuditEnsurePartitionsParams{FromMonth: first, Months: PartitionMonthsAhead + 2})
	if err != nil {
		return 0, fmt.Errorf("ensure audit partitions: %w", err)
	}
	return n, nil
}
