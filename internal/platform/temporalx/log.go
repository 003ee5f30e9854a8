// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package temporalx

import (
	"log/slog"

	"go.temporal.io/sdk/log"
)

// newLogger adapts slog to the SDK's logger so Temporal's lines share our format.
func newLogger(l *slog.Logger) log.Logger {
	return log.NewStructuredLogger(l.With("component", "temporal"))
}
