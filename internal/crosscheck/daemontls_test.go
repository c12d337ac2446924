package crosscheck

import (
	"context"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

// A TLS endpoint reaches daemon.json as "hosts", "tlsverify", "tlscacert", "tlscert" and "tlskey". When
// the certificate files are not on the host, dockerd does not start ("Could not load X509 key pair"),
// configure-daemon puts the previous daemon.json back and docker runs again; with the files in place
// the next apply converges.
func TestDaemonTLSEndpoint(t *testing.T) {
	t.Parallel()
	sim, r, _, _, err := converge(t, winsim.Options{Profile: "ws2022"}, spec.Spec{Mode: "process", Engine: spec.Engine{Type: "docker"}})
	if err != nil {
		t.Fatal(err)
	}
	const dir = `C:\ProgramData\docker\certs.d`
	daemon := spec.Daemon{Hosts: []string{spec.DefaultDockerHost, "tcp://0.0.0.0:2376"}, TLSVerify: true,
		TLSCACert: dir + `\ca.pem`, TLSCert: dir + `\server-cert.pem`, TLSKey: dir + `\server-key.pem`}
	want := resolve(t, spec.Spec{Mode: "process", Engine: spec.Engine{Type: "docker"}, Daemon: &daemon})
	_, err = executor.Apply(context.Background(), hostOf(r), want, executor.Options{})
	if err == nil || !strings.Contains(err.Error(), `Could not load X509 key pair (cert: "C:\\ProgramData\\docker\\certs.d\\server-cert.pem"`) {
		t.Fatalf("apply without the certificate files: %v", err)
	}
	st := sim.Snapshot()
	if st.Services["docker"].State != "Running" || st.DaemonConfig["hosts"] != nil || st.DaemonConfig["tlsverify"] != nil {
		t.Fatalf("after the failed start: docker %s, daemon.json %v", st.Services["docker"].State, st.DaemonConfig)
	}
	sim.Machine.WriteFile(daemon.TLSCert, []byte("-----BEGIN CERTIFICATE-----\n"))
	sim.Machine.WriteFile(daemon.TLSKey, []byte("-----BEGIN PRIVATE KEY-----\n"))
	if _, err = executor.Apply(context.Background(), hostOf(r), want, executor.Options{}); err == nil ||
		!strings.Contains(err.Error(), `could not read CA certificate "C:\\ProgramData\\docker\\certs.d\\ca.pem"`) {
		t.Fatalf("apply without the CA: %v", err)
	}
	sim.Machine.WriteFile(daemon.TLSCACert, []byte("-----BEGIN CERTIFICATE-----\n"))
	res, err := executor.Apply(context.Background(), hostOf(r), want, executor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st = sim.Snapshot()
	hosts, _ := st.DaemonConfig["hosts"].([]any)
	if len(hosts) != 2 || st.DaemonConfig["tlsverify"] != true || st.DaemonConfig["tlscacert"] != daemon.TLSCACert ||
		st.Services["docker"].State != "Running" || st.Verified != plan.SpecHash(want) {
		t.Errorf("after the apply (%v): docker %s, daemon.json %v", res.StepsRun, st.Services["docker"].State, st.DaemonConfig)
	}
}

// dockerd refuses "hosts" in daemon.json when the service's command line also has -H. A docker
// service registered by hand with -H keeps running, and the apply that sets daemon.hosts fails saying
// why. (install-docker registers the service without flags, but it runs only when the engine changes:
// such a host needs its service registered again by hand; see docs/reliability.md.)
func TestDaemonHostsWithServiceFlag(t *testing.T) {
	t.Parallel()
	sim, r, _, _, err := converge(t, winsim.Options{Profile: "ws2022"}, spec.Spec{Mode: "process", Engine: spec.Engine{Type: "docker"}})
	if err != nil {
		t.Fatal(err)
	}
	m := sim.Machine
	m.StopService("docker")
	if err := m.UnregisterService("docker"); err != nil {
		t.Fatal(err)
	}
	if err := m.RegisterService("docker", "-H", "npipe:////./pipe/docker_engine", "-H", "tcp://0.0.0.0:2375"); err != nil {
		t.Fatal(err)
	}
	if err := m.StartService("docker"); err != nil {
		t.Fatal(err)
	}
	daemon := spec.Daemon{Hosts: []string{spec.DefaultDockerHost}}
	want := resolve(t, spec.Spec{Mode: "process", Engine: spec.Engine{Type: "docker"}, Daemon: &daemon})
	res, err := executor.Apply(context.Background(), hostOf(r), want, executor.Options{})
	st := sim.Snapshot()
	if len(res.StepsRun) != 0 {
		t.Errorf("steps %v completed", res.StepsRun)
	}
	if st.Services["docker"].State != "Running" {
		t.Errorf("docker is %s", st.Services["docker"].State)
	}
	if err == nil || !strings.Contains(err.Error(), "specified both as a flag and in the configuration file: hosts") {
		t.Errorf("the error does not say why: %v", err)
	}
}
