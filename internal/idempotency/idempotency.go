// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package idempotency remembers the first answer to a create request sent with an
// Idempotency-Key, so a client that retries (after a timeout, a crash, a lost response)
// gets the same answer for 24 hours instead of a second resource.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/json"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// Response is a stored answer.
type Response struct {
	Status  int
	Headers map[string]string
	Body    []byte
}

// Store keeps idempotency records in Postgres, shared by every API replica.
type Store struct {
	db database.DB
}

// NewStore returns a Store.
func NewStore(db database.DB) *Store { return &Store{db: db} }

// Outcome of Begin.
type Outcome int

// The outcomes of Begin.
const (
	// Proceed: this request holds the key; run it and call Finish or Abandon.
	Proceed Outcome = iota
	// Replay: an earlier request with the same key and body answered; send Response.
	Replay
)

// Hash fingerprints a request so a key reused for a different request is refused.
func Hash(method, path string, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(method + " " + path + "\n"))
	h.Write(body)
	return h.Sum(nil)
}

// Begin claims key for principal, or returns the earlier answer to replay.
func (s *Store) Begin(ctx context.Context, principal, key, method, path string, hash []byte) (Outcome, Response, error) {
	q := dbsqlc.New(s.db)
	n, err := q.IdempotencyClaim(ctx, dbsqlc.IdempotencyClaimParams{Principal: principal, Key: key, Method: method, Path: path, RequestHash: hash})
	if err != nil {
		return 0, Response{}, err
	}
	if n == 1 {
		return Proceed, Response{}, nil
	}
	rec, err := q.IdempotencyGet(ctx, dbsqlc.IdempotencyGetParams{Principal: principal, Key: key})
	if database.IsNoRows(err) {
		// The holder abandoned it between our claim and read; the client may simply retry.
		return 0, Response{}, errcode.New(errcode.IdempotencyBusy, "a request with this Idempotency-Key is in progress; retry shortly")
	}
	if err != nil {
		return 0, Response{}, err
	}
	if string(rec.RequestHash) != string(hash) || rec.Method != method || rec.Path != path {
		return 0, Response{}, errcode.New(errcode.IdempotencyReuse, "this Idempotency-Key was used for a different request")
	}
	if rec.Status == 0 {
		return 0, Response{}, errcode.New(errcode.IdempotencyBusy, "a request with this Idempotency-Key is in progress; retry shortly")
	}
	resp := Response{Status: int(rec.Status), Body: rec.Body}
	_ = json.Unmarshal(rec.Headers, &resp.Headers)
	return Replay, resp, nil
}

// Finish stores the answer for replays.
func (s *Store) Finish(ctx context.Context, principal, key string, r Response) error {
	h, _ := json.Marshal(r.Headers)
	return dbsqlc.New(s.db).IdempotencyComplete(ctx, dbsqlc.IdempotencyCompleteParams{Principal: principal, Key: key, Status: int32(r.Status), Headers: h, Body: r.Body})
}

// Abandon releases the key after a failed request so the client can retry it.
func (s *Store) Abandon(ctx context.Context, principal, key string) error {
	return dbsqlc.New(s.db).IdempotencyRelease(ctx, dbsqlc.IdempotencyReleaseParams{Principal: principal, Key: key})
}

// Expire deletes records past the replay window.
func (s *Store) Expire(ctx context.Context) (int64, error) {
	return dbsqlc.New(s.db).IdempotencyExpire(ctx)
}
