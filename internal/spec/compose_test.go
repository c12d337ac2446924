package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/compat"
)

func TestCompose(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "docker-compose-windows-x86_64.exe")
	if err := os.WriteFile(exe, []byte("compose"), 0o600); err != nil {
		t.Fatal(err)
	}
	on := func(c Compose) *Compose { c.Enabled = true; return &c }
	for _, c := range []struct {
		name     string
		spec     Spec
		errPaths []string
		says     []string
		version  string
		network  string
	}{
		{name: "disabled block is not managed", spec: Spec{Mode: "process", Compose: &Compose{Version: "nonsense"}}},
		{name: "docker default", spec: Spec{Mode: "process", OSVersion: "2022", Compose: on(Compose{})}, version: compat.DefaultComposeVersion, network: "nat"},
		{name: "old docker gets compose v2", spec: Spec{Mode: "process", OSVersion: "2016", Engine: Engine{Version: "18.09.11"}, Compose: on(Compose{})},
			version: compat.LegacyComposeVersion, network: "nat"},
		{name: "pinned compose too new for the engine", spec: Spec{Mode: "process", OSVersion: "2016", Engine: Engine{Version: "18.09.11"}, Compose: on(Compose{Version: "5.5.0"})},
			errPaths: []string{PathComposeVersion}, says: []string{"API version 1.39 is not supported by this client", compat.LegacyComposeVersion}},
		{name: "own network on 2016 refused", spec: Spec{Mode: "process", OSVersion: "2016", Compose: on(Compose{Network: "project"})},
			errPaths: []string{PathComposeNetwork}, says: []string{"HNS failed with error : The parameter is incorrect.", "external"}},
		{name: "own network on 2022", spec: Spec{Mode: "process", OSVersion: "2022", Compose: on(Compose{Network: "project"})}, version: compat.DefaultComposeVersion, network: "project"},
		{name: "bad network", spec: Spec{Mode: "process", Compose: on(Compose{Network: "bridge"})}, errPaths: []string{PathComposeNetwork}, says: []string{`"bridge"`}},
		{name: "compose v1", spec: Spec{Mode: "process", Compose: on(Compose{Version: "1.29.2"})}, errPaths: []string{PathComposeVersion}, says: []string{"Compose v1"}},
		{name: "malformed version", spec: Spec{Mode: "process", Compose: on(Compose{Version: "five"})}, errPaths: []string{PathComposeVersion}},
		{name: "v prefix accepted", spec: Spec{Mode: "process", Compose: on(Compose{Version: "v2.40.3"})}, version: "2.40.3", network: "nat"},
		{name: "containerd has nerdctl compose", spec: Spec{Mode: "process", Engine: Engine{Type: "containerd"}, Compose: on(Compose{})}, network: "nat"},
		{name: "containerd with a version", spec: Spec{Mode: "process", Engine: Engine{Type: "containerd"}, Compose: on(Compose{Version: "5.5.0", Standalone: true})},
			errPaths: []string{PathComposeVersion, PathComposeStandalone}, says: []string{"nerdctl compose"}},
		{name: "bad sha", spec: Spec{Mode: "process", Compose: on(Compose{SHA256: "abc"})}, errPaths: []string{PathComposeSHA256}},
		{name: "http url", spec: Spec{Mode: "process", Compose: on(Compose{URL: "http://mirror/x.exe", SHA256: goodSHA})}, errPaths: []string{PathComposeURL}},
		{name: "archive and url", spec: Spec{Mode: "process", Compose: on(Compose{Archive: exe, URL: "https://mirror/x.exe"})}, errPaths: []string{PathComposeArchive}},
		{name: "archive not the pinned file", spec: Spec{Mode: "process", Compose: on(Compose{Archive: exe, SHA256: goodSHA})}, errPaths: []string{PathComposeArchive}, says: []string{"is not the file compose.sha256 pins"}},
		{name: "missing archive", spec: Spec{Mode: "process", Compose: on(Compose{Archive: filepath.Join(dir, "nope.exe")})}, errPaths: []string{PathComposeArchive}},
		{name: "archive", spec: Spec{Mode: "process", Compose: on(Compose{Archive: exe, Standalone: true})}, version: compat.DefaultComposeVersion, network: "nat"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, d := Validate(c.spec, today)
			var paths, text []string
			for _, e := range d.Errors() {
				paths = append(paths, e.Path)
				text = append(text, e.Summary+": "+e.Detail)
			}
			if strings.Join(paths, ",") != strings.Join(c.errPaths, ",") {
				t.Fatalf("errors on %v, want %v: %v", paths, c.errPaths, text)
			}
			for _, s := range c.says {
				if !strings.Contains(strings.Join(text, "\n"), s) {
					t.Errorf("errors lack %q: %v", s, text)
				}
			}
			if len(c.errPaths) > 0 {
				return
			}
			if c.network == "" {
				if r.Compose != nil {
					t.Fatalf("compose resolved for a disabled block: %+v", r.Compose)
				}
				return
			}
			if r.Compose == nil || r.Compose.Network != c.network {
				t.Fatalf("resolved compose %+v, want network %s", r.Compose, c.network)
			}
			got := ""
			if !r.Compose.Version.IsZero() {
				got = r.Compose.Version.String()
			}
			if got != c.version {
				t.Fatalf("compose version %q, want %q", got, c.version)
			}
		})
	}
}

// TestComposePartlyOffline: pushing the engine but not Compose names Compose as still downloaded.
func TestComposePartlyOffline(t *testing.T) {
	dir := t.TempDir()
	zip := filepath.Join(dir, "docker-29.2.1.zip")
	if err := os.WriteFile(zip, []byte("zip"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, d := Validate(Spec{Mode: "process", Engine: Engine{Archive: zip}, Compose: &Compose{Enabled: true}}, today)
	found := false
	for _, w := range d.Warnings() {
		if strings.Contains(w.Detail, "docker-compose-windows-x86_64.exe (compose.archive not set)") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no partly-offline warning naming compose: %v", d)
	}
}
