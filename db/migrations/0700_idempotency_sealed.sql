-- +goose Up
-- Idempotency records are now found by a digest of the Idempotency-Key and hold their answer
-- sealed with a key derived from it. Records written before this hold the key and the answer
-- (for API keys and SCIM tokens, the secret) in the clear and can no longer be found anyway:
-- they are removed instead of waiting out their 24 hours.
DELETE FROM idempotency_record;

-- +goose Down
SELECT 1;
