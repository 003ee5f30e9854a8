// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package idempotency remembers the first answer to a create request sent with an
// Idempotency-Key, so a client that retries (after a timeout, a crash, a lost response)
// gets the same answer for 24 hours instead of a second resource.
//
// That first answer can hold a secret shown only once (an API key, a SCIM token), so records
// never hold the Idempotency-Key or the answer's body in the clear: a record is found by a
// digest of the key, and its body is sealed (AES-256-GCM) with a key derived from the
// Idempotency-Key, which only the client has. Use random Idempotency-Keys (UUIDs, say): a
// guessable one protects nothing.
package idempotency

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/crypto"
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
	n, err := q.IdempotencyClaim(ctx, dbsqlc.IdempotencyClaimParams{Principal: principal, Key: lookup(principal, key), Method: method, Path: path, RequestHash: hash})
	if err != nil {
		return 0, Response{}, err
	}
	if n == 1 {
		return Proceed, Response{}, nil
	}
	rec, err := q.IdempotencyGet(ctx, dbsqlc.IdempotencyGetParams{Principal: principal, Key: lookup(principal, key)})
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
	body, err := open(principal, key, rec.Body)
	if err != nil {
		return 0, Response{}, errcode.New(errcode.IdempotencyReuse, "the answer stored for this Idempotency-Key cannot be opened; use a new key")
	}
	resp := Response{Status: int(rec.Status), Body: body}
	_ = json.Unmarshal(rec.Headers, &resp.Headers)
	return Replay, resp, nil
}

// Finish stores the answer for replays.
func (s *Store) Finish(ctx context.Context, principal, key string, r Response) error {
	h, _ := json.Marshal(r.Headers)
	body, err := seal(principal, key, r.Body)
	if err != nil {
		return err
	}
	return dbsqlc.New(s.db).IdempotencyComplete(ctx, dbsqlc.IdempotencyCompleteParams{Principal: principal, Key: lookup(principal, key), Status: int32(r.Status), Headers: h, Body: body})
}

// Abandon releases the key after a failed request so the client can retry it.
func (s *Store) Abandon(ctx context.Context, principal, key string) error {
	return dbsqlc.New(s.db).IdempotencyRelease(ctx, dbsqlc.IdempotencyReleaseParams{Principal: principal, Key: lookup(principal, key)})
}

// Expire deletes records past the replay window.
func (s *Store) Expire(ctx context.Context) (int64, error) {
	return dbsqlc.New(s.db).IdempotencyExpire(ctx)
}

// lookup is the stored form of an Idempotency-Key: a digest, so the key itself (from which
// the sealing key is derived) is not in the database.
func lookup(principal, key string) string {
	sum := sha256.Sum256([]byte("bytechef-idempotency-lookup\x00" + principal + "\x00" + key))
	return hex.EncodeToString(sum[:])
}

// ring is a key ring (the product's AES-256-GCM sealing) holding one key derived from the
// Idempotency-Key and its principal.
func ring(principal, key string) (*crypto.KeyRing, error) {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte("bytechef-idempotency-seal\x00" + principal))
	return crypto.New([]config.Key{{ID: "idem", Secret: mac.Sum(nil)}})
}

// seal encrypts an answer's body.
func seal(principal, key string, body []byte) ([]byte, error) {
	r, err := ring(principal, key)
	if err != nil {
		return nil, err
	}
	return r.Seal(body, nil)
}

// open decrypts what seal produced.
func open(principal, key string, sealed []byte) ([]byte, error) {
	r, err := ring(principal, key)
	if err != nil {
		return nil, err
	}
	return r.Open(sealed, nil)
}
