// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

// auditTypes are the audit feature's own event types. They live in their own file (merged
// into Catalogue at init) so the shared catalogue file stays a list other features append to.
var auditTypes = map[string]Category{
	"audit_log.viewed":        Organization,
	"audit_log.exported":      Organization,
	"audit_log.verified":      Organization,
	"audit_retention.updated": Organization,
	"audit_retention.run":     Organization,
}

func init() {
	for k, v := range auditTypes {
		Catalogue[k] = v
	}
}
