// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package coalesce

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// source is a versioned key-value table the fetches read, instrumented to record how the
// loader calls it.
type source struct {
	mu       sync.Mutex
	vals     map[int]int
	inFlight atomic.Int32
	maxSeen  atomic.Int32
	batches  atomic.Int32
	maxBatch atomic.Int32
	delay    time.Duration
	fail     error
}

func (s *source) fetch(_ context.Context, keys []int) (map[int]int, error) {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for m := s.maxSeen.Load(); n > m && !s.maxSeen.CompareAndSwap(m, n); m = s.maxSeen.Load() {
	}
	s.batches.Add(1)
	for m := s.maxBatch.Load(); int32(len(keys)) > m && !s.maxBatch.CompareAndSwap(m, int32(len(keys))); m = s.maxBatch.Load() {
	}
	time.Sleep(s.delay)
	if s.fail != nil {
		return nil, s.fail
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int]int{}
	for _, k := range keys {
		if v, ok := s.vals[k]; ok {
			out[k] = v
		}
	}
	return out, nil
}

func (s *source) set(k, v int) {
	s.mu.Lock()
	s.vals[k] = v
	s.mu.Unlock()
}

func TestLoneCallerIsAnsweredAtOnce(t *testing.T) {
	src := &source{vals: map[int]int{1: 10}}
	l := New(4, 64, src.fetch)
	v, ok, err := l.Load(context.Background(), 1)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 10, v)
	_, ok, err = l.Load(context.Background(), 2)
	require.NoError(t, err)
	require.False(t, ok, "a key the fetch leaves out is not found")
	require.EqualValues(t, 2, src.batches.Load())
}

// TestConcurrentCallersShareFetches runs many callers at once: each gets its own key's
// value, fetches are batched, at most `runners` run at once, and none exceeds max keys.
func TestConcurrentCallersShareFetches(t *testing.T) {
	src := &source{vals: map[int]int{}, delay: 2 * time.Millisecond}
	for k := range 1000 {
		src.vals[k] = k * 7
	}
	l := New(3, 16, src.fetch)
	var wg sync.WaitGroup
	var wrong atomic.Int32
	for g := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				k := (g*31 + i) % 1000
				v, ok, err := l.Load(context.Background(), k)
				if err != nil || !ok || v != k*7 {
					wrong.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	require.Zero(t, wrong.Load())
	require.LessOrEqual(t, src.maxSeen.Load(), int32(3))
	require.LessOrEqual(t, src.maxBatch.Load(), int32(16))
	require.Greater(t, src.maxBatch.Load(), int32(1), "concurrent calls were batched")
	require.Less(t, src.batches.Load(), int32(64*30), "fewer fetches than calls")
}

// TestNoStaleAnswers: a value written before Load is called is what Load returns, even while
// other fetches (which may have read the old value) are in flight — nothing is cached.
func TestNoStaleAnswers(t *testing.T) {
	src := &source{vals: map[int]int{1: 0}, delay: time.Millisecond}
	l := New(2, 8, src.fetch)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					_, _, _ = l.Load(context.Background(), 1)
				}
			}
		}()
	}
	for v := 1; v <= 50; v++ {
		src.set(1, v)
		got, ok, err := l.Load(context.Background(), 1)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, v, got)
	}
	close(stop)
	wg.Wait()
}

func TestFetchErrorReachesEveryCallerOfTheBatch(t *testing.T) {
	boom := errors.New("database is down")
	src := &source{vals: map[int]int{}, delay: time.Millisecond, fail: boom}
	l := New(1, 64, src.fetch)
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = l.Load(context.Background(), i)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.ErrorIs(t, err, boom)
	}
}

func TestPanickingFetchIsAnErrorAndFreesItsSlot(t *testing.T) {
	var panics atomic.Bool
	panics.Store(true)
	l := New(1, 64, func(context.Context, []int) (map[int]int, error) {
		if panics.Load() {
			panic("bug")
		}
		return map[int]int{1: 1}, nil
	})
	_, _, err := l.Load(context.Background(), 1)
	require.ErrorContains(t, err, "panicked: bug")
	panics.Store(false)
	v, ok, err := l.Load(context.Background(), 1)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 1, v)
}

// TestRunnerKeepsItsDeadline: the caller whose call starts a slow fetch still returns when
// its own context ends.
func TestRunnerKeepsItsDeadline(t *testing.T) {
	l := New(1, 64, func(context.Context, []int) (map[int]int, error) {
		time.Sleep(300 * time.Millisecond)
		return map[int]int{}, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := l.Load(ctx, 1)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 200*time.Millisecond)
}

// TestAbandonedCallsAreNotFetched: callers that gave up while every runner was busy are
// dropped from the queue, so the database does no work for them.
func TestAbandonedCallsAreNotFetched(t *testing.T) {
	release := make(chan struct{})
	var fetched sync.Map
	l := New(1, 1000, func(_ context.Context, keys []int) (map[int]int, error) {
		for _, k := range keys {
			fetched.Store(k, true)
		}
		if keys[0] == 0 {
			<-release
		}
		return map[int]int{}, nil
	})
	go func() { _, _, _ = l.Load(context.Background(), 0) }() // holds the only runner slot
	require.Eventually(t, func() bool { _, ok := fetched.Load(0); return ok }, time.Second, time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	for k := 1; k <= 100; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := l.Load(ctx, k)
			require.ErrorIs(t, err, context.DeadlineExceeded)
		}()
	}
	wg.Wait()
	close(release)
	_, _, err := l.Load(context.Background(), 1000)
	require.NoError(t, err)
	for k := 1; k <= 100; k++ {
		_, ok := fetched.Load(k)
		require.False(t, ok, "abandoned key %d was fetched", k)
	}
}

func TestCancelledCallerStopsWaiting(t *testing.T) {
	release := make(chan struct{})
	l := New(1, 64, func(_ context.Context, keys []int) (map[int]int, error) {
		<-release
		return map[int]int{}, nil
	})
	go func() { _, _, _ = l.Load(context.Background(), 1) }() // holds the only runner slot
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, _, err := l.Load(ctx, 2)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	close(release)
	_, ok, err := l.Load(context.Background(), 3)
	require.NoError(t, err)
	require.False(t, ok)
}
