package machine

import (
	"slices"
	"strings"
	"testing"
)

// docker pull / nerdctl pull with the engine's checks, and the texts `docker pull` prints (no "docker: "
// prefix, which `docker run` adds).
func TestPull(t *testing.T) {
	const (
		nano2022 = "mcr.microsoft.com/windows/nanoserver:ltsc2022"
		nano2025 = "mcr.microsoft.com/windows/nanoserver:ltsc2025"
		sc2019   = "mcr.microsoft.com/windows/servercore:ltsc2019"
	)
	docker := hostSpec{build: 20348, engine: "docker", version: "29.2.1"}
	ctrd := hostSpec{build: 20348, engine: "containerd", version: "2.1.2"}
	cases := []struct {
		name  string
		host  hostSpec
		image string
		want  string // "" = pulled
	}{
		{"build-matched", docker, nano2022, ""},
		{"older build (for Hyper-V isolation)", docker, sc2019, ""},
		{"newer build refused by docker", docker, nano2025,
			"Error response from daemon: a Windows version 10.0.26100-based image is incompatible with a 10.0.20348 host."},
		{"unknown tag", docker, "mcr.microsoft.com/windows/nanoserver:ltsc2030",
			`Error response from daemon: manifest for mcr.microsoft.com/windows/nanoserver:ltsc2030 not found: manifest unknown: manifest tagged by "ltsc2030" is not found.`},
		{"linux image on a windows daemon", docker, "busybox",
			"Error response from daemon: no matching manifest for windows/amd64 10.0.20348 in the manifest list entries"},
		{"legacy LCOW serves linux", hostSpec{build: 17763, hyperV: true, engine: "docker", version: "20.10.24", experimental: true}, "busybox", ""},
		{"offline", hostSpec{build: 20348, engine: "docker", version: "29.2.1", offline: true}, nano2022,
			`Error response from daemon: Get "https://mcr.microsoft.com/v2/": dial tcp: lookup mcr.microsoft.com: no such host.`},
		{"containerd build-matched", ctrd, nano2022, ""},
		{"containerd linux without platform", ctrd, "busybox", "no match for platform in manifest: not found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := runningHost(t, c.host)
			pulled, err := m.Pull(c.host.engine, c.image)
			if !checkErr(t, err, c.want) {
				if pulled || m.HasImage(c.image) || len(m.Images()) != 0 {
					t.Fatalf("a refused pull stored the image: pulled %v, images %v", pulled, m.Images())
				}
				if strings.HasPrefix(err.Error(), "docker: ") {
					t.Fatalf("docker pull does not print the run prefix: %v", err)
				}
				return
			}
			if !pulled || !slices.Equal(m.Images(), []string{c.image}) {
				t.Fatalf("pulled %v, images %v", pulled, m.Images())
			}
			again, err := m.Pull(c.host.engine, c.image)
			checkErr(t, err, "")
			if again {
				t.Fatal("a present image was pulled again")
			}
		})
	}
}

func TestPullEngineStopped(t *testing.T) {
	m := runningHost(t, hostSpec{build: 20348, engine: "docker", version: "29.2.1"})
	m.StopService("docker")
	_, err := m.Pull("docker", "mcr.microsoft.com/windows/nanoserver:ltsc2022")
	checkErr(t, err, "open //./pipe/docker_engine: The system cannot find the file specified.")
}

// dockerd keeps its identity in the data root (engine-id from 23.0, key.json under config before),
// writes docker.pid while it runs and removes it at a clean stop, and removes an empty panic.log then;
// a panic.log with content stays and is moved aside at the next start.
func TestEngineStateFiles(t *testing.T) {
	cases := []struct {
		name     string
		host     hostSpec
		daemon   string
		identity string
		pid      string
		panicLog string
	}{
		{"docker 29", hostSpec{build: 20348, engine: "docker", version: "29.2.1"}, "",
			DockerRoot + `\engine-id`, DockerRoot + `\docker.pid`, DockerRoot + `\panic.log`},
		{"docker 20.10", hostSpec{build: 14393, engine: "docker", version: "20.10.24"}, "",
			DockerRoot + `\config\key.json`, DockerRoot + `\docker.pid`, DockerRoot + `\panic.log`},
		{"docker data-root and pidfile", hostSpec{build: 20348, engine: "docker", version: "29.2.1"}, `{"data-root": "D:\\docker", "pidfile": "D:\\run\\dockerd.pid"}`,
			`D:\docker\engine-id`, `D:\run\dockerd.pid`, `D:\docker\panic.log`},
		{"containerd", hostSpec{build: 20348, engine: "containerd", version: "2.1.2"}, "", "", "", ContainerdRoot + `\panic.log`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := runningHost(t, c.host)
			if c.daemon != "" {
				m.StopService("docker")
				m.WriteFile(DaemonJSON, []byte(c.daemon))
				checkErr(t, m.StartService("docker"), "")
			}
			var id File
			if c.identity != "" {
				var ok bool
				if id, ok = m.File(c.identity); !ok || id.Size == 0 {
					t.Fatalf("no identity file %s after start", c.identity)
				}
			}
			if _, ok := m.File(c.pid); c.pid != "" && !ok {
				t.Fatalf("no %s while running", c.pid)
			}
			if _, ok := m.File(c.panicLog); !ok {
				t.Fatalf("no %s while running", c.panicLog)
			}
			m.StopService(c.host.engine)
			if _, ok := m.File(c.pid); c.pid != "" && ok {
				t.Fatalf("%s stays after a clean stop", c.pid)
			}
			if _, ok := m.File(c.panicLog); ok {
				t.Fatalf("an empty %s stays after a clean stop", c.panicLog)
			}
			// The identity survives restarts; a panic.log with content is moved aside at the next start.
			m.WriteFile(c.panicLog, []byte("panic: boom"))
			checkErr(t, m.StartService(c.host.engine), "")
			if again, _ := m.File(c.identity); c.identity != "" && again.SHA256 != id.SHA256 {
				t.Fatal("the engine's identity changed across a restart")
			}
			if old, ok := m.File(c.panicLog + ".old"); !ok || string(old.Content) != "panic: boom" {
				t.Fatalf("panic.log.old = %q, %v", old.Content, ok)
			}
			m.Boot()
			if _, ok := m.File(c.pid); c.pid != "" && !ok {
				t.Fatal("no PID file after the boot started the engine again")
			}
			// A new identity only when the file is gone (a clone prepared for generalization).
			if c.identity != "" {
				m.StopService(c.host.engine)
				m.RemoveFile(c.identity)
				checkErr(t, m.StartService(c.host.engine), "")
				if fresh, ok := m.File(c.identity); !ok || fresh.SHA256 == id.SHA256 {
					t.Fatal("a removed identity was not created anew")
				}
			}
		})
	}
}

func TestNetworks(t *testing.T) {
	m := runningHost(t, hostSpec{build: 20348, engine: "containerd", version: "2.1.2"})
	if !m.CreateNetwork("nat", "NAT") || m.CreateNetwork("nat", "NAT") {
		t.Fatal("CreateNetwork must create once")
	}
	if !m.RemoveNetwork("nat") || m.RemoveNetwork("nat") || len(m.Networks()) != 0 {
		t.Fatal("RemoveNetwork must remove once")
	}
	// nerdctl run: the CNI nat plugin creates the network its configuration names when HNS lacks it.
	m.WriteFile(CNIConfig, []byte(`{"cniVersion": "0.2.0", "name": "nat", "type": "nat"}`))
	if _, err := m.Run(RunOptions{Engine: "containerd", Image: "mcr.microsoft.com/windows/nanoserver:ltsc2022", Isolation: "process", Pull: true}); err != nil {
		t.Fatal(err)
	}
	if got := m.Networks(); got["nat"] != "NAT" {
		t.Fatalf("networks after a run %v", got)
	}
}
