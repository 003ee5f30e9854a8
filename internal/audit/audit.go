// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package audit owns the audit trail: the catalogue of event types and categories, the
// request metadata (actor, IP, correlation id) that travels in the context, and the writer
// that every admin mutation calls inside its own database transaction, so a change and its
// audit event commit or roll back together (all core). With the audit feature on, Service
// adds batch ingestion, filtered queries over the hot (Postgres) and cold (S3) tiers, the SIEM
// stream, the per-org hash chain and its verification, and retention tiering.
package audit

import (
	"context"
	"net/netip"

	"github.com/google/uuid"
)

// Category groups event types (SPEC §4.1).
type Category string

// The audit categories.
const (
	Authentication Category = "AUTHENTICATION"
	Credentials    Category = "CREDENTIALS"
	Teams          Category = "TEAMS"
	Organization   Category = "ORGANIZATION"
	Permissions    Category = "PERMISSIONS"
	Workflows      Category = "WORKFLOWS"
	Files          Category = "FILES"
)

// Categories lists every category in display order.
var Categories = []Category{Authentication, Credentials, Teams, Organization, Permissions, Workflows, Files}

// ValidCategory reports whether c is one of the categories.
func ValidCategory(c string) bool {
	for _, k := range Categories {
		if string(k) == c {
			return true
		}
	}
	return false
}

// ActorType says what kind of principal acted.
type ActorType string

// The actor types.
const (
	ActorUser   ActorType = "USER"
	ActorAPIKey ActorType = "API_KEY"
	ActorSCIM   ActorType = "SCIM"
	ActorSystem ActorType = "SYSTEM"
)

// Meta is who did something and from where; the HTTP layer puts it in the request context.
type Meta struct {
	ActorType     ActorType
	ActorUserID   *uuid.UUID
	ActorKeyID    *uuid.UUID
	ActorLabel    string // e.g. "instance-admin" or an API key's name
	IP            *netip.Addr
	UserAgent     string
	SessionID     string
	CorrelationID *uuid.UUID
}

type metaKey struct{}

// WithMeta returns a context carrying m.
func WithMeta(ctx context.Context, m Meta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

// MetaFrom returns the request's Meta, or a SYSTEM actor when there is none (workflows, jobs).
func MetaFrom(ctx context.Context) Meta {
	if m, ok := ctx.Value(metaKey{}).(Meta); ok {
		return m
	}
	return Meta{ActorType: ActorSystem, ActorLabel: "system"}
}
