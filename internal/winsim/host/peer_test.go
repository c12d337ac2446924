package host

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// shutdown.exe as Packer's windows-restart uses it (docs/knowledge/winrm.md#packers-windows-restart): the restart, the test restart
// that finds one in progress or scheduled, the abort, and the check command once the host is back.
func TestShutdownAndRestartCheck(t *testing.T) {
	h := New("WIN-1", 20348, time.Unix(0, 0), machine.New(machine.Config{Build: 20348}))
	h.RebootTime, h.ShutdownTime = 30*time.Millisecond, 30*time.Millisecond
	if _, e, code := run(h, `shutdown /a`, ""); code != 1116 || !strings.Contains(e, "(1116)") {
		t.Errorf("abort with nothing scheduled: %d %q", code, e)
	}
	if _, _, code := run(h, `shutdown /r /f /t 60 /c "packer restart test"`, ""); code != 0 {
		t.Errorf("test restart: %d", code)
	}
	if _, _, code := run(h, `shutdown /r /f /t 60 /c "packer restart test"`, ""); code != 1190 {
		t.Errorf("a second scheduled restart: %d, want 1190", code)
	}
	if _, _, code := run(h, `shutdown /a`, ""); code != 0 {
		t.Errorf("abort: %d", code)
	}
	boot := h.BootID()
	if _, _, code := run(h, `shutdown /r /f /t 0 /c "packer restart"`, ""); code != 0 {
		t.Errorf("restart: %d", code)
	}
	if _, _, code := run(h, `shutdown /r /f /t 60 /c "packer restart test"`, ""); code != 1115 {
		t.Errorf("while shutting down: %d, want 1115", code)
	}
	deadline := time.Now().Add(2 * time.Second)
	for (!h.Up() || h.BootID() == boot) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if h.BootID() == boot || h.Boots() != 2 {
		t.Fatalf("no restart: boots %d", h.Boots())
	}
	out, _, code := run(h, "powershell.exe -EncodedCommand "+encode(`echo ("{0} restarted." -f [System.Net.Dns]::GetHostName())`), "")
	if code != 0 || out != "WIN-1 restarted.\r\n" {
		t.Errorf("check command: %q %d", out, code)
	}
	if _, _, code := run(h, `shutdown /s /t 0`, ""); code != 1 {
		t.Errorf("power off is not modelled: %d", code)
	}
}

// A library script sent the step-per-command way: self-contained (the helpers defined in it), as
// -EncodedCommand, or uploaded and run with -File.
func TestInlineScripts(t *testing.T) {
	h := New("WIN-1", 20348, time.Unix(0, 0), machine.New(machine.Config{Build: 20348}))
	helpers := "function Get-WcParams{}\nfunction Write-WcProgress{}\nfunction Write-WcResult{}\n"
	body := "$WcParams = '" + base64.StdEncoding.EncodeToString([]byte("{}")) + "'\n# wincontainers:script probe/1\nexit 0\n"
	out, e, code := run(h, "powershell -NoProfile -ExecutionPolicy Bypass -EncodedCommand "+encode(helpers+body), "")
	if code != 0 || !strings.Contains(out, `"computer_name":"WIN-1"`) {
		t.Errorf("inline: %q %q %d", out, e, code)
	}
	if _, e, code := run(h, "powershell -EncodedCommand "+encode(body), ""); code != 1 || !strings.Contains(e, "is not recognized") {
		t.Errorf("without the helpers: %q %d", e, code)
	}
	h.machine.WriteFile(`C:\Windows\Temp\script-1.ps1`, []byte(helpers+body))
	out, e, code = run(h, `powershell -executionpolicy bypass -file "C:\Windows\Temp\script-1.ps1"`, "")
	if code != 0 || !strings.Contains(out, `"computer_name":"WIN-1"`) {
		t.Errorf("-File: %q %q %d", out, e, code)
	}
	if _, e, code := run(h, `powershell -file C:\missing.ps1`, ""); code != 4294770688 || !strings.Contains(e, "does not exist") {
		t.Errorf("-File missing: %q %d", e, code)
	}
}
