package host

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// The labels as ipconfig.exe prints them (Windows Server 2022, en-US).
func TestIpconfigLabels(t *testing.T) {
	for name, want := range map[string]string{
		"IPv4 Address":                   "   IPv4 Address. . . . . . . . . . . ",
		"Connection-specific DNS Suffix": "   Connection-specific DNS Suffix  . ",
		"Link-local IPv6 Address":        "   Link-local IPv6 Address . . . . . ",
		"Subnet Mask":                    "   Subnet Mask . . . . . . . . . . . ",
		"Default Gateway":                "   Default Gateway . . . . . . . . . ",
		"Host Name":                      "   Host Name . . . . . . . . . . . . ",
		"Primary Dns Suffix":             "   Primary Dns Suffix  . . . . . . . ",
		"IP Routing Enabled":             "   IP Routing Enabled. . . . . . . . ",
		"Autoconfiguration Enabled":      "   Autoconfiguration Enabled . . . . ",
		"Physical Address":               "   Physical Address. . . . . . . . . ",
		"NetBIOS over Tcpip":             "   NetBIOS over Tcpip. . . . . . . . ",
	} {
		if got := ipconfigLabel(name); got != want {
			t.Errorf("%s:\n got %q\nwant %q", name, got, want)
		}
	}
}

func TestIpconfig(t *testing.T) {
	h := New("WINSIM-WS2022", 20348, time.Now(), machine.New(machine.Config{Build: 20348}))
	other := New("WINSIM-WS2019", 17763, time.Now(), machine.New(machine.Config{Build: 17763}))
	run := func(h *Host, line string) (string, string, uint32) {
		var out, errOut bytes.Buffer
		code := h.Run(context.Background(), line, strings.NewReader(""), &out, &errOut)
		return out.String(), errOut.String(), code
	}
	out, _, code := run(h, "ipconfig")
	if code != 0 || !strings.HasPrefix(out, "\r\nWindows IP Configuration\r\n\r\n\r\nEthernet adapter Ethernet:\r\n\r\n   Connection-specific DNS Suffix  . : \r\n") {
		t.Fatalf("ipconfig: %d %q", code, out)
	}
	ip := h.adapter().ipv4
	if !strings.Contains(out, "   IPv4 Address. . . . . . . . . . . : "+ip+"\r\n") || !strings.HasSuffix(out, "   Default Gateway . . . . . . . . . : 10.0.0.1\r\n") {
		t.Errorf("ipconfig: %q", out)
	}
	if again, _, _ := run(h, "ipconfig"); again != out {
		t.Error("the address changed between two runs")
	}
	if o, _, _ := run(other, "ipconfig"); o == out {
		t.Error("two hosts of a lab share an address")
	}
	all, _, code := run(h, "ipconfig /all")
	for _, want := range []string{"   Host Name . . . . . . . . . . . . : WINSIM-WS2022\r\n", "   Physical Address. . . . . . . . . : 00-15-5D-",
		"   IPv4 Address. . . . . . . . . . . : " + ip + "(Preferred) \r\n", "   DHCP Enabled. . . . . . . . . . . : No\r\n"} {
		if code != 0 || !strings.Contains(all, want) {
			t.Errorf("ipconfig /all lacks %q: %q", want, all)
		}
	}
	if out, _, code := run(h, "ipconfig /bogus"); code != 1 || !strings.Contains(out, "USAGE:") || !strings.HasSuffix(out, "Error: unrecognized or incomplete command line.\r\n") {
		t.Errorf("ipconfig /bogus: %d %q", code, out)
	}
	if _, errOut, code := run(h, "ipconfig /flushdns"); code != 1 || !strings.Contains(errOut, "not modelled") {
		t.Errorf("ipconfig /flushdns: %d %q", code, errOut)
	}
}
