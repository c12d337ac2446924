package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/spec"
)

// ErrNothingToAdopt is returned (wrapped) by Detect for a host without a container engine.
var ErrNothingToAdopt = errors.New("no container host to adopt")

// Detect works out which desired state an existing container host already has, for adopting it
// (terraform import): the engine that is installed, and the container mode its configuration and files
// show. Hyper-V isolation as the engine's default isolation ("exec-opts": ["isolation=hyperv"], or a
// Windows client, where Docker defaults to it) means hyperv; the LCOW boot files with the Hyper-V
// feature mean lcow; otherwise process. The result is what the planner would find converged, so that
// the plan after an import shows only the differences from the user's configuration.
func Detect(f facts.Facts) (spec.Spec, error) {
	if f.Engine.Type == "" {
		return spec.Spec{}, fmt.Errorf("%w: neither docker nor containerd is installed on %s; create the resource instead of importing it",
			ErrNothingToAdopt, f.OS.ComputerName)
	}
	s := spec.Spec{Mode: string(compat.ModeProcess), Engine: spec.Engine{Type: f.Engine.Type, Version: f.Engine.Version}}
	hyperv := f.Feature("Hyper-V") == facts.FeatureInstalled
	_, kernel := f.LCOW.Files["kernel"]
	_, initrd := f.LCOW.Files["initrd.img"]
	switch {
	case hyperv && kernel && initrd:
		s.Mode = string(compat.ModeLCOW)
	case hyperv && (f.IsClient() || defaultIsolationHyperV(f.Engine.DaemonConfig)):
		s.Mode = string(compat.ModeHyperV)
	}
	return s, nil
}

func defaultIsolationHyperV(raw json.RawMessage) bool {
	var cfg struct {
		ExecOpts []string `json:"exec-opts"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &cfg) != nil {
		return false
	}
	for _, o := range cfg.ExecOpts {
		if strings.EqualFold(strings.ReplaceAll(o, " ", ""), "isolation=hyperv") {
			return true
		}
	}
	return false
}
