package host

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

func encode(script string) string {
	u := utf16.Encode([]rune(script))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return base64.StdEncoding.EncodeToString(b)
}

const bootstrapCmd = "# wincontainers:bootstrap/1\n$x=1\n"

func framed(name string, params string, data string) string {
	body := "$WcParams = '" + base64.StdEncoding.EncodeToString([]byte(params)) + "'\n# wincontainers:script " + name + "/1\nexit 0\n"
	return fmt.Sprintf("wincontainers-script/1 %d\n%s%s", len(body), body, data)
}

func run(h *Host, line, stdin string) (string, string, uint32) {
	var out, errOut bytes.Buffer
	code := h.Run(context.Background(), line, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestCmdBuiltins(t *testing.T) {
	h := New("WIN-1", 20348, time.Unix(0, 0), machine.New(machine.Config{Build: 20348}))
	cases := []struct {
		line, out, errContains string
		code                   uint32
	}{
		{"hostname", "WIN-1\r\n", "", 0},
		{"echo hi there", "hi there\r\n", "", 0},
		{"cmd /c exit 3", "", "", 3},
		{"cmd /c exit -1", "", "", 4294967295},
		{"ipconfigx /all", "", "'ipconfigx' is not recognized as an internal or external command", 1},
		{"powershell.exe -EncodedCommand " + encode(`$ProgressPreference='SilentlyContinue'; echo "WinRM connected."`), "WinRM connected.\r\n", "", 0},
		{"powershell -encodedcommand " + encode("Get-Process | Stop-Process"), "", "does not interpret arbitrary PowerShell", 1},
		{"powershell.exe -EncodedCommand !!notbase64", "", "not recognized", 1},
	}
	for _, c := range cases {
		out, errOut, code := run(h, c.line, "")
		if out != c.out || code != c.code || (c.errContains != "" && !strings.Contains(errOut, c.errContains)) {
			t.Errorf("%.60q: out %q err %q code %d", c.line, out, errOut, code)
		}
	}
}

func TestBootstrapChannel(t *testing.T) {
	h := New("WIN-1", 26100, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), machine.New(machine.Config{Build: 26100}))
	line := "powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand " + encode(bootstrapCmd)
	out, _, code := run(h, line, framed("probe", `{}`, ""))
	if code != 0 || !strings.Contains(out, `"boot_id":"`+h.BootID()+`"`) || !strings.Contains(out, `"os_build":26100`) {
		t.Errorf("probe: %q %d", out, code)
	}
	_, errOut, code := run(h, line, framed("install-features", `{}`, ""))
	if code != 1 || !strings.Contains(errOut, "#< CLIXML") || !strings.Contains(errOut, `no implementation of the library script "install-features"`) {
		t.Errorf("unimplemented script: %q %d", errOut, code)
	}
	_, errOut, code = run(h, line, "not a header\n")
	if code != 2 || !strings.Contains(errOut, "script header") {
		t.Errorf("bad header: %q %d", errOut, code)
	}
	_, _, code = run(h, line, "wincontainers-script/1 999\nshort")
	if code != 2 {
		t.Errorf("short body: %d", code)
	}
}

func TestReceiveFile(t *testing.T) {
	h := New("WIN-1", 20348, time.Unix(0, 0), machine.New(machine.Config{Build: 20348}))
	line := "powershell.exe -EncodedCommand " + encode(bootstrapCmd)
	content := []byte(strings.Repeat("docker.exe bytes ", 1000))
	sum := sha256.Sum256(content)
	data := base64.StdEncoding.EncodeToString(content[:7000]) + "\n" + base64.StdEncoding.EncodeToString(content[7000:]) + "\n"
	params := fmt.Sprintf(`{"path":"C:\\Program Files\\docker\\docker.zip","sha256":%q,"size":%d}`, hex.EncodeToString(sum[:]), len(content))
	out, _, code := run(h, line, framed("receive-file", params, data))
	if code != 0 || !strings.Contains(out, `"bytes":17000`) {
		t.Fatalf("receive: %q %d", out, code)
	}
	if f, ok := h.File(`c:\program files\DOCKER\docker.zip`); !ok || f.Size != 17000 || f.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("file %+v %v", f, ok)
	}
	out, _, code = run(h, line, framed("receive-file", `{"path":"C:\\x","sha256":"00","size":17000}`, data))
	if code != 1 || !strings.Contains(out, "checksum_mismatch") {
		t.Errorf("mismatch: %q %d", out, code)
	}
	if _, ok := h.File(`C:\x`); ok {
		t.Error("a mismatched file must not exist")
	}
}

func TestRebootChangesBootID(t *testing.T) {
	h := New("WIN-1", 20348, time.Unix(0, 0), machine.New(machine.Config{Build: 20348}))
	h.RebootTime = 10 * time.Millisecond
	dropped := make(chan struct{}, 1)
	h.OnReboot = func() { dropped <- struct{}{} }
	before := h.BootID()
	h.Reboot(0)
	<-dropped
	deadline := time.Now().Add(5 * time.Second)
	for (!h.Up() || h.BootID() == before) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if !h.Up() || h.BootID() == before || h.Boots() != 2 {
		t.Errorf("up %v boot %s (before %s) boots %d", h.Up(), h.BootID(), before, h.Boots())
	}
}
