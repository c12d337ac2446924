package spec

import (
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/compat"
)

// hostileStrings are the values issue 10 §2 names: quotes, $(), backticks, newlines, path traversal,
// NUL, invalid UTF-8 and a huge value.
var hostileStrings = []string{
	`'`, `"`, "\u2019", "$(Stop-Computer -Force)", "`$env:PATH", "a\nb", "a\r\nRemove-Item C:\\ -Recurse",
	`..\..\Windows\System32`, `C:\docker\..\Windows`, "\x00", "a\x00b", "\xff\xfe", "; calc.exe", "& calc.exe", "| calc.exe",
	"@'\n'@", "#>", strings.Repeat("A", 1<<20),
}

// Every string setting of the spec, with a valid base the hostile value replaces.
var specStringFields = []struct {
	name string
	set  func(s *Spec, v string)
}{
	{"container_mode", func(s *Spec, v string) { s.Mode = v }},
	{"channel", func(s *Spec, v string) { s.Channel = v }},
	{"os_version", func(s *Spec, v string) { s.OSVersion = v }},
	{"engine.type", func(s *Spec, v string) { s.Engine.Type = v }},
	{"engine.version", func(s *Spec, v string) { s.Engine.Version = v }},
	{"engine.sha256", func(s *Spec, v string) { s.Engine.SHA256 = v }},
	{"engine.url", func(s *Spec, v string) { s.Engine.URL = v }},
	{"lcow.url", func(s *Spec, v string) { s.Mode, s.LCOW = "lcow", &LCOW{URL: v} }},
	{"lcow.sha256", func(s *Spec, v string) { s.Mode, s.LCOW = "lcow", &LCOW{SHA256: v} }},
	{"daemon.data_root", func(s *Spec, v string) { s.Daemon = &Daemon{DataRoot: v} }},
	{"daemon.registry_mirrors", func(s *Spec, v string) { s.Daemon = &Daemon{RegistryMirrors: []string{v}} }},
	{"daemon.insecure_registries", func(s *Spec, v string) { s.Daemon = &Daemon{InsecureRegistries: []string{v}} }},
	{"daemon.dns", func(s *Spec, v string) { s.Daemon = &Daemon{DNS: []string{v}} }},
	{"daemon.hosts", func(s *Spec, v string) { s.Daemon = &Daemon{Hosts: []string{DefaultDockerHost, v}} }},
	{"daemon.tls_ca_cert", func(s *Spec, v string) { s.Daemon = tlsDaemon(); s.Daemon.TLSCACert = v }},
	{"daemon.tls_cert", func(s *Spec, v string) { s.Daemon = tlsDaemon(); s.Daemon.TLSCert = v }},
	{"daemon.tls_key", func(s *Spec, v string) { s.Daemon = tlsDaemon(); s.Daemon.TLSKey = v }},
}

// tlsDaemon is a valid daemon block with a TLS endpoint.
func tlsDaemon() *Daemon {
	return &Daemon{Hosts: []string{DefaultDockerHost, "tcp://0.0.0.0:2376"}, TLSVerify: true,
		TLSCACert: `C:\ProgramData\docker\certs.d\ca.pem`, TLSCert: `C:\ProgramData\docker\certs.d\server-cert.pem`,
		TLSKey: `C:\ProgramData\docker\certs.d\server-key.pem`}
}

// Every hostile value in every string setting is refused at plan time, with an error on that setting.
// (engine.archive is a path on the controller, read there and never sent: it is checked by the front
// doors, which open it.)
func TestHostileStringsRefused(t *testing.T) {
	for _, f := range specStringFields {
		for _, v := range hostileStrings {
			s := Spec{Mode: "process"}
			f.set(&s, v)
			_, d := Validate(s, compat.D(2026, 11, 22))
			if !d.HasErrors() {
				t.Errorf("%s = %.40q was accepted", f.name, v)
				continue
			}
			for _, e := range d {
				if len(e.Detail) > 4096 || len(e.Summary) > 4096 {
					t.Errorf("%s = %.40q: the error repeats the huge value (%d bytes)", f.name, v, len(e.Detail))
				}
			}
		}
	}
}
