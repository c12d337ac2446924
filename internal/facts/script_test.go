package facts

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestScriptWritesEveryField cross-checks the facts script (internal/powershell/scripts/facts.ps1)
// against this package's document: every JSON field Facts reads must be written by the script, so a
// rename on either side fails here rather than on a real host.
func TestScriptWritesEveryField(t *testing.T) {
	b, err := os.ReadFile("../powershell/scripts/facts.ps1")
	if err != nil {
		t.Fatal(err)
	}
	script := string(b)
	for i, c := range b {
		if c > 0x7e || (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
			t.Fatalf("non-ASCII or control byte 0x%02x at offset %d: WinRM stdin is decoded with the console code page", c, i)
		}
	}
	if !strings.HasPrefix(script, "# wincontainers:script facts/1\n") {
		t.Error("the script must start with its header line")
	}
	// The manifest is the file's content passed through (TestManifestScripts checks its writer).
	for _, tag := range jsonTags(reflect.TypeFor[Facts](), []reflect.Type{reflect.TypeFor[Manifest]()}) {
		if !regexp.MustCompile(`(?m)(^|[\s{;.])` + regexp.QuoteMeta(tag) + `\s*=`).MatchString(script) {
			t.Errorf("facts.ps1 never writes %q", tag)
		}
	}
	if !strings.Contains(script, "schema = 1") || SchemaVersion != 1 {
		t.Error("schema versions differ between the script and the decoder")
	}
}

// jsonTags lists the JSON names of t's fields, descending into this package's structs except those
// of the types in opaque.
func jsonTags(t reflect.Type, opaque []reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("json"), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		out = append(out, name)
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft.PkgPath() == t.PkgPath() && !slices.Contains(opaque, ft) {
			out = append(out, jsonTags(ft, opaque)...)
		}
	}
	return out
}
