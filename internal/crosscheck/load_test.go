package crosscheck

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/wsman"
)

// TestLoad applies specs to many winsim hosts at once, in process, each over its own WinRM client
// (HTTPS, Basic, certificate verification), as the provider does with Terraform's parallelism raised:
// 100 hosts (about 10 s with -race, so it runs in make test; LOAD_HOSTS overrides the count). Every host
// converges with one restart, no host is left with an open WinRM shell once its client is closed, and
// the goroutine count comes back to where it was (run it with -race, as make does). The hosts enforce
// WinRM's quotas (modern defaults; LOAD_QUOTAS=spec or legacy for MS-WSMV's or 2008 R2's) and no
// client may meet a quota fault.
func TestLoad(t *testing.T) {
	n := 100
	if v, err := strconv.Atoi(os.Getenv("LOAD_HOSTS")); err == nil && v > 0 {
		n = v
	}
	quotas, err := wsman.QuotaPreset(os.Getenv("LOAD_QUOTAS"))
	if err != nil {
		t.Fatal(err)
	}
	type hostSpec struct{ profile, mode string }
	specs := []hostSpec{{"ws2019", "process"}, {"ws2022", "hyperv"}, {"ws2025", "process"}, {"ws2022", "lcow"}, {"ws1809", "hyperv"}}
	settle := func(limit int) int {
		g := runtime.NumGoroutine()
		for deadline := time.Now().Add(10 * time.Second); g > limit && time.Now().Before(deadline); g = runtime.NumGoroutine() {
			time.Sleep(50 * time.Millisecond)
		}
		return g
	}
	before := runtime.NumGoroutine()
	sims := make([]*winsim.Sim, n)
	shellsAfterApply := make([]int, n)
	start := time.Now()
	t.Run("apply", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			sp := specs[i%len(specs)]
			sim, r := startSim(t, winsim.Options{Profile: sp.profile, Virtualization: "exposed", Quotas: quotas})
			sims[i] = sim
			want, d := spec.Validate(spec.Spec{Mode: sp.mode}, compat.D(2026, 11, 22))
			if d.HasErrors() {
				t.Fatalf("spec: %v", d)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := executor.Apply(context.Background(), hostOf(r), want, executor.Options{}); err != nil {
					errs[i] = fmt.Errorf("host %d (%s %s): %w", i, sp.profile, sp.mode, err)
					return
				}
				st := sim.Snapshot()
				shellsAfterApply[i] = st.OpenShells
				if st.Reboots != 1 || st.Verified != plan.SpecHash(want) {
					errs[i] = fmt.Errorf("host %d (%s %s): %d restarts, verified %q", i, sp.profile, sp.mode, st.Reboots, st.Verified)
				}
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
	}) // the clients close and the listeners stop here (the subtest's cleanups)
	elapsed := time.Since(start)
	after := settle(before)
	leaked := 0
	maxOpen := 0
	quotaFaults := map[string]int{}
	for i, sim := range sims {
		if sim == nil {
			continue
		}
		maxOpen = max(maxOpen, shellsAfterApply[i])
		for k, v := range sim.Snapshot().QuotaFaults {
			quotaFaults[k] += v
			t.Errorf("host %d: %d %s quota faults", i, v, k)
		}
		if open := sim.Snapshot().OpenShells; open != 0 {
			leaked++
			t.Errorf("host %d: %d WinRM shells still open after its client closed", i, open)
		}
	}
	t.Logf("%d hosts in %s against %+v; quota faults %v; open shells per host after its apply: at most %d, after close: %d hosts with any; goroutines %d before, %d after",
		n, elapsed.Round(10*time.Millisecond), quotas, quotaFaults, maxOpen, leaked, before, after)
	if after > before {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines: %d before, %d after the hosts stopped\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}
