package wincontainers

import (
	"strings"
	"testing"
	"time"
)

var fixedDay = func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }

// Prepare catches what the configuration alone rules out, naming the argument as the template spells it.
func TestPrepare(t *testing.T) {
	cases := []struct {
		name string
		raw  map[string]interface{}
		want string // "" when valid
	}{
		{"process", map[string]interface{}{"container_mode": "process"}, ""},
		{"lcow on 2022 with containerd", map[string]interface{}{"container_mode": "lcow", "os_version": "2022", "engine": map[string]interface{}{"type": "containerd"}}, ""},
		{"hyperv with daemon settings", map[string]interface{}{"container_mode": "hyperv", "daemon": map[string]interface{}{"data_root": `D:\docker`, "dns": []string{"10.0.0.2"}}}, ""},
		{"missing mode", map[string]interface{}{}, "container_mode is required"},
		{"unknown mode", map[string]interface{}{"container_mode": "wsl"}, "container_mode"},
		{"LCOW on 2016", map[string]interface{}{"container_mode": "lcow", "os_version": "2016"}, "14393"},
		{"Docker 27 on 2016", map[string]interface{}{"container_mode": "process", "os_version": "2016", "engine": map[string]interface{}{"version": "27.3.1"}}, "engine { version }"},
		{"http mirror", map[string]interface{}{"container_mode": "process", "engine": map[string]interface{}{"url": "http://mirror/docker.zip"}}, "engine { url }"},
		{"daemon log level", map[string]interface{}{"container_mode": "process", "daemon": map[string]interface{}{"log_level": "verbose"}}, `daemon { log_level }: unknown daemon.log_level`},
		{"daemon log level debug", map[string]interface{}{"container_mode": "process", "daemon": map[string]interface{}{"log_level": "debug"}}, ""},
		{"data root traversal", map[string]interface{}{"container_mode": "process", "daemon": map[string]interface{}{"data_root": `D:\a\..\..\Windows`}}, "daemon { data_root }"},
		{"daemon TCP endpoint without TLS", map[string]interface{}{"container_mode": "process", "daemon": map[string]interface{}{
			"hosts": []string{"npipe:////./pipe/docker_engine", "tcp://0.0.0.0:2375"}}}, "TCP endpoint without TLS"},
		{"daemon TCP endpoint with TLS", map[string]interface{}{"container_mode": "process", "daemon": map[string]interface{}{
			"hosts": []string{"npipe:////./pipe/docker_engine", "tcp://0.0.0.0:2376"}, "tls_verify": true, "tls_ca_cert": `C:\certs\ca.pem`,
			"tls_cert": `C:\certs\cert.pem`, "tls_key": `C:\certs\key.pem`}}, ""},
		{"daemon unix socket", map[string]interface{}{"container_mode": "process", "daemon": map[string]interface{}{
			"hosts": []string{"npipe:////./pipe/docker_engine", "unix:///var/run/docker.sock"}}}, "unix:// does not exist on Windows"},
		{"short restart timeout", map[string]interface{}{"container_mode": "process", "restart_timeout": "5s"}, "restart_timeout"},
		{"hostile pre-pull", map[string]interface{}{"container_mode": "process", "pre_pull_images": []string{"busybox; Remove-Item C:\\ -Recurse"}}, "pre_pull_images[0]"},
		{"os_version from a data source during packer validate", map[string]interface{}{"container_mode": "process", "os_version": "<unknown>"}, ""},
		{"unknown argument", map[string]interface{}{"container_mode": "process", "mode": "x"}, "mode"},
		{"nerdctl archive with docker", map[string]interface{}{"container_mode": "process", "engine": map[string]interface{}{
			"nerdctl_archive": "/nonexistent/nerdctl.tar.gz"}}, "engine { nerdctl_archive }: engine.nerdctl_archive is for containerd"},
		{"missing cni archive", map[string]interface{}{"container_mode": "lcow", "engine": map[string]interface{}{
			"cni_archive": "/nonexistent/cni.zip"}}, "engine { cni_archive }: engine.cni_archive cannot be read"},
		{"lcow archive and url", map[string]interface{}{"container_mode": "lcow", "lcow": map[string]interface{}{
			"archive": "config_test.go", "url": "https://mirror.example/release.zip"}}, "lcow { archive }: lcow.archive and lcow.url both set"},
		{"lcow archive is not the pinned file", map[string]interface{}{"container_mode": "lcow", "lcow": map[string]interface{}{
			"archive": "config_test.go", "sha256": strings.Repeat("0", 64)}}, "lcow.archive is not the file lcow.sha256 pins"},
		{"lcow pushed archive", map[string]interface{}{"container_mode": "lcow", "lcow": map[string]interface{}{"archive": "config_test.go"}}, ""},
		{"compose on docker", map[string]interface{}{"container_mode": "process", "compose": map[string]interface{}{"standalone": true}}, ""},
		{"compose project network on 2016", map[string]interface{}{"container_mode": "process", "os_version": "2016",
			"compose": map[string]interface{}{"network": "project"}}, "compose { network }: a compose project cannot create its own network"},
		{"compose v1", map[string]interface{}{"container_mode": "process", "compose": map[string]interface{}{"version": "1.29.2"}}, "compose { version }"},
		{"compose version on containerd", map[string]interface{}{"container_mode": "process", "engine": map[string]interface{}{"type": "containerd"},
			"compose": map[string]interface{}{"version": "5.5.0"}}, "compose { version }: compose.version is for Docker hosts"},
		{"compose unknown network", map[string]interface{}{"container_mode": "process", "compose": map[string]interface{}{"network": "host"}}, "compose { network }: unknown compose.network"},
		{"winrm over http with ntlm", map[string]interface{}{"container_mode": "process", "winrm": map[string]interface{}{
			"host": "10.0.0.5", "username": "Administrator", "password": "p", "https": false, "auth": "ntlm"}}, ""},
		{"winrm over http with basic", map[string]interface{}{"container_mode": "process", "winrm": map[string]interface{}{
			"host": "10.0.0.5", "username": "Administrator", "password": "p", "https": false}}, `winrm: plain HTTP to 10.0.0.5 with auth = "basic"`},
		{"winrm basic allowed unencrypted", map[string]interface{}{"container_mode": "process", "winrm": map[string]interface{}{
			"host": "10.0.0.5", "username": "Administrator", "password": "p", "https": false, "allow_unencrypted": true}}, ""},
		{"winrm without host", map[string]interface{}{"container_mode": "process", "winrm": map[string]interface{}{
			"username": "Administrator", "password": "p"}}, "winrm { host } is required"},
		{"winrm host from build.Host during packer validate", map[string]interface{}{"container_mode": "process", "winrm": map[string]interface{}{
			"host": "<unknown>", "username": "Administrator", "password": "p", "https": false}}, ""},
		{"winrm without password", map[string]interface{}{"container_mode": "process", "winrm": map[string]interface{}{
			"host": "10.0.0.5", "username": "Administrator", "auth": "ntlm"}}, "no WinRM password for 10.0.0.5"},
		{"winrm bad port", map[string]interface{}{"container_mode": "process", "winrm": map[string]interface{}{
			"host": "10.0.0.5", "port": 70000, "username": "Administrator", "password": "p"}}, "winrm { port = 70000 }"},
		{"winrm certificate over http", map[string]interface{}{"container_mode": "process", "winrm": map[string]interface{}{
			"host": "10.0.0.5", "https": false, "allow_unencrypted": true, "auth": "certificate", "client_cert": "c", "client_key": "k"}}, "needs HTTPS"},
		{"compose disabled keeps the block", map[string]interface{}{"container_mode": "process", "os_version": "2016",
			"compose": map[string]interface{}{"enabled": false, "network": "project"}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := &Provisioner{now: fixedDay}
			err := p.Prepare(c.raw)
			if c.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if p.config.RestartTimeout != defaultRestartTimeout {
					t.Errorf("restart_timeout default %s", p.config.RestartTimeout)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to mention %q", err, c.want)
			}
		})
	}
}

// allow_insecure_tcp is accepted with a warning that anyone who reaches the port controls the host.
func TestPrepareInsecureTCPWarns(t *testing.T) {
	p := &Provisioner{now: fixedDay}
	err := p.Prepare(map[string]interface{}{"container_mode": "process", "daemon": map[string]interface{}{
		"hosts": []string{"npipe:////./pipe/docker_engine", "tcp://0.0.0.0:2375"}, "allow_insecure_tcp": true}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(p.warnings, "\n"), "anyone who can reach the port") {
		t.Errorf("warnings %q", p.warnings)
	}
	if d := p.resolved.Daemon; d == nil || !d.AllowInsecureTCP || len(d.Hosts) != 2 {
		t.Errorf("resolved daemon %+v", d)
	}
}

// The compose block reaches the engine: present means enabled, with the version chosen for the engine.
func TestPrepareCompose(t *testing.T) {
	p := &Provisioner{now: fixedDay}
	if err := p.Prepare(map[string]interface{}{"container_mode": "process", "os_version": "2016", "compose": map[string]interface{}{}}); err != nil {
		t.Fatal(err)
	}
	c := p.resolved.Compose
	if c == nil || c.Version.String() != "5.5.0" || c.Network != "nat" || c.Standalone {
		t.Fatalf("resolved compose %+v", c)
	}
	p = &Provisioner{now: fixedDay}
	if err := p.Prepare(map[string]interface{}{"container_mode": "process", "engine": map[string]interface{}{"version": "18.09.11"},
		"compose": map[string]interface{}{"enabled": true}}); err != nil {
		t.Fatal(err)
	}
	if c := p.resolved.Compose; c == nil || c.Version.String() != "2.40.3" {
		t.Fatalf("Docker 18.09 (API 1.39) must get the last Compose v2: %+v", c)
	}
}
