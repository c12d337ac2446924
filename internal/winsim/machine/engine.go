package machine

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// EngineError is an engine's failure with the text the real engine prints or logs.
type EngineError struct{ Message string }

func (e *EngineError) Error() string { return e.Message }

// Engine service names, binaries and the command line their --register-service writes.
var engineBinaries = map[string]string{"docker": Dockerd, "containerd": Containerd}

// EngineBinary is the service executable of an engine ("" for an unknown one).
func EngineBinary(engine string) string { return engineBinaries[engine] }

// InstallEngine places an engine's binaries, as extracting its archive does. version is what the
// archive holds (winsim does not open archives: it trusts the version the step declares). A running
// service must have been stopped first: Windows does not let a running executable be replaced.
func (m *Machine) InstallEngine(engine, version string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.services[engine]; s != nil && s.State == Running {
		return &EngineError{fmt.Sprintf("Copy-Item : The process cannot access the file '%s' because it is being used by another process.", engineBinaries[engine])}
	}
	exe := func(path, v string) {
		m.files[strings.ToLower(path)] = File{Size: 50 << 20, SHA256: syntheticHash(path + "@" + v), Version: v}
	}
	switch engine {
	case "docker":
		exe(Dockerd, version)
		exe(DockerCLI, version)
	case "containerd":
		exe(Containerd, version)
		exe(ContainerdDir+`\bin\ctr.exe`, version)
		exe(ContainerdDir+`\bin\containerd-shim-runhcs-v1.exe`, version)
	default:
		return fmt.Errorf("unknown engine %q", engine)
	}
	return nil
}

// InstallTool places nerdctl or the CNI plugins.
func (m *Machine) InstallTool(path, version string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files[strings.ToLower(path)] = File{Size: 30 << 20, SHA256: syntheticHash(path + "@" + version), Version: version}
}

// RegisterService is `dockerd --register-service` / `containerd --register-service`: an own-process
// service, start type Automatic, whose command line is the binary, --run-service and every other
// argument given (docs/knowledge/windows.md#installing-docker). It fails if the service exists, as CreateService does.
func (m *Machine) RegisterService(engine string, extraArgs ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	exe, ok := engineBinaries[engine]
	if !ok {
		return fmt.Errorf("unknown engine %q", engine)
	}
	if _, ok := m.files[strings.ToLower(exe)]; !ok {
		return &EngineError{fmt.Sprintf("The term '%s' is not recognized as the name of a cmdlet, function, script file, or operable program.", exe)}
	}
	if m.services[engine] != nil {
		return &EngineError{"The specified service already exists."}
	}
	display := map[string]string{"docker": "Docker Engine", "containerd": "containerd"}[engine]
	line := `"` + exe + `" --run-service`
	if len(extraArgs) > 0 {
		line += " " + strings.Join(extraArgs, " ")
	}
	m.services[engine] = &Service{Name: engine, DisplayName: display, State: Stopped, StartType: Automatic, PathName: line}
	if engine == "docker" {
		// dockerd installs its event log source after it created the service, and golang.org/x/sys's
		// eventlog.Install refuses a key that exists: the command fails with the service left behind
		// (moby daemon/command/service_windows.go registerService, v27 to v29).
		if m.eventSources[engine] {
			return &EngineError{eventLogKey + `\` + engine + " registry key already exists"}
		}
		m.eventSources[engine] = true
	}
	return nil
}

// eventLogKey is where Windows keeps the Application event log's sources (without the HKLM: drive).
const eventLogKey = `SYSTEM\CurrentControlSet\Services\EventLog\Application`

// UnregisterService is --unregister-service: the service must be stopped. dockerd also removes its
// event log source (eventlog.Remove).
func (m *Machine) UnregisterService(engine string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.services[engine]
	if s == nil {
		return nil
	}
	if s.State == Running {
		return &EngineError{"The service cannot accept control messages at this time."}
	}
	delete(m.services, engine)
	delete(m.engines, engine)
	delete(m.eventSources, engine)
	return nil
}

// DeleteService is `sc.exe delete <name>`: the service goes, and the event log source its engine made
// stays (it is another registry key, which only the engine's own --unregister-service removes).
func (m *Machine) DeleteService(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.services[name]
	if s == nil {
		return &EngineError{"[SC] OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service."}
	}
	// Windows marks a running service for deletion and deletes it when it stops; the scripts stop it
	// first, and winsim deletes it at once (not modelled).
	delete(m.services, name)
	delete(m.engines, name)
	return nil
}

// EventSource reports whether the Application event log has a source of that name (a registry key).
func (m *Machine) EventSource(name string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.eventSources[name]
}

// RemoveEventSource is Remove-Item on the source's key; it reports whether the key existed.
func (m *Machine) RemoveEventSource(name string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	had := m.eventSources[name]
	delete(m.eventSources, name)
	return had
}

// SetStartType is Set-Service -StartupType.
func (m *Machine) SetStartType(name, startType string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.services[name]
	if s == nil {
		return &EngineError{fmt.Sprintf("Set-Service : Service %s was not found on computer '.'.", name)}
	}
	s.StartType = startType
	return nil
}

// StopService is Stop-Service.
func (m *Machine) StopService(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.services[name]; s != nil {
		s.State = Stopped
	}
	m.stopEngineLocked(name)
}

// StartService is Start-Service followed by the engine's own start: the service runs, or stops again
// at once with the engine's error in the Application event log (and as the returned error).
func (m *Machine) StartService(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.startLocked(name, false)
}

// startLocked starts a service; atBoot is true for the service control manager's start of an
// Automatic service while Windows boots.
func (m *Machine) startLocked(name string, atBoot bool) error {
	s := m.services[name]
	if s == nil {
		return &EngineError{fmt.Sprintf("Start-Service : Cannot find any service with service name '%s'.", name)}
	}
	if s.State == Running {
		return nil
	}
	var err error
	switch name {
	case "docker":
		err = m.dockerdStart(s, atBoot)
	case "containerd":
		err = m.containerdStart()
	default:
		s.State = Running
		return nil
	}
	if err != nil {
		s.State = Stopped
		m.logLocked(name, err.Error())
		return err
	}
	s.State = Running
	if slices.Contains(m.faults.CrashServices, name) {
		// Start-Service has returned; the process exits moments later and the Service Control Manager
		// records it (event 7034). The caller sees a Stopped service, not an error.
		s.State = Stopped
		m.stopEngineLocked(name)
		m.logLocked(name, "The "+s.DisplayName+" service terminated unexpectedly.  It has done this 1 time(s).")
	}
	return nil
}

// dockerd's checks at start (moby checkSystem and configuration loading; docs/knowledge/windows.md#what-dockerd-checks-at-start, #installing-docker, #known-errors).
func (m *Machine) dockerdStart(s *Service, atBoot bool) error {
	exe, ok := m.files[strings.ToLower(Dockerd)]
	if !ok {
		return &EngineError{"The system cannot find the file specified."}
	}
	if major(exe.Version) >= 23 && m.cfg.Build < 17763 {
		return &EngineError{"failed to start daemon: this version of Windows does not support the docker daemon (Windows build 17763 or higher is required)"}
	}
	if m.features["Containers"] != m.present() {
		return &EngineError{"failed to start daemon: failed to load vmcompute.dll, ensure that the Containers feature is installed"}
	}
	if m.faults.HNSBroken {
		return &EngineError{HNSDefaultNetworkText}
	}
	if atBoot && m.faults.HNSFirstBoot {
		// HNS is still coming up when the service control manager starts docker at boot: dockerd exits
		// with service-specific exit code 1 (moby service_windows.go Execute), a stop that is not a
		// crash, so the restart actions --register-service sets (60 s, crashes only) do not fire.
		m.faults.HNSFirstBoot = false
		return &EngineError{HNSFirstBootText}
	}
	cfg := map[string]any{}
	if f, ok := m.files[strings.ToLower(DaemonJSON)]; ok {
		prefix := "unable to configure the Docker daemon with file " + DaemonJSON + ": "
		if err := json.Unmarshal(f.Content, &cfg); err != nil {
			return &EngineError{prefix + err.Error()}
		}
		var unknown []string
		for k := range cfg {
			if !slices.Contains(daemonKeys, k) {
				unknown = append(unknown, k)
			}
		}
		if len(unknown) > 0 {
			slices.Sort(unknown)
			return &EngineError{prefix + "the following directives don't match any configuration option: " + strings.Join(unknown, ", ")}
		}
		if _, ok := cfg["hosts"]; ok && (strings.Contains(s.PathName, " -H ") || strings.Contains(s.PathName, " --host")) {
			return &EngineError{prefix + "the following directives are specified both as a flag and in the configuration file: hosts"}
		}
		// The merged configuration is validated before the API's TLS files are loaded, the log level first
		// (docs/knowledge/windows.md#what-dockerd-checks-at-start).
		if lvl, ok := cfg["log-level"].(string); ok && lvl != "" && !slices.Contains(logLevels, strings.ToLower(lvl)) {
			return &EngineError{prefix + "merged configuration validation from file and command line flags failed: invalid logging level: " + lvl}
		}
		if err := m.dockerdTLSLocked(cfg); err != nil {
			return err
		}
	}
	st := &engineState{isolation: "process", dataRoot: DockerRoot}
	if root, ok := cfg["data-root"].(string); ok && root != "" {
		st.dataRoot = root
	}
	if m.cfg.Client {
		st.isolation = "hyperv"
	}
	if opts, ok := cfg["exec-opts"].([]any); ok {
		for _, o := range opts {
			if v, ok := o.(string); ok && strings.HasPrefix(strings.ToLower(v), "isolation=") {
				iso := strings.ToLower(strings.TrimPrefix(strings.ToLower(v), "isolation="))
				if iso != "process" && iso != "hyperv" && iso != "default" {
					return &EngineError{fmt.Sprintf("failed to start daemon: Invalid exec-opt value for 'isolation':'%s'. Must be one of 'default', 'process' or 'hyperv'.", iso)}
				}
				if iso != "default" {
					st.isolation = iso
				}
			}
		}
	}
	st.experimental, _ = cfg["experimental"].(bool)
	st.pidFile = st.dataRoot + `\docker.pid`
	if pf, ok := cfg["pidfile"].(string); ok && pf != "" {
		st.pidFile = pf
	}
	st.panicLog = st.dataRoot + `\panic.log`
	m.dockerdIdentity(st.dataRoot, exe.Version)
	m.writeStateLocked(st.pidFile, strconv.Itoa(4000+len(m.events)))
	m.openPanicLog(st.panicLog)
	m.engines["docker"] = st
	return nil
}

// dockerdTLSLocked is dockerd loading its API server's TLS files when "tlsverify" is true, with the
// errors of docker/go-connections tlsconfig.Server: the certificate and key are read first
// (tls.LoadX509KeyPair reads the certificate, then the key), then the CA that signs client
// certificates. Only a missing file is modelled; the files' contents are not parsed.
func (m *Machine) dockerdTLSLocked(cfg map[string]any) error {
	if v, _ := cfg["tlsverify"].(bool); !v {
		return nil
	}
	ca, _ := cfg["tlscacert"].(string)
	cert, _ := cfg["tlscert"].(string)
	key, _ := cfg["tlskey"].(string)
	const notFound = ": The system cannot find the file specified."
	for _, f := range []string{cert, key} {
		if _, ok := m.files[strings.ToLower(f)]; !ok {
			return &EngineError{fmt.Sprintf("Could not load X509 key pair (cert: %q, key: %q): open %s%s", cert, key, f, notFound)}
		}
	}
	if _, ok := m.files[strings.ToLower(ca)]; !ok {
		return &EngineError{fmt.Sprintf("could not read CA certificate %q: open %s%s", ca, ca, notFound)}
	}
	return nil
}

// dockerdIdentity is the engine's ID as dockerd keeps it: Docker 23 and later store a UUID in
// <data-root>\engine-id, created at the first start (moby daemon/id.go); earlier engines derived it from
// the libtrust key <data-root>\config\key.json, created at the first start (moby cmd/dockerd
// getDaemonConfDir, defaultTrustKeyFile). A clone that keeps the file keeps the ID.
func (m *Machine) dockerdIdentity(root, version string) {
	path, content := root+`\engine-id`, newUUID()
	if major(version) < 23 {
		path = root + `\config\key.json`
		content = `{"crv":"P-256","d":"` + syntheticHash(content)[:43] + `","kid":"` + strings.ToUpper(content[:4]) + `","kty":"EC"}`
	}
	if _, ok := m.files[strings.ToLower(path)]; !ok {
		m.writeStateLocked(path, content)
	}
}

// openPanicLog is initPanicFile (moby and containerd service_windows.go): a service start redirects
// stderr to panic.log, moving a non-empty one aside to panic.log.old first.
func (m *Machine) openPanicLog(path string) {
	if f, ok := m.files[strings.ToLower(path)]; ok && f.Size > 0 {
		m.files[strings.ToLower(path+".old")] = f
	}
	m.writeStateLocked(path, "")
}

// writeStateLocked writes a file an engine keeps about itself.
func (m *Machine) writeStateLocked(path, content string) {
	m.writeLocked(path, []byte(content))
}

// stopEngineLocked is a clean stop of an engine: dockerd removes its PID file, and both engines remove
// an empty panic.log (removePanicFile); a panic.log with content stays.
func (m *Machine) stopEngineLocked(name string) {
	st := m.engines[name]
	if st == nil {
		return
	}
	if st.pidFile != "" {
		delete(m.files, strings.ToLower(st.pidFile))
	}
	if f, ok := m.files[strings.ToLower(st.panicLog)]; ok && f.Size == 0 {
		delete(m.files, strings.ToLower(st.panicLog))
	}
	delete(m.engines, name)
}

func (m *Machine) containerdStart() error {
	if _, ok := m.files[strings.ToLower(Containerd)]; !ok {
		return &EngineError{"The system cannot find the file specified."}
	}
	st := &engineState{isolation: "process", panicLog: ContainerdRoot + `\panic.log`}
	m.openPanicLog(st.panicLog)
	m.engines["containerd"] = st
	return nil
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// daemonKeys are daemon.json options dockerd accepts (a subset of docker/cli's dockerd reference that
// covers what hosts use on Windows).
var daemonKeys = []string{"authorization-plugins", "bridge", "data-root", "debug", "default-ulimits", "dns", "dns-opts", "dns-search",
	"exec-opts", "exec-root", "experimental", "features", "fixed-cidr", "group", "hosts", "insecure-registries", "labels",
	"live-restore", "log-driver", "log-level", "log-opts", "max-concurrent-downloads", "max-concurrent-uploads",
	"max-download-attempts", "metrics-addr", "mtu", "pidfile", "raw-logs", "registry-mirrors", "shutdown-timeout",
	"storage-driver", "storage-opts", "tls", "tlscacert", "tlscert", "tlskey", "tlsverify", "builder", "containerd",
	"proxies", "allow-nondistributable-artifacts", "default-runtime", "runtimes"}

// logLevels are the levels dockerd's configuration validation accepts for "log-level", in any case.
var logLevels = []string{"panic", "fatal", "error", "warn", "info", "debug", "trace"}

// EngineInfo is what `docker version` / `docker info` report about a running engine.
type EngineInfo struct {
	Version      string
	OSArch       string
	Isolation    string
	Experimental bool
	// DataRoot is docker info's DockerRootDir: daemon.json's "data-root" as the daemon read it at its
	// last start, else C:\ProgramData\docker; "" for containerd.
	DataRoot string
}

// Info answers `docker version` / `nerdctl version` over the engine's pipe.
func (m *Machine) Info(engine string) (EngineInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.engines[engine]
	s := m.services[engine]
	if st == nil || s == nil || s.State != Running {
		if engine == "docker" {
			return EngineInfo{}, &EngineError{"error during connect: this error may indicate that the docker daemon is not running: Get \"http://%2F%2F.%2Fpipe%2Fdocker_engine/v1.24/version\": open //./pipe/docker_engine: The system cannot find the file specified."}
		}
		return EngineInfo{}, &EngineError{"time=\"\" level=fatal msg=\"cannot access containerd socket \\\"\\\\\\\\.\\\\pipe\\\\containerd-containerd\\\"\": open \\\\.\\pipe\\containerd-containerd: The system cannot find the file specified.\""}
	}
	return EngineInfo{Version: m.files[strings.ToLower(engineBinaries[engine])].Version, OSArch: "windows/amd64",
		Isolation: st.isolation, Experimental: st.experimental, DataRoot: st.dataRoot}, nil
}

func major(v string) int {
	var a int
	_, _ = fmt.Sscanf(v, "%d.", &a)
	return a
}
