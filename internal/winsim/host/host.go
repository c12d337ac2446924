// Package host is the simulated Windows host behind winsim's WS-Man server: it runs the command lines
// clients send — cmd.exe built-ins, Packer's and pywinrm's probes, and wincontainers' library scripts,
// recognised from the script itself and executed by native Go implementations of their semantics.
//
// It decodes the script channel on its own rather than importing internal/powershell, so a change to
// the wire contract on one side shows up as a test failure instead of being copied into both.
package host

import (
	"bufio"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
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

// ScriptFunc is the native implementation of one library script: it gets the decoded parameters and
// the rest of stdin, writes stdout and stderr, and returns the exit code.
type ScriptFunc func(ctx context.Context, h *Host, params map[string]any, data io.Reader, stdout, stderr io.Writer) uint32

// Host is one simulated machine.
type Host struct {
	mu           sync.Mutex
	computerName string
	build        int
	bootTime     time.Time
	boots        int
	down         bool
	scripts      map[string]ScriptFunc
	commandLines []string
	machine      *machine.Machine
	texts        map[string]*strings.Builder // text files written by `echo ... >> file`
	// RebootTime is how long the host stays unreachable while it restarts.
	RebootTime time.Duration
	// ShutdownTime is how long a restart started by shutdown.exe keeps WinRM answering before the host
	// goes down (services stop first); default 1 s. Restarts through the restart script are scheduled
	// with their own delay and do not add it.
	ShutdownTime time.Duration
	// shutdown.exe's state: a restart scheduled with /t N until it starts (shutdown /a cancels it),
	// then in progress until the host is back.
	shutdownTimer *time.Timer
	shuttingDown  bool
	// OnReboot runs when the host goes down (the WS-Man server drops every shell then).
	OnReboot func()
	// Clock returns the current time; tests may replace it before serving.
	Clock func() time.Time
	// PowerShell, when set, runs every script sent to powershell.exe (-EncodedCommand, -File) instead of
	// the Go implementations registered with Register: winsim's Windows PowerShell 5.1 engine
	// (winsim.Options.PowerShell = "engine").
	PowerShell func(ctx context.Context, script string, stdin io.Reader, stdout, stderr io.Writer) uint32
}

// New returns a host with the channel's scripts registered. m holds the machine's state: its disk, and
// what a restart changes.
func New(computerName string, build int, boot time.Time, m *machine.Machine) *Host {
	h := &Host{computerName: computerName, build: build, bootTime: boot.UTC(), boots: 1, RebootTime: 3 * time.Second, ShutdownTime: time.Second, Clock: time.Now,
		machine: m, texts: map[string]*strings.Builder{}}
	h.scripts = map[string]ScriptFunc{"probe": probe, "restart": restart, "receive-file": receiveFile, "finish-upload": finishUpload}
	return h
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
// with every shell gone (winrm.md §6.4).
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
			h.down, h.shuttingDown, h.shutdownTimer = false, false, nil
			h.boots++
			h.mu.Unlock()
		})
	})
}

// Register adds (or replaces) a script implementation; call it before serving.
func (h *Host) Register(name string, fn ScriptFunc) { h.scripts[name] = fn }

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
	header     = regexp.MustCompile(`^wincontainers-script/1 (\d+)\r?\n$`)
	prelude    = regexp.MustCompile(`^\$WcParams = '([A-Za-z0-9+/=]*)'\r?\n# wincontainers:script ([a-z][a-z0-9-]*)/(\d+)\r?\n`)
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
		f, ok := h.machine.File(expandTemp(m[1]))
		if !ok || f.Content == nil {
			fmt.Fprintf(stderr, "The argument '%s' to the -File parameter does not exist. Provide the path to an existing '.ps1' file as an argument to the -File parameter.\r\n", m[1])
			return 4294770688 // -196608, powershell.exe's exit code for a -File it cannot open
		}
		return h.powershell(ctx, string(f.Content), strings.NewReader(""), stdout, stderr)
	}
	return h.cmd(ctx, line, stdin, stdout, stderr)
}

// tempDir is %TEMP% (and $env:TEMP) of the account clients use.
const tempDir = `C:\Users\Administrator\AppData\Local\Temp`

func expandTemp(p string) string {
	r := strings.NewReplacer("%TEMP%", tempDir, "%temp%", tempDir, "$env:TEMP", tempDir, "$env:temp", tempDir)
	return r.Replace(p)
}

// powershell runs a decoded -EncodedCommand: the wincontainers bootstrap, or Packer's connect probe.
func (h *Host) powershell(ctx context.Context, script string, stdin io.Reader, stdout, stderr io.Writer) uint32 {
	if h.PowerShell != nil {
		if strings.Contains(script, "$tmp_file_path = [System.IO.Path]::GetFullPath(") {
			// winrmcp's restore and cleanup scripts read the temporary file its `echo ... >> file` commands
			// wrote through cmd.exe, whose model keeps them apart from the machine's file system: served
			// natively (DIFFERENCES.md).
			return h.winrmcp(script, stderr)
		}
		return h.PowerShell(ctx, script, stdin, stdout, stderr)
	}
	switch {
	case strings.Contains(script, "# wincontainers:bootstrap-staged/1"):
		return h.stagedBootstrap(ctx, script, stdout, stderr)
	case strings.Contains(script, "# wincontainers:bootstrap/1"):
		return h.bootstrap(ctx, stdin, stdout, stderr)
	case strings.Contains(script, `echo "WinRM connected."`):
		fmt.Fprint(stdout, "WinRM connected.\r\n")
		return 0
	case strings.Contains(script, "$tmp_file_path = [System.IO.Path]::GetFullPath("):
		return h.winrmcp(script, stderr)
	case strings.Contains(script, `echo ("{0} restarted." -f [System.Net.Dns]::GetHostName())`):
		// Packer's windows-restart check (restart_check_command's default).
		fmt.Fprintf(stdout, "%s restarted.\r\n", h.computerName)
		return 0
	case inlinePrelude.MatchString(script):
		return h.inline(ctx, script, stdout, stderr)
	default:
		first := strings.Fields(script)
		name := "script"
		if len(first) > 0 {
			name = first[0]
		}
		fmt.Fprint(stderr, clixmlError(fmt.Sprintf("%s : winsim does not interpret arbitrary PowerShell; it runs wincontainers' library scripts and a few probe commands.", name)))
		return 1
	}
}

var (
	winrmcpTmp  = regexp.MustCompile(`\$tmp_file_path = \[System\.IO\.Path\]::GetFullPath\("([^"]+)"\)`)
	winrmcpDest = regexp.MustCompile(`\$dest_file_path = \[System\.IO\.Path\]::GetFullPath\("([^"]+)"\.Trim\("'"\)\)`)
)

// winrmcp runs winrmcp's restore script (base64 lines of the temporary file decoded into the
// destination) and its cleanup script (Remove-Item of the temporary file).
func (h *Host) winrmcp(script string, stderr io.Writer) uint32 {
	tmp := winrmcpTmp.FindStringSubmatch(script)
	if tmp == nil {
		fmt.Fprint(stderr, clixmlError("winsim: unrecognised winrmcp script"))
		return 1
	}
	key := strings.ToLower(expandTemp(tmp[1]))
	dest := winrmcpDest.FindStringSubmatch(script)
	h.mu.Lock()
	defer h.mu.Unlock()
	if dest == nil { // cleanup
		delete(h.texts, key)
		return 0
	}
	// The restore writes the decoded bytes through [IO.File]::OpenWrite, which holds the file with
	// FileShare.None until it is complete; here the file appears complete in one step.
	var content []byte
	if b := h.texts[key]; b != nil {
		for _, line := range strings.Split(b.String(), "\r\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			raw, err := base64.StdEncoding.DecodeString(line)
			if err != nil {
				fmt.Fprint(stderr, clixmlError(`Exception calling "FromBase64String" with "1" argument(s): "The input is not a valid Base-64 string as it contains a non-base 64 character"`))
				return 1
			}
			content = append(content, raw...)
		}
	}
	h.machine.WriteFile(strings.Trim(dest[1], "'"), content)
	return 0
}

// inlinePrelude finds a library script inside a self-contained script (one that defines the
// bootstrap's helper functions itself): the step-per-command style, sent as -EncodedCommand or uploaded
// and run with -File.
var inlinePrelude = regexp.MustCompile(`(?m)^\$WcParams = '[A-Za-z0-9+/=]*'\r?\n# wincontainers:script [a-z][a-z0-9-]*/\d+\r?$`)

// inline runs a library script that arrives without the bootstrap. PowerShell would fail on the first
// call of a helper the script does not define, so the helpers must be defined before the prelude.
func (h *Host) inline(ctx context.Context, script string, stdout, stderr io.Writer) uint32 {
	loc := inlinePrelude.FindStringIndex(script)
	for _, fn := range []string{"Get-WcParams", "Write-WcProgress", "Write-WcResult"} {
		if !strings.Contains(script[:loc[0]], "function "+fn) {
			fmt.Fprint(stderr, clixmlError(fmt.Sprintf("%s : The term '%s' is not recognized as the name of a cmdlet, function, script file, or operable program.", fn, fn)))
			return 1
		}
	}
	return h.runBody(ctx, []byte(script[loc[0]:]), strings.NewReader(""), stdout, stderr)
}

// shutdown is shutdown.exe's restart and abort (/r [/t N] [/f] [/d ...] [/c "..."], /a). A restart with
// /t 0 starts at once and the host goes down ShutdownTime later; /t N (default 30) schedules it. While
// one is scheduled another /r fails with 1190, while one is in progress with 1115; /a cancels a
// scheduled one, and with none scheduled fails with 1116.
func (h *Host) shutdown(args []string, stderr io.Writer) uint32 {
	restart, abort, delay := false, false, 30*time.Second
	for i := 0; i < len(args); i++ {
		switch strings.ToLower(strings.Replace(args[i], "-", "/", 1)) {
		case "/r":
			restart = true
		case "/a":
			abort = true
		case "/f":
		case "/t":
			if i+1 < len(args) {
				n, err := strconv.Atoi(args[i+1])
				if err != nil || n < 0 || n > 315360000 {
					fmt.Fprint(stderr, "The parameter is incorrect.(87)\r\n")
					return 87
				}
				delay = time.Duration(n) * time.Second
				i++
			}
		case "/d":
			i++
		case "/c":
			i = len(args) // the comment is the rest of the line
		default:
			fmt.Fprintf(stderr, "winsim: shutdown.exe %s is not modelled (only /r and /a are)\r\n", args[i])
			return 1
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case abort:
		if h.shutdownTimer != nil && h.shutdownTimer.Stop() {
			h.shutdownTimer = nil
			return 0
		}
		if h.shuttingDown {
			fmt.Fprint(stderr, "A system shutdown is in progress.(1115)\r\n")
			return 1115
		}
		fmt.Fprint(stderr, "Unable to abort the system shutdown because no shutdown was in progress.(1116)\r\n")
		return 1116
	case !restart:
		fmt.Fprint(stderr, "winsim: shutdown.exe without /r or /a is not modelled\r\n")
		return 1
	case h.shuttingDown || h.down:
		fmt.Fprint(stderr, "A system shutdown is in progress.(1115)\r\n")
		return 1115
	case h.shutdownTimer != nil:
		fmt.Fprint(stderr, "A system shutdown has already been scheduled.(1190)\r\n")
		return 1190
	}
	start := func() {
		h.mu.Lock()
		h.shutdownTimer, h.shuttingDown = nil, true
		wait := h.ShutdownTime
		h.mu.Unlock()
		h.Reboot(wait)
	}
	if delay == 0 {
		h.shuttingDown = true
		h.Reboot(h.ShutdownTime)
		return 0
	}
	h.shutdownTimer = time.AfterFunc(delay, start)
	return 0
}

// bootstrap reads the stdin framing exactly as the real bootstrap does and dispatches on the header.
func (h *Host) bootstrap(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer) uint32 {
	br := bufio.NewReader(stdin)
	line, err := br.ReadString('\n')
	m := header.FindStringSubmatch(line)
	if err != nil || m == nil {
		fmt.Fprint(stderr, "wincontainers: stdin does not start with a script header\r\n")
		return 2
	}
	n, _ := strconv.Atoi(m[1])
	body := make([]byte, n)
	if _, err := io.ReadFull(br, body); err != nil {
		fmt.Fprint(stderr, "wincontainers: stdin ended inside the script\r\n")
		return 2
	}
	return h.runBody(ctx, body, br, stdout, stderr)
}

var (
	stagedIn    = regexp.MustCompile(`(?m)^\$WcIn = '([^']*)'\r?$`)
	stagedWait  = regexp.MustCompile(`(?m)^\$WcWait = (\d+)\r?$`)
	stagedFrame = regexp.MustCompile(`^wincontainers-script/1 (\d+)\n`)
)

// stagedPoll is the staged bootstrap's pause between attempts to read the file (Start-Sleep 100 ms).
const stagedPoll = 100 * time.Millisecond

// stagedBootstrap runs bootstrap-staged.ps1 (internal/powershell/staged.go), decoded on its own here:
// print a fresh 64-byte key, poll until $WcIn can be read whole, delete it, check HMAC-SHA256 under
// key[32:], decrypt AES-256-CBC under key[:32], check the frame, and run the body with no stdin.
func (h *Host) stagedBootstrap(ctx context.Context, script string, stdout, stderr io.Writer) uint32 {
	var path string
	var wait time.Duration
	if m := stagedIn.FindStringSubmatch(script); m != nil {
		path = m[1]
	}
	if m := stagedWait.FindStringSubmatch(script); m != nil {
		secs, _ := strconv.Atoi(m[1])
		wait = time.Duration(secs) * time.Second
	}
	key := make([]byte, 64)
	_, _ = rand.Read(key)
	fmt.Fprintf(stdout, "##wincontainers:key %s\r\n", base64.StdEncoding.EncodeToString(key))
	deadline := time.Now().Add(wait)
	var f machine.File
	for {
		var ok bool
		if f, ok = h.machine.File(path); ok && path != "" {
			break
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(stderr, "wincontainers: no staged script arrived at %s within %d s\r\n", path, int(wait/time.Second))
			return 2
		}
		select {
		case <-ctx.Done():
			return 1
		case <-time.After(stagedPoll):
		}
	}
	h.machine.RemoveFile(path)
	d := f.Content // a file winsim knows only by its hash reads as nothing here, and fails the check
	n := len(d) - 48
	if n < 16 {
		fmt.Fprint(stderr, "wincontainers: the staged script is truncated\r\n")
		return 2
	}
	mac := hmac.New(sha256.New, key[32:])
	mac.Write(d[:n+16])
	if !hmac.Equal(mac.Sum(nil), d[n+16:]) {
		fmt.Fprint(stderr, "wincontainers: the staged script was changed or truncated\r\n")
		return 2
	}
	block, _ := aes.NewCipher(key[:32])
	if n%aes.BlockSize != 0 {
		// .NET's TransformFinalBlock: "The input data is not a complete block."
		fmt.Fprint(stderr, clixmlError(`Exception calling "TransformFinalBlock" with "3" argument(s): "The input data is not a complete block."`))
		return 1
	}
	plain := make([]byte, n)
	cipher.NewCBCDecrypter(block, d[:16]).CryptBlocks(plain, d[16:16+n])
	pad := int(plain[n-1])
	if pad < 1 || pad > aes.BlockSize || pad > n {
		fmt.Fprint(stderr, clixmlError(`Exception calling "TransformFinalBlock" with "3" argument(s): "Padding is invalid and cannot be removed."`))
		return 1
	}
	frame := plain[:n-pad]
	m := stagedFrame.FindSubmatch(frame)
	if m == nil {
		fmt.Fprint(stderr, "wincontainers: the staged script has no script header\r\n")
		return 2
	}
	body := frame[len(m[0]):]
	if want, _ := strconv.Atoi(string(m[1])); len(body) != want {
		fmt.Fprint(stderr, "wincontainers: the staged script has the wrong length\r\n")
		return 2
	}
	return h.runBody(ctx, body, strings.NewReader(""), stdout, stderr)
}

// runBody runs a script body (the $WcParams prelude, then a library script) with data as the rest of
// its stdin.
func (h *Host) runBody(ctx context.Context, body []byte, data io.Reader, stdout, stderr io.Writer) uint32 {
	p := prelude.FindSubmatch(body)
	if p == nil {
		fmt.Fprint(stderr, clixmlError("At line:1 char:1: the script does not start with the $WcParams prelude and a wincontainers header."))
		return 1
	}
	var params map[string]any
	if raw, err := base64.StdEncoding.DecodeString(string(p[1])); err == nil {
		_ = json.Unmarshal(raw, &params)
	}
	fn, ok := h.scripts[string(p[2])]
	if !ok {
		fmt.Fprint(stderr, clixmlError(fmt.Sprintf("winsim has no implementation of the library script %q (version %s).", p[2], p[3])))
		return 1
	}
	return fn(ctx, h, params, data, stdout, stderr)
}

func probe(_ context.Context, h *Host, _ map[string]any, _ io.Reader, stdout, _ io.Writer) uint32 {
	h.mu.Lock()
	res := map[string]any{
		"boot_id": bootID(h.bootTime), "last_boot_up_time": h.bootTime.Format("2006-01-02T15:04:05.0000000Z"),
		"computer_name": h.computerName, "ps_version": "5.1." + strconv.Itoa(h.build) + ".1", "os_build": h.build,
	}
	h.mu.Unlock()
	b, _ := json.Marshal(res)
	fmt.Fprintf(stdout, "##wincontainers:result %s\r\n", b)
	return 0
}

// restart implements the restart script: schedule the restart delay_seconds ahead and return first.
func restart(_ context.Context, h *Host, params map[string]any, _ io.Reader, stdout, _ io.Writer) uint32 {
	delay := 5.0
	if v, ok := params["delay_seconds"].(float64); ok && v >= 0 {
		delay = v
	}
	before := h.BootID()
	h.Reboot(time.Duration(delay * float64(time.Second)))
	fmt.Fprintf(stdout, "##wincontainers:result {\"scheduled\":true,\"already_scheduled\":false,\"boot_id\":%q,\"delay_seconds\":%g}\r\n", before, delay)
	return 0
}

// File returns a file's record; paths compare case-insensitively, as on NTFS.
func (h *Host) File(path string) (machine.File, bool) { return h.machine.File(path) }

// Machine returns the machine's state.
func (h *Host) Machine() *machine.Machine { return h.machine }

// receiveFile implements the receive-file script: base64 lines on stdin after the script, written to a
// temporary file, verified, then moved into place; a mismatch leaves nothing at the target.
func receiveFile(_ context.Context, h *Host, params map[string]any, data io.Reader, stdout, _ io.Writer) uint32 {
	path, _ := params["path"].(string)
	want, _ := params["sha256"].(string)
	size, _ := params["size"].(float64)
	sum := sha256.New()
	var n int64
	sc := bufio.NewScanner(data)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	next := int64(4 << 20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(line)
		if err != nil {
			writeResult(stdout, map[string]any{"error": map[string]string{"code": "bad_input", "message": "Exception calling \"FromBase64String\" with \"1\" argument(s): \"The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters. \"", "remedy": "send the file again"}})
			return 1
		}
		sum.Write(b)
		n += int64(len(b))
		if size > 0 && n >= next {
			next += 4 << 20
			fmt.Fprintf(stdout, "##wincontainers:progress {\"step\":\"receive-file\",\"message\":\"%d of %d bytes\",\"percent\":%d}\r\n", n, int64(size), int(100*float64(n)/size))
		}
	}
	got := hex.EncodeToString(sum.Sum(nil))
	if got != strings.ToLower(want) || (size > 0 && n != int64(size)) {
		writeResult(stdout, map[string]any{"error": map[string]string{"code": "checksum_mismatch",
			"message": fmt.Sprintf("received %d bytes with SHA-256 %s; expected %d bytes with SHA-256 %s", n, got, int64(size), want),
			"remedy":  "the transfer was corrupted or truncated; send the file again"}})
		return 1
	}
	h.machine.PutFile(path, machine.File{Size: n, SHA256: got})
	writeResult(stdout, map[string]any{"path": path, "sha256": got, "bytes": n})
	return 0
}

// finishUpload implements the finish-upload script: the file uploaded to <path>.wincontainers-partial is
// checked by size and SHA-256 and moved to path, or deleted; when it is gone but path already holds the
// hash (an earlier run moved it), that is success.
func finishUpload(_ context.Context, h *Host, params map[string]any, _ io.Reader, stdout, _ io.Writer) uint32 {
	path, _ := params["path"].(string)
	want, _ := params["sha256"].(string)
	want = strings.ToLower(want)
	size, _ := params["size"].(float64)
	partial := path + ".wincontainers-partial"
	f, ok := h.machine.File(partial)
	if !ok {
		if t, ok := h.machine.File(path); ok && t.SHA256 == want {
			writeResult(stdout, map[string]any{"path": path, "sha256": want, "bytes": t.Size})
			return 0
		}
		writeResult(stdout, map[string]any{"error": map[string]string{"code": "upload_missing",
			"message": "no uploaded file at " + partial, "remedy": "the upload did not reach the host; send the file again"}})
		return 1
	}
	if f.SHA256 != want || (size > 0 && f.Size != int64(size)) {
		h.machine.RemoveFile(partial)
		writeResult(stdout, map[string]any{"error": map[string]string{"code": "checksum_mismatch",
			"message": fmt.Sprintf("received %d bytes with SHA-256 %s; expected %d bytes with SHA-256 %s", f.Size, f.SHA256, int64(size), want),
			"remedy":  "the transfer was corrupted or truncated; send the file again"}})
		return 1
	}
	h.machine.RemoveFile(partial)
	h.machine.PutFile(path, f)
	writeResult(stdout, map[string]any{"path": path, "sha256": f.SHA256, "bytes": f.Size})
	return 0
}

// WriteResult writes the script's result line.
func WriteResult(w io.Writer, v any) { writeResult(w, v) }

// WriteProgress writes a progress line.
func WriteProgress(w io.Writer, step, msg string) {
	b, _ := json.Marshal(map[string]string{"step": step, "message": msg})
	fmt.Fprintf(w, "##wincontainers:progress %s\r\n", b)
}

func writeResult(w io.Writer, v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintf(w, "##wincontainers:result %s\r\n", b)
}

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
// "Preparing modules for first use." progress record it emits before any script runs (winrm.md §4.3).
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
