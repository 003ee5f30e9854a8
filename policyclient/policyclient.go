// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package policyclient is the Go client ByteChef-side code uses to ask the governance plane
// whether a tool call may run (POST /api/v1/policy/evaluate) and whether an OAuth connection
// may be stored (POST /api/v1/connections/oauth/check).
//
// It fails closed: a transport error, a timeout, any non-2xx answer, or an answer that does
// not decode into a known decision is a BLOCK (or "not allowed"), with the cause in Err. A
// caller that only looks at Decision can never run a call the service did not allow.
package policyclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// The decisions.
const (
	Allow = "ALLOW"
	Block = "BLOCK"
)

// ReasonClientError is the reason of a BLOCK the client decided because it got no valid answer.
const ReasonClientError = "CLIENT_ERROR"

// DefaultTimeout bounds one call when the context has no earlier deadline.
const DefaultTimeout = 2 * time.Second

// maxAnswer bounds the answer read from the service.
const maxAnswer = 1 << 20

// Client talks to one governance-plane deployment with an API key of scope policy:evaluate.
type Client struct {
	// BaseURL is the service root, e.g. https://governance.example.com.
	BaseURL string
	// APIKey is a bcee_… key with the policy:evaluate scope.
	APIKey string
	// HTTPClient defaults to a client with keep-alive connections.
	HTTPClient *http.Client
	// Timeout defaults to DefaultTimeout.
	Timeout time.Duration
}

// New returns a client.
func New(baseURL, apiKey string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), APIKey: apiKey, HTTPClient: &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second, ForceAttemptHTTP2: true},
	}}
}

// Phase is when the call is checked.
type Phase string

// The phases.
const (
	PreExecution  Phase = "PRE_EXECUTION"
	PostExecution Phase = "POST_EXECUTION"
)

// Call is one tool call to check. Args and Output are sent as JSON; pass json.RawMessage or
// json.Number to keep large integers exact.
type Call struct {
	Phase         Phase          `json:"phase"`
	UserID        string         `json:"user_id"`
	AgentID       string         `json:"agent_id,omitempty"`
	AgentName     string         `json:"agent_name,omitempty"`
	WorkspaceID   string         `json:"workspace_id"`
	ServerID      string         `json:"server_id"`
	ToolName      string         `json:"tool_name"`
	Args          map[string]any `json:"args,omitempty"`
	Output        any            `json:"output,omitempty"`
	ExecutionID   string         `json:"execution_id,omitempty"`
	CorrelationID string         `json:"correlation_id,omitempty"`
}

// MatchedRule is a rule that took part in the decision.
type MatchedRule struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Action  string `json:"action"`
}

// Decision is the answer. Err is set when the client decided BLOCK itself.
type Decision struct {
	Decision     string        `json:"decision"`
	Tags         []string      `json:"tags"`
	MatchedRules []MatchedRule `json:"matched_rules"`
	Reason       string        `json:"reason"`
	Message      string        `json:"message"`
	DecisionID   string        `json:"decision_id"`
	Err          error         `json:"-"`
}

// Allowed reports whether the call may proceed: only an ALLOW from the service is.
func (d Decision) Allowed() bool { return d.Decision == Allow && d.Err == nil }

func blocked(err error) Decision {
	return Decision{Decision: Block, Reason: ReasonClientError, Tags: []string{},
		Message: "The policy service could not be reached; the action was blocked.", Err: err}
}

// Evaluate asks whether the call may run. It never returns ALLOW unless the service said so.
func (c *Client) Evaluate(ctx context.Context, call Call) Decision {
	var d Decision
	if err := c.post(ctx, "/api/v1/policy/evaluate", call, &d); err != nil {
		return blocked(err)
	}
	if d.Decision != Allow && d.Decision != Block {
		return blocked(fmt.Errorf("policyclient: unknown decision %q", d.Decision))
	}
	return d
}

// OAuthCheck is a new OAuth connection to check.
type OAuthCheck struct {
	Provider            string   `json:"provider"`
	Category            string   `json:"category,omitempty"`
	UserID              string   `json:"user_id"`
	Email               string   `json:"email,omitempty"`
	ExternalWorkspaceID string   `json:"external_workspace_id,omitempty"`
	Scopes              []string `json:"scopes"`
}

// Violation is one reason a connection is not allowed.
type Violation struct {
	Policy  string `json:"policy"`
	Message string `json:"message"`
}

// OAuthVerdict is the answer; Err is set when the client refused by itself.
type OAuthVerdict struct {
	Allowed    *bool       `json:"allowed"`
	Violations []Violation `json:"violations"`
	Err        error       `json:"-"`
}

// OK reports whether the connection may be stored.
func (v OAuthVerdict) OK() bool { return v.Err == nil && v.Allowed != nil && *v.Allowed }

// CheckOAuth asks whether a new connection may be stored; any failure is "not allowed".
func (c *Client) CheckOAuth(ctx context.Context, in OAuthCheck) OAuthVerdict {
	if in.Scopes == nil {
		in.Scopes = []string{}
	}
	var v OAuthVerdict
	if err := c.post(ctx, "/api/v1/connections/oauth/check", in, &v); err != nil {
		f := false
		return OAuthVerdict{Allowed: &f, Err: err}
	}
	if v.Allowed == nil {
		f := false
		return OAuthVerdict{Allowed: &f, Err: errors.New("policyclient: answer without allowed")}
	}
	return v
}

// StatusError is a non-2xx answer.
type StatusError struct {
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("policyclient: the service answered %d: %s", e.Status, e.Body)
}

func (c *Client) post(ctx context.Context, path string, in, out any) error {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.BaseURL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.APIKey)
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		if len(raw) > 512 {
			raw = raw[:512]
		}
		return &StatusError{Status: resp.StatusCode, Body: string(raw)}
	}
	if len(raw) > maxAnswer {
		return errors.New("policyclient: answer too large")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("policyclient: undecodable answer: %w", err)
	}
	return nil
}
