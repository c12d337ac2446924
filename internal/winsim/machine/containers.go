package machine

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// imageBuilds maps Windows base image tags to their OS build (docs/knowledge/windows.md#base-images), written for winsim.
var imageBuilds = map[string]int{
	"ltsc2016": 14393, "1607": 14393, "1709": 16299, "1803": 17134, "1809": 17763, "ltsc2019": 17763,
	"1903": 18362, "1909": 18363, "2004": 19041, "20h2": 19042, "ltsc2022": 20348, "ltsc2025": 26100,
}

var windowsImage = regexp.MustCompile(`^mcr\.microsoft\.com/windows(?:/(?:servercore|nanoserver|server))?:([A-Za-z0-9.\-]+)$`)

// imageOS returns "windows" with the image's build, or "linux" for anything else (Docker Hub images
// such as busybox).
func imageOS(image string) (string, int, bool) {
	if m := windowsImage.FindStringSubmatch(image); m != nil {
		tag := strings.ToLower(m[1])
		if i := strings.Index(tag, "-kb"); i > 0 {
			tag = tag[:i]
		}
		b, ok := imageBuilds[tag]
		return "windows", b, ok
	}
	if strings.HasPrefix(image, "mcr.microsoft.com/windows") {
		return "windows", 0, false
	}
	return "linux", 0, true
}

// RunOptions are a container run's options.
type RunOptions struct {
	Engine    string // docker or containerd
	Image     string
	Isolation string // process or hyperv; "" = the daemon's default
	Platform  string // "linux" for LCOW
	// Pull allows pulling an image that is not present.
	Pull bool
}

// RunResult is what running a container showed.
type RunResult struct {
	Output string
	// Isolation is the isolation the container actually had.
	Isolation string
	// HostSeesProcess is true when the container's process is visible on the host (process isolation);
	// UtilityVM is true when a vmwp.exe worker ran for it (Hyper-V isolation and LCOW).
	HostSeesProcess bool
	UtilityVM       bool
	Pulled          bool
}

// HasImage reports whether an image is in the engine's store.
func (m *Machine) HasImage(image string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.images[image]
}

// Pull is `docker pull <image>` (or nerdctl's on containerd's pipe) for the host's platform: it reports
// whether the image was fetched (false when it was already in the store), or the error the client prints.
func (m *Machine) Pull(engine, image string) (pulled bool, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.engines[engine]
	if s := m.services[engine]; st == nil || s == nil || s.State != Running {
		return false, engineDown(engine)
	}
	if m.images[image] {
		return false, nil
	}
	legacyLCOW := engine == "docker" && major(m.files[strings.ToLower(Dockerd)].Version) < 23 && st.experimental && m.cfg.Build >= 17763
	if err := m.pullLocked(engine, image, "", legacyLCOW); err != nil {
		return false, err
	}
	return true, nil
}

// pullLocked fetches an image with the engine's checks, in the order a pull meets them: the registry
// must answer; a Windows tag must exist; Docker refuses a Windows image built for a newer build than the
// host's (checkImageCompatibility, moby#36184) [MOBY-PULL]; a Linux image has no manifest for the
// Windows platform unless the pull asks for linux (or legacy LCOW serves it). The errors are the
// daemon's, as `docker pull` prints them (`docker run` adds "docker: ").
func (m *Machine) pullLocked(engine, image, platform string, legacyLCOW bool) error {
	if m.cfg.Offline {
		registry := "registry-1.docker.io"
		if strings.HasPrefix(image, "mcr.microsoft.com/") {
			registry = "mcr.microsoft.com"
		}
		return &EngineError{fmt.Sprintf("Error response from daemon: Get \"https://%s/v2/\": dial tcp: lookup %s: no such host.", registry, registry)}
	}
	osName, imgBuild, known := imageOS(image)
	switch {
	case osName == "linux" && platform != "linux" && !legacyLCOW:
		if engine == "containerd" {
			// containerd's Windows platform matcher finds no windows entry [I-CTRD6313].
			return &EngineError{"no match for platform in manifest: not found"}
		}
		// distribution/pull_v2.go noMatchesErr with formatPlatform (pull_v2_windows.go).
		return &EngineError{fmt.Sprintf("Error response from daemon: no matching manifest for windows/amd64 10.0.%d in the manifest list entries", m.cfg.Build)}
	case osName == "windows" && !known:
		return &EngineError{fmt.Sprintf("Error response from daemon: manifest for %s not found: manifest unknown: manifest tagged by %q is not found.", image, image[strings.LastIndexByte(image, ':')+1:])}
	case osName == "windows" && imgBuild > m.cfg.Build && engine == "docker":
		return &EngineError{fmt.Sprintf("Error response from daemon: a Windows version 10.0.%d-based image is incompatible with a 10.0.%d host.", imgBuild, m.cfg.Build)}
	case m.faults.DiskFull:
		// The layers cannot be written (Faults.DiskFull); the message ends in ERROR_DISK_FULL's text.
		return &EngineError{"Error response from daemon: failed to register layer: " + DiskFullText}
	}
	m.images[image] = true
	return nil
}

// Images lists the images in the engines' stores, sorted.
func (m *Machine) Images() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return sortedKeys(m.images)
}

func engineDown(engine string) error {
	if engine == "containerd" {
		return &EngineError{`cannot access containerd socket "\\.\pipe\containerd-containerd": open \\.\pipe\containerd-containerd: The system cannot find the file specified.`}
	}
	return &EngineError{"error during connect: open //./pipe/docker_engine: The system cannot find the file specified."}
}

// Run runs a container to completion, with the engine's checks and error texts (docs/knowledge/windows.md#process-isolation, #hyper-v-isolation, #known-errors).
func (m *Machine) Run(o RunOptions) (RunResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.engines[o.Engine]
	if s := m.services[o.Engine]; st == nil || s == nil || s.State != Running {
		return RunResult{}, engineDown(o.Engine)
	}
	exe := m.files[strings.ToLower(engineBinaries[o.Engine])]
	var res RunResult
	osName, imgBuild, _ := imageOS(o.Image)
	legacyLCOW := o.Engine == "docker" && major(exe.Version) < 23 && st.experimental && m.cfg.Build >= 17763
	if o.Platform == "linux" || osName == "linux" {
		if o.Engine == "docker" && !legacyLCOW {
			if o.Platform == "linux" {
				return res, &EngineError{"docker: Error response from daemon: unsupported os linux."}
			}
			return res, &EngineError{"docker: Error response from daemon: image operating system \"linux\" cannot be used on this platform."}
		}
	}
	if !m.images[o.Image] {
		if !o.Pull {
			return res, &EngineError{fmt.Sprintf("Unable to find image '%s' locally, and pulling is off", o.Image)}
		}
		if err := m.pullLocked(o.Engine, o.Image, o.Platform, legacyLCOW); err != nil {
			return res, &EngineError{"docker: " + err.Error()}
		}
		res.Pulled = true
	}
	iso := o.Isolation
	if iso == "" {
		iso = st.isolation
	}
	if osName == "linux" {
		iso = "hyperv"
	}
	res.Isolation = iso
	id := "4f6b1c0e9a2d"
	if o.Engine == "containerd" && m.cfg.Build < 17763 {
		// runhcs drives HCS through the v2 schema, which Windows provides from build 17763 (RS5).
		return res, &EngineError{fmt.Sprintf("failed to create shim task: hcs::CreateComputeSystem %s: The request is not supported. (0x32)", id)}
	}
	if iso == "hyperv" {
		if m.features[m.HyperVName()] != m.present() {
			return res, &EngineError{fmt.Sprintf("docker: Error response from daemon: hcs::CreateComputeSystem %s: The virtual machine could not be started because a required feature is not installed.", id)}
		}
		if !m.hypervisorUp {
			// No exposed virtualization extensions, or the boot loader did not start the hypervisor.
			return res, &EngineError{fmt.Sprintf("docker: Error response from daemon: hcs::CreateComputeSystem %s: failure in a Windows system call: No hypervisor is present on this system. (0xc0351000)", id)}
		}
	}
	if osName == "linux" {
		for _, f := range []struct{ name, what string }{{"kernel", "kernel"}, {"initrd.img", "initrd"}} {
			if _, ok := m.files[strings.ToLower(LCOWDir+`\`+f.name)]; !ok {
				return res, &EngineError{fmt.Sprintf("docker: Error response from daemon: failed to start service utility VM (createreadwrite): %s '%s\\%s' not found.", f.what, LCOWDir, f.name)}
			}
		}
		res.Output, res.UtilityVM = "Linux\n", true
		return res, nil
	}
	if iso == "process" && !processCompatible(m.cfg.Build, imgBuild) {
		return res, &EngineError{fmt.Sprintf("docker: Error response from daemon: hcs::CreateComputeSystem %s: The container operating system does not match the host operating system. (0xc0370101)", id)}
	}
	if iso == "hyperv" && imgBuild > m.cfg.Build {
		return res, &EngineError{fmt.Sprintf("docker: Error response from daemon: hcs::CreateComputeSystem %s: The operating system of the container does not match the operating system of the host. (0xc0370101)", id)}
	}
	if o.Engine == "containerd" {
		if err := m.cniNetworkLocked(); err != nil {
			return res, err
		}
	}
	res.Output = fmt.Sprintf("\r\nMicrosoft Windows [Version 10.0.%d.1]\r\n", imgBuild)
	res.HostSeesProcess = iso == "process"
	res.UtilityVM = iso == "hyperv"
	return res, nil
}

// processCompatible: before 20348 the builds must match; from 20348 a host runs images from the latest
// LTSC build earlier than or equal to it up to its own build (containerd's matcher; Docker agrees for
// Windows 11 and Server 2025 hosts running 2022 images; docs/knowledge/windows.md#relaxations-since-server-2022).
func processCompatible(host, image int) bool {
	if host < 20348 {
		return host == image
	}
	floor := 20348
	if host > 26100 {
		floor = 26100
	}
	return image >= floor && image <= host
}

// cniNetworkLocked is the Windows CNI nat plugin's ADD for a nerdctl container: the HNS network named
// in the CNI configuration is created when HNS does not have it, and an existing one is used as it is
// (getOrCreateNetwork in microsoft/windows-container-networking common/core/network.go, v0.2.0-v0.3.1).
// A broken HNS (Faults.HNSBroken) refuses the creation with HNS's text; the wrapping is libcni's
// "plugin type=... name=... failed (add)" (inferred: the exact nerdctl output on Windows is not quoted
// in the sources).
func (m *Machine) cniNetworkLocked() error {
	f, ok := m.files[strings.ToLower(CNIConfig)]
	if !ok {
		return nil
	}
	var conf struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	if err := json.Unmarshal(f.Content, &conf); err != nil || conf.Name == "" {
		// nerdctl cannot load a configuration it cannot parse (inferred wording).
		return &EngineError{fmt.Sprintf("failed to load cni configuration %s: %v (name %q)", CNIConfig, err, conf.Name)}
	}
	if _, ok := m.networks[conf.Name]; ok {
		return nil
	}
	if m.faults.HNSBroken {
		return &EngineError{fmt.Sprintf("failed to setup network for namespace: plugin type=%q name=%q failed (add): HNS failed with error : The parameter is incorrect.", conf.Type, conf.Name)}
	}
	m.networks[conf.Name] = strings.ToUpper(conf.Type)
	return nil
}

// PullPlatform is a pull for a given platform: `ctr images pull --platform linux/amd64` (LCOW through
// containerd) or `docker pull --platform linux`. Only "linux" (with or without "/amd64") and the host's
// own platform ("windows", "windows/amd64", "") are modelled.
func (m *Machine) PullPlatform(engine, image, platform string) (pulled bool, err error) {
	p := strings.ToLower(platform)
	switch p {
	case "", "windows", "windows/amd64":
		return m.Pull(engine, image)
	case "linux", "linux/amd64":
	default:
		return false, fmt.Errorf("winsim does not model pulls for platform %q", platform)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.engines[engine]
	if s := m.services[engine]; st == nil || s == nil || s.State != Running {
		return false, engineDown(engine)
	}
	if m.images[image] {
		return false, nil
	}
	if err := m.pullLocked(engine, image, "linux", false); err != nil {
		return false, err
	}
	return true, nil
}
