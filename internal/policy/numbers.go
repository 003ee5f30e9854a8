// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
)

// MaxDepth bounds the nesting of call arguments and outputs.
const MaxDepth = 64

// ErrTooDeep is JSON nested deeper than MaxDepth.
var ErrTooDeep = errors.New("JSON is nested too deeply")

// DecodeJSON decodes a JSON value keeping integers exact (see NormalizeJSON).
func DecodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return NormalizeJSON(v)
}

// NormalizeJSON converts a value decoded with json.Decoder.UseNumber into the Go values CEL
// compares exactly: integers that fit become int64, larger non-negative ones uint64 (so
// 2^53+1 and 2^64-1 stay exact instead of rounding through float64), everything else
// (fractions, exponents, integers beyond 64 bits) float64. Maps and lists are copied.
func NormalizeJSON(v any) (any, error) { return normalize(v, 0) }

func normalize(v any, depth int) (any, error) {
	if depth > MaxDepth {
		return nil, ErrTooDeep
	}
	switch t := v.(type) {
	case json.Number:
		return number(string(t)), nil
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			n, err := normalize(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			n, err := normalize(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case float64:
		// A value decoded without UseNumber; keep integral ones integral where exact.
		if t == float64(int64(t)) && t >= -(1<<53) && t <= 1<<53 {
			return int64(t), nil
		}
		return t, nil
	default:
		return v, nil
	}
}

func number(s string) any {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			return u
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Out of float64 range: json.Number only holds valid JSON numbers, so this is ±Inf.
		return f
	}
	return f
}

// NormalizeArgs normalizes a call's args object.
func NormalizeArgs(m map[string]any) (map[string]any, error) {
	if m == nil {
		return map[string]any{}, nil
	}
	v, err := normalize(m, 0)
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}
