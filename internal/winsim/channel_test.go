package winsim

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/masterzen/winrm"
	"github.com/packer-community/winrmcp/winrmcp"

	"github.com/wincontainers/wincontainers/internal/powershell"
)

// The script channel end to end on the host side: the command lines a client sends, run by winsim's
// cmd.exe and the real bootstraps and library scripts through its PowerShell engine. Each case states
// what Windows does, not what our client expects.

func newSim(t *testing.T, o Options) *Sim {
	t.Helper()
	if o.Profile == "" {
		o.Profile = "ws2022"
	}
	o.User, o.Password = "Administrator", "Chan-P@ss1"
	sim, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return sim
}

func runLine(sim *Sim, line string, stdin []byte) (stdout, stderr string, code uint32) {
	var out, errOut bytes.Buffer
	code = sim.Host.Run(context.Background(), line, bytes.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), code
}

func frame(t *testing.T, name string, params any, data string) []byte {
	t.Helper()
	s, err := powershell.MustLoad().Script(name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := powershell.Stdin(s, params)
	if err != nil {
		t.Fatal(err)
	}
	return append(b, data...)
}

// The bootstrap reads the stdin frame: a library script runs with its parameters; a missing header or a
// short body is exit 2 with the bootstrap's own message (bootstrap.ps1).
func TestBootstrapFraming(t *testing.T) {
	sim := newSim(t, Options{Profile: "ws2025"})
	line := powershell.CommandLine(powershell.MustLoad().Bootstrap())
	out, errOut, code := runLine(sim, line, frame(t, "probe", nil, ""))
	if code != 0 || !strings.Contains(out, `"boot_id":"`+sim.Host.BootID()+`"`) || !strings.Contains(out, `"os_build":26100`) {
		t.Errorf("probe: %q %q %d", out, errOut, code)
	}
	// A script's exit code is powershell.exe's: install-features asks for a restart with 3010.
	out, errOut, code = runLine(sim, line, frame(t, "install-features", map[string]any{"features": []string{"Containers"}}, ""))
	if code != 3010 || !strings.Contains(out, "##wincontainers:result ") {
		t.Errorf("install-features: exit %d, want 3010: %q %q", code, out, errOut)
	}
	_, errOut, code = runLine(sim, line, []byte("not a header\n"))
	if code != 2 || !strings.Contains(errOut, "stdin does not start with a script header") {
		t.Errorf("bad header: %q %d", errOut, code)
	}
	_, errOut, code = runLine(sim, line, []byte("wincontainers-script/1 999\nshort"))
	if code != 2 || !strings.Contains(errOut, "stdin ended inside the script") {
		t.Errorf("short body: %q %d", errOut, code)
	}
}

// receive-file.ps1 writes the base64 lines after the script to the target when the hash and size match,
// and leaves nothing there when they do not.
func TestReceiveFileScript(t *testing.T) {
	sim := newSim(t, Options{})
	line := powershell.CommandLine(powershell.MustLoad().Bootstrap())
	content := []byte(strings.Repeat("docker.exe bytes ", 1000))
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])
	data := base64.StdEncoding.EncodeToString(content[:7002]) + "\n" + base64.StdEncoding.EncodeToString(content[7002:]) + "\n"
	dest := `C:\ProgramData\wincontainers\downloads\docker.zip`
	out, errOut, code := runLine(sim, line, frame(t, "receive-file", map[string]any{"path": dest, "sha256": want, "size": len(content)}, data))
	if code != 0 || !strings.Contains(out, `"bytes":17000`) {
		t.Fatalf("receive: %q %q %d", out, errOut, code)
	}
	if f, ok := sim.Machine.File(strings.ToUpper(dest)); !ok || f.Size != 17000 || f.SHA256 != want {
		t.Errorf("file %+v %v", f, ok)
	}
	bad := `C:\ProgramData\wincontainers\downloads\x.zip`
	out, _, code = runLine(sim, line, frame(t, "receive-file", map[string]any{"path": bad, "sha256": strings.Repeat("0", 64), "size": len(content)}, data))
	if code == 0 || !strings.Contains(out, "checksum_mismatch") {
		t.Errorf("mismatch: %q %d", out, code)
	}
	if _, ok := sim.Machine.File(bad); ok {
		t.Error("a file with the wrong hash reached the target")
	}
}

// finish-upload.ps1: the partial file moves into place when its hash and size match; a second run finds
// it there; a short one is deleted and never reaches the target.
func TestFinishUploadScript(t *testing.T) {
	sim := newSim(t, Options{})
	m := sim.Machine
	line := powershell.CommandLine(powershell.MustLoad().Bootstrap())
	content := []byte("docker archive")
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])
	dest := `C:\ProgramData\wincontainers\downloads\docker.zip`
	params := map[string]any{"path": dest, "sha256": want, "size": len(content)}
	out, _, code := runLine(sim, line, frame(t, "finish-upload", params, ""))
	if code == 0 || !strings.Contains(out, "upload_missing") {
		t.Errorf("missing: %q %d", out, code)
	}
	m.WriteFile(dest+".wincontainers-partial", content)
	out, errOut, code := runLine(sim, line, frame(t, "finish-upload", params, ""))
	if f, ok := m.File(dest); code != 0 || !ok || f.SHA256 != want || !strings.Contains(out, `"bytes":14`) {
		t.Errorf("finish: %q %q %d", out, errOut, code)
	}
	if _, ok := m.File(dest + ".wincontainers-partial"); ok {
		t.Error("the partial file is still there")
	}
	if out, _, code = runLine(sim, line, frame(t, "finish-upload", params, "")); code != 0 {
		t.Errorf("repeat: %q %d", out, code)
	}
	short := `C:\ProgramData\wincontainers\downloads\y.zip`
	m.WriteFile(short+".wincontainers-partial", content[1:])
	out, _, code = runLine(sim, line, frame(t, "finish-upload", map[string]any{"path": short, "sha256": want, "size": len(content)}, ""))
	if _, ok := m.File(short + ".wincontainers-partial"); code == 0 || !strings.Contains(out, "checksum_mismatch") || ok {
		t.Errorf("short: %q %d", out, code)
	}
	if _, ok := m.File(short); ok {
		t.Error("a short upload reached the target")
	}
}

// runStaged starts the staged bootstrap, reads its key, hands it to stage (which writes the file, or
// not) and returns what the process printed after the key, its stderr and its exit code.
func runStaged(t *testing.T, sim *Sim, path string, wait time.Duration, stage func(key []byte)) (string, string, uint32) {
	t.Helper()
	line, err := powershell.StagedCommandLine(powershell.MustLoad(), path, wait)
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	var errOut bytes.Buffer
	done := make(chan uint32, 1)
	go func() {
		code := sim.Host.Run(context.Background(), line, strings.NewReader(""), pw, &errOut)
		_ = pw.Close()
		done <- code
	}()
	br := bufio.NewReader(pr)
	first, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(first, "##wincontainers:key ") {
		rest, _ := io.ReadAll(br)
		<-done
		t.Fatalf("first line %q (%v), then %q, stderr %q", first, err, rest, errOut.String())
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.TrimPrefix(first, "##wincontainers:key ")))
	if err != nil || len(key) != powershell.StagedKeySize {
		t.Fatalf("key %q: %v", first, err)
	}
	stage(key)
	rest, _ := io.ReadAll(br)
	code := <-done
	return string(rest), errOut.String(), code
}

// bootstrap-staged.ps1 (Packer's channel): it prints a fresh key, waits for the sealed script, deletes
// it, and runs it only when it authenticates under that key.
func TestStagedBootstrap(t *testing.T) {
	sim := newSim(t, Options{})
	m := sim.Machine
	path, err := powershell.NewStagedPath()
	if err != nil {
		t.Fatal(err)
	}
	seal := func(key []byte) []byte {
		b, err := powershell.SealStaged(key, frame(t, "probe", nil, ""))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	out, errOut, code := runStaged(t, sim, path, time.Minute, func(key []byte) { m.WriteFile(path, seal(key)) })
	if code != 0 || !strings.Contains(out, `"os_build":20348`) {
		t.Errorf("probe: %q %q %d", out, errOut, code)
	}
	if _, ok := m.File(path); ok {
		t.Error("the staged file was not deleted")
	}
	_, errOut, code = runStaged(t, sim, path, time.Minute, func(key []byte) {
		b := seal(key)
		b[20] ^= 1
		m.WriteFile(path, b)
	})
	if _, ok := m.File(path); code != 2 || !strings.Contains(errOut, "changed or truncated") || ok {
		t.Errorf("tampered: %q %d", errOut, code)
	}
	_, errOut, code = runStaged(t, sim, path, time.Minute, func([]byte) { m.WriteFile(path, seal(make([]byte, 64))) })
	if code != 2 || !strings.Contains(errOut, "changed or truncated") {
		t.Errorf("another key: %q %d", errOut, code)
	}
	_, errOut, code = runStaged(t, sim, path, time.Second, func([]byte) {})
	if code != 2 || !strings.Contains(errOut, "no staged script arrived at "+path+" within 1 s") {
		t.Errorf("nothing staged: %q %d", errOut, code)
	}
}

// winrmcp, the upload Packer's WinRM communicator uses, end to end against winsim: `echo <base64> >>
// "%TEMP%\winrmcp-<uuid>.tmp"` through cmd.exe, then its restore script through PowerShell (OpenText,
// FromBase64String, OpenWrite), then its cleanup.
func TestWinrmcpUpload(t *testing.T) {
	sim := newSim(t, Options{})
	url, stop, err := sim.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stop() })
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/wsman")
	cp, err := winrmcp.New(addr, &winrmcp.Config{Auth: winrmcp.Auth{User: "Administrator", Password: "Chan-P@ss1"},
		OperationTimeout: time.Minute, MaxOperationsPerShell: 15, TransportDecorator: func() winrm.Transporter { return &winrm.ClientNTLM{} }})
	if err != nil {
		t.Fatal(err)
	}
	content := bytes.Repeat([]byte("payload\x00\xff "), 3000) // several echo chunks, binary bytes
	dest := `C:\ProgramData\wincontainers\upload\x.bin`
	if err := cp.Write(dest, bytes.NewReader(content)); err != nil {
		t.Fatal(err)
	}
	f, ok := sim.Machine.File(dest)
	sum := sha256.Sum256(content)
	if !ok || !bytes.Equal(f.Content, content) || f.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("restored %d bytes (%v), want %d", len(f.Content), ok, len(content))
	}
	if left := sim.Machine.Paths(`C:\Users\Administrator\AppData\Local\Temp`); len(left) != 0 {
		t.Errorf("winrmcp's temporary file is still there: %v", left)
	}
}

// cmd.exe's `echo text >> "file"`: the text up to the redirection, its space included, then CR LF,
// appended; %TEMP% is the logon's.
func TestCmdEchoAppend(t *testing.T) {
	sim := newSim(t, Options{})
	for _, l := range []string{`echo abc >> "%TEMP%\a.txt"`, `echo def >> "%TEMP%\a.txt"`} {
		if _, e, code := runLine(sim, l, nil); code != 0 {
			t.Fatalf("%s: %q %d", l, e, code)
		}
	}
	f, ok := sim.Machine.File(`C:\Users\Administrator\AppData\Local\Temp\a.txt`)
	if !ok || string(f.Content) != "abc \r\ndef \r\n" {
		t.Errorf("%q %v", f.Content, ok)
	}
	if _, e, code := runLine(sim, `echo x >> "C:\no such folder\a.txt"`, nil); code != 1 || !strings.Contains(e, "The system cannot find the path specified.") {
		t.Errorf("missing folder: %q %d", e, code)
	}
}

// shutdown.exe as Packer's windows-restart runs it through cmd.exe, and as restart.ps1 runs it through
// PowerShell: one program and one schedule, so a restart scheduled one way is seen the other way.
func TestShutdownOneSchedule(t *testing.T) {
	sim := newSim(t, Options{RebootTime: 30 * time.Millisecond})
	sim.Host.ShutdownTime = 30 * time.Millisecond
	ps := func(script string) (string, string, uint32) {
		return runLine(sim, "powershell.exe -NoProfile -EncodedCommand "+powershell.EncodeCommand(script), nil)
	}
	if _, e, code := runLine(sim, `shutdown /a`, nil); code != 1116 || !strings.Contains(e, "(1116)") {
		t.Errorf("abort with nothing scheduled: %d %q", code, e)
	}
	if _, e, code := runLine(sim, `shutdown /r /f /t 60 /c "packer restart test"`, nil); code != 0 {
		t.Errorf("test restart: %d %q", code, e)
	}
	if out, _, _ := ps(`shutdown.exe /r /t 60 2>&1 | Out-String; "exit=$LASTEXITCODE"`); !strings.Contains(out, "(1190)") || !strings.Contains(out, "exit=1190") {
		t.Errorf("from PowerShell while cmd.exe's is scheduled: %q", out)
	}
	if _, e, code := runLine(sim, `shutdown /a`, nil); code != 0 {
		t.Errorf("abort: %d %q", code, e)
	}
	boot := sim.Host.BootID()
	if _, e, code := runLine(sim, `shutdown /r /f /t 0 /c "packer restart"`, nil); code != 0 {
		t.Errorf("restart: %d %q", code, e)
	}
	if _, _, code := runLine(sim, `shutdown /r /f /t 60 /c "packer restart test"`, nil); code != 1115 {
		t.Errorf("while shutting down: %d, want 1115", code)
	}
	deadline := time.Now().Add(5 * time.Second)
	for (!sim.Host.Up() || sim.Host.BootID() == boot) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if sim.Host.BootID() == boot || sim.Host.Boots() != 2 {
		t.Fatalf("no restart: boots %d", sim.Host.Boots())
	}
	// windows-restart's default restart_check_command, once the host is back.
	out, e, code := ps(`echo ("{0} restarted." -f [System.Net.Dns]::GetHostName())`)
	if code != 0 || out != "WINSIM-WS2022 restarted.\r\n" {
		t.Errorf("check command: %q %q %d", out, e, code)
	}
	if _, e, code := runLine(sim, `shutdown /s /t 0`, nil); code == 0 {
		t.Errorf("power off is not modelled, and must not pass: %q", e)
	}
}

// A library script sent the step-per-command way (the peers' style in the benchmarks): self-contained,
// its helpers defined in the same text, as -EncodedCommand or uploaded and run with -File.
func TestSelfContainedScripts(t *testing.T) {
	sim := newSim(t, Options{})
	lib := powershell.MustLoad()
	var helpers strings.Builder
	for _, l := range strings.Split(lib.Bootstrap(), "\n") {
		if strings.HasPrefix(l, "function ") || strings.HasPrefix(l, "$ErrorActionPreference") {
			helpers.WriteString(l + "\n")
		}
	}
	probe, _ := lib.Script("probe")
	body, err := powershell.Body(probe, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, e, code := runLine(sim, "powershell -NoProfile -ExecutionPolicy Bypass -EncodedCommand "+powershell.EncodeCommand(helpers.String()+body), nil)
	if code != 0 || !strings.Contains(out, `"computer_name":"WINSIM-WS2022"`) {
		t.Errorf("inline: %q %q %d", out, e, code)
	}
	// Under 5.1's default Continue the unknown command is a non-terminating error: the script goes on to
	// its `exit 0`, with no result line and the error on stderr.
	if out, e, code := runLine(sim, "powershell -EncodedCommand "+powershell.EncodeCommand(body), nil); code != 0 || strings.Contains(out, "##wincontainers:result") ||
		!strings.Contains(e, "The term 'Write-WcResult' is not recognized as the name of a cmdlet") {
		t.Errorf("without the helpers: %q %q %d", out, e, code)
	}
	sim.Machine.WriteFile(`C:\Windows\Temp\script-1.ps1`, []byte(helpers.String()+body))
	out, e, code = runLine(sim, `powershell -executionpolicy bypass -file "C:\Windows\Temp\script-1.ps1"`, nil)
	if code != 0 || !strings.Contains(out, `"computer_name":"WINSIM-WS2022"`) {
		t.Errorf("-File: %q %q %d", out, e, code)
	}
	if _, e, code := runLine(sim, `powershell -file C:\missing.ps1`, nil); code != 4294770688 || !strings.Contains(e, "does not exist") {
		t.Errorf("-File missing: %q %d", e, code)
	}
}

// What is outside the engine fails loudly and names it; powershell.exe's own decoding error is its text.
func TestPowerShellRefusesWhatItDoesNotModel(t *testing.T) {
	sim := newSim(t, Options{})
	for _, c := range []struct{ script, says string }{
		{`$ProgressPreference='SilentlyContinue'; echo "WinRM connected."`, ""},
		// Packer's connect check (packer-plugin-sdk communicator/step_connect_winrm.go).
		{`if (Test-Path variable:global:ProgressPreference){$ProgressPreference='SilentlyContinue'}; echo "WinRM connected."`, ""},
		{`Get-Process | Stop-Process`, "Stop-Process"},
	} {
		out, e, code := runLine(sim, "powershell.exe -EncodedCommand "+powershell.EncodeCommand(c.script), nil)
		if c.says == "" {
			if code != 0 || out != "WinRM connected.\r\n" {
				t.Errorf("%s: %q %q %d", c.script, out, e, code)
			}
			continue
		}
		if code == 0 || !strings.Contains(e, c.says) {
			t.Errorf("%s: %q %d", c.script, e, code)
		}
	}
	if _, e, code := runLine(sim, "powershell.exe -EncodedCommand QQ=", nil); code != 1 || !strings.Contains(e, "not properly encoded") {
		t.Errorf("bad -EncodedCommand: %q %d", e, code)
	}
}
