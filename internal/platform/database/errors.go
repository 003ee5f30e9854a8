// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package database

import (
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Postgres error classes the stores translate into domain errors.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
	codeCheckViolation      = "23514"
)

// IsNoRows reports whether a query found nothing.
func IsNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// UniqueViolation reports whether err is a unique-constraint violation and on which constraint.
func UniqueViolation(err error) (constraint string, ok bool) {
	return pgCode(err, codeUniqueViolation)
}

// ForeignKeyViolation reports whether err references a row that does not exist.
func ForeignKeyViolation(err error) (constraint string, ok bool) {
	return pgCode(err, codeForeignKeyViolation)
}

// CheckViolation reports whether err is a CHECK (or partition-range) violation.
func CheckViolation(err error) (constraint string, ok bool) {
	return pgCode(err, codeCheckViolation)
}

func pgCode(err error, code string) (string, bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == code {
		return pe.ConstraintName, true
	}
	return "", false
}
