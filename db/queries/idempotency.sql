-- name: IdempotencyClaim :execrows
-- Claims a key for one request; 0 rows means another request holds it or already answered.
-- An answer older than the 24 h replay window, or a claim abandoned by a crashed request
-- (no answer after a minute), is taken over.
INSERT INTO idempotency_record AS r (principal, key, method, path, request_hash)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (principal, key) DO UPDATE
SET method = EXCLUDED.method, path = EXCLUDED.path, request_hash = EXCLUDED.request_hash,
    status = 0, headers = '{}'::jsonb, body = NULL, created_at = now()
WHERE r.created_at < now() - interval '24 hours'
   OR (r.status = 0 AND r.created_at < now() - interval '1 minute');

-- name: IdempotencyGet :one
SELECT * FROM idempotency_record WHERE principal = $1 AND key = $2;

-- name: IdempotencyComplete :exec
UPDATE idempotency_record SET status = $3, headers = $4, body = $5
WHERE principal = $1 AND key = $2;

-- name: IdempotencyRelease :exec
DELETE FROM idempotency_record WHERE principal = $1 AND key = $2 AND status = 0;

-- name: IdempotencyExpire :execrows
-- Removes records older than the replay window.
DELETE FROM idempotency_record WHERE created_at < now() - interval '24 hours';
