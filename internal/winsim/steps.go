package winsim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/host"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// The step scripts' effects, implemented natively from their contract
// (internal/powershell/scripts/README.md). Each reads its parameters, consults and changes the machine,
// and writes progress and one result line the way the PowerShell script does.

func (s *Sim) registerSteps() {
	steps := map[string]func(m *machine.Machine, p params, out io.Writer) uint32{
		"install-features":   installFeatures,
		"install-docker":     installDocker,
		"install-containerd": installContainerd,
		"configure-daemon":   configureDaemon,
		"start-service":      startService,
		"install-lcow":       installLCOW,
		"verify":             verify,
		"uninstall":          uninstall,
		"pull-images":        pullImages,
		"prepare-image":      prepareImage,
		"write-manifest":     writeManifest,
	}
	for name, fn := range steps {
		s.Host.Register(name, func(_ context.Context, h *host.Host, raw map[string]any, _ io.Reader, stdout, _ io.Writer) uint32 {
			return fn(h.Machine(), params(raw), stdout)
		})
	}
}

type params map[string]any

func (p params) str(k string) string {
	v, _ := p[k].(string)
	return v
}

func (p params) flag(k string) bool {
	v, _ := p[k].(bool)
	return v
}

func (p params) strs(k string) []string {
	var out []string
	if l, ok := p[k].([]any); ok {
		for _, v := range l {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func (p params) sub(k string) params {
	v, _ := p[k].(map[string]any)
	return params(v)
}

func fail(out io.Writer, code, msg, remedy string) uint32 {
	host.WriteResult(out, map[string]any{"error": map[string]string{"code": code, "message": msg, "remedy": remedy}})
	return 1
}

func installFeatures(m *machine.Machine, p params, out io.Writer) uint32 {
	restart := false
	for _, f := range p.strs("features") {
		host.WriteProgress(out, "install-features", "installing "+f)
		need, err := m.InstallFeature(f)
		if err != nil {
			return fail(out, "feature_install_failed", err.Error(), remedyForFeature(f))
		}
		restart = restart || need
	}
	host.WriteResult(out, map[string]any{"features": m.Features(), "restart_needed": restart})
	if restart {
		return 3010
	}
	return 0
}

func remedyForFeature(f string) string {
	if strings.Contains(strings.ToLower(f), "hyper-v") {
		return "expose the processor's virtualization extensions to this machine (nested virtualization for a VM), or use container_mode = \"process\""
	}
	return "check that this Windows edition offers the feature"
}

// fetch gets an archive onto the host and verifies it: the pushed archive_path, or a download. It
// returns the file's hash and whether it was pinned or observed.
func fetch(m *machine.Machine, step, url, archivePath, dest, pinned string, out io.Writer) (string, string, uint32, bool) {
	pinned = strings.ToLower(pinned)
	var f machine.File
	if archivePath != "" {
		var ok bool
		if f, ok = m.File(archivePath); !ok {
			return "", "", fail(out, "download_failed", fmt.Sprintf("the pushed archive %s does not exist", archivePath),
				"push the archive from the controller again"), false
		}
	} else {
		have, ok := m.File(dest)
		if ok && pinned != "" && have.SHA256 == pinned {
			f = have
		} else {
			host.WriteProgress(out, step, "downloading "+url)
			var err error
			if f, err = m.Download(url, dest); err != nil {
				return "", "", fail(out, "download_failed", fmt.Sprintf("downloading %s failed: %s", url, err.Error()),
					"check the host's internet access and proxy, or push the archive from the controller (offline hosts)"), false
			}
		}
	}
	if f.Truncated && pinned == "" {
		// Expand-Archive finds no central directory; the download is deleted so the next run fetches it again.
		if archivePath == "" {
			m.RemoveFile(dest)
		}
		return "", "", fail(out, "install_failed", fmt.Sprintf("expanding %s failed: %s", dest, machine.TruncatedZipText),
			"the download was cut short and has been deleted; run again, and pin the archive's sha256 so a bad download is caught by its hash"), false
	}
	source := "observed"
	if pinned != "" {
		source = "pinned"
		if f.SHA256 != pinned {
			// Get-WcArchive deletes a file that fails its hash, a pushed one too (the next apply pushes it again).
			if archivePath == "" {
				m.RemoveFile(dest)
			} else {
				m.RemoveFile(archivePath)
			}
			return "", "", fail(out, "checksum_mismatch", fmt.Sprintf("the archive's SHA-256 is %s, expected %s", f.SHA256, pinned),
				"the download was altered or the pinned hash is for another file; check the URL and the hash"), false
		}
	}
	return f.SHA256, source, 0, true
}

func installDocker(m *machine.Machine, p params, out io.Writer) uint32 {
	version := p.str("version")
	sum, source, code, ok := fetch(m, "install-docker", p.str("url"), p.str("archive_path"), machine.Downloads+`\docker-`+version+".zip", p.str("sha256"), out)
	if !ok {
		return code
	}
	return installEngine(m, "docker", version, map[string]any{"version": version, "archive_sha256": sum, "sha256_source": source,
		"previous_version": p.str("previous_version")}, []string{machine.DockerDir}, out)
}

func installEngine(m *machine.Machine, engine, version string, result map[string]any, pathDirs []string, out io.Writer) uint32 {
	// The archive is expanded into a staging folder (and the binaries it replaces are backed up) before
	// the service is stopped: a full disk fails there and leaves the installed engine running.
	if err := m.CheckSpace(); err != nil {
		return fail(out, "install_failed", fmt.Sprintf("expanding the %s archive failed: %s", engine, err.Error()),
			"free space on the system drive and run again; the installed engine was not touched")
	}
	wasRunning := false
	if svc, ok := m.Service(engine); ok && svc.State == machine.Running {
		host.WriteProgress(out, "install-"+engine, "stopping the "+engine+" service")
		m.StopService(engine)
		wasRunning = true
	}
	if err := m.InstallEngine(engine, version); err != nil {
		return fail(out, "install_failed", err.Error(), "stop whatever holds the engine's files and apply again")
	}
	for _, d := range pathDirs {
		m.AddToPath(d)
	}
	reregistered := false
	if svc, ok := m.Service(engine); ok {
		if needsReregistration(svc.PathName, machine.EngineBinary(engine)) {
			if err := m.UnregisterService(engine); err != nil {
				return fail(out, "install_failed", fmt.Sprintf("%s --unregister-service exited 1: %s", machine.EngineBinary(engine), err.Error()), "close tools that hold the service open (services.msc) and run again")
			}
			reregistered = true
		}
	}
	if _, ok := m.Service(engine); !ok {
		// install-docker.ps1 removes an event log source that a service deleted with sc.exe left behind,
		// which would make --register-service fail.
		if engine == "docker" && m.RemoveEventSource(engine) {
			host.WriteProgress(out, "install-docker", `removing the leftover event log source HKLM:\`+machine.EventLogKey+`\docker`)
		}
		if err := m.RegisterService(engine); err != nil {
			return fail(out, "install_failed", fmt.Sprintf("%s --register-service exited 1: %s", machine.EngineBinary(engine), err.Error()), "check the Application event log (source "+engine+") and run again")
		}
	}
	if err := m.SetStartType(engine, machine.Automatic); err != nil {
		return fail(out, "install_failed", fmt.Sprintf("setting the %s service to Automatic failed: %s", engine, err.Error()), "check that the account is an administrator")
	}
	if wasRunning {
		// An engine that ran before runs again; start-service reports a start that fails.
		host.WriteProgress(out, "install-"+engine, "starting the "+engine+" service again")
		_ = m.StartService(engine)
	}
	result["reregistered"] = reregistered
	host.WriteResult(out, result)
	return 0
}

// needsReregistration mirrors install-docker.ps1: a service whose command line carries arguments other
// than --run-service and --service-name (they would clash with daemon.json), or that runs another
// binary, is registered again.
func needsReregistration(pathName, exe string) bool {
	have, rest := "", pathName
	if q, ok := strings.CutPrefix(strings.TrimSpace(pathName), `"`); ok {
		have, rest, _ = strings.Cut(q, `"`)
	} else if f := strings.Fields(pathName); len(f) > 0 {
		have, rest = f[0], strings.Join(f[1:], " ")
	}
	tokens := strings.Fields(rest)
	for i := 0; i < len(tokens); i++ {
		switch t := tokens[i]; {
		case t == "--run-service", strings.HasPrefix(t, "--service-name="):
		case t == "--service-name":
			i++
		default:
			return true
		}
	}
	return have != "" && !strings.EqualFold(have, exe)
}

func installContainerd(m *machine.Machine, p params, out io.Writer) uint32 {
	version := p.str("version")
	archives := map[string]any{}
	// Each archive is the file the controller pushed to its archive_path, or a download.
	type part struct{ name, url, checksumURL, pinned, archivePath string }
	nerd, cni := p.sub("nerdctl"), p.sub("cni")
	for _, a := range []part{
		{"containerd", p.str("url"), p.str("checksum_url"), p.str("sha256"), p.str("archive_path")},
		{"nerdctl", nerd.str("url"), nerd.str("checksum_url"), nerd.str("sha256"), nerd.str("archive_path")},
		{"cni", cni.str("url"), "", cni.str("sha256"), cni.str("archive_path")},
	} {
		file := a.url[strings.LastIndexByte(a.url, '/')+1:]
		pinned := a.pinned
		if pinned == "" && a.checksumURL != "" {
			host.WriteProgress(out, "install-containerd", "downloading "+a.checksumURL)
			cf, err := m.Download(a.checksumURL, machine.Downloads+`\`+file+".checksums")
			if err != nil {
				return fail(out, "download_failed", fmt.Sprintf("downloading %s failed: %s", a.checksumURL, err.Error()),
					"check the host's internet access and proxy, or pin the hash")
			}
			pinned = checksumFor(string(cf.Content), file)
			if pinned == "" {
				return fail(out, "checksum_missing", fmt.Sprintf("%s does not list %s", a.checksumURL, file), "pin the archive's hash")
			}
		}
		sum, source, code, ok := fetch(m, "install-containerd", a.url, a.archivePath, machine.Downloads+`\`+file, pinned, out)
		if !ok {
			return code
		}
		if a.pinned == "" && a.checksumURL != "" {
			source = "published"
		}
		archives[a.name] = map[string]string{"sha256": sum, "source": source}
	}
	// The script's order: all three archives staged (a full disk fails there), the CNI configuration of
	// the NAT network, then the binaries as one change, then config.toml and the service. Every failure up
	// to the copy leaves the installed engine untouched and running. No HNS network is made here: no
	// Windows release has a cmdlet for it, and the CNI nat plugin creates it at the first container
	// (machine.Run).
	if err := m.CheckSpace(); err != nil {
		return fail(out, "install_failed", fmt.Sprintf("expanding the containerd archive failed: %s", err.Error()),
			"free space on the system drive and run again; the installed engine was not touched")
	}
	nat := p.sub("nat")
	cniConf, _ := json.MarshalIndent(map[string]any{"cniVersion": "0.2.0", "name": nat.str("name"), "type": "nat",
		"ipam":         map[string]any{"subnet": nat.str("subnet"), "routes": []any{map[string]string{"dst": "0.0.0.0/0", "gw": nat.str("gateway")}}},
		"capabilities": map[string]bool{"portMappings": true, "dns": true}}, "", "  ")
	m.WriteFile(machine.CNIConfig, cniConf)
	m.InstallTool(machine.Nerdctl, nerd.str("version"))
	m.InstallTool(machine.CNIPlugin, cni.str("version"))
	if _, ok := m.File(machine.ContainerdConfig); !ok {
		m.WriteFile(machine.ContainerdConfig, []byte("version = 3\n# written by `containerd.exe config default`; winsim does not model its contents\n"))
	}
	return installEngine(m, "containerd", version, map[string]any{"version": version, "archives": archives, "nat_network": nat.str("name")},
		[]string{machine.ContainerdDir + `\bin`, machine.NerdctlDir}, out)
}

// checksumFor finds a file's hash in a sha256sum/SHA256SUMS text ("<hash>  <name>" lines).
func checksumFor(text, file string) string {
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && strings.TrimPrefix(f[1], "*") == file && len(f[0]) == 64 {
			if _, err := hex.DecodeString(f[0]); err == nil {
				return strings.ToLower(f[0])
			}
		}
	}
	return ""
}

func configureDaemon(m *machine.Machine, p params, out io.Writer) uint32 {
	cfg := map[string]any{}
	if f, ok := m.File(machine.DaemonJSON); ok && len(strings.TrimSpace(string(f.Content))) > 0 {
		if err := json.Unmarshal(f.Content, &cfg); err != nil {
			return fail(out, "daemon_config_unreadable", fmt.Sprintf("%s is not valid JSON: %s", machine.DaemonJSON, err.Error()),
				"fix or delete the file; wincontainers does not overwrite a configuration it cannot read")
		}
	}
	changed := false
	for k, v := range p.sub("managed") {
		if !reflect.DeepEqual(cfg[k], v) {
			cfg[k] = v
			changed = true
		}
	}
	restarted, backup := false, ""
	if changed {
		old, existed := m.File(machine.DaemonJSON)
		if existed {
			// configure-daemon.ps1 copies the file aside before it replaces it (through a temporary file).
			backup = machine.DaemonJSONBackup
			if err := m.TryWriteFile(backup, old.Content); err != nil {
				return fail(out, "daemon_config_write_failed", fmt.Sprintf("backing up %s to %s failed: %s", machine.DaemonJSON, backup, err.Error()),
					"free space on the system drive and run again; daemon.json was not changed")
			}
		}
		b, _ := json.MarshalIndent(cfg, "", "  ")
		if err := m.TryWriteFile(machine.DaemonJSON, b); err != nil {
			return fail(out, "daemon_config_write_failed", fmt.Sprintf("writing %s failed: %s", machine.DaemonJSON, err.Error()),
				"free space on the system drive and run again; daemon.json was not changed")
		}
		if svc, ok := m.Service("docker"); ok && svc.State == machine.Running {
			host.WriteProgress(out, "configure-daemon", "restarting docker")
			m.StopService("docker")
			if err := startAndCheck(m, "docker"); err != nil {
				return restoreDaemonConfig(m, old, existed, err, out)
			}
			restarted = true
		}
	}
	host.WriteResult(out, map[string]any{"changed": changed, "restarted": restarted, "path": machine.DaemonJSON, "backup": backup, "config": cfg})
	return 0
}

// startAndCheck starts a service and reports an error when it does not start or stops right after
// (the newest engine event is the message).
func startAndCheck(m *machine.Machine, name string) error {
	err := m.StartService(name)
	if err == nil {
		if svc, _ := m.Service(name); svc.State == machine.Running {
			return nil
		}
		err = errors.New("the service stopped right after it started")
	}
	if ev := m.Events(name); len(ev) > 0 {
		return errors.New(ev[len(ev)-1].Message)
	}
	return err
}

// restoreDaemonConfig puts the previous daemon.json back (or removes the new one when there was none)
// after docker failed to start with the new one, and starts docker again, so the host keeps the engine
// it had; the step still fails and says so.
func restoreDaemonConfig(m *machine.Machine, old machine.File, existed bool, cause error, out io.Writer) uint32 {
	host.WriteProgress(out, "configure-daemon", "docker did not start with the new configuration; restoring the previous one")
	if existed {
		m.WriteFile(machine.DaemonJSON, old.Content)
	} else {
		m.RemoveFile(machine.DaemonJSON)
	}
	state := "docker is running again with the previous configuration"
	if err := startAndCheck(m, "docker"); err != nil {
		state = "docker did not start with the previous configuration either: " + err.Error()
	}
	return fail(out, "engine_start_failed", fmt.Sprintf("docker did not restart with the new configuration: %s; the previous %s was restored and %s",
		cause.Error(), machine.DaemonJSON, state),
		"check the new settings against the engine's message (a key given both here and as a flag on the service command line stops dockerd), then apply again")
}

func startService(m *machine.Machine, p params, out io.Writer) uint32 {
	name := p.str("service")
	if name != "docker" && name != "containerd" {
		return fail(out, "invalid_params", fmt.Sprintf("service must be docker or containerd, not %s", name), "this is a planner defect; report it")
	}
	if err := m.SetStartType(name, machine.Automatic); err != nil {
		return fail(out, "engine_start_failed", fmt.Sprintf("the %s service is not installed", name), fmt.Sprintf("run the install-%s step first", name))
	}
	host.WriteProgress(out, "start-service", "starting "+name)
	if err := startAndCheck(m, name); err != nil {
		return fail(out, "engine_start_failed", fmt.Sprintf("the %s service stopped after starting: %s", name, err.Error()), "see the engine's message")
	}
	info, err := askEngine(m, name)
	if err != nil {
		return fail(out, "engine_start_failed", err.Error(), "see the engine's message")
	}
	host.WriteResult(out, map[string]any{"service": name, "state": machine.Running, "start_type": machine.Automatic,
		"server_version": info.Version, "os_arch": info.OSArch})
	return 0
}

// askEngine is what start-service.ps1 and verify.ps1 ask the engine: docker version, or for
// containerd nerdctl version --format '{{json .}}', whose JSON is read from stdout alone (nerdctl's
// buildctl and runc warnings are on stderr).
func askEngine(m *machine.Machine, engine string) (machine.EngineInfo, error) {
	if engine != "containerd" {
		return m.Info(engine)
	}
	r := m.NerdctlVersion()
	if r.ExitCode != 0 {
		return machine.EngineInfo{}, errors.New(strings.TrimSpace(r.Stderr))
	}
	var v struct {
		Client struct{ Os, Arch string }
		Server *struct {
			Components []struct{ Name, Version string }
		}
	}
	if err := json.Unmarshal([]byte(r.Stdout), &v); err != nil {
		return machine.EngineInfo{}, fmt.Errorf("nerdctl version printed no JSON: %w", err)
	}
	if v.Server != nil {
		for _, c := range v.Server.Components {
			if c.Name == "containerd" {
				return machine.EngineInfo{Version: strings.TrimPrefix(c.Version, "v"), OSArch: v.Client.Os + "/" + v.Client.Arch, Isolation: "process"}, nil
			}
		}
	}
	return machine.EngineInfo{}, errors.New(strings.TrimSpace(r.Stdout))
}

func installLCOW(m *machine.Machine, p params, out io.Writer) uint32 {
	sum, source, code, ok := fetch(m, "install-lcow", p.str("url"), p.str("archive_path"), machine.Downloads+`\lcow-`+p.str("release")+".zip", p.str("sha256"), out)
	if !ok {
		return code
	}
	if err := m.CheckSpace(); err != nil {
		return fail(out, "install_failed", fmt.Sprintf("expanding the LCOW archive failed: %s", err.Error()), "free space on the system drive and run again")
	}
	files := map[string]string{}
	for _, n := range p.strs("files") {
		h := sha256.Sum256([]byte(sum + "/" + n))
		f := machine.File{Size: 8 << 20, SHA256: hex.EncodeToString(h[:])}
		m.PutFile(machine.LCOWDir+`\`+n, f)
		files[n] = f.SHA256
	}
	host.WriteResult(out, map[string]any{"files": files, "archive_sha256": sum, "sha256_source": source})
	return 0
}

type check struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail"`
}

// verify follows verify.ps1: every check runs (a failure does not stop the later ones unless they need
// what failed), with the script's names, and the step fails at the end with verify_failed naming each
// failed check.
func verify(m *machine.Machine, p params, out io.Writer) uint32 {
	engine, mode := p.str("engine"), p.str("mode")
	if !slices.Contains([]string{"process", "hyperv", "lcow"}, mode) || !slices.Contains([]string{"docker", "containerd"}, engine) {
		return fail(out, "invalid_params", fmt.Sprintf("unknown mode %s or engine %s", mode, engine), "this is a planner defect; report it")
	}
	var checks []check
	var failures []string
	add := func(name, status, detail string) {
		checks = append(checks, check{name, status, detail})
		if status == "failed" {
			failures = append(failures, name+": "+detail)
		}
		host.WriteProgress(out, "verify", name+": "+status)
	}
	runIso := "hyperv"
	if mode == "process" {
		runIso = "process"
	}
	// 1. The engine answers and reports windows/amd64.
	info, err := askEngine(m, engine)
	osArch, isolation := "", ""
	engineUp := false
	switch {
	case err != nil:
		add("engine", "failed", err.Error())
	case info.OSArch != "windows/amd64":
		osArch = info.OSArch
		add("engine", "failed", fmt.Sprintf("%s reports %s; expected windows/amd64 (a Linux engine answers on this host)", engine, info.OSArch))
	default:
		osArch, engineUp = info.OSArch, true
		add("engine", "passed", fmt.Sprintf("%s answers, %s", engine, info.OSArch))
	}
	// 2. docker info: the default isolation (hyperv mode), experimental (lcow mode).
	switch {
	case !engineUp:
		if mode != "process" {
			add("engine_config", "skipped", "the engine did not answer")
		}
	case engine == "docker":
		isolation = info.Isolation
		switch {
		case mode == "hyperv" && info.Isolation == "hyperv":
			add("default_isolation", "passed", "hyperv")
		case mode == "hyperv":
			add("default_isolation", "failed", fmt.Sprintf("the default isolation is %s; expected hyperv (exec-opts isolation=hyperv in daemon.json)", info.Isolation))
		case mode == "lcow" && info.Experimental:
			add("experimental", "passed", "experimental is on")
		case mode == "lcow":
			add("experimental", "failed", `experimental is off; LCOW needs "experimental": true in daemon.json`)
		}
	case mode != "process":
		add("engine_config", "skipped", "containerd has no default isolation or experimental setting; the run checks below test the mode")
	}
	if engine == "containerd" || isolation == "" {
		isolation = runIso
	}
	// 3. The build-matched image, the Hyper-V proof, the Linux image.
	pull, image := p.flag("pull"), p.str("image")
	runName := "run_" + runIso
	switch {
	case !engineUp:
		add(runName, "skipped", "the engine did not answer")
	case image == "":
		add(runName, "skipped", "no image was given")
	default:
		ready := m.HasImage(image)
		if !ready && pull {
			host.WriteProgress(out, "verify", "pulling "+image)
			if _, err := m.Pull(engine, image); err != nil {
				add("pull", "failed", err.Error())
			} else {
				add("pull", "passed", image)
				ready = true
			}
		}
		if !ready {
			why := image + " is not present and pull is false"
			if pull {
				why = image + " could not be pulled"
			}
			add(runName, "skipped", why)
			if mode == "hyperv" {
				add("hyperv_isolation", "skipped", why)
			}
			break
		}
		r, err := m.Run(machine.RunOptions{Engine: engine, Image: image, Isolation: runIso})
		if err != nil {
			add(runName, "failed", err.Error())
		} else {
			add(runName, "passed", strings.TrimSpace(r.Output))
		}
		if mode == "hyperv" {
			switch {
			case err != nil:
				add("hyperv_isolation", "skipped", "the Hyper-V isolated container did not run")
			case r.HostSeesProcess:
				add("hyperv_isolation", "failed", "the container's ping process is visible on the host: the container runs with process isolation")
			case !r.UtilityVM:
				add("hyperv_isolation", "failed", "no vmwp process runs on the host: no utility VM was started")
			default:
				add("hyperv_isolation", "passed", "ping is not visible on the host; 1 vmwp process(es) run")
			}
		}
	}
	if mode == "lcow" {
		verifyLinux(m, engine, p.str("linux_image"), pull, engineUp, add)
	}
	if len(failures) > 0 {
		host.WriteResult(out, map[string]any{"error": map[string]string{"code": "verify_failed", "message": strings.Join(failures, "; "),
			"remedy": "see the failed checks; fix the cause and run verify again"}, "checks": checks, "os_arch": osArch, "isolation": isolation})
		return 1
	}
	if p.str("spec_hash") != "" {
		m.SetRegistry("VerifiedSpecHash", p.str("spec_hash"))
		m.SetRegistry("VerifiedAt", time.Now().UTC().Format(time.RFC3339))
	}
	host.WriteResult(out, map[string]any{"checks": checks, "os_arch": osArch, "isolation": isolation})
	return 0
}

// verifyLinux is verify.ps1's Test-WcLinux: a Linux image prints Linux from uname.
func verifyLinux(m *machine.Machine, engine, image string, pull, engineUp bool, add func(name, status, detail string)) {
	if !engineUp {
		add("lcow_linux", "skipped", "the engine did not answer")
		return
	}
	if image == "" {
		image = "busybox"
	}
	if !m.HasImage(image) && !pull {
		add("lcow_linux", "skipped", image+" is not present and pull is false")
		return
	}
	r, err := m.Run(machine.RunOptions{Engine: engine, Image: image, Platform: "linux", Pull: pull})
	if err != nil {
		add("lcow_linux", "failed", err.Error())
		return
	}
	if strings.TrimSpace(r.Output) != "Linux" {
		add("lcow_linux", "failed", r.Output)
		return
	}
	add("lcow_linux", "passed", "uname printed Linux")
}

func uninstall(m *machine.Machine, p params, out io.Writer) uint32 {
	var removed []string
	engine := p.str("engine")
	if _, ok := m.Service(engine); ok {
		m.StopService(engine)
		// uninstall.ps1: the engine's own --unregister-service while its binary exists, else sc.exe delete
		// and then the event log source that sc.exe leaves.
		if _, ok := m.File(machine.EngineBinary(engine)); ok {
			_ = m.UnregisterService(engine)
		} else {
			_ = m.DeleteService(engine)
			if m.RemoveEventSource(engine) {
				removed = append(removed, `HKLM:\`+machine.EventLogKey+`\`+engine)
			}
		}
		removed = append(removed, "service "+engine)
	}
	// uninstall.ps1 removes the HNS network named in 0-containerd-nat.conf (Get-HnsNetwork | Remove-HnsNetwork,
	// present with the Containers feature) unless a docker service exists, whose default network is nat too.
	if engine == "containerd" {
		_, docker := m.Service("docker")
		_, hns := m.Service("hns")
		if f, ok := m.File(machine.CNIConfig); ok && !docker && hns {
			var conf struct {
				Name string `json:"name"`
			}
			if json.Unmarshal(f.Content, &conf) == nil && conf.Name != "" && m.RemoveNetwork(conf.Name) {
				removed = append(removed, "HNS network "+conf.Name)
			}
		}
	}
	dirs := map[string][]string{"docker": {machine.DockerDir}, "containerd": {machine.ContainerdDir, machine.NerdctlDir}}[engine]
	for _, d := range dirs {
		if m.RemoveTree(d) > 0 {
			removed = append(removed, d)
		}
		m.RemoveFromPath(d)
	}
	// daemon.json alone: the rest of the data root (images, config\key.json) stays, as in uninstall.ps1.
	if engine == "docker" {
		for _, f := range []string{machine.DaemonJSON, machine.DaemonJSONBackup, machine.DaemonJSON + ".wincontainers-new"} {
			if m.RemoveFile(f) {
				removed = append(removed, f)
			}
		}
	}
	if engine == "containerd" {
		m.RemoveFromPath(machine.ContainerdDir + `\bin`)
	}
	if p.flag("remove_lcow") && m.RemoveTree(machine.LCOWDir) > 0 {
		removed = append(removed, machine.LCOWDir)
	}
	if m.RemoveTree(machine.Downloads) > 0 {
		removed = append(removed, machine.Downloads)
	}
	if m.RemoveFile(machine.Manifest) {
		removed = append(removed, machine.Manifest)
	}
	if m.Registry("VerifiedSpecHash") != "" {
		m.SetRegistry("VerifiedSpecHash", "")
		m.SetRegistry("VerifiedAt", "")
		removed = append(removed, `HKLM:\SOFTWARE\wincontainers`)
	}
	restart := false
	if p.flag("remove_features") {
		for _, f := range p.strs("features") {
			if m.RemoveFeature(f) {
				restart = true
				removed = append(removed, "feature "+f)
			}
		}
	}
	if removed == nil {
		removed = []string{}
	}
	host.WriteResult(out, map[string]any{"removed": removed, "restart_needed": restart})
	if restart {
		return 3010
	}
	return 0
}

func pullImages(m *machine.Machine, p params, out io.Writer) uint32 {
	engine := p.str("engine")
	if engine != "docker" && engine != "containerd" {
		return fail(out, "invalid_params", "engine must be docker or containerd, not "+engine, "this is a planner defect; report it")
	}
	pulled, present := []string{}, []string{}
	for _, img := range p.strs("images") {
		img = strings.TrimSpace(img)
		if img == "" || slices.Contains(pulled, img) || slices.Contains(present, img) {
			continue
		}
		if m.HasImage(img) {
			present = append(present, img)
			continue
		}
		host.WriteProgress(out, "pull-images", "pulling "+img)
		if _, err := m.Pull(engine, img); err != nil {
			return fail(out, "pull_failed", fmt.Sprintf("pulling %s failed: %s", img, err.Error()),
				"pull images whose build the host can run (a Windows base image of the host's build, see the wincontainers_base_image data source), and check that the host reaches the registry")
		}
		pulled = append(pulled, img)
	}
	host.WriteResult(out, map[string]any{"engine": engine, "pulled": pulled, "present": present})
	return 0
}

// prepareImage implements prepare-image.ps1: the service stopped and left Automatic, the engine's
// per-machine files removed where the engine keeps them, containerd's HNS NAT network removed.
func prepareImage(m *machine.Machine, p params, out io.Writer) uint32 {
	engine := p.str("engine")
	if engine != "docker" && engine != "containerd" {
		return fail(out, "invalid_params", "engine must be docker or containerd, not "+engine, "this is a planner defect; report it")
	}
	nat := p.str("nat_network")
	if nat == "" {
		nat = "nat"
	}
	svc, ok := m.Service(engine)
	if !ok {
		return fail(out, "engine_missing", fmt.Sprintf("the %s service is not installed", engine),
			"converge the host first (the engine must be installed before the image is prepared)")
	}
	if svc.State != machine.Stopped {
		host.WriteProgress(out, "prepare-image", "stopping the "+engine+" service")
		m.StopService(engine)
	}
	if svc.StartType != machine.Automatic {
		_ = m.SetStartType(engine, machine.Automatic) // the service exists: Set-Service cannot fail here
	}
	removed := []string{}
	remove := func(path string) {
		if path != "" && m.RemoveFile(path) {
			removed = append(removed, path)
		}
	}
	root := machine.ContainerdRoot
	if engine == "docker" {
		root = machine.DockerRoot
		pidFile := ""
		if f, ok := m.File(machine.DaemonJSON); ok {
			var cfg struct {
				DataRoot string `json:"data-root"`
				PidFile  string `json:"pidfile"`
			}
			if err := json.Unmarshal(f.Content, &cfg); err != nil {
				return fail(out, "daemon_config_unreadable", fmt.Sprintf("%s is not valid JSON: %s", machine.DaemonJSON, err.Error()),
					"fix the file so that the data root is known, then run again")
			}
			if cfg.DataRoot != "" {
				root = cfg.DataRoot
			}
			pidFile = cfg.PidFile
		}
		if pidFile == "" {
			pidFile = root + `\docker.pid`
		}
		for _, f := range []string{`\engine-id`, `\config\key.json`, `\panic.log`, `\panic.log.old`} {
			remove(root + f)
		}
		remove(pidFile)
	} else {
		remove(root + `\panic.log`)
		remove(root + `\panic.log.old`)
		remove(logFileArg(svc.PathName))
		if _, ok := m.Service("hns"); !ok {
			return fail(out, "hns_module_missing", "The term 'Get-HnsNetwork' is not recognized as the name of a cmdlet, function, script file, or operable program.",
				"the Containers feature provides the Host Network Service; install it and restart")
		}
		if m.RemoveNetwork(nat) {
			removed = append(removed, "HNS network "+nat)
		}
	}
	final, _ := m.Service(engine)
	host.WriteResult(out, map[string]any{"engine": engine, "service": map[string]any{"name": engine, "state": final.State, "start_type": final.StartType},
		"data_root": root, "removed": removed})
	return 0
}

// logFileArg is the path a service command line gives with --log-file ("" when none).
func logFileArg(pathName string) string {
	_, rest, ok := strings.Cut(pathName, "--log-file")
	if !ok {
		return ""
	}
	rest = strings.TrimLeft(strings.TrimPrefix(rest, "="), " ")
	if q, ok := strings.CutPrefix(rest, `"`); ok {
		v, _, _ := strings.Cut(q, `"`)
		return v
	}
	if f := strings.Fields(rest); len(f) > 0 {
		return f[0]
	}
	return ""
}

// manifestDoc is manifest.json as write-manifest.ps1 writes it: these keys, in this order.
type manifestDoc struct {
	Schema        int    `json:"schema"`
	ToolVersion   string `json:"tool_version"`
	BuiltBy       string `json:"built_by"`
	ContainerMode string `json:"container_mode"`
	Engine        struct {
		Type    string `json:"type"`
		Version string `json:"version"`
	} `json:"engine"`
	SpecHash string `json:"spec_hash"`
	OS       struct {
		Build int `json:"build"`
		UBR   int `json:"ubr"`
	} `json:"os"`
	Images      []string `json:"images"`
	Generalized bool     `json:"generalized"`
	VerifiedAt  string   `json:"verified_at"`
}

func writeManifest(m *machine.Machine, p params, out io.Writer) uint32 {
	raw, err := json.Marshal(p["manifest"])
	var doc manifestDoc
	if err == nil {
		err = json.Unmarshal(raw, &doc)
	}
	if err != nil || p["manifest"] == nil || doc.Schema < 1 || !slices.Contains([]string{"packer", "terraform"}, doc.BuiltBy) ||
		!slices.Contains([]string{"process", "hyperv", "lcow"}, doc.ContainerMode) || !slices.Contains([]string{"docker", "containerd"}, doc.Engine.Type) {
		return fail(out, "invalid_params", fmt.Sprintf("manifest schema %d, built_by %s, container_mode %s, engine %s: one of them is not valid",
			doc.Schema, doc.BuiltBy, doc.ContainerMode, doc.Engine.Type), "this is a planner defect; report it")
	}
	if doc.Images == nil {
		doc.Images = []string{}
	}
	text, _ := json.MarshalIndent(doc, "", "    ")
	old, ok := m.File(machine.Manifest)
	changed := !ok || string(old.Content) != string(text)
	if changed {
		host.WriteProgress(out, "write-manifest", "writing "+machine.Manifest)
		m.WriteFile(machine.Manifest, text)
	}
	host.WriteResult(out, map[string]any{"path": machine.Manifest, "changed": changed, "manifest": doc})
	return 0
}
