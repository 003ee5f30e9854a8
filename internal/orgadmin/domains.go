// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package orgadmin

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net"
	"strings"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// tokenPrefix makes the TXT value recognisable among a domain's other TXT records.
const tokenPrefix = "bytechef-domain-verification="

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

func domainSummary(d Domain) map[string]any {
	return map[string]any{"domain": d.Domain, "verified": d.VerifiedAt != nil}
}

func checkClaimable(domain string) (string, error) {
	d, err := NormalizeDomain(domain)
	if err != nil {
		return "", err
	}
	if IsConsumerDomain(d) {
		return "", errcode.Invalid("domain", "%s is a consumer mail provider; only an organization's own domains can be claimed", d)
	}
	return d, nil
}

// CreateDomain claims a domain and returns it with its TXT challenge. Several orgs may hold
// a pending claim; a domain already verified by another org is a conflict.
func (s *Service) CreateDomain(ctx context.Context, orgID uuid.UUID, domain string) (Domain, error) {
	d, _, err := s.ensureDomain(ctx, orgID, domain, false)
	return d, err
}

// EnsureDomain is the idempotent form of CreateDomain (PUT by key): an existing claim of the
// org is returned unchanged, with created=false.
func (s *Service) EnsureDomain(ctx context.Context, orgID uuid.UUID, domain string) (Domain, bool, error) {
	return s.ensureDomain(ctx, orgID, domain, true)
}

func (s *Service) ensureDomain(ctx context.Context, orgID uuid.UUID, domain string, existingOK bool) (out Domain, created bool, err error) {
	name, err := checkClaimable(domain)
	if err != nil {
		return Domain{}, false, err
	}
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		owner, err := q.DomainVerifiedOwner(ctx, name)
		switch {
		case err == nil && owner != orgID:
			return &errcode.Error{Code: errcode.Conflict, Message: "this domain is verified by another organization",
				Fields: []errcode.FieldError{{Field: "domain", Message: "already verified elsewhere"}}}
		case err != nil && !database.IsNoRows(err):
			return err
		}
		row, err := q.DomainInsert(ctx, dbsqlc.DomainInsertParams{ID: newID(), OrgID: orgID, Domain: name, VerificationToken: newToken()})
		if database.IsNoRows(err) {
			if !existingOK {
				return &errcode.Error{Code: errcode.Conflict, Message: "this domain is already claimed by the organization",
					Fields: []errcode.FieldError{{Field: "domain", Message: "already claimed"}}}
			}
			row, err = q.DomainGetByName(ctx, dbsqlc.DomainGetByNameParams{OrgID: orgID, Domain: name})
			out = domainFromRow(row)
			return translate(err, "domain")
		}
		if err != nil {
			return translate(err, "domain")
		}
		out, created = domainFromRow(row), true
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "domain.created", TargetType: "domain", TargetID: out.ID.String(),
			Data: map[string]any{"after": domainSummary(out)}})
	})
	return out, created, err
}

// GetDomain returns one domain of the org.
func (s *Service) GetDomain(ctx context.Context, orgID, id uuid.UUID) (Domain, error) {
	row, err := dbsqlc.New(s.db).DomainGet(ctx, dbsqlc.DomainGetParams{OrgID: orgID, ID: id})
	if err != nil {
		return Domain{}, translate(err, "domain")
	}
	return domainFromRow(row), nil
}

// GetDomainByName returns the org's claim of a domain.
func (s *Service) GetDomainByName(ctx context.Context, orgID uuid.UUID, domain string) (Domain, error) {
	name, err := NormalizeDomain(domain)
	if err != nil {
		return Domain{}, notFound("domain")
	}
	row, err := dbsqlc.New(s.db).DomainGetByName(ctx, dbsqlc.DomainGetByNameParams{OrgID: orgID, Domain: name})
	if err != nil {
		return Domain{}, translate(err, "domain")
	}
	return domainFromRow(row), nil
}

// ListDomains pages through the org's domains in id order.
func (s *Service) ListDomains(ctx context.Context, orgID uuid.UUID, p Page) ([]Domain, error) {
	rows, err := dbsqlc.New(s.db).DomainList(ctx, dbsqlc.DomainListParams{OrgID: orgID, AfterID: p.After, Limit: int32(p.Limit)})
	if err != nil {
		return nil, translate(err, "domain")
	}
	out := make([]Domain, len(rows))
	for i, r := range rows {
		out[i] = domainFromRow(r)
	}
	return out, nil
}

// DeleteDomain removes the org's claim (verified or not).
func (s *Service) DeleteDomain(ctx context.Context, orgID, id uuid.UUID, ifVersion *int32) error {
	return database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		cur, err := q.DomainGet(ctx, dbsqlc.DomainGetParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "domain")
		}
		if err := checkVersion("domain", cur.Version, ifVersion); err != nil {
			return err
		}
		row, err := q.DomainDelete(ctx, dbsqlc.DomainDeleteParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "domain")
		}
		d := domainFromRow(row)
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "domain.deleted", TargetType: "domain", TargetID: id.String(),
			Data: map[string]any{"before": domainSummary(d)}})
	})
}

// VerifyDomain looks up the TXT challenge and marks the domain verified when it is there.
// The DNS lookup runs before the transaction (no transaction is held across the network).
// A missing record is a validation error naming the record; an unreachable resolver is
// unavailable (retry later). Verifying a verified domain returns it unchanged.
func (s *Service) VerifyDomain(ctx context.Context, orgID, id uuid.UUID) (Domain, error) {
	d, err := s.GetDomain(ctx, orgID, id)
	if err != nil || d.VerifiedAt != nil {
		return d, err
	}
	found, err := s.lookupChallenge(ctx, d)
	if err != nil {
		return Domain{}, err
	}
	if !found {
		return Domain{}, &errcode.Error{Code: errcode.Validation, Message: "the DNS challenge was not found",
			Fields: []errcode.FieldError{{Field: "domain", Message: "no TXT record " + d.RecordName() + " with the expected value"}}}
	}
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.DomainMarkVerified(ctx, dbsqlc.DomainMarkVerifiedParams{OrgID: orgID, ID: id})
		if database.IsNoRows(err) { // verified (or deleted) concurrently
			row, err = q.DomainGet(ctx, dbsqlc.DomainGetParams{OrgID: orgID, ID: id})
			d = domainFromRow(row)
			return translate(err, "domain")
		}
		if err != nil {
			return translate(err, "domain")
		}
		before := d
		d = domainFromRow(row)
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "domain.verified", TargetType: "domain", TargetID: id.String(),
			Data: map[string]any{"before": domainSummary(before), "after": domainSummary(d), "record_name": d.RecordName()}})
	})
	return d, err
}

func (s *Service) lookupChallenge(ctx context.Context, d Domain) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.dnsTimeout)
	defer cancel()
	records, err := s.resolver.LookupTXT(ctx, d.RecordName())
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return false, nil
		}
		return false, errcode.New(errcode.Unavailable, "the DNS resolver could not be asked; try again later")
	}
	for _, r := range records {
		if strings.TrimSpace(r) == d.VerificationToken {
			return true, nil
		}
	}
	return false, nil
}
