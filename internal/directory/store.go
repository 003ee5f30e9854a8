// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package directory

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
)

// errDryRun rolls a dry-run batch back after its changes were counted.
var errDryRun = errors.New("directory: dry run")

// batchTx runs fn in a transaction that commits, or for a dry run always rolls back (the
// diff is computed by really applying it, then undone). each runs one item in a savepoint,
// so one bad user (say, an email another member holds) fails alone, not the batch.
func (s *Service) batchTx(ctx context.Context, dry bool, fn func(q *dbsqlc.Queries, each func(func(q *dbsqlc.Queries) error) error) error) error {
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		each := func(item func(q *dbsqlc.Queries) error) error {
			sp, err := tx.Begin(ctx)
			if err != nil {
				return err
			}
			if err := item(dbsqlc.New(sp)); err != nil {
				if rerr := sp.Rollback(ctx); rerr != nil {
					return rerr
				}
				return err
			}
			return sp.Commit(ctx)
		}
		if err := fn(dbsqlc.New(tx), each); err != nil {
			return err
		}
		if dry {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}

// analyze refreshes planner statistics of the tables a sync just filled: freshly staged
// pages (and freshly bulk-created users) otherwise look empty to the planner, which then
// picks nested loops that are quadratic in the directory's size. It is a fixed statement,
// so it lives here rather than in sqlc (which cannot express ANALYZE).
func (s *Service) analyze(ctx context.Context) error {
	_, err := s.db.Exec(ctx, "ANALYZE directory_staged_user, directory_staged_group, directory_staged_membership, scim_user, scim_group_member, member")
	return err
}
