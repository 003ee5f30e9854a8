// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package activities holds the Temporal activities: thin, idempotent methods over the
// domain services, with errors classified as retryable or not.
package activities

import (
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// classify turns permanent domain failures (validation, not found, denied) into
// non-retryable application errors; everything else stays retryable.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if e, ok := errcode.As(err); ok {
		switch e.Code {
		case errcode.Validation, errcode.NotFound, errcode.Forbidden, errcode.Conflict, errcode.RegionMismatch:
			return temporal.NewNonRetryableApplicationError(e.Message, string(e.Code), err)
		}
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return err
	}
	return err
}
