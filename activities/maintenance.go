// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package activities

import (
	"context"
	"time"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/idempotency"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
)

// Maintenance holds the housekeeping activities: audit partitions ahead of time and
// expiry of idempotency records.
type Maintenance struct {
	DB          database.DB
	Idempotency *idempotency.Store
}

// MaintenanceResult counts what one run did.
type MaintenanceResult struct {
	PartitionsCreated  int32
	IdempotencyExpired int64
}

// EnsureAuditPartitions creates the audit partitions for the coming months. Idempotent.
func (a *Maintenance) EnsureAuditPartitions(ctx context.Context, now time.Time) (int32, error) {
	n, err := database.EnsurePartitions(ctx, dbsqlc.New(a.DB), now)
	return n, classify(err)
}

// ExpireIdempotencyRecords deletes idempotency records past the 24 h replay window.
func (a *Maintenance) ExpireIdempotencyRecords(ctx context.Context) (int64, error) {
	n, err := a.Idempotency.Expire(ctx)
	return n, classify(err)
}
