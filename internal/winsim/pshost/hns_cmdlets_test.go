package pshost

import (
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

func TestHnsNetworks(t *testing.T) {
	th := newTestHost(t, machine.Config{}).withContainers()
	th.m.CreateNetwork("nat", "NAT")
	r := th.call("Get-HnsNetwork", nil)
	if len(r.out) != 1 || prop(t, r.out[0], "Name") != "nat" || prop(t, r.out[0], "Type") != "NAT" {
		t.Fatalf("%+v", r)
	}
	if r := th.call("Remove-HnsNetwork", map[string]any{"InputObjects": r.out[0]}, r.out[0]); r.err != nil {
		t.Fatal(r.err)
	}
	if len(th.m.Networks()) != 0 {
		t.Fatal("not removed")
	}
	if r := th.call("Remove-HnsNetwork", nil, hnsNetworkObject("nat", "NAT")); r.err == nil || !strings.Contains(r.err.Error(), "Element not found.") {
		t.Fatalf("%+v", r)
	}
}

// No Windows release has New-HnsNetwork; the module is there with the Containers feature from 17763.
func TestHnsInventory(t *testing.T) {
	for _, c := range []struct {
		build      int
		containers bool
		present    bool
	}{{14393, true, false}, {17763, false, false}, {17763, true, true}, {26100, true, true}} {
		th := newTestHost(t, machine.Config{Build: c.build})
		if c.containers {
			th.withContainers()
		}
		cmdlets, _, _ := System(th.m, th.w)
		has := false
		for _, x := range cmdlets {
			if strings.EqualFold(x.Name, "New-HnsNetwork") {
				t.Fatalf("New-HnsNetwork on %d", c.build)
			}
			has = has || x.Name == "Get-HnsNetwork"
		}
		if has != c.present {
			t.Errorf("build %d containers %v: Get-HnsNetwork %v", c.build, c.containers, has)
		}
		for _, mod := range modules(th.m, th.w) {
			for _, n := range mod.Cmdlets {
				if strings.EqualFold(n, "New-HnsNetwork") {
					t.Fatal("New-HnsNetwork in the inventory")
				}
			}
		}
	}
}
