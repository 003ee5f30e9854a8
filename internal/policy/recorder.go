// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package policy

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
)

// Recorder stores decided tool calls with group commit: callers hand over their record and
// wait; a writer takes every record queued at that moment (up to maxBatch) and commits them
// with one COPY and their audit events in one transaction, then releases every waiter. A
// decision is only answered after its record committed (nothing is lost on a crash), yet
// under load one commit carries many decisions, so the database round trip and fsync are
// shared instead of paid per call. With no concurrency it degrades to one insert per call
// with no added delay (the writer never waits for a batch to fill).
type Recorder struct {
	db      database.DB
	log     *slog.Logger
	ch      chan *pending
	mu      sync.RWMutex
	closed  bool
	workers sync.WaitGroup
}

type pending struct {
	ctx    context.Context
	row    dbsqlc.PolicyToolCallCopyParams
	events []audit.Event
	done   chan error
}

const (
	maxBatch      = 512
	recordWorkers = 4
)

// ErrRecorderClosed is returned after Stop.
var ErrRecorderClosed = errors.New("policy: the decision recorder is stopped")

// NewRecorder returns a recorder; Start it before use.
func NewRecorder(db database.DB, log *slog.Logger) *Recorder {
	if log == nil {
		log = slog.Default()
	}
	return &Recorder{db: db, log: log, ch: make(chan *pending, 4*maxBatch)}
}

// Start launches the writers.
func (r *Recorder) Start(context.Context) error {
	for range recordWorkers {
		r.workers.Add(1)
		go r.run()
	}
	return nil
}

// Stop refuses new records, writes the queued ones and waits for the writers.
func (r *Recorder) Stop(context.Context) error {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.ch)
	}
	r.mu.Unlock()
	r.workers.Wait()
	return nil
}

// Record stores one tool call and its audit events, returning once they are committed.
// ctx's audit metadata (actor, correlation id) is used for the events; its cancellation
// only stops the wait, not a write already queued.
func (r *Recorder) Record(ctx context.Context, row dbsqlc.PolicyToolCallCopyParams, events []audit.Event) error {
	p := &pending{ctx: context.WithoutCancel(ctx), row: row, events: events, done: make(chan error, 1)}
	r.mu.RLock()
	if r.closed {
		r.mu.RUnlock()
		return ErrRecorderClosed
	}
	select {
	case r.ch <- p:
	case <-ctx.Done():
		r.mu.RUnlock()
		return ctx.Err()
	}
	r.mu.RUnlock()
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *Recorder) run() {
	defer r.workers.Done()
	batch := make([]*pending, 0, maxBatch)
	for first := range r.ch {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxBatch {
			select {
			case p, ok := <-r.ch:
				if !ok {
					break fill
				}
				batch = append(batch, p)
			default:
				break fill
			}
		}
		err := r.write(batch)
		if err != nil && len(batch) > 1 {
			// One bad record must not fail its neighbours: retry each alone.
			for _, p := range batch {
				p.done <- r.write([]*pending{p})
			}
			continue
		}
		for _, p := range batch {
			p.done <- err
		}
	}
}

func (r *Recorder) write(batch []*pending) error {
	ctx := batch[0].ctx
	rows := make([]dbsqlc.PolicyToolCallCopyParams, len(batch))
	for i, p := range batch {
		rows[i] = p.row
	}
	err := database.InTx(ctx, r.db, func(q *dbsqlc.Queries) error {
		if len(rows) == 1 {
			// COPY has a fixed start-up cost; a lone record is cheaper as an INSERT.
			if err := insertOne(ctx, q, rows[0]); err != nil {
				return err
			}
		} else if _, err := q.PolicyToolCallCopy(ctx, rows); err != nil {
			return err
		}
		var events []audit.Pending
		for _, p := range batch {
			for _, ev := range p.events {
				events = append(events, audit.Pending{Meta: audit.MetaFrom(p.ctx), Event: ev})
			}
		}
		if len(events) == 0 {
			return nil
		}
		return audit.RecordBatch(ctx, q, events)
	})
	if err != nil {
		r.log.Error("policy: recording decisions failed", "records", len(batch), "error", err)
	}
	return err
}

func insertOne(ctx context.Context, q *dbsqlc.Queries, p dbsqlc.PolicyToolCallCopyParams) error {
	return q.PolicyToolCallInsert(ctx, dbsqlc.PolicyToolCallInsertParams(p))
}
