package crosscheck

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// TestContainerdNetworkAtFirstContainer: a containerd host gets its HNS NAT network the way a stock
// Windows host does. No Windows release has a cmdlet that creates one, so install-containerd only writes
// 0-containerd-nat.conf (with the CNI route keys dst and gw, which the nat plugin reads), and the nat
// plugin creates the network at the first container: in verify, when it runs one. A broken HNS shows
// there, with HNS's own text, while containerd keeps running; the next apply converges.
func TestContainerdNetworkAtFirstContainer(t *testing.T) {
	t.Parallel()
	want := spec.Spec{Mode: "process", PullImages: true, Engine: spec.Engine{Type: "containerd"}}
	sim, _, resolved, res, err := converge(t, winsim.Options{Profile: "ws2022"}, want)
	if err != nil {
		t.Fatal(err)
	}
	assertConverged(t, sim.Snapshot(), resolved, res)
	if nets := sim.Snapshot().HNSNetworks; nets["nat"] != "NAT" {
		t.Fatalf("HNS networks after a verified containerd host: %v", nets)
	}
	f, ok := sim.Machine.File(machine.CNIConfig)
	if !ok {
		t.Fatal("no CNI configuration")
	}
	var conf struct {
		Name, Type string
		Master     *string `json:"master"`
		IPAM       struct {
			Subnet string           `json:"subnet"`
			Routes []map[string]any `json:"routes"`
		} `json:"ipam"`
	}
	if err := json.Unmarshal(f.Content, &conf); err != nil {
		t.Fatal(err)
	}
	if conf.Name != "nat" || conf.Type != "nat" || conf.IPAM.Subnet == "" || len(conf.IPAM.Routes) != 1 ||
		conf.IPAM.Routes[0]["gw"] == nil || conf.IPAM.Routes[0]["dst"] != "0.0.0.0/0" || conf.IPAM.Routes[0]["gateway"] != nil {
		t.Errorf("CNI configuration %s", f.Content)
	}

	// A fresh host whose HNS cannot make the network: install and start succeed, the first container fails.
	sim2, r2 := startSim(t, winsim.Options{Profile: "ws2022"})
	if err := sim2.Inject(winsim.Fault{Kind: "hns_broken"}); err != nil {
		t.Fatal(err)
	}
	_, err = executor.Apply(context.Background(), hostOf(r2), resolved, executor.Options{})
	se, code := stepCode(t, err)
	if se.Step.Kind != plan.StepVerify || code != "verify_failed" || !strings.Contains(err.Error(), "HNS failed with error") {
		t.Fatalf("step %s, code %s: %v", se.Step.Kind, code, err)
	}
	if st := sim2.Snapshot(); st.Services["containerd"].State != "Running" || len(st.HNSNetworks) != 0 || st.Verified != "" {
		t.Errorf("after the failed verify: containerd %v, networks %v, verified %q", st.Services["containerd"], st.HNSNetworks, st.Verified)
	}
	if err := sim2.Inject(winsim.Fault{Kind: "hns_fixed"}); err != nil {
		t.Fatal(err)
	}
	res2, err := executor.Apply(context.Background(), hostOf(r2), resolved, executor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	assertConverged(t, sim2.Snapshot(), resolved, res2)
}
