package pshost

import (
	"context"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// The engines' daemons as programs: their version lines and their service registration
// (`--register-service` / `--unregister-service`, machine.RegisterService and UnregisterService), plus
// containerd's `config default`. Running a daemon in the foreground is not modelled.

// binaryVersion is the version of the program file at path.
func binaryVersion(h *host, path string) (machine.File, bool) {
	f, ok := h.m.File(path)
	return f, ok && f.Version != ""
}

// engineFailure is a daemon's error line on stderr and exit 1 (inferred: moby's and containerd's
// main print the error and exit 1).
func engineFailure(err error) engine.NativeResult {
	return engine.NativeResult{Stderr: crlfLines(err.Error()), ExitCode: 1}
}

// serviceArgs are the arguments --register-service records on the service's command line (every
// argument but --register-service itself; docs/knowledge/windows.md#installing-docker).
func serviceArgs(args []string) []string {
	var out []string
	for _, a := range args {
		if a != "--register-service" {
			out = append(out, a)
		}
	}
	return out
}

// runDockerd is dockerd.exe: `--version` prints "Docker version <v>, build <commit>" (docker/cli
// `docker --version` form, which dockerd shares; the commit is the file's).
func runDockerd(_ context.Context, h *host, path string, args []string) engine.NativeResult {
	f, ok := binaryVersion(h, path)
	if !ok {
		return notModelledProgram(path, args)
	}
	switch {
	case len(args) == 1 && (args[0] == "--version" || args[0] == "-v"):
		return engine.NativeResult{Stdout: crlfLines("Docker version " + f.Version + ", build " + f.SHA256[:7])}
	case len(args) >= 1 && args[0] == "--register-service":
		if err := h.m.RegisterService("docker", serviceArgs(args)...); err != nil {
			return engineFailure(err)
		}
		return engine.NativeResult{}
	case len(args) == 1 && args[0] == "--unregister-service":
		if err := h.m.UnregisterService("docker"); err != nil {
			return engineFailure(err)
		}
		return engine.NativeResult{}
	}
	return notModelledProgram(path, args)
}

// runContainerd is containerd.exe: `--version` ("containerd <module> v<version> <commit>", the module
// github.com/containerd/containerd, /v2 from 2.0), `config default`, `--register-service`,
// `--unregister-service`.
func runContainerd(_ context.Context, h *host, path string, args []string) engine.NativeResult {
	f, ok := binaryVersion(h, path)
	if !ok {
		return notModelledProgram(path, args)
	}
	v2 := !strings.HasPrefix(f.Version, "1.") && !strings.HasPrefix(f.Version, "0.")
	switch {
	case len(args) == 1 && (args[0] == "--version" || args[0] == "-v"):
		module := "github.com/containerd/containerd"
		if v2 {
			module += "/v2"
		}
		return engine.NativeResult{Stdout: crlfLines("containerd " + module + " v" + f.Version + " " + f.SHA256[:40])}
	case len(args) == 2 && args[0] == "config" && args[1] == "default":
		return engine.NativeResult{Stdout: containerdDefaultConfig(v2)}
	case len(args) >= 1 && args[0] == "--register-service":
		if err := h.m.RegisterService("containerd", serviceArgs(args)...); err != nil {
			return engineFailure(err)
		}
		return engine.NativeResult{}
	case len(args) == 1 && args[0] == "--unregister-service":
		if err := h.m.UnregisterService("containerd"); err != nil {
			return engineFailure(err)
		}
		return engine.NativeResult{}
	}
	return notModelledProgram(path, args)
}

// containerdDefaultConfig is `containerd config default` on Windows, abridged (inferred: the top of the
// real output, the root, state and pipe paths of defaults_windows.go; the plugin sections are left out).
func containerdDefaultConfig(v2 bool) string {
	version := "2"
	if v2 {
		version = "3"
	}
	return crlfLines(
		"version = "+version,
		`root = 'C:\ProgramData\containerd\root'`,
		`state = 'C:\ProgramData\containerd\state'`,
		"temp = ''",
		"plugin_dir = ''",
		"disabled_plugins = []",
		"required_plugins = []",
		"oom_score = 0",
		"imports = []",
		"",
		"[grpc]",
		`  address = '\\.\pipe\containerd-containerd'`,
		"  tcp_address = ''",
		"  tcp_tls_ca = ''",
		"  tcp_tls_cert = ''",
		"  tcp_tls_key = ''",
		"  uid = 0",
		"  gid = 0",
		"  max_recv_message_size = 16777216",
		"  max_send_message_size = 16777216",
		"",
		"[ttrpc]",
		"  address = ''",
		"  uid = 0",
		"  gid = 0",
		"",
		"[debug]",
		"  address = ''",
		"  uid = 0",
		"  gid = 0",
		"  level = ''",
		"  format = ''",
	)
}
