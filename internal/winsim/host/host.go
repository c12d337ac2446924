// Package host is the simulated Windows host behind winsim's WS-Man server: it runs the command lines
// clients send as WinRS does, through cmd.exe (the part of it winsim models, cmdexe.go), and hands every
// powershell.exe -EncodedCommand or -File to the host's PowerShell (winsim's Windows PowerShell 5.1
// engine, internal/winsim/ps51, over the machine model), which runs whatever script arrives.
package host

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// Host is one simulated machine.
type Host struct {
	mu           sync.Mutex
	computerName string
	build        int
	bootTime     time.Time
	boots        int
	down         bool
	commandLines []string
	machine      *machine.Machine
	// RebootTime is how long the host stays unreachable while it restarts.
	RebootTime time.Duration
	// ShutdownTime is how long a restart started by shutdown.exe keeps WinRM answering before the host
	// goes down (services stop first); default 1 s.
	ShutdownTime time.Duration
	// OnReboot runs when the host goes down (the WS-Man server drops every shell then).
	OnReboot func()
	// Clock returns the current time; tests may replace it before serving.
	Clock func() time.Time
	// PowerShell runs every script sent to powershell.exe (-EncodedCommand, -File): winsim's Windows
	// PowerShell 5.1 engine. Set it before serving.
	PowerShell func(ctx context.Context, script string, stdin io.Reader, stdout, stderr io.Writer) uint32
	// Programs runs an application cmd.exe does not build in (shutdown.exe, and whatever else is on the
	// PATH): the same programs PowerShell runs, so both see one machine. found is false when the name
	// resolves to nothing.
	Programs func(ctx context.Context, name string, args []string, stdin io.Reader, stdout, stderr io.Writer) (code uint32, found bool)
	// Environment is the environment of the account clients log on with (the machine's with the user's
	// profile folders): cmd.exe expands %NAME% from it.
	Environment func() map[string]string
}

// New returns a host. m holds the machine's state: its disk, and what a restart changes.
func New(computerName string, build int, boot time.Time, m *machine.Machine) *Host {
	return &Host{computerName: computerName, build: build, bootTime: boot.UTC(), boots: 1, RebootTime: 3 * time.Second, ShutdownTime: time.Second, Clock: time.Now,
		machine: m}
}

// Up reports whether the host accepts connections (false while it restarts).
func (h *Host) Up() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.down
}

// Boots counts the boots so far, the first included.
func (h *Host) Boots() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.boots
}

// Reboot takes the host down after delay and brings it back RebootTime later with a new boot time,
// the way shutdown /r does: in-flight connections are reset, new ones refused, then it answers again
// with every shell gone (docs/knowledge/winrm.md#restart-model).
func (h *Host) Reboot(delay time.Duration) {
	time.AfterFunc(delay, func() {
		h.mu.Lock()
		h.down = true
		hook, wait := h.OnReboot, h.RebootTime
		h.mu.Unlock()
		if hook != nil {
			hook()
		}
		time.AfterFunc(wait, func() {
			// LastBootUpTime is when the kernel started, before the services' start at boot: an engine
			// that fails then logs after it (facts.ps1 reads a stopped engine's errors since the boot).
			h.mu.Lock()
			h.bootTime = h.Clock().UTC()
			h.mu.Unlock()
			h.machine.Boot()
			h.mu.Lock()
			h.down = false
			h.boots++
			h.mu.Unlock()
		})
	})
}

// CommandLines returns every command line received, for tests that check nothing secret is on them.
func (h *Host) CommandLines() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.commandLines...)
}

// BootTime is the current boot's LastBootUpTime (UTC).
func (h *Host) BootTime() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.bootTime
}

// BootID identifies the current boot, as LastBootUpTime ticks (100 ns since 0001-01-01).
func (h *Host) BootID() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return bootID(h.bootTime)
}

func bootID(t time.Time) string {
	const ticksTo1970 = 621355968000000000
	return strconv.FormatInt(t.UnixNano()/100+ticksTo1970, 10)
}

var (
	encodedCmd = regexp.MustCompile(`(?i)^powershell(?:\.exe)?\s+(?:-\w+(?:\s+(?:Bypass|Unrestricted|RemoteSigned))?\s+)*-(?:EncodedCommand|enc|e)\s+([A-Za-z0-9+/=]+)\s*$`)
	fileCmd    = regexp.MustCompile(`(?i)^powershell(?:\.exe)?\s+(?:-\w+(?:\s+(?:Bypass|Unrestricted|RemoteSigned))?\s+)*-File\s+"?([^"]+?)"?\s*$`)
)

// Run executes one command line (the wsman.Handler contract).
func (h *Host) Run(ctx context.Context, line string, stdin io.Reader, stdout, stderr io.Writer) uint32 {
	h.mu.Lock()
	h.commandLines = append(h.commandLines, line)
	h.mu.Unlock()
	line = strings.TrimSpace(line)
	if m := encodedCmd.FindStringSubmatch(line); m != nil {
		script, err := decodeUTF16(m[1])
		if err != nil {
			fmt.Fprint(stderr, clixmlError("Cannot process the command because the value specified with -EncodedCommand is not properly encoded. The value must be Base64 encoded."))
			return 1
		}
		return h.powershell(ctx, script, stdin, stdout, stderr)
	}
	if m := fileCmd.FindStringSubmatch(line); m != nil {
		// powershell -File <path>: Packer's powershell provisioner runs its uploaded scripts this way.
		f, ok := h.machine.File(h.expand(m[1]))
		if !ok || f.Content == nil {
			fmt.Fprintf(stderr, "The argument '%s' to the -File parameter does not exist. Provide the path to an existing '.ps1' file as an argument to the -File parameter.\r\n", m[1])
			return 4294770688 // -196608, powershell.exe's exit code for a -File it cannot open
		}
		return h.powershell(ctx, string(f.Content), strings.NewReader(""), stdout, stderr)
	}
	return h.cmd(ctx, line, stdin, stdout, stderr)
}

// powershell runs one script through the host's PowerShell.
func (h *Host) powershell(ctx context.Context, script string, stdin io.Reader, stdout, stderr io.Writer) uint32 {
	if h.PowerShell == nil {
		fmt.Fprint(stderr, clixmlError("winsim: this host has no PowerShell (host.Host.PowerShell is not set)"))
		return 1
	}
	return h.PowerShell(ctx, script, stdin, stdout, stderr)
}

// expand replaces %NAME% with the logon environment's value, as cmd.exe does for the command line it
// runs (a name that is not set stays as written).
func (h *Host) expand(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var env map[string]string
	if h.Environment != nil {
		env = h.Environment()
	}
	return envRef.ReplaceAllStringFunc(s, func(ref string) string {
		name := ref[1 : len(ref)-1]
		for k, v := range env {
			if strings.EqualFold(k, name) {
				return v
			}
		}
		return ref
	})
}

var envRef = regexp.MustCompile(`%[A-Za-z_][A-Za-z0-9_()]*%`)

// File returns a file's record; paths compare case-insensitively, as on NTFS.
func (h *Host) File(path string) (machine.File, bool) { return h.machine.File(path) }

// Machine returns the machine's state.
func (h *Host) Machine() *machine.Machine { return h.machine }

func decodeUTF16(b64 string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(b)%2 != 0 {
		return "", fmt.Errorf("not UTF-16LE base64")
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u)), nil
}

// clixmlError is how Windows PowerShell 5.1 reports an error on stderr under WinRS, preceded by the
// "Preparing modules for first use." progress record it emits before any script runs (docs/knowledge/winrm.md#clixml-on-stderr).
// CLIXMLError is an error as powershell.exe writes it to a redirected stderr: a CLIXML document with the
// module-loading progress record and the message as an Error string.
func CLIXMLError(msg string) string { return clixmlError(msg) }

func clixmlError(msg string) string {
	var b strings.Builder
	b.WriteString("#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">")
	b.WriteString(`<Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN><MS><I64 N="SourceId">1</I64><PR N="Record"><AV>Preparing modules for first use.</AV><AI>0</AI><Nil /><PI>-1</PI><PC>-1</PC><T>Completed</T><SR>-1</SR><SD> </SD></PR></MS></Obj>`)
	b.WriteString(`<S S="Error">`)
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r\n", "_x000D__x000A_", "\n", "_x000A_")
	b.WriteString(r.Replace(msg + "\r\n"))
	b.WriteString(`</S></Objs>`)
	return b.String()
}
