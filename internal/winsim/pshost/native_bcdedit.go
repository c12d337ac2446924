package pshost

import (
	"context"
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// bcdedit.exe /enum {current} (learn.microsoft.com windows-hardware/drivers/devtest/bcdedit--enum, run
// elevated): the current boot entry in bcdedit's layout, the element names in a 24-character column,
// with hypervisorlaunchtype when the element is set (machine.HypervisorLaunchType: Hyper-V's
// installation sets Auto). inferred: the other elements' values (a UEFI boot, winload.efi) and that the
// names are English on every language (DIFFERENCES.md).

func runBcdedit(_ context.Context, h *host, path string, args []string) engine.NativeResult {
	if len(args) != 2 || !strings.EqualFold(args[0], "/enum") || !strings.EqualFold(args[1], "{current}") {
		return notModelledProgram(path, args)
	}
	info := h.w.OS()
	desc := "Windows Server"
	if info.Client {
		desc = "Windows 10"
		if info.BuildNumber >= 22000 {
			desc = "Windows 11"
		}
	}
	rows := [][2]string{
		{"identifier", "{current}"}, {"device", "partition=C:"}, {"path", `\Windows\system32\winload.efi`},
		{"description", desc}, {"locale", "en-US"}, {"inherit", "{bootloadersettings}"},
		{"recoverysequence", "{3d6f2b05-2c2e-11ee-a6f1-000d3a2b8c41}"}, {"displaymessageoverride", "Recovery"},
		{"recoveryenabled", "Yes"}, {"isolatedcontext", "Yes"}, {"allowedinmemorysettings", "0x15000075"},
		{"osdevice", "partition=C:"}, {"systemroot", `\Windows`}, {"resumeobject", "{3d6f2b03-2c2e-11ee-a6f1-000d3a2b8c41}"},
		{"nx", "OptOut"}, {"bootmenupolicy", "Standard"},
	}
	if lt := h.m.HypervisorLaunchType(); lt != "" {
		rows = append(rows, [2]string{"hypervisorlaunchtype", lt})
	}
	out := []string{"", "Windows Boot Loader", "-------------------"}
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%-24s%s", r[0], r[1]))
	}
	return engine.NativeResult{Stdout: crlfLines(out...)}
}
