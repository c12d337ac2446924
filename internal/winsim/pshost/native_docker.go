package pshost

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"text/tabwriter"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// docker.exe and nerdctl.exe: the subcommands the library runs, over the machine's engines (Info,
// Pull, Run, HasImage) and its detached containers (machine.Windows). docker reports failures as a line
// on stderr (exit 1; `docker run` exits 125 for the daemon's errors, docker run reference "Exit
// status"); nerdctl through logrus, `time="..." level=fatal msg="..."` (the layout machine.NerdctlVersion
// quotes; inferred for the other subcommands' texts). Output formats are the CLIs' (Go templates for
// --format: the fields the scripts use are modelled, any other template is refused).

// cli is one run of docker.exe or nerdctl.exe.
type cli struct {
	h      *host
	engine string // docker or containerd
	path   string
	args   []string
}

func (c *cli) nerdctl() bool { return c.engine == "containerd" }

// fail is the client's error report.
func (c *cli) fail(msg string, code int) engine.NativeResult {
	if c.nerdctl() {
		msg = strings.TrimPrefix(msg, "docker: ")
		ts := c.h.w.Now().Format("2006-01-02T15:04:05Z07:00")
		return engine.NativeResult{Stderr: crlfLines(fmt.Sprintf("time=%q level=fatal msg=%q", ts, msg)), ExitCode: 1}
	}
	return engine.NativeResult{Stderr: crlfLines(msg), ExitCode: code}
}

func runDockerCLI(_ context.Context, h *host, path string, args []string) engine.NativeResult {
	return (&cli{h: h, engine: "docker", path: path, args: args}).run()
}

// runNerdctl takes nerdctl's global flags first: --address (-a) must be containerd's pipe, where the
// containerd service listens (cmd/containerd defaults_windows.go); --namespace is not modelled.
func runNerdctl(_ context.Context, h *host, path string, args []string) engine.NativeResult {
	c := &cli{h: h, engine: "containerd", path: path}
	address := `\\.\pipe\containerd-containerd`
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch a := args[0]; {
		case (a == "--address" || a == "-a" || a == "--host" || a == "-H") && len(args) > 1:
			address, args = args[1], args[2:]
		case strings.HasPrefix(a, "--address="):
			address, args = strings.TrimPrefix(a, "--address="), args[1:]
		default:
			return notModelledProgram(path, args)
		}
	}
	c.args = args
	if !strings.EqualFold(address, `\\.\pipe\containerd-containerd`) && (len(args) == 0 || args[0] != "version") {
		return c.fail(fmt.Sprintf(`cannot access containerd socket %q: open %s: The system cannot find the file specified.`, address, address), 1)
	}
	return c.run()
}

func (c *cli) run() engine.NativeResult {
	if len(c.args) == 0 {
		return notModelledProgram(c.path, c.args)
	}
	sub, rest := c.args[0], c.args[1:]
	if sub == "image" && len(rest) > 0 && rest[0] == "inspect" {
		return c.imageInspect(rest[1:])
	}
	switch sub {
	case "compose":
		if c.nerdctl() {
			return c.nerdctlCompose(rest)
		}
		return c.dockerCompose(rest)
	case "version":
		return c.version(rest)
	case "info":
		return c.info(rest)
	case "pull":
		return c.pull(rest)
	case "run":
		return c.runContainer(rest)
	case "top":
		return c.top(rest)
	case "inspect":
		return c.inspect(rest)
	case "rm":
		return c.rm(rest)
	}
	return notModelledProgram(c.path, c.args)
}

// formatArg takes `--format T` / `--format=T` / `-f T` out of args.
func formatArg(args []string) (format string, rest []string) {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case (a == "--format" || a == "-f") && i+1 < len(args):
			format = args[i+1]
			i++
		case strings.HasPrefix(a, "--format="):
			format = strings.TrimPrefix(a, "--format=")
		default:
			rest = append(rest, a)
		}
	}
	return format, rest
}

func templateField() *regexp.Regexp { return regexp.MustCompile(`\{\{\s*([^}]*?)\s*\}\}`) }

// render fills a Go template made of {{.Field.Path}} actions from fields; ok is false for any other
// action.
func render(tmpl string, fields map[string]string) (string, bool) {
	ok := true
	re := templateField()
	out := re.ReplaceAllStringFunc(tmpl, func(m string) string {
		key := re.FindStringSubmatch(m)[1]
		v, has := fields[key]
		ok = ok && has
		return v
	})
	return out, ok
}

func (c *cli) version(args []string) engine.NativeResult {
	format, rest := formatArg(args)
	if len(rest) > 0 {
		return notModelledProgram(c.path, c.args)
	}
	if c.nerdctl() {
		if strings.TrimSpace(format) != "{{json .}}" {
			return notModelledProgram(c.path, c.args)
		}
		r := c.h.m.NerdctlVersion()
		return engine.NativeResult{Stdout: r.Stdout, Stderr: r.Stderr, ExitCode: r.ExitCode}
	}
	info, err := c.h.m.Info("docker")
	if err != nil {
		return c.fail(err.Error(), 1)
	}
	osName, arch, _ := strings.Cut(info.OSArch, "/")
	out, ok := render(format, map[string]string{".Server.Version": info.Version, ".Server.Os": osName, ".Server.Arch": arch,
		".Client.Version": info.Version, ".Client.Os": "windows", ".Client.Arch": "amd64"})
	if !ok || format == "" {
		return notModelledProgram(c.path, c.args)
	}
	return engine.NativeResult{Stdout: crlfLines(out)}
}

func (c *cli) info(args []string) engine.NativeResult {
	format, rest := formatArg(args)
	if c.nerdctl() || len(rest) > 0 || format == "" {
		return notModelledProgram(c.path, c.args)
	}
	info, err := c.h.m.Info("docker")
	if err != nil {
		return c.fail(strings.Replace(err.Error(), "/version", "/info", 1), 1)
	}
	out, ok := render(format, map[string]string{".Isolation": info.Isolation, ".ExperimentalBuild": fmt.Sprint(info.Experimental),
		".DockerRootDir": info.DataRoot, ".OSType": "windows", ".ServerVersion": info.Version, ".Architecture": "x86_64"})
	if !ok {
		return notModelledProgram(c.path, c.args)
	}
	return engine.NativeResult{Stdout: crlfLines(out)}
}

// engineUp reports the engine's own "not running" error.
func (c *cli) engineUp() (engine.NativeResult, bool) {
	if _, err := c.h.m.Info(c.engine); err != nil {
		return c.fail(err.Error(), 1), false
	}
	return engine.NativeResult{}, true
}

// imageID is a stable synthetic image ID (winsim keeps references only).
func imageID(ref string) string {
	s := sha256.Sum256([]byte("winsim-image:" + ref))
	return "sha256:" + hex.EncodeToString(s[:])
}

// familiar is docker's familiar form of a reference, with the default tag.
func familiar(ref string) string {
	last := ref[strings.LastIndex(ref, "/")+1:]
	if !strings.Contains(last, ":") && !strings.Contains(ref, "@") {
		return ref + ":latest"
	}
	return ref
}

func imageOSOf(ref string) string {
	if strings.HasPrefix(ref, "mcr.microsoft.com/windows") {
		return "windows"
	}
	return "linux"
}

func (c *cli) imageInspect(args []string) engine.NativeResult {
	format, refs := formatArg(args)
	if len(refs) == 0 {
		return notModelledProgram(c.path, c.args)
	}
	if r, ok := c.engineUp(); !ok {
		return r
	}
	var out []string
	var docs []map[string]any
	for _, ref := range refs {
		if !c.h.m.HasImage(ref) {
			if c.nerdctl() {
				return c.fail("no such image: "+ref, 1)
			}
			return c.fail("Error: No such image: "+ref, 1)
		}
		if format != "" {
			s, ok := render(format, map[string]string{".Id": imageID(ref), ".ID": imageID(ref), ".Os": imageOSOf(ref), ".Architecture": "amd64"})
			if !ok {
				return notModelledProgram(c.path, c.args)
			}
			out = append(out, s)
			continue
		}
		docs = append(docs, map[string]any{"Id": imageID(ref), "RepoTags": []string{familiar(ref)}, "Os": imageOSOf(ref), "Architecture": "amd64"})
	}
	if format == "" {
		b, err := json.MarshalIndent(docs, "", "    ")
		if err != nil {
			return c.fail(err.Error(), 1)
		}
		return engine.NativeResult{Stdout: crlfLines(string(b))}
	}
	return engine.NativeResult{Stdout: crlfLines(out...)}
}

// pullLines is docker's progress for a fetched image (one layer shown; inferred: the layer and digest
// values).
func pullLines(ref string) []string {
	f := familiar(ref)
	tag := f[strings.LastIndex(f, ":")+1:]
	repo := strings.TrimSuffix(f, ":"+tag)
	if !strings.Contains(repo, "/") {
		repo = "library/" + repo
	} else if i := strings.Index(repo, "/"); strings.ContainsAny(repo[:i], ".:") {
		repo = repo[i+1:]
	}
	id := strings.TrimPrefix(imageID(ref), "sha256:")
	return []string{tag + ": Pulling from " + repo, id[:12] + ": Pull complete", "Digest: sha256:" + id[12:] + id[:12],
		"Status: Downloaded newer image for " + f}
}

// fullRef is the reference docker prints after a pull (docker.io/library/... for Docker Hub images).
func fullRef(ref string) string {
	f := familiar(ref)
	first := f[:max(strings.Index(f, "/"), 0)]
	switch {
	case !strings.Contains(f, "/"):
		return "docker.io/library/" + f
	case !strings.ContainsAny(first, ".:") && first != "localhost":
		return "docker.io/" + f
	}
	return f
}

func (c *cli) pull(args []string) engine.NativeResult {
	platform := ""
	var refs []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--platform" && i+1 < len(args):
			platform = args[i+1]
			i++
		case strings.HasPrefix(a, "--platform="):
			platform = strings.TrimPrefix(a, "--platform=")
		case strings.HasPrefix(a, "-"):
			return notModelledProgram(c.path, c.args)
		default:
			refs = append(refs, a)
		}
	}
	if len(refs) != 1 {
		return notModelledProgram(c.path, c.args)
	}
	ref := refs[0]
	pulled, err := c.h.m.PullPlatform(c.engine, ref, platform)
	if err != nil {
		return c.fail(err.Error(), 1)
	}
	if c.nerdctl() {
		// nerdctl shows its progress on stderr (inferred: the resolved/elapsed lines).
		return engine.NativeResult{Stderr: crlfLines(fullRef(ref)+": resolved", "elapsed: 1.2 s")}
	}
	if !pulled {
		f := familiar(ref)
		tag := f[strings.LastIndex(f, ":")+1:]
		return engine.NativeResult{Stdout: crlfLines(tag+": Pulling from "+strings.TrimSuffix(f, ":"+tag), "Digest: "+imageID(ref), "Status: Image is up to date for "+f, fullRef(ref))}
	}
	return engine.NativeResult{Stdout: crlfLines(append(pullLines(ref), fullRef(ref))...)}
}

// runOptions parses `run` flags up to the image.
type runFlags struct {
	detach     bool
	isolation  string
	platform   string
	image      string
	command    []string
	unmodelled bool
}

func parseRun(args []string) runFlags {
	var f runFlags
	for i := 0; i < len(args); i++ {
		a := args[i]
		value := func(name string) (string, bool) {
			if strings.HasPrefix(a, name+"=") {
				return strings.TrimPrefix(a, name+"="), true
			}
			if a == name && i+1 < len(args) {
				i++
				return args[i], true
			}
			return "", false
		}
		if !strings.HasPrefix(a, "-") {
			f.image, f.command = a, args[i+1:]
			return f
		}
		switch a {
		case "--rm":
		case "-d", "--detach":
			f.detach = true
		default:
			if v, ok := value("--isolation"); ok {
				f.isolation = strings.ToLower(v)
			} else if v, ok := value("--platform"); ok {
				f.platform = strings.ToLower(v)
			} else if _, ok := value("--name"); ok {
				continue
			} else {
				f.unmodelled = true
			}
		}
	}
	return f
}

func (c *cli) runContainer(args []string) engine.NativeResult {
	f := parseRun(args)
	if f.unmodelled || f.image == "" {
		return notModelledProgram(c.path, c.args)
	}
	iso := f.isolation
	if iso == "default" {
		iso = ""
	}
	cmd := strings.ToLower(strings.Join(f.command, " "))
	windows := imageOSOf(f.image) == "windows" && f.platform != "linux"
	switch {
	case f.detach && windows && strings.HasPrefix(cmd, "ping") && strings.Contains(cmd, "-t"):
	case !f.detach && windows && (cmd == "cmd /c ver" || cmd == "cmd.exe /c ver"):
	case !f.detach && !windows && cmd == "uname":
	default:
		return notModelledProgram(c.path, c.args)
	}
	platform := ""
	if f.platform != "" {
		platform = strings.TrimSuffix(f.platform, "/amd64")
	}
	had := c.h.m.HasImage(f.image)
	opts := machine.RunOptions{Engine: c.engine, Image: f.image, Isolation: iso, Platform: platform, Pull: true}
	var stdout, stderr []string
	if !had && !c.nerdctl() {
		// docker run pulls a missing image (--pull=missing) and says so on stderr first.
		stderr = append(stderr, fmt.Sprintf("Unable to find image '%s' locally", familiar(f.image)))
	}
	if f.detach {
		ct, err := c.h.w.RunDetached(opts, f.command)
		if err != nil {
			r := c.fail(err.Error(), 125)
			r.Stderr = crlfLines(stderr...) + r.Stderr
			return r
		}
		if !had && !c.nerdctl() {
			stdout = append(stdout, pullLines(f.image)...)
		}
		stdout = append(stdout, ct.ID)
		return engine.NativeResult{Stdout: crlfLines(stdout...), Stderr: crlfLines(stderr...)}
	}
	res, err := c.h.m.Run(opts)
	if err != nil {
		r := c.fail(err.Error(), 125)
		r.Stderr = crlfLines(stderr...) + r.Stderr
		return r
	}
	out := ""
	if res.Pulled && !c.nerdctl() {
		out = crlfLines(pullLines(f.image)...)
	}
	return engine.NativeResult{Stdout: out + strings.ReplaceAll(strings.ReplaceAll(res.Output, "\r\n", "\n"), "\n", "\r\n"), Stderr: crlfLines(stderr...)}
}

func (c *cli) container(ref string) (machine.Container, engine.NativeResult, bool) {
	if r, ok := c.engineUp(); !ok {
		return machine.Container{}, r, false
	}
	ct, err := c.h.w.Container(c.engine, ref)
	if err != nil {
		if c.nerdctl() {
			return ct, c.fail("no such container: "+ref, 1), false
		}
		return ct, c.fail("Error response from daemon: "+err.Error(), 1), false
	}
	return ct, engine.NativeResult{}, true
}

// top is `docker top` / `nerdctl top` on Windows: Name, PID, CPU, Private Working Set through a
// tabwriter (minwidth 20, padding 3; moby daemon/top_windows.go and docker/cli, nerdctl
// pkg/cmd/container/top_windows.go). A container that is not running is the daemon's error.
func (c *cli) top(args []string) engine.NativeResult {
	if len(args) != 1 {
		return notModelledProgram(c.path, c.args)
	}
	ct, r, ok := c.container(args[0])
	if !ok {
		return r
	}
	if !ct.Running() {
		return c.fail(fmt.Sprintf("Error response from daemon: container %s is not running", ct.ID), 1)
	}
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 20, 1, 3, ' ', 0)
	fmt.Fprintln(w, "Name\tPID\tCPU\tPrivate Working Set")
	for i, p := range ct.Processes {
		fmt.Fprintf(w, "%s.exe\t%d\t00:00:00.%03d\t%s\n", p.Name, p.ID, 15*(i+1), fmt.Sprintf("%.4gkB", 512+float64(37*i)))
	}
	_ = w.Flush()
	return engine.NativeResult{Stdout: strings.ReplaceAll(b.String(), "\n", "\r\n")}
}

func (c *cli) inspect(args []string) engine.NativeResult {
	format, refs := formatArg(args)
	if len(refs) != 1 || format == "" {
		return notModelledProgram(c.path, c.args)
	}
	if r, ok := c.engineUp(); !ok {
		return r
	}
	ct, err := c.h.w.Container(c.engine, refs[0])
	if err != nil {
		if c.nerdctl() {
			return c.fail("no such object: "+refs[0], 1)
		}
		return c.fail("Error: No such object: "+refs[0], 1)
	}
	status := "running"
	if !ct.Running() {
		status = "exited"
	}
	out, ok := render(format, map[string]string{".State.Running": fmt.Sprint(ct.Running()), ".State.Status": status, ".Id": ct.ID, ".ID": ct.ID,
		".Config.Image": ct.Image, ".HostConfig.Isolation": ct.Isolation})
	if !ok {
		return notModelledProgram(c.path, c.args)
	}
	return engine.NativeResult{Stdout: crlfLines(out)}
}

// rm -f: the container is stopped and removed, its ID printed; a container that does not exist is no
// error with -f (docker/cli container/rm.go skips not-found errors when forced).
func (c *cli) rm(args []string) engine.NativeResult {
	force := false
	var refs []string
	for _, a := range args {
		switch a {
		case "-f", "--force":
			force = true
		default:
			if !strings.HasPrefix(a, "-") {
				refs = append(refs, a)
				continue
			}
			return notModelledProgram(c.path, c.args)
		}
	}
	if !force || len(refs) == 0 {
		return notModelledProgram(c.path, c.args)
	}
	if r, ok := c.engineUp(); !ok {
		return r
	}
	var out []string
	for _, ref := range refs {
		if err := c.h.w.RemoveContainer(c.engine, ref); err == nil {
			out = append(out, ref)
		}
	}
	return engine.NativeResult{Stdout: crlfLines(out...)}
}
