package pshost

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// Compose as programs: `docker compose` (the docker CLI running the docker-compose.exe plugin it finds
// in its plugin folders), docker-compose.exe run on its own, and nerdctl's built-in `nerdctl compose`.
// Modelled: `-p/--project-name` and `-f/--file`, then `version [--short]`, `up -d`, `ps [-a] [-q]
// [--services] [--status S]` and `down`. The compose file is read for services (image, command,
// isolation, platform) and networks.default (name, external). What each engine and build does:
//   - Docker Compose's client negotiates the Engine API and refuses an engine below its floor with the
//     moby client's text (machine.ComposeAPIFloor); with DOCKER_API_VERSION in the machine environment it
//     does not negotiate, and a daemon older than that version answers "client version X is too new.
//     Maximum supported API version is Y" (moby api/server/middleware/version.go).
//   - A project network on Windows Server 2016 fails in HNS (machine.ProjectNetworkUnsupported) with
//     compose's "failed to create network <p>_default: Error response from daemon: HNS failed with error :
//     The parameter is incorrect. " (docker/compose pkg/compose/create.go).
//   - Progress lines go to stderr (compose's progress writer), results to stdout; errors exit 1.

// pluginDirs are the docker CLI's system plugin folders on Windows, in its search order (docker/cli
// cli-plugins/manager/manager_windows.go). The user's %USERPROFILE%\.docker\cli-plugins comes first on
// Windows; no library script installs there and winsim models no user profile.
func pluginDirs() []string {
	return []string{`C:\ProgramData\Docker\cli-plugins`, `C:\Program Files\Docker\cli-plugins`}
}

// composeRun is one compose invocation.
type composeRun struct {
	h       *host
	engine  string // docker or containerd
	version string // the Compose release (docker), or nerdctl's version
	path    string
	args    []string
}

// dockerCompose is `docker compose ...`: the CLI runs the first plugin it finds, else says compose is
// not a docker command (docker/cli cmd/docker/docker.go, the unknown-command text).
func (c *cli) dockerCompose(args []string) engine.NativeResult {
	for _, dir := range pluginDirs() {
		p := dir + `\docker-compose.exe`
		f, ok := c.h.m.File(p)
		if !ok {
			continue
		}
		return runComposeBinary(c.h, p, f, args)
	}
	return engine.NativeResult{Stderr: crlfLines("docker: 'compose' is not a docker command.", "See 'docker --help'"), ExitCode: 1}
}

// runDockerComposeExe is docker-compose.exe run by its own name (or by path).
func runDockerComposeExe(_ context.Context, h *host, path string, args []string) engine.NativeResult {
	f, ok := h.m.File(path)
	if !ok {
		return notModelledProgram(path, args)
	}
	return runComposeBinary(h, path, f, args)
}

func runComposeBinary(h *host, path string, f machine.File, args []string) engine.NativeResult {
	id, ok := h.m.IdentifyProgram(path, f)
	if !ok || !strings.Contains(id.Origin, "/docker/compose/") {
		// A file that is not a Compose release binary: winsim cannot know what it does.
		return notModelledProgram(path, args)
	}
	return (&composeRun{h: h, engine: "docker", version: id.Version, path: path, args: args}).run()
}

// nerdctlCompose is `nerdctl compose ...`, built into nerdctl.
func (c *cli) nerdctlCompose(args []string) engine.NativeResult {
	f, _ := c.h.m.File(c.path)
	return (&composeRun{h: c.h, engine: "containerd", version: f.Version, path: c.path, args: args}).run()
}

func (r *composeRun) fail(lines ...string) engine.NativeResult {
	if r.engine == "containerd" {
		ts := r.h.w.Now().Format("2006-01-02T15:04:05Z07:00")
		return engine.NativeResult{Stderr: crlfLines(fmt.Sprintf("time=%q level=fatal msg=%q", ts, strings.Join(lines, ": "))), ExitCode: 1}
	}
	return engine.NativeResult{Stderr: crlfLines(lines...), ExitCode: 1}
}

func (r *composeRun) run() engine.NativeResult {
	project, file := "", ""
	args := r.args
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch a := args[0]; {
		case (a == "-p" || a == "--project-name") && len(args) > 1:
			project, args = args[1], args[2:]
		case (a == "-f" || a == "--file") && len(args) > 1:
			file, args = args[1], args[2:]
		default:
			return notModelledProgram(r.path, r.args)
		}
	}
	if len(args) == 0 {
		return notModelledProgram(r.path, r.args)
	}
	sub, rest := args[0], args[1:]
	if sub == "version" {
		return r.versionCmd(rest)
	}
	if project == "" || file == "" {
		// Without -p the project is named after the file's folder; the scripts always name both.
		return notModelledProgram(r.path, r.args)
	}
	proj, res, ok := r.load(project, file)
	if !ok {
		return res
	}
	if res, ok := r.reachEngine(); !ok {
		return res
	}
	switch {
	case sub == "up" && slices.Equal(rest, []string{"-d"}):
		return r.up(proj)
	case sub == "ps":
		return r.ps(proj, rest)
	case sub == "down" && len(rest) == 0:
		return r.down(proj)
	}
	return notModelledProgram(r.path, r.args)
}

func (r *composeRun) versionCmd(args []string) engine.NativeResult {
	short := slices.Equal(args, []string{"--short"})
	if !short && len(args) > 0 {
		return notModelledProgram(r.path, r.args)
	}
	if short {
		return engine.NativeResult{Stdout: crlfLines(r.version)}
	}
	if r.engine == "containerd" {
		return engine.NativeResult{Stdout: crlfLines("nerdctl Compose version v" + r.version)}
	}
	return engine.NativeResult{Stdout: crlfLines("Docker Compose version v" + r.version)}
}

// reachEngine is the client's first request: the engine must run, and Docker Compose negotiates the API.
func (r *composeRun) reachEngine() (engine.NativeResult, bool) {
	info, err := r.h.m.Info(r.engine)
	if err != nil {
		return r.fail(err.Error()), false
	}
	if r.engine != "docker" {
		return engine.NativeResult{}, true
	}
	api := machine.DockerAPI(info.Version)
	if pinned := envValue(r.h.m.SystemEnvironment(), "DOCKER_API_VERSION"); pinned != "" {
		if api != "" && machine.APIBelow(api, pinned) {
			return r.fail(fmt.Sprintf("Error response from daemon: client version %s is too new. Maximum supported API version is %s", pinned, api)), false
		}
		return engine.NativeResult{}, true
	}
	if floor := machine.ComposeAPIFloor(r.version); floor != "" && api != "" && machine.APIBelow(api, floor) {
		return r.fail(fmt.Sprintf("API version %s is not supported by this client: the minimum supported API version is %s", api, floor)), false
	}
	return engine.NativeResult{}, true
}

// composeFile is the part of the compose specification the model reads.
type composeFile struct {
	Services map[string]struct {
		Image     string   `yaml:"image"`
		Command   []string `yaml:"command"`
		Isolation string   `yaml:"isolation"`
		Platform  string   `yaml:"platform"`
	} `yaml:"services"`
	Networks map[string]struct {
		Name     string `yaml:"name"`
		External bool   `yaml:"external"`
	} `yaml:"networks"`
}

type composeProject struct {
	name     string
	file     composeFile
	services []string // sorted
	network  string   // the default network's name
	external bool
}

func (r *composeRun) load(project, path string) (composeProject, engine.NativeResult, bool) {
	f, ok := r.h.m.File(path)
	if !ok {
		return composeProject{}, r.fail(fmt.Sprintf("open %s: The system cannot find the file specified.", path)), false
	}
	var cf composeFile
	if err := yaml.Unmarshal(f.Content, &cf); err != nil {
		return composeProject{}, r.fail(fmt.Sprintf("yaml: %s: %v", path, err)), false
	}
	if len(cf.Services) == 0 {
		return composeProject{}, r.fail("no service selected"), false
	}
	p := composeProject{name: project, file: cf, network: project + "_default"}
	for name := range cf.Services {
		p.services = append(p.services, name)
	}
	slices.Sort(p.services)
	if n, ok := cf.Networks["default"]; ok {
		p.external = n.External
		if n.Name != "" {
			p.network = n.Name
		}
	}
	return p, engine.NativeResult{}, true
}

func (r *composeRun) containerName(p composeProject, service string) string {
	return p.name + "-" + service + "-1"
}

func (r *composeRun) up(p composeProject) engine.NativeResult {
	var progress []string
	failed := func(lines ...string) engine.NativeResult {
		res := r.fail(lines...)
		if r.engine == "docker" {
			res.Stderr = crlfLines(progress...) + res.Stderr
		}
		return res
	}
	nets := r.h.m.Networks()
	switch {
	case p.external:
		// dockerd's default network is nat; containerd's CNI configuration names its network nat too.
		if _, ok := nets[p.network]; !ok && p.network != "nat" {
			return failed(fmt.Sprintf("network %s declared as external, but could not be found", p.network))
		}
	default:
		if _, ok := nets[p.network]; !ok {
			progress = append(progress, fmt.Sprintf(" Network %s  Creating", p.network))
			if r.h.m.ProjectNetworkUnsupported() {
				progress = append(progress, fmt.Sprintf(" Network %s  Error %s", p.network, "Error response from daemon: "+machine.HNSParameterIncorrect))
				return failed(fmt.Sprintf("failed to create network %s: Error response from daemon: %s", p.network, machine.HNSParameterIncorrect))
			}
			r.h.m.CreateNetwork(p.network, "nat")
			progress = append(progress, fmt.Sprintf(" Network %s  Created", p.network))
		}
	}
	existing := r.h.w.ProjectContainers(r.engine, p.name)
	for _, name := range p.services {
		if slices.ContainsFunc(existing, func(c machine.Container) bool { return c.Service == name && c.Running() }) {
			progress = append(progress, fmt.Sprintf(" Container %s  Running", r.containerName(p, name)))
			continue
		}
		s := p.file.Services[name]
		iso := strings.ToLower(s.Isolation)
		if iso == "default" {
			iso = ""
		}
		platform := strings.TrimSuffix(strings.ToLower(s.Platform), "/amd64")
		windows := imageOSOf(s.Image) == "windows" && platform != "linux"
		cmd := strings.ToLower(strings.Join(s.Command, " "))
		if !windows || !strings.HasPrefix(cmd, "ping") || !strings.Contains(cmd, "-t") {
			// Only the long-running ping of a Windows image is modelled as a service.
			return notModelledProgram(r.path, r.args)
		}
		cname := r.containerName(p, name)
		progress = append(progress, fmt.Sprintf(" Container %s  Creating", cname))
		_, err := r.h.w.RunComposeService(machine.RunOptions{Engine: r.engine, Image: s.Image, Isolation: iso, Platform: platform, Pull: true}, s.Command, p.name, name)
		if err != nil {
			progress = append(progress, fmt.Sprintf(" Container %s  Error", cname))
			// The engine's own error text; docker run's "docker: " prefix is the docker CLI's, not compose's.
			msg := strings.TrimPrefix(err.Error(), "docker: ")
			if !strings.HasPrefix(msg, "Error response from daemon") {
				msg = "Error response from daemon: " + msg
			}
			return failed(msg)
		}
		progress = append(progress, fmt.Sprintf(" Container %s  Created", cname), fmt.Sprintf(" Container %s  Started", cname))
	}
	if r.engine == "containerd" {
		return engine.NativeResult{Stderr: crlfLines(fmt.Sprintf("time=%q level=info msg=\"Ensuring image %s\"", r.h.w.Now().Format("2006-01-02T15:04:05Z07:00"), p.file.Services[p.services[0]].Image))}
	}
	return engine.NativeResult{Stderr: crlfLines(progress...)}
}

func (r *composeRun) ps(p composeProject, args []string) engine.NativeResult {
	all, quiet, services := false, false, false
	var status []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-a" || a == "--all":
			all = true
		case a == "-q" || a == "--quiet":
			quiet = true
		case a == "--services":
			services = true
		case a == "--status" && i+1 < len(args):
			status = append(status, args[i+1])
			i++
		default:
			return notModelledProgram(r.path, r.args)
		}
	}
	if !quiet && !services {
		return notModelledProgram(r.path, r.args)
	}
	var out []string
	for _, c := range r.h.w.ProjectContainers(r.engine, p.name) {
		state := "exited"
		if c.Running() {
			state = "running"
		}
		if (!all && state != "running" && len(status) == 0) || (len(status) > 0 && !slices.Contains(status, state)) {
			continue
		}
		if quiet {
			out = append(out, c.ID)
		} else {
			out = append(out, c.Service)
		}
	}
	return engine.NativeResult{Stdout: crlfLines(out...)}
}

func (r *composeRun) down(p composeProject) engine.NativeResult {
	var progress []string
	for _, c := range r.h.w.ProjectContainers(r.engine, p.name) {
		name := r.containerName(p, c.Service)
		progress = append(progress, fmt.Sprintf(" Container %s  Stopping", name), fmt.Sprintf(" Container %s  Stopped", name),
			fmt.Sprintf(" Container %s  Removing", name))
		if err := r.h.w.RemoveContainer(r.engine, c.ID); err != nil {
			return r.fail("Error response from daemon: " + err.Error())
		}
		progress = append(progress, fmt.Sprintf(" Container %s  Removed", name))
	}
	if !p.external && r.h.m.RemoveNetwork(p.network) {
		progress = append(progress, fmt.Sprintf(" Network %s  Removing", p.network), fmt.Sprintf(" Network %s  Removed", p.network))
	}
	if r.engine == "containerd" {
		return engine.NativeResult{}
	}
	return engine.NativeResult{Stderr: crlfLines(progress...)}
}
