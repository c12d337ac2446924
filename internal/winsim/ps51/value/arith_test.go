package value

import (
	"math"
	"testing"
)

func TestArithmetic(t *testing.T) {
	type fn func(a, b any) (any, error)
	tests := []struct {
		name    string
		src     string
		op      fn
		l, r    any
		want    any
		wantErr string
	}{
		{"1 + '2'", docTypeCv, Add, 1, "2", int32(3), ""},
		{"'1' + 2", docTypeCv, Add, "1", 2, "12", ""},
		{"'10' + '2'", docTypeCv, Add, "10", "2", "102", ""},
		{"'a' + $null", docSpec7 + " §7.7.2", Add, "a", nil, "a", ""},
		{"'a' + @(1,2)", docSpec7 + " §7.7.2", Add, "a", Array{1, 2}, "a1 2", ""},
		{"@(1) + 2", docSpec7 + " §7.7.3", Add, Array{1}, 2, Array{1, 2}, ""},
		{"@(1) + @(2,3)", docSpec7 + " §7.7.3", Add, Array{1}, Array{2, 3}, Array{1, 2, 3}, ""},
		{"@() + 'x'", docSpec7 + " §7.7.3", Add, Array{}, "x", Array{"x"}, ""},
		{"$parts + $want with string[]", docSpec7 + " §7.7.3", Add, &TypedArray{Elem: "System.String", Values: Array{"a"}}, "b", Array{"a", "b"}, ""},
		{"2 + 3.1", docArith, Add, 2, 3.1, 5.1, ""},
		{"[int]::MaxValue + 1 is a double", docTypeCv, Add, int32(math.MaxInt32), 1, 2147483648.0, ""},
		{"[long]::MaxValue + 2 is a double", docArith, Add, int64(math.MaxInt64), 2, float64(math.MaxInt64) + 2, ""},
		{"512MB * 512MB is a double", docArith, Mul, 536870912, 536870912, 288230376151711744.0, ""},
		{"[int] + [long]", docSpec6 + " §6.15", Add, 1, int64(2), int64(3), ""},
		{"$null + 1", inferred, Add, nil, 1, int32(1), ""},
		{"$null + 'a'", inferred, Add, nil, "a", "a", ""},
		{"$null + $null", inferred, Add, nil, nil, nil, ""},
		{"1 + $null", docSpec6 + " §6.15", Add, 1, nil, int32(1), ""},
		{"1 + 'abc'", inferred + " (5.1 message)", Add, 1, "abc", nil,
			`Cannot convert value "abc" to type "System.Int32". Error: "Input string was not in a correct format."`},
		{"1 + '2.5'", docSpec6 + " §6.16", Add, 1, "2.5", 3.5, ""},
		{"hashtable + hashtable", docArith, Add, ht("a", 1), ht("b", 2), ht("a", 1, "b", 2), ""},
		{"hashtable + duplicate key", docArith + " + " + inferred + " (message)", Add, ht("a", 1), ht("A", 2), nil,
			"Item has already been added. Key in dictionary: 'a'  Key being added: 'A'"},
		{"hashtable + 1", inferred, Add, ht("a", 1), 1, nil, "A hash table can only be added to another hash table."},
		{"$true + $true", docTypeCv, Add, true, true, int32(2), ""},
		{"$false - $true", docTypeCv, Sub, false, true, int32(-1), ""},
		{"'10' - '2'", docTypeCv, Sub, "10", "2", int32(8), ""},
		{"10 - ' 9 '", docTypeCv, Sub, 10, " 9 ", int32(1), ""},
		{"$d.Length - 48", docArith, Sub, 100, 48, int32(52), ""},
		{"[int]::MinValue - 1", docTypeCv, Sub, int32(math.MinInt32), 1, -2147483649.0, ""},
		{"@(1) - 1", inferred, Sub, Array{1}, 1, nil,
			"Method invocation failed because [System.Object[]] does not contain a method named 'op_Subtraction'."},
		{"7 / 2", docTypeCv, Div, 7, 2, 3.5, ""},
		{"6 / 2 is an [int]", docSpec7 + " §7.6.4", Div, 6, 2, int32(3), ""},
		{"1 / 2", docTypeCv, Div, 1, 2, 0.5, ""},
		{"'10' / '2'", docTypeCv, Div, "10", "2", int32(5), ""},
		{"100 * $written / $size", docArith, Div, int64(400), int64(3), 400.0 / 3, ""},
		{"1 / 0", inferred, Div, 1, 0, nil, "Attempted to divide by zero."},
		{"1.0 / 0 is Infinity", inferred, Div, 1.0, 0, math.Inf(1), ""},
		{"[int]::MinValue / -1", inferred, Div, int32(math.MinInt32), -1, 2147483648.0, ""},
		{"7 % 3", docSpec7 + " §7.6.5", Rem, 7, 3, int32(1), ""},
		{"-7 % 3", docSpec7 + " §7.6.5", Rem, -7, 3, int32(-1), ""},
		{"5.5 % 2", docSpec7 + " §7.6.5", Rem, 5.5, 2, 1.5, ""},
		{"1 % 0", inferred, Rem, 1, 0, nil, "Attempted to divide by zero."},
		{"'ab' * 3", docSpec7 + " §7.6.2", Mul, "ab", 3, "ababab", ""},
		{"'10' * '2'", docTypeCv, Mul, "10", "2", "1010", ""},
		{"@(1,2) * 2", docSpec7 + " §7.6.3", Mul, Array{1, 2}, 2, Array{1, 2, 1, 2}, ""},
		{"$true * $false", docTypeCv, Mul, true, false, nil, "The operation '[System.Boolean] * [System.Boolean]' is not defined."},
		{"decimal + int", docArith, Add, dec("1.5"), 1, dec("2.5"), ""},
		{"decimal * decimal", docArith, Mul, dec("1.5"), dec("2.0"), dec("3.00"), ""},
		{"decimal + double", docSpec6 + " §6.15", Add, dec("1.5"), 0.25, dec("1.75"), ""},
		{"decimal overflow", docArith, Mul, dec("79228162514264337593543950335"), 2, nil,
			"Value was either too large or too small for a Decimal."},
		{"byte + byte is an [int]", docSpec6 + " §6.15", Add, uint8(200), uint8(100), int32(300), ""},
	}
	for _, tt := range tests {
		got, err := tt.op(tt.l, tt.r)
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
		check(t, tt.name, tt.src, got, tt.want)
	}
	if v, err := Negate(int32(math.MinInt32)); err != nil || !same(v, 2147483648.0) {
		t.Errorf("-[int]::MinValue [%s §7.2.5]: %v %v", docSpec7, v, err)
	}
	if v, err := Negate("5"); err != nil || !same(v, int32(-5)) {
		t.Errorf("-'5' [%s]: %v %v", docSpec7, v, err)
	}
}

func TestBitwise(t *testing.T) {
	sp := SecurityProtocolType()
	current := Enum{Type: sp, Value: 48 | 192}
	got, err := BOr(current, sp.Must("Tls12"))
	if err != nil {
		t.Fatal(err)
	}
	e, ok := got.(Enum)
	if !ok || e.Value != 48|192|3072 || e.String() != "Ssl3, Tls, Tls12" {
		t.Errorf("SecurityProtocol -bor Tls12 [%s]: %#v", inferred, got)
	}
	tests := []struct {
		name string
		op   func(a, b any) (any, error)
		l, r any
		want any
	}{
		{"5 -band 3", BAnd, 5, 3, int32(1)},
		{"5 -bor 3", BOr, 5, 3, int32(7)},
		{"5 -bxor 3", BXor, 5, 3, int32(6)},
		{"[long] -bor [int]", BOr, int64(1) << 40, 1, int64(1)<<40 | 1},
		{"'0x10' -bor 1", BOr, "0x10", 1, int32(17)},
		{"1 -shl 4", Shl, 1, 4, int32(16)},
		{"1 -shl 33 (mod 32)", Shl, 1, 33, int32(2)},
		{"-16 -shr 2", Shr, -16, 2, int32(-4)},
		{"[long]1 -shl 40", Shl, int64(1), 40, int64(1) << 40},
	}
	for _, tt := range tests {
		got, err := tt.op(tt.l, tt.r)
		if err != nil {
			t.Errorf("%s [%s bitwise operators]: %v", tt.name, docArith, err)
			continue
		}
		check(t, tt.name, docArith+" (bitwise operators)", got, tt.want)
	}
	if v, _ := BNot(0); !same(v, int32(-1)) {
		t.Errorf("-bnot 0 [%s]: %v", docArith, v)
	}
}

func TestLogical(t *testing.T) {
	checks := []struct {
		name      string
		got, want bool
	}{
		{"1 -and 'x'", ToBool(1) && ToBool("x"), true},
		{"1 -and ''", ToBool(1) && ToBool(""), false},
		{"0 -or @()", ToBool(0) || ToBool(Array{}), false},
		{"0 -or @(1)", ToBool(0) || ToBool(Array{1}), true},
		{"$true -xor $true", Xor(true, true), false},
		{"$true -xor 0", Xor(true, 0), true},
		{"-not ''", Not(""), true},
		{"-not 'False'", Not("False"), false},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s [about_Logical_Operators]: %v", c.name, c.got)
		}
	}
}
