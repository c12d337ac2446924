package host

import (
	"crypto/sha256"
	"fmt"
	"io"
	"strings"
)

// adapter is the machine's one network adapter as ipconfig shows it: a Hyper-V synthetic NIC with a
// static IPv4 address. The addresses derive from the computer name, so every host of a lab differs and
// stays the same across restarts.
type adapter struct {
	ipv4, mask, gateway, dns, linkLocal, mac string
}

func (h *Host) adapter() adapter {
	sum := sha256.Sum256([]byte("winsim-nic:" + h.computerName))
	return adapter{
		ipv4:      fmt.Sprintf("10.0.0.%d", 4+int(sum[0])%200),
		mask:      "255.255.255.0",
		gateway:   "10.0.0.1",
		dns:       "10.0.0.1",
		linkLocal: fmt.Sprintf("fe80::%x:%x:%x:%x%%6", uint16(sum[1])<<8|uint16(sum[2]), uint16(sum[3])<<8|uint16(sum[4]), uint16(sum[5])<<8|uint16(sum[6]), uint16(sum[7])<<8|uint16(sum[8])),
		// 00-15-5D is Microsoft's prefix for Hyper-V's dynamic MAC addresses.
		mac: fmt.Sprintf("00-15-5D-%02X-%02X-%02X", sum[9], sum[10], sum[11]),
	}
}

// ipconfigUsage is what ipconfig prints for an option it does not know (the start of its usage text).
const ipconfigUsage = "\r\nUSAGE:\r\n    ipconfig [/allcompartments] [/? | /all | \r\n" +
	"                                 /renew [adapter] | /release [adapter] |\r\n" +
	"                                 /renew6 [adapter] | /release6 [adapter] |\r\n" +
	"                                 /flushdns | /displaydns | /registerdns |\r\n" +
	"                                 /showclassid adapter |\r\n" +
	"                                 /setclassid adapter [classid] |\r\n" +
	"                                 /showclassid6 adapter |\r\n" +
	"                                 /setclassid6 adapter [classid] ]\r\n"

// ipconfig prints the IP configuration the way ipconfig.exe does, plain or with /all. Other options
// (/renew, /flushdns, ...) change nothing on a simulated network and are refused as not modelled.
func (h *Host) ipconfig(args []string, stdout, stderr io.Writer) uint32 {
	all := false
	switch {
	case len(args) == 0:
	case len(args) == 1 && strings.EqualFold(args[0], "/all"):
		all = true
	case len(args) == 1 && (strings.EqualFold(args[0], "/?") || strings.EqualFold(args[0], "-?")):
		fmt.Fprint(stdout, ipconfigUsage)
		return 0
	case strings.HasPrefix(args[0], "/") && !isIpconfigOption(args[0]):
		fmt.Fprint(stdout, ipconfigUsage)
		fmt.Fprint(stdout, "\r\nError: unrecognized or incomplete command line.\r\n")
		return 1
	default:
		fmt.Fprintf(stderr, "winsim: ipconfig %s is not modelled (only ipconfig and ipconfig /all)\r\n", strings.Join(args, " "))
		return 1
	}
	a := h.adapter()
	var b strings.Builder
	b.WriteString("\r\nWindows IP Configuration\r\n\r\n")
	field := func(name, value string) {
		b.WriteString(ipconfigLabel(name) + ": " + value + "\r\n")
	}
	if all {
		field("Host Name", h.computerName)
		field("Primary Dns Suffix", "")
		field("Node Type", "Hybrid")
		field("IP Routing Enabled", "No")
		field("WINS Proxy Enabled", "No")
	}
	b.WriteString("\r\nEthernet adapter Ethernet:\r\n\r\n")
	field("Connection-specific DNS Suffix", "")
	if all {
		field("Description", "Microsoft Hyper-V Network Adapter")
		field("Physical Address", a.mac)
		field("DHCP Enabled", "No")
		field("Autoconfiguration Enabled", "Yes")
		field("Link-local IPv6 Address", a.linkLocal+"(Preferred) ")
		field("IPv4 Address", a.ipv4+"(Preferred) ")
		field("Subnet Mask", a.mask)
		field("Default Gateway", a.gateway)
		field("DNS Servers", a.dns)
		field("NetBIOS over Tcpip", "Enabled")
	} else {
		field("Link-local IPv6 Address", a.linkLocal)
		field("IPv4 Address", a.ipv4)
		field("Subnet Mask", a.mask)
		field("Default Gateway", a.gateway)
	}
	fmt.Fprint(stdout, b.String())
	return 0
}

// ipconfigLabel is a label as ipconfig's message table has it: indented three spaces, then dots on the
// odd columns and spaces on the even ones up to column 37, where the colon stands. The DNS suffix labels
// carry two spaces of their own before the dots start.
func ipconfigLabel(name string) string {
	label := "   " + name
	if strings.HasSuffix(name, "Suffix") {
		label += "  "
	}
	for i := len(label); i < 37; i++ {
		if i%2 == 1 {
			label += "."
		} else {
			label += " "
		}
	}
	return label
}

func isIpconfigOption(s string) bool {
	switch strings.ToLower(s) {
	case "/all", "/allcompartments", "/renew", "/release", "/renew6", "/release6", "/flushdns", "/displaydns",
		"/registerdns", "/showclassid", "/setclassid", "/showclassid6", "/setclassid6", "/?": //nolint:misspell // ipconfig's own option
		return true
	}
	return false
}
