// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package errcode defines the product's domain errors: a stable machine code, a message that
// is safe to show a caller, and optional per-field problems. The HTTP layer maps codes to
// statuses in one table; domain packages never think in HTTP.
package errcode

import (
	"errors"
	"fmt"
)

// Code is a stable machine-readable error code, part of the public API.
type Code string

// The codes the product answers with.
const (
	Validation       Code = "validation_failed"
	MalformedJSON    Code = "malformed_json"
	NotFound         Code = "not_found"
	Conflict         Code = "conflict"
	Unauthenticated  Code = "unauthenticated"
	Forbidden        Code = "forbidden"
	FeatureDisabled  Code = "feature_disabled"
	RegionMismatch   Code = "region_mismatch"
	RateLimited      Code = "rate_limited"
	PreconditionFail Code = "precondition_failed"
	TooLarge         Code = "payload_too_large"
	UnsupportedMedia Code = "unsupported_media_type"
	InvalidCursor    Code = "invalid_cursor"
	OrgRequired      Code = "org_required"
	IdempotencyReuse Code = "idempotency_key_reused"
	IdempotencyBusy  Code = "idempotency_key_in_progress"
	Unavailable      Code = "unavailable"
	MethodNotAllowed Code = "method_not_allowed"
	Internal         Code = "internal"
)

// FieldError names one invalid input field.
type FieldError struct {
	Field   string
	Message string
}

// Error is a domain error with a code that callers can branch on.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	// Meta carries extra machine-readable members for the response (e.g. region_url).
	Meta map[string]any
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("%s: %s (%s: %s)", e.Code, e.Message, e.Fields[0].Field, e.Fields[0].Message)
}

// New returns an Error with the code and a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a validation error naming one field.
func Invalid(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: Validation, Message: "the request is invalid", Fields: []FieldError{{Field: field, Message: msg}}}
}

// Fields collects field problems and turns them into one validation error.
type Fields []FieldError

// Add records a problem with a field.
func (f *Fields) Add(field, format string, args ...any) {
	*f = append(*f, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns nil when no problem was recorded, else one validation error listing them all.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Validation, Message: "the request is invalid", Fields: f}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool {
	e, ok := As(err)
	return ok && e.Code == code
}
