package value

import (
	"strings"
	"testing"
)

// FuzzConvertFromJSON: the JSON parser never panics, and whatever it accepts ConvertTo-Json can write
// and ConvertFrom-Json reads back.
func FuzzConvertFromJSON(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `[1,2.50,"x",null,true]`, `{a:'b'}`, `"\/Date(1)\/"`, `WARNING: x`,
		`{"a":{"b":[{"c":1e5}]}}`, `[1,]`, `{"a":1,"A":2}`, `"\u00e9\ud83d\ude00"`, "", `-Infinity`, `1.5-`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		outs, err := ConvertFromJSON(strings.Split(s, "\n"))
		if err != nil {
			return
		}
		for _, v := range outs {
			text, ok, err := ConvertToJSON([]any{v}, ToJSONOptions{Depth: 100, Compress: true})
			if err != nil || !ok {
				continue
			}
			if _, err := parseJSON(text); err != nil && !strings.Contains(text, "Infinity") && !strings.Contains(text, "NaN") {
				t.Fatalf("ConvertTo-Json output %q of %q does not parse: %v", text, s, err)
			}
			_, _, _ = ConvertToJSON([]any{v}, ToJSONOptions{})
		}
	})
}

// FuzzFormat: the -f format string parser never panics, for any format string and a few argument kinds.
func FuzzFormat(f *testing.F) {
	for _, s := range []string{"{0}", "{0,-10:N2}", "{{}}", "{1:x8}", "{0:#,##0.00;(#);zero}", "{0:o}", "}{", "{0:", "{0,", "{0:E2}"} {
		f.Add(s)
	}
	args := Array{1234567, -1.5, "s", nil, dec("-12.345"), int64(-1), uint8(7), true,
		DateTime{Ticks: 638396640000000000, Kind: UTC}, ServiceControllerStatus().Must("Running"), Array{1}}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 256 || longDigitRun(s) {
			// widths and precisions up to 999,999 are legal and only make each run slow
			return
		}
		_, _ = Format(s, args)
		for _, a := range args {
			_, _ = FormatValue(a, s)
		}
	})
}

func longDigitRun(s string) bool {
	run := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			run++
			if run > 3 {
				return true
			}
			continue
		}
		run = 0
	}
	return false
}
