package host

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
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
		{"powershell.exe -EncodedCommand " + encode(`echo "WinRM connected."`), "", "this host has no PowerShell", 1},
		{"powershell.exe -EncodedCommand QQ=", "", "not properly encoded", 1},
	}
	for _, c := range cases {
		out, errOut, code := run(h, c.line, "")
		if out != c.out || code != c.code || (c.errContains != "" && !strings.Contains(errOut, c.errContains)) {
			t.Errorf("%.60q: out %q err %q code %d", c.line, out, errOut, code)
		}
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
