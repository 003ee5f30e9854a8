// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package database owns the Postgres connection pool, the one transaction helper every
// service uses, and the embedded goose migrations.
package database

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
)

// DB is what services need from Postgres: queries and transactions. Both *pgxpool.Pool and
// pgx.Tx satisfy it, so a test can run a whole service inside one transaction.
type DB interface {
	dbsqlc.DBTX
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Open connects a pool and verifies the connection.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database: parse BYTECHEF_DATABASE_URL: %w", redact(err))
	}
	if pcfg.MaxConns < 8 {
		pcfg.MaxConns = 8
	}
	pcfg.MaxConnIdleTime = 5 * time.Minute
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("database: %w", redact(err))
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database: cannot reach Postgres at BYTECHEF_DATABASE_URL: %w", redact(err))
	}
	return pool, nil
}

// redact drops connection-string details (which may hold a password) from pgx errors.
func redact(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		return errors.New("invalid connection string")
	}
	return err
}

// InTx runs fn in a transaction: committed when fn returns nil, rolled back otherwise.
func InTx(ctx context.Context, db DB, fn func(q *dbsqlc.Queries) error) error {
	return pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		return fn(dbsqlc.New(tx))
	})
}

// Provide opens the pool for fx and closes it on stop.
func Provide(ctx context.Context, cfg config.Config, log *slog.Logger) (*pgxpool.Pool, error) {
	pool, err := Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	log.Debug("database pool open", "max_conns", pool.Config().MaxConns)
	return pool, nil
}
