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
	"fmt"
	"sync"
	"sync/atomic"
)

// Loader answers Load calls with batched fetches. At most `runners` fetches are in flight;
// callers arriving meanwhile queue and are taken together by the next free runner. A runner
// is started by a caller that finds a free slot and ends when that caller's call is answered
// or nothing is queued, so a Loader has no long-lived goroutines and no lifecycle.
type Loader[K comparable, V any] struct {
	fetch func(ctx context.Context, keys []K) (map[K]V, error)
	max   int
	slots chan struct{}
	mu    sync.Mutex
	queue []*call[K, V]
}

type call[K comparable, V any] struct {
	key       K
	val       V
	found     bool
	err       error
	done      chan struct{}
	abandoned atomic.Bool // its caller stopped waiting: not worth fetching
}

// New returns a loader running at most runners fetches at once, each of at most max keys.
// fetch returns the values of the keys it found; a key it leaves out is reported not found.
// fetch gets a context without cancellation (its callers share it), so it must bound its own
// duration.
func New[K comparable, V any](runners, max int, fetch func(ctx context.Context, keys []K) (map[K]V, error)) *Loader[K, V] {
	return &Loader[K, V]{fetch: fetch, max: max, slots: make(chan struct{}, runners)}
}

// Load returns the value of key as read by a fetch that started after this call began.
// ctx ends the wait (the call is then dropped from the queue if no fetch has taken it).
func (l *Loader[K, V]) Load(ctx context.Context, key K) (V, bool, error) {
	c := &call[K, V]{key: key, done: make(chan struct{})}
	l.mu.Lock()
	l.queue = append(l.queue, c)
	l.mu.Unlock()
	select {
	case <-c.done:
		return c.val, c.found, c.err
	case l.slots <- struct{}{}:
		go l.drain(context.WithoutCancel(ctx), c)
	case <-ctx.Done():
		return l.abandon(ctx, c)
	}
	select {
	case <-c.done:
		return c.val, c.found, c.err
	case <-ctx.Done():
		return l.abandon(ctx, c)
	}
}

func (l *Loader[K, V]) abandon(ctx context.Context, c *call[K, V]) (V, bool, error) {
	select {
	case <-c.done: // answered meanwhile: the answer wins
		return c.val, c.found, c.err
	default:
	}
	c.abandoned.Store(true)
	var zero V
	return zero, false, ctx.Err()
}

// drain runs batches until own is answered or nothing is queued (own is then in another
// runner's batch), then frees its slot for a waiting caller.
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

// take removes up to max calls from the head of the queue, dropping abandoned ones.
func (l *Loader[K, V]) take() []*call[K, V] {
	l.mu.Lock()
	defer l.mu.Unlock()
	var batch []*call[K, V]
	n := 0
	for ; n < len(l.queue) && len(batch) < l.max; n++ {
		if c := l.queue[n]; !c.abandoned.Load() {
			batch = append(batch, c)
		}
	}
	clear(l.queue[:n]) // the queue's array must not keep taken calls alive
	l.queue = l.queue[n:]
	return batch
}

// run fetches a batch and answers every call in it, also when fetch panics (runners are
// goroutines of their own: a panic must become the callers' error, not a crash).
func (l *Loader[K, V]) run(ctx context.Context, batch []*call[K, V]) {
	keys := make([]K, len(batch))
	for i, c := range batch {
		keys[i] = c.key
	}
	var vals map[K]V
	var err error
	defer func() {
		if r := recover(); r != nil {
			vals, err = nil, fmt.Errorf("coalesce: the batched fetch panicked: %v", r)
		}
		for _, c := range batch {
			c.val, c.found = vals[c.key]
			c.err = err
			close(c.done)
		}
	}()
	vals, err = l.fetch(ctx, keys)
}
