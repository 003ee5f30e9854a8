// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package coalesce merges concurrent point lookups into batched ones. Under load, one
// database round trip answers many callers (the per-query overhead is shared, as group
// commit shares a commit); a lone caller still runs its own lookup at once, with no added
// delay and no result older than its call, so nothing is cached.
package coalesce

import (
	"context"
	"errors"
	"sync"
)

// Loader answers Load calls with batched fetches. At most `runners` fetches are in flight;
// callers arriving meanwhile queue and are taken together by the next free runner. Runners
// are the callers themselves, so a Loader needs no goroutines and no lifecycle.
type Loader[K comparable, V any] struct {
	fetch func(ctx context.Context, keys []K) (map[K]V, error)
	max   int
	slots chan struct{}
	mu    sync.Mutex
	queue []*call[K, V]
}

type call[K comparable, V any] struct {
	key   K
	val   V
	found bool
	err   error
	done  chan struct{}
}

// New returns a loader running at most runners fetches at once, each of at most max keys.
// fetch returns the values of the keys it found; a key it leaves out is reported not found.
func New[K comparable, V any](runners, max int, fetch func(ctx context.Context, keys []K) (map[K]V, error)) *Loader[K, V] {
	return &Loader[K, V]{fetch: fetch, max: max, slots: make(chan struct{}, runners)}
}

// Load returns the value of key as read by a fetch that started after this call began.
// The fetch runs without ctx's cancellation (other callers share it); ctx only ends the wait.
func (l *Loader[K, V]) Load(ctx context.Context, key K) (V, bool, error) {
	c := &call[K, V]{key: key, done: make(chan struct{})}
	l.mu.Lock()
	l.queue = append(l.queue, c)
	l.mu.Unlock()
	select {
	case <-c.done:
	case l.slots <- struct{}{}:
		// This caller runs batches until its own call is answered or the queue is empty (its
		// call is then in another runner's batch), and hands the slot on to a waiting caller.
		l.drain(context.WithoutCancel(ctx), c)
		select {
		case <-c.done:
		case <-ctx.Done():
			var zero V
			return zero, false, ctx.Err()
		}
	case <-ctx.Done():
		var zero V
		return zero, false, ctx.Err()
	}
	return c.val, c.found, c.err
}

// drain runs batches until own is answered or nothing is queued, then frees its slot.
func (l *Loader[K, V]) drain(ctx context.Context, own *call[K, V]) {
	defer func() { <-l.slots }()
	for {
		select {
		case <-own.done:
			return
		default:
		}
		batch := l.take()
		if len(batch) == 0 {
			return
		}
		l.run(ctx, batch)
	}
}

func (l *Loader[K, V]) take() []*call[K, V] {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := min(len(l.queue), l.max)
	batch := append([]*call[K, V](nil), l.queue[:n]...)
	clear(l.queue[:n]) // the queue's array must not keep answered calls alive
	l.queue = l.queue[n:]
	return batch
}

func (l *Loader[K, V]) run(ctx context.Context, batch []*call[K, V]) {
	keys := make([]K, len(batch))
	for i, c := range batch {
		keys[i] = c.key
	}
	var vals map[K]V
	err := errPanicked
	defer func() {
		// Every caller of the batch is answered, even when fetch panics (the panic goes on
		// in the runner); nobody waits forever.
		for _, c := range batch {
			c.val, c.found = vals[c.key]
			c.err = err
			close(c.done)
		}
	}()
	vals, err = l.fetch(ctx, keys)
}

var errPanicked = errors.New("coalesce: the batched fetch panicked")
