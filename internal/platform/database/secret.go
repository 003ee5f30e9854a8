// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package database

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
)

// InstanceSecret returns the installation-wide secret called name, creating it on first use.
// Every replica reads the same value, so cursors signed by one are accepted by all.
func InstanceSecret(ctx context.Context, db dbsqlc.DBTX, name string) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	q := dbsqlc.New(db)
	if err := q.InstanceSecretInsert(ctx, dbsqlc.InstanceSecretInsertParams{Name: name, Secret: fresh}); err != nil {
		return nil, fmt.Errorf("instance secret %s: %w", name, err)
	}
	s, err := q.InstanceSecretGet(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("instance secret %s: %w", name, err)
	}
	return s, nil
}
