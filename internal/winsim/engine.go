package winsim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/host"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/pshost"
)

// release is what the machine's registry reports about its Windows (CurrentVersion), from the profile
// and the options.
func (s *Sim) release() machine.WindowsRelease {
	editionID := map[string]string{"standard": "ServerStandard", "datacenter": "ServerDatacenter", "pro": "Professional", "enterprise": "Enterprise"}[s.opts.Edition]
	return machine.WindowsRelease{ProductName: s.productName(), DisplayVersion: s.prof.DisplayVersion, EditionID: editionID,
		InstallationType: s.prof.InstallationType(s.opts.Installation), ComputerName: s.opts.ComputerName}
}

// useEngine makes the host run what is sent to powershell.exe through winsim's PowerShell engine, and
// the programs cmd.exe starts through the same native programs the engine runs.
func (s *Sim) useEngine() error {
	s.windows = machine.NewWindows(s.Machine, machine.OSInfo{Caption: "Microsoft " + s.productName(), BuildNumber: s.prof.Build,
		ComputerName: s.opts.ComputerName, Client: s.prof.Client, BootTime: s.Host.BootTime})
	s.windows.SetRestart(func() { s.Host.Reboot(s.Host.ShutdownTime) })
	s.Host.PowerShell = s.runPowerShell
	s.Host.Environment = s.environment
	s.programs = pshost.Programs(s.Machine, s.windows)
	s.Host.Programs = s.runProgram
	// The logon's profile folders exist, as after the account's first logon: %TEMP% is where winrmcp
	// (Packer's upload) writes.
	if err := s.Machine.MakeDir(s.userEnvironment()["TEMP"]); err != nil {
		return fmt.Errorf("winsim: the user's profile: %w", err)
	}
	return nil
}

// environment is the process environment of a command the account runs: the machine's, with what its
// logon adds.
func (s *Sim) environment() map[string]string {
	env := s.Machine.SystemEnvironment()
	for k, v := range s.userEnvironment() {
		env[k] = v
	}
	return env
}

// runProgram is cmd.exe starting an application by name (shutdown.exe among them): resolved along the
// PATH and run by the same native programs as in PowerShell.
func (s *Sim) runProgram(ctx context.Context, name string, args []string, stdin io.Reader, stdout, stderr io.Writer) (uint32, bool) {
	path, ok := s.programs.Resolve(name, s.environment())
	if !ok {
		return 0, false
	}
	res := s.programs.Run(ctx, path, args, stdin)
	if res.Lines != nil {
		for _, l := range res.Lines {
			if l.Stderr {
				fmt.Fprint(stderr, l.Text+"\r\n")
			} else {
				fmt.Fprint(stdout, l.Text+"\r\n")
			}
		}
	} else {
		fmt.Fprint(stdout, res.Stdout)
		fmt.Fprint(stderr, res.Stderr)
	}
	return uint32(res.ExitCode), true //nolint:gosec // a process exit code is a DWORD
}

// userEnvironment is what a WinRM logon adds to the machine's environment for the account clients use.
func (s *Sim) userEnvironment() map[string]string {
	profileDir := `C:\Users\` + s.opts.User
	temp := profileDir + `\AppData\Local\Temp`
	return map[string]string{"USERNAME": s.opts.User, "USERDOMAIN": s.opts.ComputerName, "USERPROFILE": profileDir,
		"HOMEDRIVE": "C:", "HOMEPATH": `\Users\` + s.opts.User, "APPDATA": profileDir + `\AppData\Roaming`,
		"LOCALAPPDATA": profileDir + `\AppData\Local`, "TEMP": temp, "TMP": temp}
}

// runPowerShell is powershell.exe -NoProfile -NonInteractive for one script: a fresh session of the
// engine with the host's cmdlets, types and native programs (pshost), the process environment, and the
// WinRS command's streams. Errors reach stderr the way powershell.exe writes them to a redirected stderr
// (CLIXML); what the engine does not model fails the command loudly, naming it.
func (s *Sim) runPowerShell(ctx context.Context, script string, stdin io.Reader, stdout, stderr io.Writer) uint32 {
	fsCmdlets, fsTypes, endProcess := pshost.FileSystemSession(s.Machine, pshost.CertProvider(s.windows))
	defer endProcess()
	sysCmdlets, sysTypes, natives := pshost.System(s.Machine, s.windows)
	env := s.environment()
	var errText bytes.Buffer
	sess := engine.NewSession(engine.Config{Context: ctx,
		Commands: append(fsCmdlets, sysCmdlets...), Types: append(fsTypes, sysTypes...), Natives: natives,
		Stdin: stdin, Stdout: stdout, Stderr: &errText, Env: env,
		Clock: func() time.Time { return s.Host.Clock() }, Sleep: sleepContext})
	code := sess.Run(script)
	if f := sess.Fault(); f != nil {
		errText.WriteString("\r\n" + f.Error())
		if code == 0 {
			code = 1
		}
	}
	if msg := strings.TrimSpace(errText.String()); msg != "" {
		fmt.Fprint(stderr, host.CLIXMLError(msg))
	}
	return uint32(code) //nolint:gosec // powershell.exe's exit code is the script's, as a DWORD
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("the command was stopped: %w", ctx.Err())
	}
}
