package machine

import (
	"strings"
	"testing"
)

// hostSpec is a container host with Containers installed and one engine running.
type hostSpec struct {
	build        int
	client       bool
	hyperV       bool
	engine       string
	version      string
	experimental bool
	lcowFiles    []string // files put under LCOWDir
	offline      bool
}

func runningHost(t *testing.T, h hostSpec) *Machine {
	t.Helper()
	m := newMachine(Config{Build: h.build, Client: h.client, Virtualization: "exposed", Offline: h.offline})
	features := []string{"Containers"}
	if h.hyperV {
		features = append(features, m.HyperVName())
	}
	for _, f := range features {
		if _, err := m.InstallFeature(f); err != nil {
			t.Fatal(err)
		}
	}
	m.Boot()
	checkErr(t, m.InstallEngine(h.engine, h.version), "")
	if h.experimental {
		m.WriteFile(DaemonJSON, []byte(`{"experimental": true}`))
	}
	for _, f := range h.lcowFiles {
		m.PutFile(LCOWDir+`\`+f, File{Size: 10 << 20, SHA256: syntheticHash(f)})
	}
	checkErr(t, m.RegisterService(h.engine), "")
	checkErr(t, m.StartService(h.engine), "")
	return m
}

func TestRun(t *testing.T) {
	const (
		sc2019   = "mcr.microsoft.com/windows/servercore:ltsc2019"
		sc2022   = "mcr.microsoft.com/windows/servercore:ltsc2022"
		nano2025 = "mcr.microsoft.com/windows/nanoserver:ltsc2025"
		busybox  = "busybox"
		mismatch = "The container operating system does not match the host operating system. (0xc0370101)"
		noHV     = "The virtual machine could not be started because a required feature is not installed."
		noKernel = `failed to start service utility VM (createreadwrite): kernel 'C:\Program Files\Linux Containers\kernel' not found.`
	)
	docker29 := func(build int) hostSpec { return hostSpec{build: build, engine: "docker", version: "29.2.1"} }
	ctrd := func(build int) hostSpec { return hostSpec{build: build, engine: "containerd", version: "1.7.22"} }
	withHV := func(h hostSpec) hostSpec { h.hyperV = true; return h }
	lcow := func(files ...string) hostSpec {
		return hostSpec{build: 17763, hyperV: true, engine: "docker", version: "20.10.24", experimental: true, lcowFiles: files}
	}
	cases := []struct {
		name   string
		host   hostSpec
		opts   RunOptions
		want   string
		iso    string
		output string
		uvm    bool
	}{
		{name: "17763 runs ltsc2019 process", host: docker29(17763),
			opts: RunOptions{Image: sc2019, Isolation: "process", Pull: true}, iso: "process", output: "10.0.17763"},
		{name: "17763 default isolation is process on server", host: docker29(17763),
			opts: RunOptions{Image: "mcr.microsoft.com/windows/nanoserver:1809", Pull: true}, iso: "process", output: "10.0.17763"},
		{name: "17763 docker blocks ltsc2022 pull", host: docker29(17763),
			opts: RunOptions{Image: sc2022, Isolation: "process", Pull: true},
			want: "docker: Error response from daemon: a Windows version 10.0.20348-based image is incompatible with a 10.0.17763 host."},
		{name: "17763 docker blocks ltsc2022 pull under hyperv too", host: withHV(docker29(17763)),
			opts: RunOptions{Image: sc2022, Isolation: "hyperv", Pull: true},
			want: "a Windows version 10.0.20348-based image is incompatible with a 10.0.17763 host"},
		{name: "17763 docker ltsc2016 process mismatch", host: docker29(17763),
			opts: RunOptions{Image: "mcr.microsoft.com/windows/servercore:ltsc2016", Isolation: "process", Pull: true}, want: mismatch},
		{name: "17763 docker ltsc2016 hyperv", host: withHV(docker29(17763)),
			opts: RunOptions{Image: "mcr.microsoft.com/windows/servercore:ltsc2016", Isolation: "hyperv", Pull: true}, iso: "hyperv", output: "10.0.14393", uvm: true},
		{name: "14393 containerd refused (HCS v2 needs 17763)", host: ctrd(14393),
			opts: RunOptions{Image: "mcr.microsoft.com/windows/servercore:ltsc2016", Isolation: "process", Pull: true},
			want: "failed to create shim task: hcs::CreateComputeSystem 4f6b1c0e9a2d: The request is not supported. (0x32)"},
		{name: "17763 containerd ltsc2022 process mismatch", host: ctrd(17763),
			opts: RunOptions{Image: sc2022, Isolation: "process", Pull: true}, want: mismatch},
		{name: "20348 docker ltsc2019 process mismatch", host: docker29(20348),
			opts: RunOptions{Image: sc2019, Isolation: "process", Pull: true}, want: mismatch},
		{name: "20348 docker ltsc2019 hyperv", host: withHV(docker29(20348)),
			opts: RunOptions{Image: sc2019, Isolation: "hyperv", Pull: true}, iso: "hyperv", output: "10.0.17763", uvm: true},
		{name: "20348 containerd ltsc2019 process mismatch", host: ctrd(20348),
			opts: RunOptions{Image: sc2019, Isolation: "process", Pull: true}, want: mismatch},
		{name: "20348 docker blocks ltsc2025 pull", host: docker29(20348),
			opts: RunOptions{Image: nano2025, Isolation: "process", Pull: true},
			want: "a Windows version 10.0.26100-based image is incompatible with a 10.0.20348 host"},
		{name: "20348 containerd ltsc2025 hyperv newer image", host: withHV(ctrd(20348)),
			opts: RunOptions{Image: nano2025, Isolation: "hyperv", Pull: true},
			want: "The operating system of the container does not match the operating system of the host. (0xc0370101)"},
		{name: "26100 docker ltsc2022 process", host: docker29(26100),
			opts: RunOptions{Image: sc2022, Isolation: "process", Pull: true}, iso: "process", output: "10.0.20348"},
		{name: "26100 containerd ltsc2022 process", host: ctrd(26100),
			opts: RunOptions{Image: sc2022, Isolation: "process", Pull: true}, iso: "process", output: "10.0.20348"},
		{name: "22631 client ltsc2022 process", host: hostSpec{build: 22631, client: true, engine: "docker", version: "29.2.1"},
			opts: RunOptions{Image: sc2022, Isolation: "process", Pull: true}, iso: "process", output: "10.0.20348"},
		{name: "26200 containerd ltsc2022 process mismatch", host: ctrd(26200),
			opts: RunOptions{Image: sc2022, Isolation: "process", Pull: true}, want: mismatch},
		{name: "26200 containerd ltsc2025 process", host: ctrd(26200),
			opts: RunOptions{Image: nano2025, Isolation: "process", Pull: true}, iso: "process", output: "10.0.26100"},
		{name: "hyperv without Hyper-V", host: docker29(20348),
			opts: RunOptions{Image: sc2022, Isolation: "hyperv", Pull: true}, want: noHV},
		{name: "client default hyperv without Hyper-V", host: hostSpec{build: 22631, client: true, engine: "docker", version: "29.2.1"},
			opts: RunOptions{Image: sc2022, Pull: true}, want: noHV},
		{name: "client default hyperv with Hyper-V", host: hostSpec{build: 22631, client: true, hyperV: true, engine: "docker", version: "29.2.1"},
			opts: RunOptions{Image: sc2022, Pull: true}, iso: "hyperv", output: "10.0.20348", uvm: true},
		{name: "LCOW with boot files", host: lcow("kernel", "initrd.img"),
			opts: RunOptions{Image: busybox, Platform: "linux", Pull: true}, iso: "hyperv", output: "Linux\n", uvm: true},
		{name: "LCOW boot files lower-case", host: lcow("KERNEL", "Initrd.img"),
			opts: RunOptions{Image: busybox, Platform: "linux", Pull: true}, iso: "hyperv", output: "Linux\n", uvm: true},
		{name: "LCOW without boot files", host: lcow(),
			opts: RunOptions{Image: busybox, Platform: "linux", Pull: true}, want: noKernel},
		{name: "LCOW without kernel", host: lcow("initrd.img"),
			opts: RunOptions{Image: busybox, Platform: "linux", Pull: true}, want: noKernel},
		{name: "LCOW without initrd", host: lcow("kernel"),
			opts: RunOptions{Image: busybox, Platform: "linux", Pull: true}, want: "failed to start service utility VM (createreadwrite)"},
		{name: "LCOW without Hyper-V", host: hostSpec{build: 17763, engine: "docker", version: "20.10.24", experimental: true, lcowFiles: []string{"kernel", "initrd.img"}},
			opts: RunOptions{Image: busybox, Platform: "linux", Pull: true}, want: noHV},
		{name: "LCOW not experimental", host: hostSpec{build: 17763, hyperV: true, engine: "docker", version: "20.10.24", lcowFiles: []string{"kernel", "initrd.img"}},
			opts: RunOptions{Image: busybox, Platform: "linux", Pull: true}, want: "docker: Error response from daemon: unsupported os linux."},
		{name: "LCOW experimental before RS5", host: hostSpec{build: 17134, hyperV: true, engine: "docker", version: "20.10.24", experimental: true, lcowFiles: []string{"kernel", "initrd.img"}},
			opts: RunOptions{Image: busybox, Platform: "linux", Pull: true}, want: "unsupported os linux"},
		{name: "docker 29 experimental platform linux", host: hostSpec{build: 20348, hyperV: true, engine: "docker", version: "29.2.1", experimental: true, lcowFiles: []string{"kernel", "initrd.img"}},
			opts: RunOptions{Image: busybox, Platform: "linux", Pull: true}, want: "docker: Error response from daemon: unsupported os linux."},
		{name: "docker 29 linux image without platform", host: docker29(20348),
			opts: RunOptions{Image: busybox, Pull: true}, want: `image operating system "linux" cannot be used on this platform`},
		{name: "offline pull from MCR", host: hostSpec{build: 20348, engine: "docker", version: "29.2.1", offline: true},
			opts: RunOptions{Image: sc2022, Pull: true},
			want: `Get "https://mcr.microsoft.com/v2/": dial tcp: lookup mcr.microsoft.com: no such host`},
		{name: "offline pull from Docker Hub", host: hostSpec{build: 17763, hyperV: true, engine: "docker", version: "20.10.24", experimental: true, offline: true, lcowFiles: []string{"kernel", "initrd.img"}},
			opts: RunOptions{Image: busybox, Platform: "linux", Pull: true},
			want: "dial tcp: lookup registry-1.docker.io: no such host"},
		{name: "absent image without pull", host: docker29(20348),
			opts: RunOptions{Image: sc2022, Isolation: "process"},
			want: "Unable to find image 'mcr.microsoft.com/windows/servercore:ltsc2022' locally"},
		{name: "unknown tag", host: docker29(20348),
			opts: RunOptions{Image: "mcr.microsoft.com/windows/servercore:ltsc2099", Pull: true},
			want: `manifest for mcr.microsoft.com/windows/servercore:ltsc2099 not found: manifest unknown: manifest tagged by "ltsc2099" is not found.`},
		{name: "hotfix tag", host: docker29(20348),
			opts: RunOptions{Image: "mcr.microsoft.com/windows/servercore:ltsc2022-KB5034129", Isolation: "process", Pull: true}, iso: "process", output: "10.0.20348"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := runningHost(t, c.host)
			c.opts.Engine = c.host.engine
			res, err := m.Run(c.opts)
			if !checkErr(t, err, c.want) {
				if res.HostSeesProcess || res.UtilityVM || res.Output != "" {
					t.Fatalf("a failed run reports %+v", res)
				}
				return
			}
			if res.Isolation != c.iso || !strings.Contains(res.Output, c.output) || res.UtilityVM != c.uvm || res.HostSeesProcess != (c.iso == "process") || !res.Pulled {
				t.Fatalf("Run = %+v, want isolation %q, output with %q, utility VM %v, pulled", res, c.iso, c.output, c.uvm)
			}
			if !m.HasImage(c.opts.Image) {
				t.Fatal("the pulled image is not in the store")
			}
			// The image is present now: running it again needs no pull and gives the same result.
			c.opts.Pull = false
			again, err := m.Run(c.opts)
			checkErr(t, err, "")
			res.Pulled = false
			if again != res {
				t.Fatalf("second run %+v, want %+v", again, res)
			}
		})
	}
}

func TestRunEngineNotRunning(t *testing.T) {
	cases := []struct {
		name string
		stop bool
		eng  string
		want string
	}{
		{"stopped", true, "docker", "open //./pipe/docker_engine: The system cannot find the file specified."},
		{"other engine", false, "containerd", `open \\.\pipe\containerd-containerd: The system cannot find the file specified.`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := runningHost(t, hostSpec{build: 20348, engine: "docker", version: "29.2.1"})
			if c.stop {
				m.StopService("docker")
			}
			_, err := m.Run(RunOptions{Engine: c.eng, Image: "mcr.microsoft.com/windows/servercore:ltsc2022", Pull: true})
			checkErr(t, err, c.want)
			if m.HasImage("mcr.microsoft.com/windows/servercore:ltsc2022") {
				t.Fatal("a refused run pulled the image")
			}
		})
	}
}
