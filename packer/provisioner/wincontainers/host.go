package wincontainers

import (
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/wincontainers/wincontainers/internal/hostconn"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/packer/comm"
)

// communicatorConnection reaches the machine through the communicator Packer hands the provisioner,
// picking the channel by the communicator's type (Packer's ConnType): over SSH the script goes on
// stdin, which Packer's SSH communicator carries; otherwise (WinRM has no stdin) scripts are staged as
// encrypted uploads. Restarts go through the restart script and wait for a new boot id, and
// engine.archive is uploaded through the communicator. hostconn assembles it.
func communicatorConnection(connType string, c packersdk.Communicator, reboot runner.RebootOptions) (hostconn.Config, error) {
	return comm.Config(c, reboot, comm.Options{Stdin: connType == "ssh"}) //nolint:wrapcheck // comm names what is missing
}
