// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package policy

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"
)

// ChangeChannel is the NOTIFY channel that carries the id of an org whose rules, members,
// groups or workspaces changed (written by triggers, so every writer is covered).
const ChangeChannel = "bytechef_app_policy"

// Listener keeps a Cache in step with changes made through any replica.
type Listener struct {
	cache   *Cache
	log     *slog.Logger
	connect func(ctx context.Context) (*pgx.Conn, error)
	cancel  context.CancelFunc
	done    sync.WaitGroup
	// ReconnectDelay is how long to wait after the feed drops (cache off meanwhile).
	ReconnectDelay time.Duration
}

// NewListener returns a listener that connects with connString (its own connection, not
// one of the pool's: LISTEN holds a session).
func NewListener(connString string, cache *Cache, log *slog.Logger) *Listener {
	return &Listener{cache: cache, log: log, ReconnectDelay: time.Second, connect: func(ctx context.Context) (*pgx.Conn, error) {
		return pgx.Connect(ctx, connString)
	}}
}

type changeHandler struct{ l *Listener }

func (h changeHandler) HandleNotification(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	org, err := uuid.Parse(n.Payload)
	if err != nil {
		h.l.cache.SetHealthy(true) // unknown payload: drop everything rather than guess
		return nil
	}
	h.l.cache.Invalidate(org)
	return nil
}

// HandleBacklog runs once LISTEN is in place after each (re)connect: whatever changed while
// the feed was down is unknown, so everything cached is dropped and caching resumes.
func (h changeHandler) HandleBacklog(context.Context, string, *pgx.Conn) error {
	h.l.cache.SetHealthy(true)
	h.l.log.Debug("app policy change feed connected")
	return nil
}

// Start listens in the background until Stop.
func (l *Listener) Start(context.Context) error {
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	pl := &pgxlisten.Listener{
		Connect:        l.connect,
		ReconnectDelay: l.ReconnectDelay,
		LogError: func(ctx context.Context, err error) {
			// The only errors reaching here are connection-level: stop caching until the
			// feed is back, so no replica serves rules changed while it was deaf.
			l.cache.SetHealthy(false)
			if ctx.Err() == nil {
				l.log.Warn("app policy change feed interrupted; caching paused", "error", err)
			}
		},
	}
	pl.Handle(ChangeChannel, changeHandler{l})
	l.done.Add(1)
	go func() {
		defer l.done.Done()
		_ = pl.Listen(ctx)
	}()
	return nil
}

// Stop ends the listener and waits for it.
func (l *Listener) Stop(context.Context) error {
	if l.cancel != nil {
		l.cancel()
	}
	l.done.Wait()
	l.cache.SetHealthy(false)
	return nil
}
