// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package orgadmin

import (
	"context"
	"errors"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
)

// Service administers the resources of an org. Every method takes the org id of the
// authenticated principal and filters by it; another org's ids are simply not found.
type Service struct {
	db       database.DB
	resolver *net.Resolver
	// dnsTimeout bounds one verification lookup.
	dnsTimeout time.Duration

	hooksMu sync.RWMutex
	hooks   []DeactivationHook
}

// DeactivationHook runs inside the transaction that takes a member out of ACTIVE (suspension,
// deprovisioning, removal), after the member's API keys were revoked; an error rolls the whole
// change back. The SSO feature registers one that revokes the member's sessions.
type DeactivationHook func(ctx context.Context, q *dbsqlc.Queries, m Member) error

// OnDeactivate registers a hook (at start, before serving).
func (s *Service) OnDeactivate(h DeactivationHook) {
	s.hooksMu.Lock()
	defer s.hooksMu.Unlock()
	s.hooks = append(s.hooks, h)
}

func (s *Service) runDeactivationHooks(ctx context.Context, q *dbsqlc.Queries, m Member) error {
	s.hooksMu.RLock()
	hooks := slices.Clone(s.hooks)
	s.hooksMu.RUnlock()
	for _, h := range hooks {
		if err := h(ctx, q, m); err != nil {
			return err
		}
	}
	return nil
}

// NewService returns the service. cfg.DNSResolver, when set, is the only DNS server asked
// during domain verification.
func NewService(db database.DB, cfg config.Config) *Service {
	return &Service{db: db, resolver: newResolver(cfg.DNSResolver), dnsTimeout: 5 * time.Second}
}

func newResolver(addr string) *net.Resolver {
	if addr == "" {
		return net.DefaultResolver
	}
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
}

// Page is a keyset position: rows after After (nil for the first page), at most Limit.
type Page struct {
	After *uuid.UUID
	Limit int
}

// upsert runs fn in a transaction, retrying once when it lost an insert race to a concurrent
// request with the same external key (the second attempt finds the row and updates it).
func (s *Service) upsert(ctx context.Context, fn func(q *dbsqlc.Queries) error) error {
	var err error
	for range 3 {
		err = database.InTx(ctx, s.db, fn)
		if !errors.Is(err, errRetry) {
			return err
		}
	}
	return err
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }
