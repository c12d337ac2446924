package pshost

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// The native programs (engine.NativeRunner): where a name resolves (an absolute path, or a name along
// $env:Path with $env:PATHEXT's extensions, as PowerShell's command discovery does for applications —
// about_Command_Precedence) and what each program prints. Programs that ship with Windows live in
// C:\Windows\System32 whether or not winsim's file system lists them; the engines' programs are the
// files the machine has. A program that exists on Windows but that winsim does not model resolves, and
// running it fails loudly.

const system32 = `C:\Windows\System32`

type natives struct{ h *host }

// program runs one modelled program.
type program func(ctx context.Context, h *host, path string, args []string) engine.NativeResult

// systemPrograms are the modelled System32 programs, with the first build that has each (0: every
// build winsim models).
func systemPrograms() map[string]int {
	return map[string]int{"sc.exe": 0, "shutdown.exe": 0, "bcdedit.exe": 0, "tar.exe": tarMinBuild}
}

// otherSystemPrograms exist on every modelled Windows but are not modelled.
func otherSystemPrograms() map[string]int {
	return map[string]int{"cmd.exe": 0, "ping.exe": 0, "ipconfig.exe": 0, "netsh.exe": 0, "certutil.exe": 0, "reg.exe": 0, "whoami.exe": 0,
		"hostname.exe": 0, "where.exe": 0, "robocopy.exe": 0, "xcopy.exe": 0, "findstr.exe": 0, "wevtutil.exe": 0, "dism.exe": 0,
		"net.exe": 0, "icacls.exe": 0, "curl.exe": tarMinBuild,
		`windowspowershell\v1.0\powershell.exe`: 0}
}

// programs dispatches by file name.
func programs() map[string]program {
	return map[string]program{
		"docker.exe": runDockerCLI, "nerdctl.exe": runNerdctl, "dockerd.exe": runDockerd, "containerd.exe": runContainerd,
		"docker-compose.exe": runDockerComposeExe, "ctr.exe": runCtr, "tar.exe": runTar, "sc.exe": runSC, "shutdown.exe": runShutdown, "bcdedit.exe": runBcdedit,
	}
}

func envValue(env map[string]string, name string) string {
	for k, v := range env {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// exists reports whether an absolute path names a program file on this host.
func (n *natives) exists(path string) bool {
	lower := strings.ToLower(path)
	if dir, file, ok := cutLast(lower, `\`); ok && strings.EqualFold(dir, system32) {
		build := n.h.m.Config().Build
		if first, ok := systemPrograms()[file]; ok {
			return build >= first
		}
		if first, ok := otherSystemPrograms()[file]; ok {
			return build >= first
		}
	}
	if strings.HasSuffix(lower, `\system32\windowspowershell\v1.0\powershell.exe`) {
		return true
	}
	_, ok := n.h.m.File(path)
	return ok
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return "", s, false
	}
	return s[:i], s[i+len(sep):], true
}

// expandPath expands the %SystemRoot%-style references a PATH entry may carry.
func expandPath(dir string) string {
	r := strings.NewReplacer("%SystemRoot%", `C:\Windows`, "%SYSTEMROOT%", `C:\Windows`, "%systemroot%", `C:\Windows`,
		"%ProgramFiles%", `C:\Program Files`, "%windir%", `C:\Windows`, "%WINDIR%", `C:\Windows`)
	return strings.TrimRight(r.Replace(strings.TrimSpace(dir)), `\`)
}

// Resolve implements engine.NativeRunner.
func (n *natives) Resolve(name string, env map[string]string) (string, bool) {
	exts := strings.Split(envValue(env, "PATHEXT"), ";")
	if envValue(env, "PATHEXT") == "" {
		exts = []string{".COM", ".EXE", ".BAT", ".CMD"}
	}
	candidates := func(base string) []string {
		out := []string{}
		for _, e := range exts {
			if e != "" && strings.HasSuffix(strings.ToLower(base), strings.ToLower(e)) {
				return []string{base}
			}
		}
		for _, e := range exts {
			if e != "" {
				out = append(out, base+strings.ToLower(e))
			}
		}
		return out
	}
	if strings.ContainsAny(name, `\/`) {
		p := strings.ReplaceAll(name, "/", `\`)
		if len(p) < 3 || p[1] != ':' || p[2] != '\\' {
			// A relative path resolves against the current location, which this host does not see.
			return "", false
		}
		for _, c := range candidates(p) {
			if n.exists(c) {
				return c, true
			}
		}
		return "", false
	}
	for _, dir := range strings.Split(envValue(env, "PATH"), ";") {
		if strings.TrimSpace(dir) == "" {
			continue
		}
		for _, c := range candidates(expandPath(dir) + `\` + name) {
			if n.exists(c) {
				return c, true
			}
		}
	}
	return "", false
}

// Run implements engine.NativeRunner.
func (n *natives) Run(ctx context.Context, path string, args []string, _ io.Reader) engine.NativeResult {
	_, file, _ := cutLast(strings.ToLower(path), `\`)
	if p, ok := programs()[file]; ok {
		return p(ctx, n.h, path, args)
	}
	return notModelledProgram(path, args)
}

// notModelledProgram is the loud failure of a program winsim does not run.
func notModelledProgram(path string, args []string) engine.NativeResult {
	return engine.NativeResult{Stderr: fmt.Sprintf("winsim's PowerShell does not implement the program %s %s\r\n", path, strings.Join(args, " ")), ExitCode: 1}
}

// lines joins output lines with CRLF, each ended.
func crlfLines(ls ...string) string {
	if len(ls) == 0 {
		return ""
	}
	return strings.Join(ls, "\r\n") + "\r\n"
}
