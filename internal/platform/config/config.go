// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package config loads the one typed configuration of the process from environment variables,
// validates it at start (every error names its variable) and describes every variable for
// --help and the README.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is the whole process configuration.
type Config struct {
	HTTPAddr    string
	PublicURL   string
	DatabaseURL string

	TemporalAddress   string
	TemporalNamespace string
	TemporalTaskQueue string

	S3Endpoint       string
	S3Region         string
	S3Bucket         string
	S3ForcePathStyle bool

	// EncryptionKeys is the envelope-encryption key ring; the first key encrypts.
	EncryptionKeys []Key
	AdminAPIKey    string
	Region         string
	// RegionURLs maps other regions to their base URL for 421 region_mismatch answers.
	RegionURLs map[string]string
	// DNSResolver is the host:port of the DNS server that domain verification asks (empty:
	// the system resolver); tests point it at a local server.
	DNSResolver string

	LogLevel  string
	LogFormat string

	// SSOIdPEgress limits which addresses outbound calls to identity providers may reach:
	// "private" (default) refuses loopback, link-local (cloud metadata) and unspecified
	// addresses; "public" also refuses private ranges (multi-tenant clouds); "any" allows all
	// (local development and tests with IdPs on localhost).
	SSOIdPEgress string

	BodyLimit      int64
	BatchBodyLimit int64
	// ShutdownTimeout bounds graceful HTTP shutdown and worker stop.
	ShutdownTimeout time.Duration

	Features Features
}

// Key is one entry of the encryption key ring.
type Key struct {
	ID     string
	Secret []byte
}

// Features holds the feature toggles of SPEC §8.2.
type Features struct {
	SSO            bool
	SCIM           bool
	AuditLogs      bool
	AppPolicies    bool
	AIModelControl bool
	Analytics      bool
	Organizations  bool
	Whitelabeling  bool
}

// Var documents one environment variable.
type Var struct {
	Name    string
	Default string
	Help    string
	Secret  bool
}

// Vars lists every variable the process reads, in display order.
var Vars = []Var{
	{"BYTECHEF_HTTP_ADDR", ":8080", "API listen address", false},
	{"BYTECHEF_PUBLIC_URL", "http://localhost:8080", "external base URL (SSO callbacks, SAML metadata)", false},
	{"BYTECHEF_DATABASE_URL", "postgres://localhost:5432/bytechef_ee?sslmode=disable", "Postgres connection URL", true},
	{"BYTECHEF_TEMPORAL_ADDRESS", "127.0.0.1:7233", "Temporal frontend host:port", false},
	{"BYTECHEF_TEMPORAL_NAMESPACE", "default", "Temporal namespace", false},
	{"BYTECHEF_TEMPORAL_TASK_QUEUE", "bytechef-ee", "Temporal task queue of the worker", false},
	{"BYTECHEF_S3_ENDPOINT", "", "S3-compatible endpoint URL (empty: AWS)", false},
	{"BYTECHEF_S3_REGION", "us-east-1", "S3 signing region", false},
	{"BYTECHEF_S3_BUCKET", "bytechef-ee", "bucket for this deployment's region", false},
	{"BYTECHEF_S3_FORCE_PATH_STYLE", "false", "path-style S3 addressing (most S3-compatible servers)", false},
	{"BYTECHEF_ENCRYPTION_KEYS", "", "key ring kid1:base64key,kid2:base64key (32-byte keys); the first encrypts", true},
	{"BYTECHEF_ADMIN_API_KEY", "", "instance-admin bearer key, at least 32 characters (empty: disabled)", true},
	{"BYTECHEF_REGION", "us", "this deployment's data-residency region", false},
	{"BYTECHEF_REGION_URLS", "", "other regions' base URLs for 421 answers: eu=https://eu.example.com,us=…", false},
	{"BYTECHEF_DNS_RESOLVER", "", "host:port of the DNS server used to verify domain TXT records (empty: system resolver)", false},
	{"BYTECHEF_SSO_IDP_EGRESS", "private", "addresses SSO may call (metadata, OIDC discovery, JWKS, tokens): private, public or any", false},
	{"BYTECHEF_LOG_LEVEL", "info", "debug, info, warn or error", false},
	{"BYTECHEF_LOG_FORMAT", "json", "json or text", false},
	{"BYTECHEF_HTTP_BODY_LIMIT", "1048576", "maximum request body in bytes", false},
	{"BYTECHEF_HTTP_BATCH_BODY_LIMIT", "5242880", "maximum audit/event batch body in bytes", false},
	{"BYTECHEF_SHUTDOWN_TIMEOUT", "30s", "graceful shutdown budget", false},
	{"BYTECHEF_SSO_ENABLED", "false", "feature toggle: SAML and OIDC single sign-on", false},
	{"BYTECHEF_SCIM_ENABLED", "false", "feature toggle: SCIM provisioning and directory sync", false},
	{"BYTECHEF_AUDIT_LOGS_ENABLED", "false", "feature toggle: audit log and data export", false},
	{"BYTECHEF_APP_POLICIES_ENABLED", "false", "feature toggle: app rules, claims, OAuth restrictions", false},
	{"BYTECHEF_AI_MODEL_CONTROL_ENABLED", "false", "feature toggle: AI model control", false},
	{"BYTECHEF_ANALYTICS_ENABLED", "false", "feature toggle: organization analytics", false},
	{"BYTECHEF_ORGANIZATIONS_ENABLED", "false", "feature toggle: many organizations (off: one implicit org)", false},
	{"BYTECHEF_WHITELABELING_ENABLED", "false", "feature toggle: branding", false},
}

// Lookup reads one variable; os.LookupEnv satisfies it.
type Lookup func(name string) (string, bool)

var (
	regionRe = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)
	kidRe    = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
	bucketRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
)

// Load reads and validates the configuration. The error names the first bad variable.
func Load(lookup Lookup) (Config, error) {
	l := loader{lookup: lookup}
	c := Config{
		HTTPAddr:          l.addr("BYTECHEF_HTTP_ADDR"),
		PublicURL:         l.url("BYTECHEF_PUBLIC_URL", true),
		DatabaseURL:       l.dbURL("BYTECHEF_DATABASE_URL"),
		TemporalAddress:   l.hostPort("BYTECHEF_TEMPORAL_ADDRESS"),
		TemporalNamespace: l.nonEmpty("BYTECHEF_TEMPORAL_NAMESPACE"),
		TemporalTaskQueue: l.nonEmpty("BYTECHEF_TEMPORAL_TASK_QUEUE"),
		S3Endpoint:        l.url("BYTECHEF_S3_ENDPOINT", false),
		S3Region:          l.nonEmpty("BYTECHEF_S3_REGION"),
		S3Bucket:          l.bucket("BYTECHEF_S3_BUCKET"),
		S3ForcePathStyle:  l.bool("BYTECHEF_S3_FORCE_PATH_STYLE"),
		EncryptionKeys:    l.keys("BYTECHEF_ENCRYPTION_KEYS"),
		AdminAPIKey:       l.adminKey("BYTECHEF_ADMIN_API_KEY"),
		Region:            l.region("BYTECHEF_REGION"),
		RegionURLs:        l.regionURLs("BYTECHEF_REGION_URLS"),
		DNSResolver:       l.optionalHostPort("BYTECHEF_DNS_RESOLVER"),
		SSOIdPEgress:      l.oneOf("BYTECHEF_SSO_IDP_EGRESS", "private", "public", "any"),
		LogLevel:          l.oneOf("BYTECHEF_LOG_LEVEL", "debug", "info", "warn", "error"),
		LogFormat:         l.oneOf("BYTECHEF_LOG_FORMAT", "json", "text"),
		BodyLimit:         l.size("BYTECHEF_HTTP_BODY_LIMIT"),
		BatchBodyLimit:    l.size("BYTECHEF_HTTP_BATCH_BODY_LIMIT"),
		ShutdownTimeout:   l.duration("BYTECHEF_SHUTDOWN_TIMEOUT"),
		Features: Features{
			SSO:            l.bool("BYTECHEF_SSO_ENABLED"),
			SCIM:           l.bool("BYTECHEF_SCIM_ENABLED"),
			AuditLogs:      l.bool("BYTECHEF_AUDIT_LOGS_ENABLED"),
			AppPolicies:    l.bool("BYTECHEF_APP_POLICIES_ENABLED"),
			AIModelControl: l.bool("BYTECHEF_AI_MODEL_CONTROL_ENABLED"),
			Analytics:      l.bool("BYTECHEF_ANALYTICS_ENABLED"),
			Organizations:  l.bool("BYTECHEF_ORGANIZATIONS_ENABLED"),
			Whitelabeling:  l.bool("BYTECHEF_WHITELABELING_ENABLED"),
		},
	}
	if l.err != nil {
		return Config{}, l.err
	}
	return c, nil
}

// Summary lists every variable with its effective value, secrets masked, for the start log.
func Summary(lookup Lookup) map[string]string {
	out := make(map[string]string, len(Vars))
	for _, v := range Vars {
		val, ok := lookup(v.Name)
		if !ok {
			val = v.Default
		}
		if v.Secret && val != "" {
			val = "***"
		}
		out[v.Name] = val
	}
	return out
}

// Help renders the variables as an aligned table for --help.
func Help(names ...string) string {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var b strings.Builder
	b.WriteString("Environment:\n")
	for _, v := range Vars {
		if len(want) > 0 && !want[v.Name] && !strings.HasSuffix(v.Name, "_ENABLED") {
			continue
		}
		def := v.Default
		if def == "" {
			def = "(empty)"
		}
		fmt.Fprintf(&b, "  %-34s %s [default %s]\n", v.Name, v.Help, def)
	}
	return b.String()
}

type loader struct {
	lookup Lookup
	err    error
}

func (l *loader) raw(name string) string {
	if v, ok := l.lookup(name); ok {
		return strings.TrimSpace(v)
	}
	for _, v := range Vars {
		if v.Name == name {
			return v.Default
		}
	}
	return ""
}

func (l *loader) fail(name, format string, args ...any) {
	if l.err == nil {
		l.err = fmt.Errorf("config: %s: %s", name, fmt.Sprintf(format, args...))
	}
}

func (l *loader) nonEmpty(name string) string {
	v := l.raw(name)
	if v == "" {
		l.fail(name, "must not be empty")
	}
	return v
}

func (l *loader) addr(name string) string {
	v := l.nonEmpty(name)
	if _, port, err := net.SplitHostPort(v); err != nil {
		l.fail(name, "want host:port or :port, got %q", v)
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		l.fail(name, "invalid port %q", port)
	}
	return v
}

func (l *loader) hostPort(name string) string {
	v := l.addr(name)
	if strings.HasPrefix(v, ":") {
		l.fail(name, "want host:port, got %q", v)
	}
	return v
}

// optionalHostPort accepts empty or host:port.
func (l *loader) optionalHostPort(name string) string {
	if l.raw(name) == "" {
		return ""
	}
	return l.hostPort(name)
}

func (l *loader) url(name string, required bool) string {
	v := l.raw(name)
	if v == "" {
		if required {
			l.fail(name, "must not be empty")
		}
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		l.fail(name, "want an absolute http(s) URL, got %q", v)
		return ""
	}
	return strings.TrimRight(v, "/")
}

func (l *loader) dbURL(name string) string {
	v := l.nonEmpty(name)
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		l.fail(name, "want a postgres:// URL")
	}
	return v
}

func (l *loader) bucket(name string) string {
	v := l.nonEmpty(name)
	if !bucketRe.MatchString(v) {
		l.fail(name, "%q is not a valid bucket name", v)
	}
	return v
}

func (l *loader) bool(name string) bool {
	v := l.raw(name)
	b, err := strconv.ParseBool(v)
	if err != nil {
		l.fail(name, "want true or false, got %q", v)
	}
	return b
}

func (l *loader) oneOf(name string, allowed ...string) string {
	v := strings.ToLower(l.raw(name))
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	l.fail(name, "want one of %s, got %q", strings.Join(allowed, ", "), v)
	return ""
}

func (l *loader) size(name string) int64 {
	v := l.raw(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1024 || n > 1<<30 {
		l.fail(name, "want a byte count between 1024 and 1073741824, got %q", v)
	}
	return n
}

func (l *loader) duration(name string) time.Duration {
	v := l.raw(name)
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		l.fail(name, "want a positive duration such as 30s, got %q", v)
	}
	return d
}

func (l *loader) region(name string) string {
	v := l.nonEmpty(name)
	if !regionRe.MatchString(v) {
		l.fail(name, "want a lowercase region name such as us or eu, got %q", v)
	}
	return v
}

func (l *loader) regionURLs(name string) map[string]string {
	out := map[string]string{}
	v := l.raw(name)
	if v == "" {
		return out
	}
	for _, part := range strings.Split(v, ",") {
		region, base, ok := strings.Cut(strings.TrimSpace(part), "=")
		u, err := url.Parse(base)
		if !ok || !regionRe.MatchString(region) || err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			l.fail(name, "want region=https://base-url pairs separated by commas, got %q", part)
			return out
		}
		out[region] = strings.TrimRight(base, "/")
	}
	return out
}

func (l *loader) adminKey(name string) string {
	v := l.raw(name)
	if v != "" && len(v) < 32 {
		l.fail(name, "must be at least 32 characters (got %d)", len(v))
	}
	return v
}

func (l *loader) keys(name string) []Key {
	v := l.raw(name)
	if v == "" {
		return nil
	}
	var keys []Key
	seen := map[string]bool{}
	for i, part := range strings.Split(v, ",") {
		kid, b64, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || !kidRe.MatchString(kid) {
			l.fail(name, "entry %d: want kid:base64key", i+1)
			return nil
		}
		if seen[kid] {
			l.fail(name, "entry %d: key id %q appears twice", i+1, kid)
			return nil
		}
		seen[kid] = true
		secret, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			secret, err = base64.RawURLEncoding.DecodeString(b64)
		}
		if err != nil || len(secret) != 32 {
			// The key material itself is never echoed.
			l.fail(name, "entry %d (%s): want 32 bytes of base64 key material", i+1, kid)
			return nil
		}
		keys = append(keys, Key{ID: kid, Secret: secret})
	}
	return keys
}

// ErrNoEncryptionKeys is returned by features that must store secrets when no key ring is set.
var ErrNoEncryptionKeys = errors.New("config: BYTECHEF_ENCRYPTION_KEYS: required to store secrets, but empty")

// FeatureNames returns the toggle states keyed by feature name, sorted for display.
func (f Features) FeatureNames() []string {
	names := make([]string, 0, len(f.Map()))
	for k := range f.Map() {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Map returns the toggle state keyed by the SCREAMING_SNAKE_CASE feature name.
func (f Features) Map() map[string]bool {
	return map[string]bool{
		"SSO":              f.SSO,
		"SCIM":             f.SCIM,
		"AUDIT_LOGS":       f.AuditLogs,
		"APP_POLICIES":     f.AppPolicies,
		"AI_MODEL_CONTROL": f.AIModelControl,
		"ANALYTICS":        f.Analytics,
		"ORGANIZATIONS":    f.Organizations,
		"WHITELABELING":    f.Whitelabeling,
	}
}
