package value

import "testing"

func TestComparison(t *testing.T) {
	running := ServiceControllerStatus().Must("Running")
	tests := []struct {
		name  string
		src   string
		op    CompareOp
		l, r  any
		cs    bool
		want  any
		isErr bool
	}{
		{"$null -eq @()", docCmp, OpEq, nil, Array{}, false, false, false},
		{"$null -eq $null", docCmp, OpEq, nil, nil, false, true, false},
		{"@() -eq $null filters to @()", docCmp, OpEq, Array{}, nil, false, Array{}, false},
		{"1,2,$null -ne $null", docCmp, OpNe, Array{1, 2, nil}, nil, false, Array{1, 2}, false},
		{"@(1,2,3) -eq 2", docCmp, OpEq, Array{1, 2, 3}, 2, false, Array{2}, false},
		{"'zzz','def','zzz' -eq 'zzz'", docCmp, OpEq, Array{"zzz", "def", "zzz"}, "zzz", false, Array{"zzz", "zzz"}, false},
		{"'abc' -eq 'ABC'", docCmp, OpEq, "abc", "ABC", false, true, false},
		{"'abc' -ceq 'ABC'", docCmp, OpEq, "abc", "ABC", true, false, false},
		{"'abc' -eq 'abc','def'", docCmp, OpEq, "abc", Array{"abc", "def"}, false, false, false},
		{"1 -eq '1.0'", docCmp, OpEq, 1, "1.0", false, true, false},
		{"'1.0' -eq 1", docCmp, OpEq, "1.0", 1, false, false, false},
		{"10 -eq ' 10'", docTypeCv, OpEq, 10, " 10", false, true, false},
		{"10 -eq '0xa'", docTypeCv, OpEq, 10, "0xa", false, true, false},
		{"1 -eq 'abc' is False, not an error", inferred, OpEq, 1, "abc", false, false, false},
		{"1 -eq 1.0", docSpec7 + " §7.8.1", OpEq, 1, 1.0, false, true, false},
		{"[long]5 -eq [int]5", docSpec7, OpEq, int64(5), 5, false, true, false},
		{"$true -eq 'true'", docTypeCv, OpEq, true, "false", false, true, false},
		{"'true' -eq $true", docTypeCv, OpEq, "true", true, false, true, false},
		{"status -eq 'Running'", inferred, OpEq, running, "Running", false, true, false},
		{"status -eq 'running'", inferred, OpEq, running, "running", false, true, false},
		{"status -ne 'Stopped'", inferred, OpNe, running, "Stopped", false, true, false},
		{"status -eq 'Bogus' is False", inferred, OpEq, running, "Bogus", false, false, false},
		{"status -eq 4", inferred, OpEq, running, 4, false, true, false},
		{"'10' -gt 9 compares strings", docCmp, OpGt, "10", 9, false, false, false},
		{"9 -gt '10' compares numbers", docCmp, OpGt, 9, "10", false, false, false},
		{"'b' -gt 'A'", inferred, OpGt, "b", "A", false, true, false},
		{"'a' -clt 'A'", inferred, OpLt, "a", "A", true, true, false},
		{"'a' -lt 'A' (equal ignoring case)", inferred, OpLt, "a", "A", false, false, false},
		{"2 -ge 2", docCmp, OpGe, 2, 2, false, true, false},
		{"1,2,3 -gt 1", docCmp, OpGt, Array{1, 2, 3}, 1, false, Array{2, 3}, false},
		{"$written -ge 4194304", docCmp, OpGe, int64(4194304), 4194304, false, true, false},
		{"1 -gt 'abc' is an error", inferred, OpGt, 1, "abc", false, nil, true},
		{"$null -lt 1", inferred, OpLt, nil, 1, false, true, false},
		{"$null -gt -1", inferred, OpGt, nil, -1, false, true, false},
		{"date -gt date", docCmp, OpGt, DateTime{Ticks: 2}, DateTime{Ticks: 1}, false, true, false},
		{"hashtable -gt 1", inferred, OpGt, NewHashtable(), 1, false, nil, true},
	}
	for _, tt := range tests {
		got, err := CompareValues(tt.op, tt.l, tt.r, tt.cs)
		if tt.isErr {
			if err == nil {
				t.Errorf("%s [%s]: no error, got %v", tt.name, tt.src, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s [%s]: %v", tt.name, tt.src, err)
			continue
		}
		check(t, tt.name, tt.src, got, tt.want)
	}
	_, err := CompareValues(OpGt, 1, "abc", false)
	want := `Could not compare "1" to "abc". Error: "Cannot convert value "abc" to type "System.Int32". Error: "Input string was not in a correct format.""`
	if err == nil || err.Error() != want {
		t.Errorf("comparison failure message [%s]: %v", inferred, err)
	}
}

func TestContainment(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		coll, it any
		cs       bool
		want     bool
	}{
		{"@('a','b') -contains 'A'", docCmp, Array{"a", "b"}, "A", false, true},
		{"@('a','b') -ccontains 'A'", docCmp, Array{"a", "b"}, "A", true, false},
		{"'abc' -contains 'a'", docCmp, "abc", "a", false, false},
		{"'abc' -contains 'abc'", docCmp, "abc", "abc", false, true},
		{"1,2 -contains '2'", docCmp, Array{1, 2}, "2", false, true},
		{"'true','false' -contains $true", docTypeCv, Array{"true", "false"}, true, false, true},
		{"@(1,2) -contains @(1,2)", docCmp, Array{1, 2}, Array{1, 2}, false, false},
		{"@() -contains $null", docCmp, Array{}, nil, false, false},
		{"@($null) -contains $null", docCmp, Array{nil}, nil, false, true},
	}
	for _, tt := range tests {
		got, err := Contains(tt.coll, tt.it, tt.cs)
		if err != nil || got != tt.want {
			t.Errorf("%s [%s]: %v %v", tt.name, tt.src, got, err)
		}
		in, err := In(tt.it, tt.coll, tt.cs)
		if err != nil || in != tt.want {
			t.Errorf("-in form of %s [%s]: %v %v", tt.name, tt.src, in, err)
		}
		nc, _ := NotContains(tt.coll, tt.it, tt.cs)
		ni, _ := NotIn(tt.it, tt.coll, tt.cs)
		if nc == tt.want || ni == tt.want {
			t.Errorf("negated %s [%s]", tt.name, tt.src)
		}
	}
}

func TestLike(t *testing.T) {
	tests := []struct {
		name string
		src  string
		l, p any
		cs   bool
		neg  bool
		want any
	}{
		{"'PowerShell' -like '*shell'", docCmp, "PowerShell", "*shell", false, false, true},
		{"-clike is case-sensitive", docCmp, "PowerShell", "*shell", true, false, false},
		{"'--service-name=docker' -like '--service-name=*'", docWild, "--service-name=docker", "--service-name=*", false, false, true},
		{"? is one character", docWild, "ab", "a?", false, false, true},
		{"? needs a character", docWild, "a", "a?", false, false, false},
		{"[a-c] range", docWild, "b1", "[a-c]1", false, false, true},
		{"[a-c] range, case-insensitive", docWild, "B1", "[a-c]1", false, false, true},
		{"[xy] set", docWild, "z", "[xy]", false, false, false},
		{"backtick escape", docCmp, "a*b", "a`*b", false, false, true},
		{"escaped * does not wildcard", docCmp, "axb", "a`*b", false, false, false},
		{"whole-string match", docWild, "xabcx", "abc", false, false, false},
		{"-notlike", docCmp, "abc", "a*", false, true, false},
		{"array filters", docCmp, Array{"ab", "cd", "ax"}, "a*", false, false, Array{"ab", "ax"}},
		{"number left converts", docCmp, 123, "1*", false, false, true},
	}
	for _, tt := range tests {
		var got any
		var err error
		if tt.neg {
			got, err = NotLike(tt.l, tt.p, tt.cs)
		} else {
			got, err = Like(tt.l, tt.p, tt.cs)
		}
		if err != nil {
			t.Errorf("%s [%s]: %v", tt.name, tt.src, err)
			continue
		}
		check(t, tt.name, tt.src, got, tt.want)
	}
	if _, err := Like("a", "[ab", false); err == nil {
		t.Errorf("unterminated [ [%s]: no error", inferred)
	}
}

func TestTypeOperators(t *testing.T) {
	tests := []struct {
		name string
		v    any
		typ  string
		want bool
	}{
		{"1 -is [int]", 1, "int", true},
		{"1 -is [long]", 1, "long", false},
		{"'a' -is [string]", "a", "string", true},
		{"$null -is [object]", nil, "object", false},
		{"@() -is [array]", Array{}, "array", true},
		{"@() -is [object[]]", Array{}, "System.Object[]", true},
		{"pscustomobject -is [Management.Automation.PSCustomObject]", pso("a", 1), "Management.Automation.PSCustomObject", true},
		{"pscustomobject -is [pscustomobject]", pso("a", 1), "pscustomobject", true},
		{"hashtable -is [Management.Automation.PSCustomObject]", NewHashtable(), "Management.Automation.PSCustomObject", false},
		{"hashtable -is [hashtable]", NewHashtable(), "hashtable", true},
		{"hashtable -is [Collections.IDictionary]", NewHashtable(), "System.Collections.IDictionary", true},
		{"ordered -is [hashtable]", NewOrdered(), "hashtable", false},
		{"string[] -is [array]", &TypedArray{Elem: "System.String"}, "array", true},
		{"enum -is [enum]", ServiceControllerStatus().Must("Running"), "enum", true},
		{"enum -is its type", ServiceControllerStatus().Must("Running"), "System.ServiceProcess.ServiceControllerStatus", true},
	}
	for _, tt := range tests {
		if got := Is(tt.v, tt.typ); got != tt.want {
			t.Errorf("%s [about_Operators type operators]: %v", tt.name, got)
		}
	}
	// -as is Convert, with $null where the conversion fails (the engine's typeOp).
	if v, err := Convert("12", "int"); err != nil || !same(v, int32(12)) {
		t.Errorf("'12' -as [int]: %v %v", v, err)
	}
	if _, err := Convert("abc", "int"); err == nil || IsNotModelled(err) {
		t.Errorf("'abc' -as [int] must be a failed conversion: %v", err)
	}
}
