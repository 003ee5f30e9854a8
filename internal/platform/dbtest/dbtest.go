// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package dbtest gives each test its own real Postgres database, cloned from a template that
// is migrated once per schema version (shared across test processes and runs), so tests run
// in parallel against the real engine without seeing each other's rows.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bytechefhq/bytechef-ee/db"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
)

// DefaultURL is used when TEST_DATABASE_URL is not set: the machine's local server.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

var (
	once     sync.Once
	tmplName string
	tmplErr  error
)

// AdminURL is the server URL tests connect to for creating databases.
func AdminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// URLFor returns the connection URL of database name on the test server.
func URLFor(name string) string {
	cfg, err := pgx.ParseConfig(AdminURL())
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name)
}

// New returns a pool on a fresh, fully migrated database that is dropped when the test ends.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	name := NewDatabase(t)
	pool, err := pgxpool.New(context.Background(), URLFor(name))
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// NewDatabase creates a fresh migrated database and returns its name; it is dropped at cleanup.
func NewDatabase(t testing.TB) string {
	t.Helper()
	once.Do(func() { tmplName, tmplErr = ensureTemplate(context.Background()) })
	if tmplErr != nil {
		t.Fatalf("dbtest: template: %v", tmplErr)
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		t.Fatalf("dbtest: connect %s: %v (set TEST_DATABASE_URL)", AdminURL(), err)
	}
	defer admin.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "bcee_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tmplName)); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), AdminURL())
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
	return name
}

// schemaHash names the template after the migrations, so a schema change makes a new one.
func schemaHash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(db.Migrations, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := db.Migrations.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		h.Write([]byte(path))
		_, err = io.Copy(h, f)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:12], err
}

func ensureTemplate(ctx context.Context) (string, error) {
	hash, err := schemaHash()
	if err != nil {
		return "", err
	}
	// The month is part of the name too: the template's audit partitions are made relative to it.
	name := "bcee_tmpl_" + hash + "_" + time.Now().UTC().Format("200601")
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return "", fmt.Errorf("connect %s: %w (set TEST_DATABASE_URL)", AdminURL(), err)
	}
	defer admin.Close(ctx)
	// Test binaries of several packages run at once; one builds the template, the rest wait.
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(727274)"); err != nil {
		return "", err
	}
	defer admin.Exec(ctx, "SELECT pg_advisory_unlock(727274)") //nolint:errcheck
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	wip := name + "_wip"
	if _, err := admin.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", wip)); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+wip); err != nil {
		return "", err
	}
	pool, err := pgxpool.New(ctx, URLFor(wip))
	if err != nil {
		return "", err
	}
	mctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	err = database.MigrateUp(mctx, pool, io.Discard)
	pool.Close()
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	// Renaming only after a complete migration means a crashed run never leaves a bad template.
	if _, err := admin.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", wip, name)); err != nil {
		return "", err
	}
	return name, nil
}
