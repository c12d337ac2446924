package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/compat"
)

var today = compat.D(2026, 11, 22)

const goodSHA = "5a9c58d0aa1b2c3d4e5f60718293a4b5c6d7e8f9012345678901234567f45b6a"

// TestLCOWOn2016: the seed story. os_version 2016 with lcow must fail at plan time, naming build 14393,
// why, and what would work; and warn that LCOW is deprecated upstream.
func TestLCOWOn2016(t *testing.T) {
	for _, engine := range []string{"", "docker", "containerd"} {
		_, d := Validate(Spec{Mode: "lcow", OSVersion: "2016", Engine: Engine{Type: engine, Version: ""}}, today)
		errs := d.Errors()
		if len(errs) != 1 {
			t.Fatalf("engine %q: want exactly one error, got %v", engine, d)
		}
		e := errs[0]
		if e.Path != PathOSVersion {
			t.Errorf("engine %q: error on %q, want %q", engine, e.Path, PathOSVersion)
		}
		msg := e.Summary + " " + e.Detail
		for _, want := range []string{"14393", "1709", "2019", "containerd", "20.10", "never"} {
			if !strings.Contains(msg, want) {
				t.Errorf("engine %q: message lacks %q: %s", engine, want, msg)
			}
		}
		deprecated := false
		for _, w := range d.Warnings() {
			if w.Code == "lcow_deprecated" {
				deprecated = true
			}
		}
		if !deprecated {
			t.Errorf("engine %q: no deprecation warning in %v", engine, d)
		}
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name     string
		spec     Spec
		errPaths []string // paths of the expected errors, in order
		says     []string // substrings of the joined error text
		warns    []string // codes or summary substrings among warnings
	}{
		{name: "minimal process", spec: Spec{Mode: "process", Engine: Engine{SHA256: goodSHA}}},
		{name: "missing mode", spec: Spec{}, errPaths: []string{PathMode}, says: []string{"required"}},
		{name: "bad mode", spec: Spec{Mode: "wsl"}, errPaths: []string{PathMode}, says: []string{`"wsl"`, `"process"`}},
		{name: "bad channel", spec: Spec{Mode: "process", Channel: "beta"}, errPaths: []string{PathChannel}, says: []string{`"beta"`}},
		{name: "bad os", spec: Spec{Mode: "process", OSVersion: "2012"}, errPaths: []string{PathOSVersion}, says: []string{"2012", "2016"}},
		{name: "malformed build", spec: Spec{Mode: "process", OSVersion: "17763..2"}, errPaths: []string{PathOSVersion}},
		{name: "docker 27 on 2016", spec: Spec{Mode: "process", OSVersion: "2016", Engine: Engine{Type: "docker", Version: "27.3.1", SHA256: goodSHA}},
			errPaths: []string{PathEngineVersion}, says: []string{"17763", "14393", "20.10.24"}},
		{name: "docker 20.10 on 2016", spec: Spec{Mode: "process", OSVersion: "2016", Engine: Engine{Type: "docker", Version: "20.10.24", SHA256: goodSHA}}},
		{name: "default docker on 2016 is 20.10", spec: Spec{Mode: "hyperv", OSVersion: "2016", Engine: Engine{SHA256: goodSHA}}},
		{name: "annual is not 2022", spec: Spec{Mode: "process", OSVersion: "2022", Channel: "annual", Engine: Engine{SHA256: goodSHA}},
			errPaths: []string{PathChannel}, says: []string{"23H2", "25398", "Windows Server 2022 Datacenter"}},
		{name: "annual 23H2 ok", spec: Spec{Mode: "process", OSVersion: "23H2", Channel: "annual", Engine: Engine{SHA256: goodSHA}},
			warns: []string{"out of support"}},
		{name: "sac with 2019 suggests 1809", spec: Spec{Mode: "process", OSVersion: "2019", Channel: "sac", Engine: Engine{SHA256: goodSHA}},
			errPaths: []string{PathChannel}, says: []string{`"1809"`}, warns: []string{"retired"}},
		{name: "ltsc with 1809 suggests 2019", spec: Spec{Mode: "process", OSVersion: "1809", Channel: "ltsc", Engine: Engine{SHA256: goodSHA}},
			errPaths: []string{PathChannel}, says: []string{`"2019"`}},
		{name: "channel on client", spec: Spec{Mode: "hyperv", OSVersion: "win11-24h2", Channel: "ltsc", Engine: Engine{SHA256: goodSHA}},
			errPaths: []string{PathChannel}, says: []string{"client"}},
		{name: "client process warns dev only", spec: Spec{Mode: "process", OSVersion: "win11-24h2", Engine: Engine{SHA256: goodSHA}},
			warns: []string{"client_process_dev_only"}},
		{name: "client 1803 process refused", spec: Spec{Mode: "process", OSVersion: "win10-1803", Engine: Engine{Version: "20.10.24", SHA256: goodSHA}},
			errPaths: []string{PathOSVersion}, says: []string{"Hyper-V"}},
		{name: "lcow docker 27", spec: Spec{Mode: "lcow", OSVersion: "2022", Engine: Engine{Type: "docker", Version: "27.3.1", SHA256: goodSHA}},
			errPaths: []string{PathEngineVersion}, says: []string{"removed", "containerd"}},
		{name: "lcow docker 27 without os", spec: Spec{Mode: "lcow", Engine: Engine{Type: "docker", Version: "27.3.1", SHA256: goodSHA}},
			errPaths: []string{PathEngineVersion}},
		{name: "lcow docker default is 20.10", spec: Spec{Mode: "lcow", OSVersion: "2019", Engine: Engine{Type: "docker", SHA256: goodSHA}},
			warns: []string{"lcow_docker_deprecated", "lcow_experimental"}},
		{name: "lcow containerd 2022", spec: Spec{Mode: "lcow", OSVersion: "2022", LCOW: &LCOW{SHA256: goodSHA}},
			warns: []string{"lcow_deprecated", "lcow_boot_files"}},
		{name: "lcow block with process", spec: Spec{Mode: "process", LCOW: &LCOW{}, Engine: Engine{SHA256: goodSHA}},
			errPaths: []string{PathLCOW}, says: []string{`"process"`}},
		{name: "bad engine type", spec: Spec{Mode: "process", Engine: Engine{Type: "podman"}}, errPaths: []string{PathEngineType}},
		{name: "bad engine version", spec: Spec{Mode: "process", Engine: Engine{Version: "latest", SHA256: goodSHA}},
			errPaths: []string{PathEngineVersion}, says: []string{"latest"}},
		{name: "bad sha", spec: Spec{Mode: "process", Engine: Engine{SHA256: "abc"}}, errPaths: []string{PathEngineSHA256}, says: []string{"64"}},
		{name: "sha not hex", spec: Spec{Mode: "process", Engine: Engine{SHA256: strings.Repeat("z", 64)}}, errPaths: []string{PathEngineSHA256}},
		{name: "http url refused", spec: Spec{Mode: "process", Engine: Engine{URL: "http://mirror.example/docker.zip", SHA256: goodSHA}},
			errPaths: []string{PathEngineURL}, says: []string{"https"}},
		{name: "url with credentials refused", spec: Spec{Mode: "process", Engine: Engine{URL: "https://u:secret@mirror.example/d.zip", SHA256: goodSHA}},
			errPaths: []string{PathEngineURL}, says: []string{"credentials"}},
		{name: "unpinned docker warns", spec: Spec{Mode: "process"}, warns: []string{"not pinned"}},
		{name: "unpinned containerd is verified upstream", spec: Spec{Mode: "process", Engine: Engine{Type: "containerd"}}},
		{name: "old release warns", spec: Spec{Mode: "process", OSVersion: "1903", Engine: Engine{SHA256: goodSHA}}, warns: []string{"out of support"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, d := Validate(c.spec, today)
			errs := d.Errors()
			var paths []string
			for _, e := range errs {
				paths = append(paths, e.Path)
				if e.Summary == "" || e.Detail == "" {
					t.Errorf("error without summary or detail: %+v", e)
				}
			}
			if strings.Join(paths, ",") != strings.Join(c.errPaths, ",") {
				t.Fatalf("error paths %v, want %v: %v", paths, c.errPaths, d)
			}
			text := ""
			if err := d.Err(); err != nil {
				text = err.Error()
			}
			for _, s := range c.says {
				if !strings.Contains(text, s) {
					t.Errorf("errors lack %q: %s", s, text)
				}
			}
			for _, w := range c.warns {
				found := false
				for _, x := range d.Warnings() {
					if x.Code == w || strings.Contains(x.Summary, w) || strings.Contains(x.Detail, w) {
						found = true
					}
				}
				if !found {
					t.Errorf("missing warning %q in %v", w, d.Warnings())
				}
			}
		})
	}
}

func TestResolvedDefaults(t *testing.T) {
	cases := []struct {
		spec    Spec
		engine  compat.EngineType
		version string
	}{
		{Spec{Mode: "process"}, compat.Docker, compat.DefaultDockerVersion},
		{Spec{Mode: "process", OSVersion: "2016"}, compat.Docker, compat.DefaultLegacyDockerVersion},
		{Spec{Mode: "lcow"}, compat.Containerd, compat.DefaultContainerdVersion},
		{Spec{Mode: "hyperv", Engine: Engine{Type: "Containerd", Version: "v1.7.13"}}, compat.Containerd, "1.7.13"},
	}
	for _, c := range cases {
		r, d := Validate(c.spec, today)
		if d.HasErrors() {
			t.Fatalf("%+v: %v", c.spec, d)
		}
		if r.EngineType != c.engine || r.EngineVersion.String() != c.version {
			t.Errorf("%+v: resolved %s %s, want %s %s", c.spec, r.EngineType, r.EngineVersion, c.engine, c.version)
		}
		if r.VersionDefault != (c.spec.Engine.Version == "") {
			t.Errorf("%+v: VersionDefault=%v", c.spec, r.VersionDefault)
		}
	}
	r, _ := Validate(Spec{Mode: "PROCESS", Channel: "LTSC", OSVersion: "ltsc2022", Engine: Engine{SHA256: "SHA256:" + strings.ToUpper(goodSHA)}}, today)
	if r.Mode != compat.ModeProcess || r.Channel != compat.LTSC || r.OS == nil || r.OS.Build != 20348 || r.EngineSHA256 != goodSHA {
		t.Errorf("normalisation: %+v", r)
	}
}

func FuzzValidate(f *testing.F) {
	f.Add("lcow", "ltsc", "2016", "docker", "27.3.1", goodSHA, "https://x/y")
	f.Add("process", "annual", "2022", "", "", "", "")
	f.Add("", "", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, mode, channel, osv, etype, ever, sha, u string) {
		r, d := Validate(Spec{Mode: mode, Channel: channel, OSVersion: osv, Engine: Engine{Type: etype, Version: ever, SHA256: sha, URL: u}}, today)
		for _, x := range d {
			if x.Summary == "" || x.Detail == "" || (x.Severity != SeverityError && x.Severity != SeverityWarning) {
				t.Fatalf("malformed diagnostic %+v", x)
			}
		}
		if !d.HasErrors() {
			if r.Mode == "" || r.EngineType == "" || r.EngineVersion.IsZero() {
				t.Fatalf("no errors but unresolved: %+v", r)
			}
			if r.EngineSHA256 != "" && len(r.EngineSHA256) != 64 {
				t.Fatalf("bad sha kept: %q", r.EngineSHA256)
			}
		}
	})
}

func TestEngineArchive(t *testing.T) {
	dir := t.TempDir()
	zip := filepath.Join(dir, "docker.zip")
	if err := os.WriteFile(zip, []byte("PK"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		engine Engine
		err    string
	}{
		{"docker file", Engine{Archive: zip}, ""},
		{"containerd", Engine{Type: "containerd", Archive: zip}, "engine.archive is for Docker"},
		{"missing", Engine{Archive: filepath.Join(dir, "nope.zip")}, "cannot be read"},
		{"directory", Engine{Archive: dir}, "is not a file"},
		{"with url", Engine{Archive: zip, URL: "https://mirror.example/docker.zip"}, "both set"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, d := Validate(Spec{Mode: "process", Engine: c.engine}, compat.D(2026, 11, 22))
			got := ""
			for _, x := range d {
				if x.Severity == SeverityError && x.Path == PathEngineArchive {
					got += x.Summary + " " + x.Detail
				}
			}
			if c.err == "" && (got != "" || r.EngineArchive != zip) {
				t.Errorf("unexpected: %q, archive %q", got, r.EngineArchive)
			}
			if c.err != "" && !strings.Contains(got, c.err) {
				t.Errorf("want %q in %q", c.err, got)
			}
		})
	}
}
