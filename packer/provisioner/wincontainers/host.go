package wincontainers

import (
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/packer/comm"
)

// communicatorHost reaches the machine through the communicator Packer hands the provisioner: scripts
// are staged as encrypted uploads (Packer's WinRM communicator has no stdin), restarts go through the
// restart script and wait for a new boot id, and engine.archive is uploaded through the communicator.
func communicatorHost(c packersdk.Communicator, reboot runner.RebootOptions) (executor.RunnerHost, error) {
	return comm.Host(c, reboot) //nolint:wrapcheck // comm names what is missing
}

// communicatorHostFor picks the channel by the communicator's type (Packer's ConnType): over SSH the
// script goes on stdin, which Packer's SSH communicator carries; otherwise it is staged.
func communicatorHostFor(connType string) func(packersdk.Communicator, runner.RebootOptions) (executor.RunnerHost, error) {
	if connType != "ssh" {
		return communicatorHost
	}
	return func(c packersdk.Communicator, reboot runner.RebootOptions) (executor.RunnerHost, error) {
		return comm.HostWithOptions(c, reboot, comm.Options{Stdin: true}) //nolint:wrapcheck // comm names what is missing
	}
}
