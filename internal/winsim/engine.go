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
// and the options, as facts.go reports it.
func (s *Sim) release() machine.WindowsRelease {
	editionID := map[string]string{"standard": "ServerStandard", "datacenter": "ServerDatacenter", "pro": "Professional", "enterprise": "Enterprise"}[s.opts.Edition]
	return machine.WindowsRelease{ProductName: s.productName(), DisplayVersion: s.prof.DisplayVersion, EditionID: editionID,
		InstallationType: s.prof.InstallationType(s.opts.Installation), ComputerName: s.opts.ComputerName}
}

// useEngine makes the host run what is sent to powershell.exe through winsim's PowerShell engine.
func (s *Sim) useEngine() {
	s.windows = machine.NewWindows(s.Machine, machine.OSInfo{Caption: "Microsoft " + s.productName(), BuildNumber: s.prof.Build,
		ComputerName: s.opts.ComputerName, Client: s.prof.Client, BootTime: s.Host.BootTime})
	s.windows.SetRestart(func() { s.Host.Reboot(s.Host.ShutdownTime) })
	s.Host.PowerShell = s.runPowerShell
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
	fsCmdlets, fsTypes := pshost.FileSystem(s.Machine, pshost.CertProvider(s.windows))
	sysCmdlets, sysTypes, natives := pshost.System(s.Machine, s.windows)
	env := s.Machine.SystemEnvironment()
	for k, v := range s.userEnvironment() {
		env[k] = v
	}
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
