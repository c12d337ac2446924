package azure

import (
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/azure/azurefake"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

// fakeVM is azurefake.VM: an Azure VM served by the armcompute fakes whose Run Command extension runs
// the scripts on an in-process winsim host, keeping only the last 4096 bytes of output as Azure does.
type fakeVM struct{ *azurefake.VM }

func newFakeVM(t testing.TB, o winsim.Options) *fakeVM {
	t.Helper()
	return &fakeVM{azurefake.New(t, o)}
}

// runner returns a RunCommandRunner for the fake VM with test-speed polling.
func (v *fakeVM) runner(t testing.TB) *RunCommandRunner {
	t.Helper()
	rc, vm, err := v.Clients()
	if err != nil {
		t.Fatal(err)
	}
	return &RunCommandRunner{Clients: VMClients{RunCommands: rc, VirtualMachines: vm}, ResourceGroup: "rg", VMName: "vm1", Library: v.Lib,
		PollFrequency: time.Millisecond, MaxInlineScript: 1 << 20}
}

// The fake speaks the runner's protocol: its copies of the markers must be the runner's.
func TestFakeVMProtocolMatches(t *testing.T) {
	if azurefake.WrapperMarker != wrapperMarker || azurefake.ChunkMarker != chunkMarker || azurefake.BodyMarker != bodyMarker ||
		azurefake.BodyEndMarker != bodyEndMarker || azurefake.ResultGzipPrefix != resultGzipPrefix || azurefake.OutputLimit != outputLimit {
		t.Fatal("internal/azure/azurefake's protocol constants differ from runcommand.go's")
	}
}
