// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// statusOf is the one table from domain error code to HTTP status.
var statusOf = map[errcode.Code]int{
	errcode.Validation:       http.StatusUnprocessableEntity,
	errcode.MalformedJSON:    http.StatusBadRequest,
	errcode.InvalidCursor:    http.StatusBadRequest,
	errcode.OrgRequired:      http.StatusBadRequest,
	errcode.Unauthenticated:  http.StatusUnauthorized,
	errcode.Forbidden:        http.StatusForbidden,
	errcode.NotFound:         http.StatusNotFound,
	errcode.FeatureDisabled:  http.StatusNotFound,
	errcode.Conflict:         http.StatusConflict,
	errcode.IdempotencyBusy:  http.StatusConflict,
	errcode.PreconditionFail: http.StatusPreconditionFailed,
	errcode.TooLarge:         http.StatusRequestEntityTooLarge,
	errcode.UnsupportedMedia: http.StatusUnsupportedMediaType,
	errcode.IdempotencyReuse: http.StatusUnprocessableEntity,
	errcode.RegionMismatch:   http.StatusMisdirectedRequest,
	errcode.RateLimited:      http.StatusTooManyRequests,
	errcode.Unavailable:      http.StatusServiceUnavailable,
	errcode.MethodNotAllowed: http.StatusMethodNotAllowed,
}

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type     string         `json:"type"`
	Title    string         `json:"title"`
	Status   int            `json:"status"`
	Detail   string         `json:"detail"`
	Instance string         `json:"instance"`
	Code     string         `json:"code"`
	Errors   []ProblemField `json:"errors"`
	// Extra members (e.g. region_url) are flattened into the object.
	Extra map[string]any `json:"-"`
}

// ProblemField is one invalid field.
type ProblemField struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// MarshalJSON flattens Extra into the problem object.
func (p Problem) MarshalJSON() ([]byte, error) {
	type plain Problem
	b, err := json.Marshal(plain(p))
	if err != nil || len(p.Extra) == 0 {
		return b, err
	}
	m := map[string]any{}
	_ = json.Unmarshal(b, &m)
	for k, v := range p.Extra {
		if _, taken := m[k]; !taken {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// problemFor converts any error to a problem; unknown errors become a generic 500.
func problemFor(err error, instance string) Problem {
	e, ok := errcode.As(err)
	if !ok {
		e = &errcode.Error{Code: errcode.Internal, Message: "an internal error occurred; quote the request id when reporting it"}
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	fields := make([]ProblemField, len(e.Fields))
	for i, f := range e.Fields {
		fields[i] = ProblemField{Field: f.Field, Message: f.Message}
	}
	return Problem{
		Type:     "https://docs.bytechef.io/ee/errors#" + string(e.Code),
		Title:    http.StatusText(status),
		Status:   status,
		Detail:   e.Message,
		Instance: instance,
		Code:     string(e.Code),
		Errors:   fields,
		Extra:    e.Meta,
	}
}

// writeProblem renders err. Unknown errors are logged with the request id, never shown.
func writeProblem(c *gin.Context, log *slog.Logger, err error) {
	p := problemFor(err, c.Request.URL.Path)
	if p.Status >= 500 {
		log.ErrorContext(c.Request.Context(), "request failed", "request_id", requestID(c), "error", err)
	}
	if strings.HasPrefix(c.Request.URL.Path, "/scim/") {
		writeSCIMError(c, p)
		return
	}
	if p.Code == string(errcode.Unauthenticated) {
		c.Header("WWW-Authenticate", `Bearer realm="bytechef-ee"`)
	}
	if p.Code == string(errcode.RateLimited) {
		if ra, ok := p.Extra["retry_after"]; ok {
			c.Header("Retry-After", toString(ra))
		}
	}
	body, _ := json.Marshal(p)
	c.Data(p.Status, "application/problem+json", body)
}

// writeSCIMError answers in the SCIM error schema (RFC 7644 §3.12): status is a string, and
// scimType comes from errcode.Error.Meta["scimType"] (or from the code where RFC 7644 names
// one). Invalid input is 400 on SCIM, as RFC 7644 requires, not 422.
func writeSCIMError(c *gin.Context, p Problem) {
	status := scimStatus(p)
	detail := p.Detail
	if len(p.Errors) > 0 {
		detail += " (" + p.Errors[0].Field + ": " + p.Errors[0].Message + ")"
	}
	body := map[string]any{
		"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"},
		"status":  toString(status),
		"detail":  detail,
	}
	if t, ok := p.Extra["scimType"]; ok && t != "" {
		body["scimType"] = t
	} else if t := scimTypeOf(p); t != "" {
		body["scimType"] = t
	}
	switch p.Code {
	case string(errcode.Unauthenticated):
		c.Header("WWW-Authenticate", `Bearer realm="bytechef-ee-scim"`)
	case string(errcode.RateLimited):
		if ra, ok := p.Extra["retry_after"]; ok {
			c.Header("Retry-After", toString(ra))
		}
	}
	b, _ := json.Marshal(body)
	c.Data(status, "application/scim+json", b)
}

// scimStatus is the HTTP status of a problem on /scim: validation errors are 400.
func scimStatus(p Problem) int {
	if p.Code == string(errcode.Validation) || p.Code == string(errcode.MalformedJSON) {
		return http.StatusBadRequest
	}
	return p.Status
}

func scimTypeOf(p Problem) string {
	switch p.Code {
	case string(errcode.MalformedJSON):
		return "invalidSyntax"
	case string(errcode.Validation):
		return "invalidValue"
	}
	return ""
}

func toString(v any) string {
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}

// fail records err for the error middleware and stops the chain.
func fail(c *gin.Context, err error) {
	_ = c.Error(err)
	c.Abort()
}

// errorsMiddleware renders the last error a handler recorded, once.
func errorsMiddleware(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if len(c.Errors) == 0 || c.Writer.Written() {
			return
		}
		writeProblem(c, log, c.Errors.Last().Err)
	}
}
