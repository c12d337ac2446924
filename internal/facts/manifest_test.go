package facts

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestDecodeManifest(t *testing.T) {
	withManifest := func(m string) string { return strings.TrimSuffix(sample, "}") + `,"manifest":` + m + `}` }
	full := `{"schema":1,"tool_version":"0.4.0","built_by":"packer","container_mode":"process","engine":{"type":"docker","version":"27.3.1"},
"spec_hash":"ab12","os":{"build":20348,"ubr":2966},"images":["mcr.microsoft.com/windows/nanoserver:ltsc2022"],"generalized":true,
"verified_at":"2026-11-22T10:00:00Z","written_by_a_newer_tool":1}`
	cases := []struct {
		name       string
		doc        string
		want       *Manifest
		unreadable string
	}{
		{"absent (an older facts script)", sample, nil, ""},
		{"null", withManifest("null"), nil, ""},
		{"full, unknown keys ignored", withManifest(full), &Manifest{Schema: 1, ToolVersion: "0.4.0", BuiltBy: "packer", ContainerMode: "process",
			Engine: ManifestEngine{Type: "docker", Version: "27.3.1"}, SpecHash: "ab12", OS: ManifestOS{Build: 20348, UBR: 2966},
			Images: []string{"mcr.microsoft.com/windows/nanoserver:ltsc2022"}, Generalized: true, VerifiedAt: "2026-11-22T10:00:00Z"}, ""},
		{"not JSON on the host", withManifest(`{"_unreadable":"Invalid JSON primitive: x."}`), nil, "Invalid JSON primitive"},
		{"wrong shape", withManifest(`{"schema":1,"images":"mcr.microsoft.com/windows/nanoserver:ltsc2022"}`), nil, "not a wincontainers manifest"},
		{"not an object", withManifest(`"text"`), nil, "not a wincontainers manifest"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Decode([]byte(c.doc))
			if err != nil {
				t.Fatalf("a manifest must never fail the facts: %v", err)
			}
			switch {
			case c.unreadable != "":
				if f.Manifest == nil || !strings.Contains(f.Manifest.Unreadable, c.unreadable) {
					t.Fatalf("manifest %+v, want unreadable with %q", f.Manifest, c.unreadable)
				}
			case c.want == nil:
				if f.Manifest != nil {
					t.Fatalf("manifest %+v, want nil", f.Manifest)
				}
			case !reflect.DeepEqual(f.Manifest, c.want):
				t.Fatalf("manifest %+v, want %+v", f.Manifest, c.want)
			}
		})
	}
}

// write-manifest.ps1 writes every field of Manifest, and the facts script passes the file through as
// "manifest" (or says why it could not), so the Go type and the scripts cannot drift apart.
func TestManifestScripts(t *testing.T) {
	b, err := os.ReadFile("../powershell/scripts/write-manifest.ps1")
	if err != nil {
		t.Fatal(err)
	}
	writer := string(b)
	for _, tag := range jsonTags(reflect.TypeFor[Manifest](), nil) {
		if tag == "_unreadable" {
			continue
		}
		if !regexp.MustCompile(`(?m)(^|[\s{;.])` + regexp.QuoteMeta(tag) + `\s*=`).MatchString(writer) {
			t.Errorf("write-manifest.ps1 never writes %q", tag)
		}
	}
	if !strings.Contains(writer, `UTF8Encoding $false`) {
		t.Error("write-manifest.ps1 must write UTF-8 without a byte-order mark")
	}
	f, err := os.ReadFile("../powershell/scripts/facts.ps1")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`wincontainers\manifest.json`, "manifest = $manifest", "'_unreadable' ="} {
		if !strings.Contains(string(f), want) {
			t.Errorf("facts.ps1 lacks %q", want)
		}
	}
	if got := jsonTags(reflect.TypeFor[Facts](), nil); !slices.Contains(got, "manifest") {
		t.Errorf("Facts has no manifest field: %v", got)
	}
}
