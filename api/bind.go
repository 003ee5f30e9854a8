// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
	"github.com/bytechefhq/bytechef-ee/internal/platform/jsontext"
)

// boolQuery reads an optional boolean query parameter: absent, true/false or 1/0.
func boolQuery(c *gin.Context, name string) (bool, error) {
	if len(c.QueryArray(name)) > 1 {
		return false, errcode.Invalid(name, "must be given once")
	}
	switch v := c.Query(name); v {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	default:
		return false, errcode.Invalid(name, "must be true or false")
	}
}

// readBody reads the request body under the route's limit: 413 when over it.
func readBody(c *gin.Context) ([]byte, error) {
	limit := c.GetInt64(ctxBodyLimit)
	if limit <= 0 {
		limit = 1 << 20
	}
	if ce := c.GetHeader("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return nil, errcode.New(errcode.UnsupportedMedia, "Content-Encoding %q is not supported; send the body uncompressed", ce)
	}
	if c.Request.ContentLength > limit {
		return nil, errcode.New(errcode.TooLarge, "the request body is larger than %d bytes", limit)
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, errcode.New(errcode.TooLarge, "the request body is larger than %d bytes", limit)
	}
	if err != nil {
		return nil, errcode.New(errcode.MalformedJSON, "the request body could not be read")
	}
	// Put it back so later readers (e.g. idempotency replay detection) see the same bytes.
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

// bindJSON decodes a JSON request body into dst strictly: the content type must be JSON,
// unknown fields are refused, the text must be valid UTF-8 without NUL characters (Postgres
// cannot store them), unpaired surrogate escapes read as U+FFFD, and trailing data is an
// error. Errors name the offset or the field.
func bindJSON(c *gin.Context, dst any) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return errcode.New(errcode.UnsupportedMedia, "the request body must be application/json")
		}
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
			return errcode.New(errcode.UnsupportedMedia, "the request body must be UTF-8 (charset=%s given)", cs)
		}
	} else {
		return errcode.New(errcode.UnsupportedMedia, "a Content-Type: application/json header is required")
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	return decodeStrict(body, dst)
}

// decodeStrict is bindJSON's decoder, separate so it can be fuzzed without HTTP.
func decodeStrict(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errcode.New(errcode.MalformedJSON, "the request body is empty")
	}
	if !utf8.Valid(body) {
		return errcode.New(errcode.MalformedJSON, "the request body is not valid UTF-8")
	}
	if off := jsontext.NULOffset(body); off >= 0 {
		return errcode.New(errcode.MalformedJSON, "NUL characters are not accepted (at offset %d)", off)
	}
	// Unpaired surrogate escapes become U+FFFD here, as encoding/json makes them in strings,
	// so that fields kept as raw JSON (action_data, args, definitions) can be stored as jsonb.
	body = jsontext.FixSurrogates(body)
	// Numbers beyond what jsonb's numeric stores would fail at the database; say so here.
	if end := jsontext.NumberOutOfRange(body); end >= 0 {
		field := pathAt(body, int64(end))
		if field == "" {
			field = "(body)"
		}
		return &errcode.Error{Code: errcode.Validation, Message: "the request is invalid", Fields: []errcode.FieldError{{Field: field,
			Message: fmt.Sprintf("must be a number with at most %d digits before and after the decimal point", jsontext.MaxNumberDigits)}}}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err, body)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errcode.New(errcode.MalformedJSON, "unexpected data after the JSON value at offset %d", dec.InputOffset())
	}
	return nil
}

func jsonError(err error, body []byte) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return errcode.New(errcode.MalformedJSON, "malformed JSON at offset %d: %s", se.Offset, se.Error())
	case errors.As(err, &te):
		field := te.Field
		if p := pathAt(body, te.Offset); p != "" {
			field = p // with array indices, e.g. events[3].duration_ms
		}
		if field == "" {
			field = "(body)"
		}
		return &errcode.Error{Code: errcode.Validation, Message: "the request is invalid",
			Fields: []errcode.FieldError{{Field: field, Message: fmt.Sprintf("must be %s, got %s", jsonKind(te.Type.String()), te.Value)}}}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return errcode.New(errcode.MalformedJSON, "malformed JSON: unexpected end at offset %d", len(body))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &errcode.Error{Code: errcode.Validation, Message: "the request is invalid",
			Fields: []errcode.FieldError{{Field: name, Message: "unknown field"}}}
	default:
		return errcode.New(errcode.MalformedJSON, "malformed JSON: %s", err.Error())
	}
}

func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "map["), strings.HasPrefix(goType, "struct"), strings.Contains(goType, "."):
		return "an object"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "an integer in range" // a fraction or an out-of-range number is a number too
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "bool":
		return "a boolean"
	case goType == "string", goType == "*string":
		return "a string"
	}
	return goType
}

// pathAt returns the JSON path (events[3].duration_ms) of the value that ends at offset, by
// re-reading the body's tokens. encoding/json names fields without array indices, which is
// useless in a batch of a thousand items. Only called on the error path.
func pathAt(body []byte, offset int64) string {
	type frame struct {
		array     bool
		index     int
		key       string
		expectKey bool
	}
	var stack []*frame
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			switch {
			case f.array:
				fmt.Fprintf(&b, "[%d]", f.index)
			case f.key != "":
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			}
		}
		return b.String()
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && !stack[len(stack)-1].array {
				stack[len(stack)-1].expectKey = true
			}
			if dec.InputOffset() >= offset {
				return path()
			}
			continue
		}
		if top != nil && !top.array && top.expectKey {
			top.key, _ = tok.(string)
			top.expectKey = false
			continue
		}
		// A value starts here.
		if top != nil && top.array {
			top.index++
		}
		if d, ok := tok.(json.Delim); ok {
			if dec.InputOffset() >= offset {
				return path() // the container itself has the wrong type
			}
			stack = append(stack, &frame{array: d == '[', index: -1, expectKey: d == '{'})
			continue
		}
		if dec.InputOffset() >= offset {
			return path()
		}
		if top != nil && !top.array {
			top.expectKey = true
		}
	}
}
