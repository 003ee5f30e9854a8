// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package testenv

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Fault is what the S3 fault proxy does to one request.
type Fault int

const (
	Pass        Fault = iota // forward it untouched
	Fail500                  // answer 500 InternalError without forwarding
	Fail503                  // answer 503 SlowDown without forwarding
	Reset                    // close the connection without an answer
	Slow                     // forward it after a delay
	ResetAnswer              // forward it, then close the connection instead of answering (the request took effect)
)

// FaultyS3 is a reverse proxy in front of the S3 gateway that injects faults chosen per
// request by a plan. It keeps the Host header, so the client's SigV4 signature still verifies
// at the gateway for the requests it forwards.
type FaultyS3 struct {
	*S3Server // Endpoint is the proxy's, so Store and Bucket go through it
	mu        sync.Mutex
	plan      func(n int, r *http.Request) Fault
	n         int
	injected  atomic.Int64
	// SlowFor is how long a Slow request is held before it is forwarded.
	SlowFor time.Duration
}

// StartFaultyS3 starts a proxy in front of the shared gateway that passes everything until
// Plan is called.
func StartFaultyS3(t testing.TB) *FaultyS3 {
	t.Helper()
	up := SharedS3(t)
	target, err := url.Parse(up.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	f := &FaultyS3{SlowFor: 2 * time.Second}
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.n++
		n, plan := f.n, f.plan
		f.mu.Unlock()
		fault := Pass
		if plan != nil {
			fault = plan(n, r)
		}
		if fault != Pass {
			f.injected.Add(1)
		}
		switch fault {
		case Fail500:
			http.Error(w, "<Error><Code>InternalError</Code><Message>injected</Message></Error>", http.StatusInternalServerError)
		case Fail503:
			http.Error(w, "<Error><Code>SlowDown</Code><Message>injected</Message></Error>", http.StatusServiceUnavailable)
		case Reset:
			hijackClose(w)
		case Slow:
			time.Sleep(f.SlowFor)
			rp.ServeHTTP(w, r)
		case ResetAnswer:
			rec := httptest.NewRecorder()
			rp.ServeHTTP(rec, r)
			hijackClose(w)
		default:
			rp.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	proxied := *up
	proxied.Endpoint = srv.URL
	f.S3Server = &proxied
	return f
}

func hijackClose(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
		}
	}
}

// Plan sets the fault for each later request: n counts every request the proxy has seen,
// from 1. A nil plan passes everything.
func (f *FaultyS3) Plan(plan func(n int, r *http.Request) Fault) {
	f.mu.Lock()
	f.plan = plan
	f.mu.Unlock()
}

// Injected is how many requests got a fault.
func (f *FaultyS3) Injected() int64 { return f.injected.Load() }
