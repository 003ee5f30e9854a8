// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package export

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestEscapeCell(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":                      "",
		"plain":                 "plain",
		"=1+1":                  "'=1+1",
		"+1":                    "'+1",
		"-1":                    "'-1",
		"@SUM(A1)":              "'@SUM(A1)",
		"\t=cmd":                "'\t=cmd",
		"\r=cmd":                "'\r=cmd",
		"a=b":                   "a=b",
		" =x":                   " =x", // spreadsheets do not evaluate a leading space
		"'quoted":               "'quoted",
		"say \"hi\", ok":        "say \"hi\", ok",
		"line\nbreak":           "line\nbreak",
		"ünïcødé ✓":             "ünïcødé ✓",
		"bad \xff byte":         "bad \uFFFD byte",
		"\xfe=":                 "\uFFFD=",
		"=\xc3":                 "'=\uFFFD",
		"\xed\xa0\x80surrogate": "\uFFFDsurrogate",
	}
	for in, want := range cases {
		require.Equal(t, want, EscapeCell(in), "%q", in)
	}
}

// FuzzEscapeCell checks the properties the export relies on for any input: the cell is valid
// UTF-8, never starts with a formula character, keeps the input's text when it was valid and
// harmless, and round-trips through encoding/csv unchanged.
func FuzzEscapeCell(f *testing.F) {
	for _, s := range []string{"", "=1", "+", "-2", "@x", "\t", "\r\n", "a,b", "\"q\"", "\xff", "=\xff", "ok", "x\x00y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := EscapeCell(in)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q: %q", in, out)
		}
		if out != "" && strings.ContainsRune("=+-@\t\r", rune(out[0])) {
			t.Fatalf("formula character leads %q (from %q)", out, in)
		}
		valid := strings.ToValidUTF8(in, "\uFFFD")
		if out != valid && out != "'"+valid {
			t.Fatalf("content changed: %q -> %q", in, out)
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		if err := w.Write([]string{out, "next"}); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		r := csv.NewReader(&buf)
		rec, err := r.Read()
		if err != nil {
			t.Fatalf("csv cannot read back %q: %v", out, err)
		}
		// encoding/csv turns \r\n inside quoted fields into \n on read; that is CSV, not us.
		if want := strings.ReplaceAll(out, "\r\n", "\n"); rec[0] != want && !strings.Contains(out, "\r") {
			t.Fatalf("round trip %q -> %q", out, rec[0])
		}
		if len(rec) != 2 || rec[1] != "next" {
			t.Fatalf("cell %q bled into the next one: %q", out, rec)
		}
	})
}
