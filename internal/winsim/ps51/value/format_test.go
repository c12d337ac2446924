package value

import (
	"math"
	"testing"
)

func TestFormatOperator(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		format  string
		args    any
		want    string
		wantErr string
	}{
		{"'{0:N0}' -f 1234567", docNetFmt, "{0:N0}", 1234567, "1,234,567", ""},
		{"'{0,-5}|' -f 'ab'", docOps, "{0,-5}|", "ab", "ab   |", ""},
		{"'{0,5}|' -f 'ab'", docOps, "{0,5}|", "ab", "   ab|", ""},
		{"about_Operators example", docOps, "{0} {1,-10} {2:N}", Array{1, "hello", math.Pi}, "1 hello      3.14", ""},
		{"zero padding", docOps, "{0:00} {1:000} {2:000000}", Array{7, 24, 365}, "07 024 000365", ""},
		{"escaped braces", docOps, "{0} vs. {{0}}", "foo", "foo vs. {0}", ""},
		{"array right is the argument list", docOps, "{0}-{1}", Array{"a", "b"}, "a-b", ""},
		{"bool", inferred, "restart needed: {0}", true, "restart needed: True", ""},
		{"$null arg", docNetFmt, "[{0}]", Array{nil}, "[]", ""},
		{"nested array arg", docNetFmt, "{0}", Array{Array{1, 2}}, "System.Object[]", ""},
		{"hashtable arg", docNetFmt, "{0}", Array{NewHashtable()}, "System.Collections.Hashtable", ""},
		{"{0:X}", docNetFmt, "{0:X}", 255, "FF", ""},
		{"{0:x8} of -1", docNetFmt, "{0:x8}", -1, "ffffffff", ""},
		{"{0:x2} of a byte", docNetFmt, "{0:x2}", uint8(10), "0a", ""},
		{"{0:D5}", docNetFmt, "{0:D5}", 42, "00042", ""},
		{"{0:F1}", docNetFmt, "{0:F1}", 2.25, "2.3", ""},
		{"{0:N2} of 1.005 (15-digit rounding)", inferred, "{0:N2}", 1.005, "1.01", ""},
		{"{0:N2} negative", docNetFmt, "{0:N2}", -1234.5, "-1,234.50", ""},
		{"{0:P1}", inferred, "{0:P1}", 0.125, "12.5 %", ""},
		{"{0:E2}", docNetFmt, "{0:E2}", 12345.0, "1.23E+004", ""},
		{"{0:C}", docNetFmt, "{0:C}", 1234.5, "$1,234.50", ""},
		{"{0:0.00}", docNetFmt, "{0:0.00}", 3.14159, "3.14", ""},
		{"{0:#,##0.##}", docNetFmt, "{0:#,##0.##}", 1234567.891, "1,234,567.89", ""},
		{"{0:#.#} of 0", docNetFmt, "{0:#.#}", 0, "", ""},
		{"{0:G} of a double", docNetFmt, "{0}", 1.0 / 3, "0.333333333333333", ""},
		{"{0:R}", docNetFmt, "{0:R}", addFloats(0.1, 0.2), "0.30000000000000004", ""},
		{"{0:o} of a UTC date", ".NET date formats", "{0:o}", DateTime{Ticks: 638396640000000000, Kind: UTC}, "2024-01-01T00:00:00.0000000Z", ""},
		{"enum", docNetFmt, "{0} ({1:D})", Array{ServiceControllerStatus().Must("Running"), ServiceControllerStatus().Must("Running")}, "Running (4)", ""},
		{"index out of range", inferred, "{1}", "a", "",
			"Error formatting a string: Index (zero based) must be greater than or equal to zero and less than the size of the argument list.."},
		{"lone }", inferred, "a}b", "a", "", "Error formatting a string: Input string was not in a correct format.."},
		{"unclosed {", inferred, "{0", "a", "", "Error formatting a string: Input string was not in a correct format.."},
		{"non-digit index", inferred, "{a}", "a", "", "Error formatting a string: Input string was not in a correct format.."},
		{"D on a double", docNetFmt, "{0:D}", 1.5, "", "Error formatting a string: Input string was not in a correct format.."},
	}
	for _, tt := range tests {
		got, err := Format(tt.format, tt.args)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%s [%s]: err = %v, want %q", tt.name, tt.src, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s [%s]: %v", tt.name, tt.src, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s [%s]: %q, want %q", tt.name, tt.src, got, tt.want)
		}
	}
}

func TestDateTime(t *testing.T) {
	d := DateTime{Ticks: 634620819762218083, Kind: Local, Offset: -8 * 3600 * ticksPerSecond}
	u := d.ToUniversalTime()
	if u.Kind != UTC || u.Ticks != d.Ticks+8*3600*ticksPerSecond {
		t.Errorf("ToUniversalTime: %+v", u)
	}
	if s, _ := d.Format("o"); s != "2012-01-13T20:06:16.2218083-08:00" {
		t.Errorf("'o' of a local time: %s", s)
	}
	if s, _ := u.Format("o"); s != "2012-01-14T04:06:16.2218083Z" {
		t.Errorf("'o' of a UTC time: %s", s)
	}
	later, err := u.AddSeconds(60)
	if err != nil || later.Compare(u) <= 0 || later.Ticks-u.Ticks != 60*ticksPerSecond {
		t.Errorf("AddSeconds: %+v %v", later, err)
	}
	half, _ := u.AddSeconds(0.0004)
	if half.Ticks != u.Ticks {
		t.Errorf("AddSeconds rounds to milliseconds (.NET Framework): %d", half.Ticks-u.Ticks)
	}
	if v, _ := d.Property("Ticks"); !same(v, int64(634620819762218083)) {
		t.Errorf(".Ticks: %v", v)
	}
	if got := d.ToString(); got != "1/13/2012 8:06:16 PM" {
		t.Errorf("en-US ToString: %q", got)
	}
}
