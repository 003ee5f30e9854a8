// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package jsontext checks and repairs JSON text that is stored as it came (jsonb columns):
// JSON allows the \u0000 escape and unpaired UTF-16 surrogate escapes, and Postgres jsonb
// refuses both.
package jsontext

import (
	"strconv"
	"strings"
)

// NULOffset returns the offset of the first raw NUL byte or \u0000 escape in b, or -1. An
// escaped backslash followed by "u0000" is text, not a NUL.
func NULOffset(b []byte) int {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case 0:
			return i
		case '\\':
			if i+5 < len(b) && b[i+1] == 'u' && string(b[i+2:i+6]) == "0000" {
				return i
			}
			i++ // skip the escaped character
		}
	}
	return -1
}

// FixSurrogates returns b with every unpaired surrogate escape (\ud800–\udfff without its
// partner) replaced by \ufffd, which is what encoding/json decodes it to, so the raw text and
// its decoded value agree and jsonb accepts it. It returns b itself when nothing needs fixing
// and a repaired copy otherwise; the length never changes.
func FixSurrogates(b []byte) []byte {
	out, copied := b, false
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if i+1 >= len(b) || b[i+1] != 'u' {
			i++ // another escape (\\, \", \n, …): skip its character
			continue
		}
		r, ok := hex4(b, i+2)
		if !ok {
			i++
			continue
		}
		switch {
		case r >= 0xd800 && r < 0xdc00: // high: a pair only if a low escape follows
			if lo, ok := hex4(b, i+8); ok && i+7 < len(b) && b[i+6] == '\\' && b[i+7] == 'u' && lo >= 0xdc00 && lo < 0xe000 {
				i += 11
				continue
			}
		case r >= 0xdc00 && r < 0xe000: // a low escape not consumed by a high one is alone
		default:
			i += 5
			continue
		}
		if !copied {
			out, copied = append([]byte(nil), b...), true
		}
		copy(out[i:], `\ufffd`)
		i += 5
	}
	return out
}

// hex4 reads four hex digits at b[i:i+4].
func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// MaxNumberDigits bounds a JSON number's digits before and after the decimal point once its
// exponent is applied. Postgres numeric (and so jsonb) stores at most 131,072 and 16,383; no
// real payload comes near 1,000, and a bound this low keeps every number cheap to store and
// to compare.
const MaxNumberDigits = 1000

// NumberOutOfRange returns the offset just past the first number in the JSON text b whose
// value needs more than MaxNumberDigits digits before or after the decimal point (1e999999,
// a 2,000-digit integer, 1e-5000), or -1. Text inside strings is skipped.
func NumberOutOfRange(b []byte) int {
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case c == '-' || (c >= '0' && c <= '9'):
			end := i
			for end < len(b) && strings.IndexByte("+-.eE0123456789", b[end]) >= 0 {
				end++
			}
			if !numberFits(b[i:end]) {
				return end
			}
			i = end - 1
		}
	}
	return -1
}

// numberFits reports whether the number text n stays within MaxNumberDigits digits on each
// side of the decimal point. Malformed text is left to the JSON decoder.
func numberFits(n []byte) bool {
	mant, exp, _ := strings.Cut(strings.ToLower(strings.TrimPrefix(string(n), "-")), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return true // zero, however written
	}
	e := 0
	if exp != "" {
		v, err := strconv.Atoi(exp)
		if err != nil {
			return false // an exponent beyond int range
		}
		if v > 1<<20 || v < -(1<<20) {
			return false
		}
		e = v
	}
	// The value is 0.digits × 10^weight: weight digits before the point, and the last
	// significant digit at position len(digits) - weight after it.
	weight := len(intPart) - (len(intPart+frac) - len(strings.TrimLeft(intPart+frac, "0"))) + e
	return weight <= MaxNumberDigits && len(strings.TrimRight(digits, "0"))-weight <= MaxNumberDigits
}
