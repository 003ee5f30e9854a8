// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package policy

import (
	"errors"
	"sync"
	"sync/atomic"

	"cel.dev/cel-go/common/types/ref"
	"github.com/google/uuid"
)

// programCache keeps compiled programs per (rule id, version): a version never changes, so
// an entry never goes stale; it is only bounded.
type programCache struct {
	mu sync.RWMutex
	m  map[programKey]*Program
}

type programKey struct {
	id      uuid.UUID
	version int32
}

const maxPrograms = 100_000

func newProgramCache() *programCache { return &programCache{m: map[programKey]*Program{}} }

func (c *programCache) get(r *Rule, compile func() (*Program, error)) *Program {
	k := programKey{r.ID, r.Version}
	c.mu.RLock()
	p := c.m[k]
	c.mu.RUnlock()
	if p != nil {
		return p
	}
	p, err := compile()
	if err != nil {
		// A stored rule that no longer compiles (never accepted at save, but possible after an
		// environment change) fails every evaluation: fail-closed for ENFORCE rules.
		p = &Program{err: errors.New("the stored condition does not compile: " + err.Error())}
	}
	c.mu.Lock()
	if len(c.m) >= maxPrograms {
		clear(c.m)
	}
	c.m[k] = p
	c.mu.Unlock()
	return p
}

// Cache holds per-org rule sets and resolved caller contexts. Entries are dropped when a
// notification says the org changed; while the change feed is down (or before it first
// connects) nothing is cached, so a replica never serves rules it cannot know are current.
type Cache struct {
	mu      sync.RWMutex
	orgs    map[uuid.UUID]*orgEntry
	healthy atomic.Bool
	// Invalidations counts org invalidations (for tests and metrics).
	Invalidations atomic.Int64
}

// orgEntry is one org's cached state. An invalidated entry is detached from the map, so a
// load that started before the change can only fill the detached entry, never the new one.
type orgEntry struct {
	rules atomic.Pointer[RuleSet]
	mu    sync.RWMutex
	users map[uuid.UUID]Caller
	ws    map[uuid.UUID]wsEntry
}

// wsEntry is a cached workspace with its CEL value.
type wsEntry struct {
	ctx WorkspaceCtx
	val ref.Val
}

const maxCallersPerOrg = 50_000

// NewCache returns an empty cache that caches nothing until SetHealthy(true).
func NewCache() *Cache { return &Cache{orgs: map[uuid.UUID]*orgEntry{}} }

// SetHealthy turns caching on (the change feed is connected) or off (it is not), dropping
// everything either way: what was cached may have missed changes.
func (c *Cache) SetHealthy(ok bool) {
	c.mu.Lock()
	c.healthy.Store(ok)
	clear(c.orgs)
	c.mu.Unlock()
}

// Healthy reports whether the cache is in use.
func (c *Cache) Healthy() bool { return c.healthy.Load() }

// Invalidate drops an org's entry.
func (c *Cache) Invalidate(org uuid.UUID) {
	c.mu.Lock()
	delete(c.orgs, org)
	c.mu.Unlock()
	c.Invalidations.Add(1)
}

func (c *Cache) entry(org uuid.UUID) *orgEntry {
	if !c.healthy.Load() {
		return newOrgEntry()
	}
	c.mu.RLock()
	e := c.orgs[org]
	c.mu.RUnlock()
	if e != nil {
		return e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.healthy.Load() {
		return newOrgEntry()
	}
	if e = c.orgs[org]; e == nil {
		e = newOrgEntry()
		c.orgs[org] = e
	}
	return e
}

func newOrgEntry() *orgEntry {
	return &orgEntry{users: map[uuid.UUID]Caller{}, ws: map[uuid.UUID]wsEntry{}}
}

func (e *orgEntry) caller(id uuid.UUID) (Caller, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	c, ok := e.users[id]
	return c, ok
}

func (e *orgEntry) putCaller(id uuid.UUID, c Caller) Caller {
	c.userVal = callerValsOf(c.User, WorkspaceCtx{}).user
	e.mu.Lock()
	if len(e.users) >= maxCallersPerOrg {
		clear(e.users)
	}
	e.users[id] = c
	e.mu.Unlock()
	return c
}

func (e *orgEntry) workspace(id uuid.UUID) (wsEntry, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	w, ok := e.ws[id]
	return w, ok
}

func (e *orgEntry) putWorkspace(id uuid.UUID, w WorkspaceCtx) wsEntry {
	ent := wsEntry{ctx: w, val: callerValsOf(UserCtx{}, w).workspace}
	e.mu.Lock()
	if len(e.ws) >= maxCallersPerOrg {
		clear(e.ws)
	}
	e.ws[id] = ent
	e.mu.Unlock()
	return ent
}
