package spec

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
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
		{name: "containerd on 2016 is about the engine type", spec: Spec{Mode: "process", OSVersion: "2016", Engine: Engine{Type: "containerd", SHA256: goodSHA}},
			errPaths: []string{PathEngineType}, says: []string{"17763", "14393", `"docker"`}},
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
		{"containerd tarball", Engine{Type: "containerd", Archive: zip}, ""},
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

func TestDaemon(t *testing.T) {
	long := `D:\` + strings.Repeat("a", 198) // 201 characters
	cases := []struct {
		name   string
		daemon Daemon
		engine string
		path   string   // the path of every expected error; "" for none
		errors int      // how many errors
		says   []string // substrings of the joined error text
		warns  []string // substrings of the warnings' text; none expected when empty
	}{
		{name: "all set", daemon: Daemon{DataRoot: `D:\docker`, RegistryMirrors: []string{"https://mirror.example.com", "https://m2.example.com:8443/hub/"},
			InsecureRegistries: []string{"registry.local:5000", "10.0.0.0/8", "localhost", "192.168.1.10:5000", "[fd00::1]:5000", "fd00::2"},
			DNS:                []string{"10.0.0.2", "2001:4860:4860::8888"}}},
		{name: "empty block with containerd", daemon: Daemon{}, engine: "containerd"},
		{name: "containerd", engine: "containerd", daemon: Daemon{DNS: []string{"10.0.0.2"}},
			path: PathDaemon, errors: 1, says: []string{"Docker only", "containerd", "nerdctl", "daemon.json"}},

		// data_root
		{name: "data root with spaces and parens", daemon: Daemon{DataRoot: `E:\Container Data (prod)\docker`}},
		{name: "data root ProgramData", daemon: Daemon{DataRoot: `C:\ProgramData\docker`}},
		{name: "data root 200 characters", daemon: Daemon{DataRoot: long[:200]}},
		{name: "data root too long", daemon: Daemon{DataRoot: long}, path: PathDaemonDataRoot, errors: 1, says: []string{"201 characters", "200"}},
		{name: "forward slashes", daemon: Daemon{DataRoot: "D:/docker"}, path: PathDaemonDataRoot, errors: 1, says: []string{"backslashes", `D:\\docker`}},
		{name: "relative", daemon: Daemon{DataRoot: "docker"}, path: PathDaemonDataRoot, errors: 1, says: []string{"drive letter"}},
		{name: "drive relative", daemon: Daemon{DataRoot: "D:docker"}, path: PathDaemonDataRoot, errors: 1, says: []string{"drive letter"}},
		{name: "root relative", daemon: Daemon{DataRoot: `\docker`}, path: PathDaemonDataRoot, errors: 1, says: []string{"drive letter"}},
		{name: "leading space", daemon: Daemon{DataRoot: ` D:\docker`}, path: PathDaemonDataRoot, errors: 1, says: []string{"drive letter"}},
		{name: "UNC", daemon: Daemon{DataRoot: `\\server\share\docker`}, path: PathDaemonDataRoot, errors: 1, says: []string{"share", "local"}},
		{name: "device path", daemon: Daemon{DataRoot: `\\?\D:\docker`}, path: PathDaemonDataRoot, errors: 1, says: []string{"device path"}},
		{name: "drive root", daemon: Daemon{DataRoot: `C:\`}, path: PathDaemonDataRoot, errors: 1, says: []string{"root of a drive", `C:\docker`}},
		{name: "under Windows", daemon: Daemon{DataRoot: `c:\WINDOWS\docker`}, path: PathDaemonDataRoot, errors: 1, says: []string{`inside C:\Windows`}},
		{name: "Windows itself", daemon: Daemon{DataRoot: `C:\Windows`}, path: PathDaemonDataRoot, errors: 1, says: []string{`inside C:\Windows`}},
		{name: "Windows on another drive is a plain folder", daemon: Daemon{DataRoot: `D:\Windows\docker`}},
		{name: "traversal", daemon: Daemon{DataRoot: `D:\docker\..\..\Windows\System32`}, path: PathDaemonDataRoot, errors: 1, says: []string{`".."`, "traversal"}},
		{name: "dot segment", daemon: Daemon{DataRoot: `D:\.\docker`}, path: PathDaemonDataRoot, errors: 1, says: []string{`"."`}},
		{name: "trailing backslash", daemon: Daemon{DataRoot: `D:\docker\`}, path: PathDaemonDataRoot, errors: 1, says: []string{"trailing backslash", `"D:\\docker"`}},
		{name: "doubled backslash", daemon: Daemon{DataRoot: `D:\\docker`}, path: PathDaemonDataRoot, errors: 1, says: []string{"doubled"}},
		{name: "trailing dot", daemon: Daemon{DataRoot: `D:\docker.`}, path: PathDaemonDataRoot, errors: 1, says: []string{"trailing dots"}},
		{name: "trailing space", daemon: Daemon{DataRoot: `D:\docker `}, path: PathDaemonDataRoot, errors: 1, says: []string{"trailing dots and spaces"}},
		{name: "reserved name", daemon: Daemon{DataRoot: `D:\nul.txt\docker`}, path: PathDaemonDataRoot, errors: 1, says: []string{"reserved device"}},
		{name: "COM port", daemon: Daemon{DataRoot: `D:\COM1`}, path: PathDaemonDataRoot, errors: 1, says: []string{"reserved device"}},
		{name: "COM0 is a name", daemon: Daemon{DataRoot: `D:\COM0`}},
		{name: "double quote", daemon: Daemon{DataRoot: `D:\docker" --debug "`}, path: PathDaemonDataRoot, errors: 1, says: []string{"does not allow"}},
		{name: "wildcard", daemon: Daemon{DataRoot: `D:\dock*`}, path: PathDaemonDataRoot, errors: 1, says: []string{"does not allow"}},
		{name: "pipe", daemon: Daemon{DataRoot: `D:\docker|calc`}, path: PathDaemonDataRoot, errors: 1, says: []string{"does not allow"}},
		{name: "alternate data stream", daemon: Daemon{DataRoot: `D:\docker:evil`}, path: PathDaemonDataRoot, errors: 1, says: []string{"colon"}},
		{name: "subexpression", daemon: Daemon{DataRoot: `D:\$(Remove-Item C:\ -Recurse)`}, path: PathDaemonDataRoot, errors: 1, says: []string{"expansion", `'$'`}},
		{name: "variable", daemon: Daemon{DataRoot: `D:\$env:TEMP`}, path: PathDaemonDataRoot, errors: 1, says: []string{"expansion"}},
		{name: "backtick", daemon: Daemon{DataRoot: "D:\\docker`nrm"}, path: PathDaemonDataRoot, errors: 1, says: []string{"expansion", "'`'"}},
		{name: "cmd variable", daemon: Daemon{DataRoot: `D:\%TEMP%`}, path: PathDaemonDataRoot, errors: 1, says: []string{"expansion"}},
		{name: "single quote", daemon: Daemon{DataRoot: `D:\docker'; calc; '`}, path: PathDaemonDataRoot, errors: 1, says: []string{"quoting"}},
		{name: "newline", daemon: Daemon{DataRoot: "D:\\docker\nC:\\Windows"}, path: PathDaemonDataRoot, errors: 1, says: []string{"control character", `'\n'`}},
		{name: "NUL byte", daemon: Daemon{DataRoot: "D:\\docker\x00.exe"}, path: PathDaemonDataRoot, errors: 1, says: []string{"control character"}},
		{name: "not UTF-8", daemon: Daemon{DataRoot: "D:\\\xff\xfe"}, path: PathDaemonDataRoot, errors: 1, says: []string{"UTF-8"}},

		// registry_mirrors
		{name: "http mirror", daemon: Daemon{RegistryMirrors: []string{"http://mirror.example.com"}},
			path: PathDaemonRegistryMirrors, errors: 1, says: []string{"http://", "insecure_registries"}},
		{name: "mirror credentials", daemon: Daemon{RegistryMirrors: []string{"https://user:hunter2@mirror.example.com"}},
			path: PathDaemonRegistryMirrors, errors: 1, says: []string{"docker info", "docker login"}},
		{name: "mirror query", daemon: Daemon{RegistryMirrors: []string{"https://mirror.example.com/?token=x"}},
			path: PathDaemonRegistryMirrors, errors: 1, says: []string{"query or fragment"}},
		{name: "mirror fragment", daemon: Daemon{RegistryMirrors: []string{"https://mirror.example.com/#x"}},
			path: PathDaemonRegistryMirrors, errors: 1, says: []string{"query or fragment"}},
		{name: "mirror without host", daemon: Daemon{RegistryMirrors: []string{"https:///v2"}}, path: PathDaemonRegistryMirrors, errors: 1, says: []string{"no host"}},
		{name: "mirror not a URL", daemon: Daemon{RegistryMirrors: []string{"mirror.example.com"}}, path: PathDaemonRegistryMirrors, errors: 1, says: []string{"https://"}},
		{name: "mirror ftp", daemon: Daemon{RegistryMirrors: []string{"ftp://mirror.example.com"}}, path: PathDaemonRegistryMirrors, errors: 1},
		{name: "mirror bad port", daemon: Daemon{RegistryMirrors: []string{"https://mirror.example.com:70000"}}, path: PathDaemonRegistryMirrors, errors: 1, says: []string{"1-65535"}},
		{name: "mirror newline", daemon: Daemon{RegistryMirrors: []string{"https://mirror.example.com\n\"debug\": true"}},
			path: PathDaemonRegistryMirrors, errors: 1, says: []string{`'\n'`}},
		{name: "mirror quote", daemon: Daemon{RegistryMirrors: []string{`https://m.example.com/"},"hosts":["tcp://0.0.0.0:2375`}},
			path: PathDaemonRegistryMirrors, errors: 1, says: []string{`'"'`}},
		{name: "mirror backtick", daemon: Daemon{RegistryMirrors: []string{"https://m.example.com/`calc`"}}, path: PathDaemonRegistryMirrors, errors: 1},
		{name: "mirror subexpression host", daemon: Daemon{RegistryMirrors: []string{"https://$(calc)"}},
			path: PathDaemonRegistryMirrors, errors: 1, says: []string{"not a host name"}},
		{name: "mirror empty", daemon: Daemon{RegistryMirrors: []string{""}}, path: PathDaemonRegistryMirrors, errors: 1, says: []string{"empty"}},
		{name: "mirror duplicates", daemon: Daemon{RegistryMirrors: []string{"https://mirror.example.com", "HTTPS://Mirror.example.com/"}},
			path: PathDaemonRegistryMirrors, errors: 1, says: []string{"twice"}},
		{name: "two bad mirrors", daemon: Daemon{RegistryMirrors: []string{"http://a.example", "https://u@b.example"}}, path: PathDaemonRegistryMirrors, errors: 2},

		// insecure_registries
		{name: "insecure with scheme", daemon: Daemon{InsecureRegistries: []string{"http://registry.local:5000/v2"}},
			path: PathDaemonInsecureRegistries, errors: 1, says: []string{"scheme", `"registry.local:5000"`}},
		{name: "insecure with path", daemon: Daemon{InsecureRegistries: []string{"registry.local/v2"}}, path: PathDaemonInsecureRegistries, errors: 1, says: []string{"path"}},
		{name: "insecure bad CIDR", daemon: Daemon{InsecureRegistries: []string{"10.0.0.0/33"}}, path: PathDaemonInsecureRegistries, errors: 1, says: []string{"CIDR"}},
		{name: "insecure whitespace", daemon: Daemon{InsecureRegistries: []string{"registry.local 5000"}}, path: PathDaemonInsecureRegistries, errors: 1, says: []string{"whitespace"}},
		{name: "insecure newline", daemon: Daemon{InsecureRegistries: []string{"registry.local\n"}}, path: PathDaemonInsecureRegistries, errors: 1, says: []string{"whitespace"}},
		{name: "insecure bad port", daemon: Daemon{InsecureRegistries: []string{"registry.local:0"}}, path: PathDaemonInsecureRegistries, errors: 1, says: []string{"port"}},
		{name: "insecure port not a number", daemon: Daemon{InsecureRegistries: []string{"registry.local:http"}}, path: PathDaemonInsecureRegistries, errors: 1},
		{name: "insecure hostile host", daemon: Daemon{InsecureRegistries: []string{"$(calc)"}}, path: PathDaemonInsecureRegistries, errors: 1, says: []string{"host name"}},
		{name: "insecure hyphen label", daemon: Daemon{InsecureRegistries: []string{"-registry.local"}}, path: PathDaemonInsecureRegistries, errors: 1},
		{name: "insecure bracket without port", daemon: Daemon{InsecureRegistries: []string{"[fd00::1]"}}, path: PathDaemonInsecureRegistries, errors: 1},
		{name: "insecure empty", daemon: Daemon{InsecureRegistries: []string{""}}, path: PathDaemonInsecureRegistries, errors: 1, says: []string{"empty"}},
		{name: "insecure duplicates", daemon: Daemon{InsecureRegistries: []string{"Registry.Local:5000", "registry.local:5000", "10.1.0.0/16", "10.1.2.3/16"}},
			path: PathDaemonInsecureRegistries, errors: 2, says: []string{"twice"}},

		// dns
		{name: "dns host name", daemon: Daemon{DNS: []string{"dns.google"}}, path: PathDaemonDNS, errors: 1, says: []string{"not an IP address"}},
		{name: "dns with port", daemon: Daemon{DNS: []string{"10.0.0.2:53"}}, path: PathDaemonDNS, errors: 1},
		{name: "dns whitespace", daemon: Daemon{DNS: []string{" 10.0.0.2"}}, path: PathDaemonDNS, errors: 1},
		{name: "dns zone", daemon: Daemon{DNS: []string{"fe80::1%eth0"}}, path: PathDaemonDNS, errors: 1, says: []string{"zone"}},
		{name: "dns leading zeros", daemon: Daemon{DNS: []string{"010.0.0.2"}}, path: PathDaemonDNS, errors: 1},
		{name: "dns hostile", daemon: Daemon{DNS: []string{"8.8.8.8; calc"}}, path: PathDaemonDNS, errors: 1},
		{name: "dns empty", daemon: Daemon{DNS: []string{""}}, path: PathDaemonDNS, errors: 1, says: []string{"empty"}},
		{name: "dns duplicates", daemon: Daemon{DNS: []string{"2001:db8::1", "2001:DB8:0::1"}}, path: PathDaemonDNS, errors: 1, says: []string{"twice"}},

		// hosts and TLS (issue 10 §3: a TCP endpoint is refused without TLS unless explicitly allowed)
		{name: "named pipe only", daemon: Daemon{Hosts: []string{DefaultDockerHost}}},
		{name: "second named pipe", daemon: Daemon{Hosts: []string{DefaultDockerHost, "npipe:////./pipe/docker_engine_2"}}},
		{name: "tcp with TLS", daemon: *tlsDaemon()},
		{name: "tcp with TLS on 2375 warns", daemon: Daemon{Hosts: []string{DefaultDockerHost, "tcp://10.0.0.5:2375"}, TLSVerify: true,
			TLSCACert: `C:\certs\ca.pem`, TLSCert: `C:\certs\cert.pem`, TLSKey: `C:\certs\key.pem`}, warns: []string{"2375", "2376"}},
		{name: "tcp without TLS", daemon: Daemon{Hosts: []string{DefaultDockerHost, "tcp://0.0.0.0:2375"}},
			path: PathDaemonHosts, errors: 1, says: []string{"without TLS", "tls_verify", "allow_insecure_tcp", "root-equivalent", "2376"}},
		{name: "tcp allowed insecure warns", daemon: Daemon{Hosts: []string{DefaultDockerHost, "tcp://0.0.0.0:2375"}, AllowInsecureTCP: true},
			warns: []string{"anyone who can reach the port", "root-equivalent", "tcp://0.0.0.0:2375"}},
		{name: "tls_verify without the CA", daemon: Daemon{Hosts: []string{DefaultDockerHost, "tcp://0.0.0.0:2376"}, TLSVerify: true,
			TLSCert: `C:\c\cert.pem`, TLSKey: `C:\c\key.pem`}, path: PathDaemonTLSCACert, errors: 1, says: []string{"daemon.tls_ca_cert is required", "tlscacert"}},
		{name: "TLS file without tls_verify", daemon: Daemon{TLSCACert: `C:\certs\ca.pem`}, path: PathDaemonTLSCACert, errors: 1, says: []string{"tls_verify = true"}},
		{name: "TLS file relative", daemon: Daemon{TLSVerify: true, TLSCACert: `certs\ca.pem`, TLSCert: `C:\c\cert.pem`, TLSKey: `C:\c\key.pem`},
			path: PathDaemonTLSCACert, errors: 1, says: []string{"daemon.tls_ca_cert is not an absolute path", "drive letter"}},
		{name: "TLS file traversal", daemon: Daemon{TLSVerify: true, TLSCACert: `C:\c\ca.pem`, TLSCert: `C:\c\..\..\x.pem`, TLSKey: `C:\c\key.pem`},
			path: PathDaemonTLSCert, errors: 1, says: []string{"traversal"}},
		{name: "TLS file share", daemon: Daemon{TLSVerify: true, TLSCACert: `C:\c\ca.pem`, TLSCert: `C:\c\cert.pem`, TLSKey: `\\srv\share\key.pem`},
			path: PathDaemonTLSKey, errors: 1, says: []string{"local disk"}},
		{name: "hosts without the named pipe", daemon: Daemon{Hosts: []string{"tcp://0.0.0.0:2375"}, AllowInsecureTCP: true},
			path: PathDaemonHosts, errors: 1, says: []string{"npipe:////./pipe/docker_engine", "verification"}},
		{name: "unix socket", daemon: Daemon{Hosts: []string{DefaultDockerHost, "unix:///var/run/docker.sock"}},
			path: PathDaemonHosts, errors: 1, says: []string{"unix:// does not exist on Windows"}},
		{name: "fd socket", daemon: Daemon{Hosts: []string{DefaultDockerHost, "fd://"}}, path: PathDaemonHosts, errors: 1, says: []string{"fd:// does not exist on Windows"}},
		{name: "ssh", daemon: Daemon{Hosts: []string{DefaultDockerHost, "ssh://u@h"}}, path: PathDaemonHosts, errors: 1, says: []string{"ssh://"}},
		{name: "tcp without port", daemon: Daemon{Hosts: []string{DefaultDockerHost, "tcp://0.0.0.0"}, AllowInsecureTCP: true},
			path: PathDaemonHosts, errors: 1, says: []string{"tcp://host:port"}},
		{name: "tcp bad port", daemon: Daemon{Hosts: []string{DefaultDockerHost, "tcp://0.0.0.0:99999"}, AllowInsecureTCP: true},
			path: PathDaemonHosts, errors: 1, says: []string{"1-65535"}},
		{name: "tcp hostile host", daemon: Daemon{Hosts: []string{DefaultDockerHost, "tcp://$(calc):2375"}, AllowInsecureTCP: true},
			path: PathDaemonHosts, errors: 1},
		{name: "pipe with a quote", daemon: Daemon{Hosts: []string{DefaultDockerHost, `npipe:////./pipe/a"b`}}, path: PathDaemonHosts, errors: 1},
		{name: "pipe traversal", daemon: Daemon{Hosts: []string{DefaultDockerHost, `npipe:////./pipe/../x`}}, path: PathDaemonHosts, errors: 1},
		{name: "hosts duplicate", daemon: Daemon{Hosts: []string{DefaultDockerHost, "NPIPE:////./pipe/Docker_Engine"}}, path: PathDaemonHosts, errors: 1, says: []string{"twice"}},
		{name: "hosts with containerd", engine: "containerd", daemon: Daemon{Hosts: []string{DefaultDockerHost}}, path: PathDaemon, errors: 1, says: []string{"Docker only"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			daemon := c.daemon
			r, d := Validate(Spec{Mode: "process", Engine: Engine{Type: c.engine, SHA256: goodSHA}, Daemon: &daemon}, today)
			errs := d.Errors()
			if len(errs) != c.errors {
				t.Fatalf("%d errors, want %d: %v", len(errs), c.errors, d)
			}
			for _, e := range errs {
				if e.Path != c.path {
					t.Errorf("error on %q, want %q: %v", e.Path, c.path, e)
				}
				if e.Summary == "" || e.Detail == "" {
					t.Errorf("error without summary or detail: %+v", e)
				}
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
			var warnText strings.Builder
			for _, w := range d.Warnings() {
				if strings.HasPrefix(w.Path, "daemon") {
					warnText.WriteString(w.Summary + ": " + w.Detail + "\n")
				}
			}
			if len(c.warns) == 0 && c.errors == 0 && warnText.Len() > 0 {
				t.Errorf("unexpected warnings: %s", warnText.String())
			}
			for _, s := range c.warns {
				if !strings.Contains(warnText.String(), s) {
					t.Errorf("warnings lack %q: %s", s, warnText.String())
				}
			}
			if c.errors == 0 && c.engine == "" && (r.Daemon == nil || r.Daemon.DataRoot != c.daemon.DataRoot ||
				!slices.Equal(r.Daemon.RegistryMirrors, c.daemon.RegistryMirrors) || !slices.Equal(r.Daemon.DNS, c.daemon.DNS)) {
				t.Errorf("resolved daemon %+v, want %+v", r.Daemon, c.daemon)
			}
		})
	}
}

// The resolved daemon settings are nil without settings, and a copy of the user's lists otherwise.
func TestResolvedDaemon(t *testing.T) {
	for _, d := range []*Daemon{nil, {}} {
		if r, _ := Validate(Spec{Mode: "process", Daemon: d}, today); r.Daemon != nil {
			t.Errorf("daemon %+v resolved to %+v, want nil", d, r.Daemon)
		}
	}
	in := &Daemon{DNS: []string{"10.0.0.2"}}
	r, _ := Validate(Spec{Mode: "process", Daemon: in}, today)
	in.DNS[0] = "10.0.0.3"
	if r.Daemon == nil || r.Daemon.DNS[0] != "10.0.0.2" {
		t.Errorf("resolved daemon shares the caller's list: %+v", r.Daemon)
	}
}

func FuzzValidateDaemon(f *testing.F) {
	f.Add(`D:\docker`, "https://mirror.example.com", "registry.local:5000", "10.0.0.2")
	f.Add(`\\server\share`, "http://u:p@x/?q#f", "http://10.0.0.0/8", "fe80::1%eth0")
	f.Add("D:\\$(calc)\n`x`", "https://[::1]:0", "[::1]", "")
	f.Fuzz(func(t *testing.T, root, mirror, insecure, dns string) {
		_, d := Validate(Spec{Mode: "process", Engine: Engine{SHA256: goodSHA}, Daemon: &Daemon{DataRoot: root,
			RegistryMirrors: []string{mirror}, InsecureRegistries: []string{insecure}, DNS: []string{dns}}}, today)
		paths := map[string]bool{}
		tooLong := false
		for _, x := range d {
			if x.Summary == "" || x.Detail == "" || (x.Severity != SeverityError && x.Severity != SeverityWarning) {
				t.Fatalf("malformed diagnostic %+v", x)
			}
			if x.Severity == SeverityError {
				paths[x.Path] = true
			}
			tooLong = tooLong || x.Summary == "Value too long"
		}
		if tooLong {
			// A value over maxValueLen is refused before any other check (Validate): the others wait.
			if len(root) <= maxValueLen && len(mirror) <= maxValueLen && len(insecure) <= maxValueLen && len(dns) <= maxValueLen {
				t.Fatalf("Value too long with no value over %d bytes", maxValueLen)
			}
			return
		}
		// What passes is a local absolute path, an https URL with a host, and an IP address.
		if root != "" && !paths[PathDaemonDataRoot] {
			if len(root) < 4 || root[1] != ':' || root[2] != '\\' || strings.ContainsAny(root, "\"*?<>|/$`%'\n\r\x00") ||
				slices.Contains(strings.Split(root, `\`), "..") || len([]rune(root)) > 200 || strings.HasPrefix(strings.ToLower(root), `c:\windows`) && (len(root) == 10 || root[10] == '\\') {
				t.Fatalf("data root %q accepted", root)
			}
		}
		if !paths[PathDaemonRegistryMirrors] {
			if !strings.HasPrefix(strings.ToLower(mirror), "https://") || strings.ContainsAny(mirror, "@?# \n\"`\\") {
				t.Fatalf("mirror %q accepted", mirror)
			}
		}
		if !paths[PathDaemonInsecureRegistries] && (insecure == "" || strings.ContainsAny(insecure, " \t\n\"`$@?#") || strings.Contains(insecure, "://")) {
			t.Fatalf("insecure registry %q accepted", insecure)
		}
		if !paths[PathDaemonDNS] {
			if _, err := netip.ParseAddr(dns); err != nil {
				t.Fatalf("dns %q accepted", dns)
			}
		}
	})
}

// FuzzValidateDaemonHosts: an endpoint is accepted only as the named pipe or tcp://host:port, a TLS file
// only as an absolute local path, and a TCP endpoint only with tls_verify and its three files or with
// allow_insecure_tcp, which always warns.
func FuzzValidateDaemonHosts(f *testing.F) {
	f.Add("tcp://0.0.0.0:2376", `C:\certs\ca.pem`, true, false)
	f.Add("tcp://0.0.0.0:2375", "", false, true)
	f.Add("unix:///var/run/docker.sock", `..\ca.pem`, false, false)
	f.Add("npipe:////./pipe/x\"`$(calc)", "C:\\a\n.pem", true, true)
	f.Fuzz(func(t *testing.T, host, file string, verify, insecure bool) {
		daemon := &Daemon{Hosts: []string{DefaultDockerHost, host}, TLSVerify: verify, AllowInsecureTCP: insecure,
			TLSCACert: file, TLSCert: `C:\certs\cert.pem`, TLSKey: `C:\certs\key.pem`}
		_, d := Validate(Spec{Mode: "process", Engine: Engine{SHA256: goodSHA}, Daemon: daemon}, today)
		errs, warned := map[string]bool{}, false
		for _, x := range d {
			if x.Summary == "" || x.Detail == "" {
				t.Fatalf("malformed diagnostic %+v", x)
			}
			if x.Severity == SeverityError {
				errs[x.Path] = true
			} else if x.Path == PathDaemonHosts && strings.Contains(x.Detail, "anyone who can reach the port") {
				warned = true
			}
		}
		if d.HasErrors() {
			return
		}
		low := strings.ToLower(host)
		if !strings.HasPrefix(low, "tcp://") && !strings.HasPrefix(low, "npipe:////./pipe/") {
			t.Fatalf("host %q accepted", host)
		}
		if strings.ContainsAny(host, " \t\n\"`$'\\") {
			t.Fatalf("host %q accepted", host)
		}
		if strings.HasPrefix(low, "tcp://") && !verify && (!insecure || !warned) {
			t.Fatalf("tcp host %q accepted without TLS (allow_insecure_tcp %v, warned %v)", host, insecure, warned)
		}
		if verify && (len(file) < 4 || file[1] != ':' || file[2] != '\\' || strings.ContainsAny(file, "\"*?<>|/$`%'\n\r\x00") ||
			slices.Contains(strings.Split(file, `\`), "..")) {
			t.Fatalf("tls_ca_cert %q accepted", file)
		}
		if !verify && file != "" {
			t.Fatalf("tls_ca_cert %q accepted without tls_verify", file)
		}
	})
}

// Archives pushed from the controller (air-gapped hosts): engine.archive (the Docker zip or the
// containerd tarball), engine.nerdctl_archive and engine.cni_archive (containerd only) and lcow.archive,
// each a readable file, never with the URL of the same thing, and matching its pin at plan time.
func TestPushedArchives(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ctrd, nerd, cni, lcow := write("containerd.tar.gz", "containerd"), write("nerdctl.tar.gz", "nerdctl"), write("cni.zip", "cni"), write("release.zip", "lcow")
	unreadable := write("unreadable.zip", "x")
	if err := os.Chmod(unreadable, 0); err != nil {
		t.Fatal(err)
	}
	if f, err := os.Open(unreadable); err == nil { // root reads everything
		_ = f.Close()
		unreadable = ""
	}
	lcowSHA, _, err := FileSHA256(lcow)
	if err != nil {
		t.Fatal(err)
	}
	ctrdSHA, _, _ := FileSHA256(ctrd)
	all := Engine{Type: "containerd", Archive: ctrd, NerdctlArchive: nerd, CNIArchive: cni}
	cases := []struct {
		name   string
		spec   Spec
		path   string   // the path of the one expected error, "" for none
		says   []string // substrings of the error, or of the warning when path is ""
		warned bool     // a "still downloaded" warning is expected
	}{
		{name: "lcow fully offline", spec: Spec{Mode: "lcow", OSVersion: "2022", Engine: all, LCOW: &LCOW{Archive: lcow, SHA256: lcowSHA}}},
		{name: "containerd process fully offline", spec: Spec{Mode: "process", Engine: all}},
		{name: "containerd pinned tarball matches", spec: Spec{Mode: "process", Engine: Engine{Type: "containerd", Archive: ctrd, SHA256: ctrdSHA,
			NerdctlArchive: nerd, CNIArchive: cni}}},
		{name: "partly offline containerd is allowed, with a warning", spec: Spec{Mode: "process", Engine: Engine{Type: "containerd", Archive: ctrd}},
			warned: true, says: []string{"engine.archive", "nerdctl tarball (engine.nerdctl_archive not set)", "Windows CNI plugins (engine.cni_archive not set)"}},
		{name: "lcow archive alone warns about the engine", spec: Spec{Mode: "lcow", LCOW: &LCOW{Archive: lcow}},
			warned: true, says: []string{"lcow.archive", "containerd tarball (engine.archive not set)"}},
		{name: "an engine mirror is not a download from the internet", spec: Spec{Mode: "process", Engine: Engine{Type: "containerd",
			URL: "https://mirror.example/containerd.tar.gz", SHA256: goodSHA, NerdctlArchive: nerd, CNIArchive: cni}}},
		{name: "nothing pushed, nothing warned", spec: Spec{Mode: "process", Engine: Engine{Type: "containerd"}}},
		{name: "nerdctl archive with docker", spec: Spec{Mode: "process", Engine: Engine{Type: "docker", SHA256: goodSHA, NerdctlArchive: nerd}},
			path: PathNerdctlArchive, says: []string{"is for containerd", `"docker"`, "nerdctl release tarball"}},
		{name: "cni archive with the default docker", spec: Spec{Mode: "hyperv", Engine: Engine{SHA256: goodSHA, CNIArchive: cni}},
			path: PathCNIArchive, says: []string{"is for containerd", "CNI plugins zip"}},
		{name: "missing nerdctl archive", spec: Spec{Mode: "process", Engine: Engine{Type: "containerd", NerdctlArchive: filepath.Join(dir, "nope.tar.gz")}},
			path: PathNerdctlArchive, says: []string{"cannot be read", "nope.tar.gz", "nerdctl release tarball"}},
		{name: "cni archive is a directory", spec: Spec{Mode: "process", Engine: Engine{Type: "containerd", CNIArchive: dir}},
			path: PathCNIArchive, says: []string{"is not a file", "directory"}},
		{name: "containerd tarball missing", spec: Spec{Mode: "process", Engine: Engine{Type: "containerd", Archive: filepath.Join(dir, "gone.tar.gz")}},
			path: PathEngineArchive, says: []string{"cannot be read", "containerd release tarball"}},
		{name: "containerd archive and url", spec: Spec{Mode: "process", Engine: Engine{Type: "containerd", Archive: ctrd, URL: "https://mirror.example/c.tar.gz"}},
			path: PathEngineArchive, says: []string{"both set", "mirror.example"}},
		{name: "containerd tarball is not the pinned file", spec: Spec{Mode: "process", Engine: Engine{Type: "containerd", Archive: ctrd, SHA256: goodSHA}},
			path: PathEngineArchive, says: []string{"is not the file engine.sha256 pins", ctrdSHA, goodSHA}},
		{name: "docker zip is not the pinned file", spec: Spec{Mode: "process", Engine: Engine{Archive: ctrd, SHA256: goodSHA}},
			path: PathEngineArchive, says: []string{"is not the file engine.sha256 pins", ctrdSHA}},
		{name: "lcow archive missing", spec: Spec{Mode: "lcow", LCOW: &LCOW{Archive: filepath.Join(dir, "release-missing.zip")}},
			path: PathLCOWArchive, says: []string{"cannot be read", "LinuxKit"}},
		{name: "lcow archive is a directory", spec: Spec{Mode: "lcow", LCOW: &LCOW{Archive: dir}}, path: PathLCOWArchive, says: []string{"is not a file"}},
		{name: "lcow archive and url", spec: Spec{Mode: "lcow", LCOW: &LCOW{Archive: lcow, URL: "https://mirror.example/release.zip"}},
			path: PathLCOWArchive, says: []string{"both set"}},
		{name: "lcow archive is not the pinned file", spec: Spec{Mode: "lcow", LCOW: &LCOW{Archive: lcow, SHA256: goodSHA}},
			path: PathLCOWArchive, says: []string{"is not the file lcow.sha256 pins", lcowSHA, goodSHA}},
		{name: "lcow archive with process mode", spec: Spec{Mode: "process", Engine: Engine{SHA256: goodSHA}, LCOW: &LCOW{Archive: lcow}}, path: PathLCOW},
	}
	if unreadable != "" {
		cases = append(cases, struct {
			name   string
			spec   Spec
			path   string
			says   []string
			warned bool
		}{name: "unreadable cni archive", spec: Spec{Mode: "process", Engine: Engine{Type: "containerd", CNIArchive: unreadable}},
			path: PathCNIArchive, says: []string{"cannot be read", "permission denied"}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, d := Validate(c.spec, today)
			errs := d.Errors()
			if c.path == "" {
				if len(errs) > 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
			} else if len(errs) != 1 || errs[0].Path != c.path {
				t.Fatalf("want one error on %s, got %v", c.path, errs)
			}
			var warning string
			for _, w := range d.Warnings() {
				if strings.Contains(w.Summary, "still downloaded") {
					warning = w.Summary + " " + w.Detail
				}
			}
			if (warning != "") != c.warned {
				t.Errorf("partly-offline warning %q, want one: %v", warning, c.warned)
			}
			text := warning
			if len(errs) > 0 {
				text = errs[0].Summary + " " + errs[0].Detail
			}
			for _, s := range c.says {
				if !strings.Contains(text, s) {
					t.Errorf("%q lacks %q", text, s)
				}
			}
			if c.path == "" && c.spec.Engine.NerdctlArchive != "" && (r.NerdctlArchive != nerd || r.CNIArchive != cni) {
				t.Errorf("resolved archives: nerdctl %q cni %q", r.NerdctlArchive, r.CNIArchive)
			}
			if c.path == "" && c.spec.LCOW != nil && c.spec.LCOW.Archive != "" && (r.LCOW == nil || r.LCOW.Archive != lcow) {
				t.Errorf("resolved lcow %+v", r.LCOW)
			}
		})
	}
}
