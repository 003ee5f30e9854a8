-- name: InstanceSecretInsert :exec
INSERT INTO instance_secret (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING;

-- name: InstanceSecretGet :one
SELECT secret FROM instance_secret WHERE name = $1;
