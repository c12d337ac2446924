package value

import (
	"math"
	"strings"
	"testing"
)

func crlf(lines ...string) string { return strings.Join(lines, "\r\n") }

func TestConvertToJSON(t *testing.T) {
	nested := ht("a", ht("b", ht("c", ht("d", 1))))
	tests := []struct {
		name   string
		src    string
		inputs []any
		opts   ToJSONOptions
		want   string
	}{
		{"@{a=@(1)} -Compress", docToJSON, []any{ht("a", Array{1})}, ToJSONOptions{Compress: true}, `{"a":[1]}`},
		{"-InputObject @(1)", docToJSON, []any{Array{1}}, ToJSONOptions{Compress: true}, `[1]`},
		{"two pipeline inputs become an array", docToJSON, []any{1, "a"}, ToJSONOptions{Compress: true}, `[1,"a"]`},
		{"$null inputs are skipped", docToJSON, []any{nil, 2}, ToJSONOptions{Compress: true}, `2`},
		{"nested hashtables beyond depth 2", docToJSON + " (-Depth) + " + inferred, []any{nested}, ToJSONOptions{Compress: true},
			`{"a":{"b":{"c":"System.Collections.Hashtable"}}}`},
		{"-Depth 3", docToJSON, []any{nested}, ToJSONOptions{Depth: 3, Compress: true}, `{"a":{"b":{"c":{"d":1}}}}`},
		{"array beyond depth is its string", inferred, []any{ht("a", ht("b", ht("c", Array{1, 2})))}, ToJSONOptions{Depth: 1, Compress: true},
			`{"a":{"b":"System.Collections.Hashtable"}}`},
		{"array at depth joined", inferred, []any{ht("a", ht("b", Array{1, 2}))}, ToJSONOptions{Depth: 1, Compress: true},
			`{"a":{"b":"1 2"}}`},
		{"pscustomobject beyond depth", inferred, []any{ht("a", ht("b", pso("x", 1, "y", "z")))}, ToJSONOptions{Depth: 1, Compress: true},
			`{"a":{"b":"@{x=1; y=z}"}}`},
		{"escaping", inferred + " (JavaScriptStringEncode)", []any{"<a href='x'>&\"\\\n\t\x01é"}, ToJSONOptions{Compress: true},
			`"\u003ca href=\u0027x\u0027\u003e\u0026\"\\\n\t\u0001é"`},
		{"enum as number", docToJSON + " example 1", []any{ht("s", ServiceControllerStatus().Must("Running"))}, ToJSONOptions{Compress: true},
			`{"s":4}`},
		{"DateTime", docToJSON + " example 1", []any{DateTime{Ticks: unixEpochTicks + 1500*ticksPerMillisecond, Kind: UTC}}, ToJSONOptions{Compress: true},
			`"\/Date(1500)\/"`},
		{"numbers", inferred, []any{Array{1.5, addFloats(0.1, 0.2), int64(9007199254740993), dec("1.50"), true, false, nil, math.Inf(1)}},
			ToJSONOptions{Compress: true}, `[1.5,0.30000000000000004,9007199254740993,1.50,true,false,null,Infinity]`},
		{"ordered keeps order", docHash, []any{ordered("z", 1, "a", 2)}, ToJSONOptions{Compress: true}, `{"z":1,"a":2}`},
		{"pscustomobject keeps order", docFrJSON, []any{pso("z", 1, "a", 2)}, ToJSONOptions{Compress: true}, `{"z":1,"a":2}`},
		{"empty containers", inferred, []any{ht("a", Array{}, "b", NewHashtable())}, ToJSONOptions{Compress: true}, `{"a":[],"b":{}}`},
		{"a string", docToJSON, []any{"abc"}, ToJSONOptions{}, `"abc"`},
		{"empty string", docToJSON + " (-InputObject)", []any{""}, ToJSONOptions{}, `""`},
		{"pretty: 5.1 layout", docToJSON + " example 1", []any{ordered("AlgorithmType", 1, "Eras", Array{1}, "IsReadOnly", false)}, ToJSONOptions{},
			crlf(`{`,
				`    "AlgorithmType":  1,`,
				`    "Eras":  [`,
				`                 1`,
				`             ],`,
				`    "IsReadOnly":  false`,
				`}`)},
		{"pretty: nested object", docToJSON + " example 3", []any{ordered("Year", 2012, "TimeOfDay", ordered("Ticks", 1, "Days", 0))}, ToJSONOptions{},
			crlf(`{`,
				`    "Year":  2012,`,
				`    "TimeOfDay":  {`,
				`                      "Ticks":  1,`,
				`                      "Days":  0`,
				`                  }`,
				`}`)},
		{"pretty: array of objects", inferred + " (5.1 formatter)", []any{Array{ordered("a", 1), ordered("b", Array{})}}, ToJSONOptions{},
			crlf(`[`,
				`    {`,
				`        "a":  1`,
				`    },`,
				`    {`,
				`        "b":  [`,
				``,
				`              ]`,
				`    }`,
				`]`)},
		{"pretty: empty hashtable", inferred + " (5.1 formatter)", []any{NewHashtable()}, ToJSONOptions{}, "{\r\n\r\n}"},
		{"pretty: string with colon and comma", inferred + " (5.1 formatter)", []any{ordered("u", "a:b,c\"d")}, ToJSONOptions{},
			crlf(`{`, `    "u":  "a:b,c\"d"`, `}`)},
	}
	for _, tt := range tests {
		got, ok, err := ConvertToJSON(tt.inputs, tt.opts)
		if err != nil || !ok {
			t.Errorf("%s [%s]: %v %v", tt.name, tt.src, ok, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s [%s]:\n got %q\nwant %q", tt.name, tt.src, got, tt.want)
		}
	}
	if _, ok, err := ConvertToJSON([]any{nil}, ToJSONOptions{}); ok || err != nil {
		t.Errorf("$null gives no output [%s]: %v %v", docToJSON, ok, err)
	}
	if _, _, err := ConvertToJSON([]any{ht(1, "a")}, ToJSONOptions{}); err == nil {
		t.Errorf("non-string key [%s]: no error", inferred)
	}
	if _, _, err := ConvertToJSON([]any{1}, ToJSONOptions{Depth: 101}); err == nil {
		t.Errorf("-Depth 101 [%s]: no error", docToJSON)
	}
}

func TestConvertFromJSON(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		inputs  []string
		want    []any
		wantErr string
	}{
		{`{"a":1}`, docFrJSON, []string{`{"a":1}`}, []any{pso("a", int32(1))}, ""},
		{"number types", inferred + " (JavaScriptSerializer)", []string{`[1, 2147483648, 1.5, 1.50, 1e2, -0, 99999999999999999999999]`},
			[]any{Array{int32(1), int64(2147483648), dec("1.5"), dec("1.50"), 100.0, int32(0), dec("99999999999999999999999")}}, ""},
		{"top-level array is one object[]", docFrJSON + " + PowerShell issue 3424", []string{`[1,2]`}, []any{Array{int32(1), int32(2)}}, ""},
		{"nested", docFrJSON, []string{`{"b":{"c":[{"d":null}]},"e":"x","f":true}`},
			[]any{pso("b", pso("c", Array{pso("d", nil)}), "e", "x", "f", true)}, ""},
		{"property order kept", docFrJSON, []string{`{"z":1,"a":2}`}, []any{pso("z", int32(1), "a", int32(2))}, ""},
		{"exact duplicate keeps the last", docFrJSON, []string{`{"a":1,"a":2}`}, []any{pso("a", int32(2))}, ""},
		{"case-different duplicate", inferred + " (5.1 message)", []string{`{"a":1,"A":2}`}, nil,
			"Cannot convert the JSON string because a dictionary that was converted from the string contains the duplicated keys 'a' and 'A'."},
		{"leading warning line", inferred + " (JavaScriptSerializer)", []string{"WARNING: the engine is old\n{\"a\":1}"}, nil,
			"Invalid JSON primitive: WARNING."},
		{"lines of one document are joined", docFrJSON + " + cmdlet source", []string{"{", `  "a": 1`, "}"}, []any{pso("a", int32(1))}, ""},
		{"several complete documents", inferred + " (cmdlet source)", []string{`{"a":1}`, `{"b":2}`}, []any{pso("a", int32(1)), pso("b", int32(2))}, ""},
		{"empty input", docFrJSON + " (-InputObject)", []string{""}, nil, ""},
		{"white space only", docFrJSON, []string{" \r\n\t"}, nil, ""},
		{"single quotes and bare names", inferred, []string{`{a:'x'}`}, []any{pso("a", "x")}, ""},
		{"escapes", inferred, []string{`"\u0041\/\n\"'"`}, []any{"A/\n\"'"}, ""},
		{"date string", docFrJSON + " example 1", []string{`"\/Date(1500)\/"`}, []any{DateTime{Ticks: unixEpochTicks + 1500*ticksPerMillisecond, Kind: UTC}}, ""},
		{"plain /Date( is a string", inferred, []string{`"/Date(1500)/"`}, []any{"/Date(1500)/"}, ""},
		{"trailing text", inferred, []string{`{"a":1} xyz`}, nil, "Invalid JSON primitive: yz."},
		{"missing colon", inferred, []string{`{"a" 1}`}, nil, `Invalid object passed in, ':' or '}' expected. (6): {"a" 1}`},
		{"trailing comma in object", inferred, []string{`{"a":1,}`}, nil, "Invalid JSON primitive: ."},
		{"trailing comma in array", inferred, []string{`[1,]`}, nil, "Invalid array passed in, extra trailing ','. (4): [1,]"},
		{"unterminated string", inferred, []string{`"abc`}, nil, `Unterminated string passed in. (4): "abc`},
		{"comment", docFrJSON + " (NOTE: comments are errors in 5.1)", []string{"// c\n{}"}, nil, "Invalid JSON primitive: ."},
		{"empty member name", inferred, []string{`{"":1}`}, nil, `Invalid object passed in, member name expected. (3): {"":1}`},
		{"True is not a literal", inferred, []string{`True`}, nil, "Invalid JSON primitive: True."},
	}
	for _, tt := range tests {
		got, err := ConvertFromJSON(tt.inputs)
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
		if len(got) != len(tt.want) {
			t.Errorf("%s [%s]: %d outputs, want %d: %#v", tt.name, tt.src, len(got), len(tt.want), got)
			continue
		}
		for i := range got {
			check(t, tt.name, tt.src, got[i], tt.want[i])
		}
	}
	deep := strings.Repeat("[", 103) + strings.Repeat("]", 103)
	if _, err := parseJSON(deep); err == nil || !strings.HasPrefix(err.Error(), "RecursionLimit exceeded.") {
		t.Errorf("depth limit [%s]: %v", inferred, err)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	// configure-daemon reads daemon.json and writes it back: the 5.1 layout survives a round trip.
	in := crlf(`{`,
		`    "exec-opts":  [`,
		`                      "isolation=hyperv"`,
		`                  ],`,
		`    "data-root":  "D:\\docker",`,
		`    "debug":  true`,
		`}`)
	objs, err := ConvertFromJSON([]string{in})
	if err != nil || len(objs) != 1 {
		t.Fatalf("parse: %v", err)
	}
	o, ok := objs[0].(*PSObject)
	if !ok {
		t.Fatalf("not a PSObject: %T", objs[0])
	}
	merged := NewOrdered()
	for _, n := range o.Names() {
		v, _ := o.Get(n)
		merged.Set(n, v)
	}
	out, _, err := ConvertToJSON([]any{merged}, ToJSONOptions{Depth: 8})
	if err != nil || out != in {
		t.Errorf("round trip [%s]:\n got %q\nwant %q (%v)", docToJSON, out, in, err)
	}
}
