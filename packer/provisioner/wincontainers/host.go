package wincontainers

import (
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/packer/comm"
)

// communicatorHost reaches the machine through the communicator Packer hands the provisioner: scripts
// are staged as encrypted uploads (Packer's WinRM communicator has no stdin), restarts go through the
// restart script and wait for a new boot id, and engine.archive is uploaded through the communicator.
func communicatorHost(c packersdk.Communicator, reboot runner.RebootOptions) (plan.RunnerHost, error) {
	return comm.Host(c, reboot) //nolint:wrapcheck // comm names what is missing
}
