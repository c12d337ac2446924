package winsim

import (
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/host"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// engineOf is the engine the facts script reports: Docker first, then containerd, by service.
func engineOf(m *machine.Machine) string {
	for _, e := range []string{"docker", "containerd"} {
		if _, ok := m.Service(e); ok {
			return e
		}
	}
	return ""
}

func engineVersion(m *machine.Machine, engine string) string {
	f, _ := m.File(machine.EngineBinary(engine))
	return f.Version
}

// lcowBootFiles are the boot files present where hcsshim looks for them, name -> SHA-256.
func lcowBootFiles(m *machine.Machine) map[string]string {
	out := map[string]string{}
	for _, n := range []string{"kernel", "vmlinux", "initrd.img", "rootfs.vhd"} {
		if f, ok := m.File(machine.LCOWDir + `\` + n); ok {
			out[n] = f.SHA256
		}
	}
	return out
}

// productName is WindowsProductName: the profile's name with the edition.
func (s *Sim) productName() string {
	if s.prof.Client {
		return s.prof.ProductName + map[string]string{"pro": " Pro", "enterprise": " Enterprise"}[s.opts.Edition]
	}
	return s.prof.ProductName + " " + strings.ToUpper(s.opts.Edition[:1]) + s.opts.Edition[1:]
}

// factsScript implements the facts script (internal/powershell/scripts/facts.ps1) from the profile,
// the options and the machine's state. The machine is a Hyper-V VM: it always sees a hypervisor, and
// the processor extensions appear only with --virtualization exposed.
func (s *Sim) factsScript(_ context.Context, h *host.Host, _ map[string]any, _ io.Reader, stdout, _ io.Writer) uint32 {
	p, m := s.prof, s.Machine
	editionID := map[string]string{"standard": "ServerStandard", "datacenter": "ServerDatacenter", "pro": "Professional", "enterprise": "Enterprise"}[s.opts.Edition]
	product := s.productName()
	features := m.Features()
	featurePending := false
	for _, st := range features {
		if strings.HasSuffix(st, "Pending") {
			featurePending = true
		}
	}
	exposed := s.opts.Virtualization == "exposed"
	engine := map[string]any{"type": "", "version": "", "binary_sha256": "", "service": map[string]any{"name": "", "state": "", "start_type": "", "last_error": ""}, "data_root": ""}
	engines := []map[string]any{}
	for _, e := range []string{"docker", "containerd"} {
		if _, ok := m.Service(e); ok {
			engines = append(engines, engineFact(m, e))
		}
	}
	if len(engines) > 0 {
		engine = engines[0]
	}
	lcow := lcowBootFiles(m)
	doc := map[string]any{
		"schema": 1,
		"os": map[string]any{"build": p.Build, "ubr": 1, "product_name": product, "display_version": p.DisplayVersion,
			"edition_id": editionID, "installation_type": p.InstallationType(s.opts.Installation), "computer_name": s.opts.ComputerName},
		"boot":           map[string]any{"boot_id": h.BootID()},
		"features":       features,
		"pending_reboot": map[string]any{"component_based_servicing": m.PendingReboot(), "feature_restart_needed": featurePending},
		"virtualization": map[string]any{"hypervisor_present": true, "firmware_enabled": exposed, "slat": exposed,
			"vm_monitor_mode_extensions": exposed, "manufacturer": "Microsoft Corporation", "model": "Virtual Machine",
			"hypervisor_launch_type": m.HypervisorLaunchType()},
		"engine":     engine,
		"engines":    engines,
		"lcow":       map[string]any{"path": machine.LCOWDir, "files": lcow},
		"disk":       map[string]any{"system_drive": "C:", "free_bytes": int64(64) << 30},
		"powershell": map[string]any{"version": "5.1." + strconv.Itoa(p.Build) + ".1", "dotnet_release": 528449},
	}
	doc["manifest"] = manifestFact(m)
	if v := m.Registry("VerifiedSpecHash"); v != "" {
		doc["verified"] = map[string]any{"spec_hash": v, "at": m.Registry("VerifiedAt")}
	}
	host.WriteResult(stdout, doc)
	return 0
}

// manifestFact is the facts script's "manifest": manifest.json as found, nil when absent, or why it
// could not be read (ConvertFrom-Json's message shape).
func manifestFact(m *machine.Machine) any {
	f, ok := m.File(machine.Manifest)
	if !ok {
		return nil
	}
	if strings.TrimSpace(string(f.Content)) == "" {
		return map[string]any{"_unreadable": machine.Manifest + " is empty"}
	}
	var doc any
	if err := json.Unmarshal(f.Content, &doc); err != nil {
		return map[string]any{"_unreadable": "Invalid JSON primitive: " + err.Error()}
	}
	return doc
}

// engineFact is one engine as the facts script reports it (an element of "engines").
func engineFact(m *machine.Machine, e string) map[string]any {
	svc, _ := m.Service(e)
	f, _ := m.File(machine.EngineBinary(e))
	lastError := "" // read only for a stopped engine, as the facts script does
	if svc.State != machine.Running {
		lastError = strings.TrimSpace(m.LastError(e))
	}
	engine := map[string]any{"type": e, "version": f.Version, "binary_sha256": f.SHA256,
		"service": map[string]any{"name": e, "state": svc.State, "start_type": svc.StartType, "last_error": lastError}, "data_root": ""}
	if e == "docker" {
		engine["data_root"] = machine.DockerRoot
		if cfg, ok := m.File(machine.DaemonJSON); ok {
			var doc map[string]any
			if err := json.Unmarshal(cfg.Content, &doc); err != nil {
				engine["daemon_config"] = map[string]any{"_unreadable": "Invalid JSON primitive: " + err.Error()}
			} else {
				engine["daemon_config"] = doc
				if dr, ok := doc["data-root"].(string); ok && dr != "" {
					engine["data_root"] = dr
				}
			}
		}
	}
	return engine
}
