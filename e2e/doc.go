// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package e2e drives the real bytechef-ee binary over HTTP like a client would, against a
// real Postgres, the Temporal dev server and the Versity S3 gateway, all on free ports so the
// suite can run beside `make dev`. The tests carry the e2e build tag; `make test` sets it.
package e2e
