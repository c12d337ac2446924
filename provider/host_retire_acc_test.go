package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// Issue 18 item 2: retiring a host that is gone. Once the machine no longer answers, refresh keeps the
// state with a warning; on_destroy, timeouts and reboot, which govern only what wincontainers does,
// change in the state without contacting the host, and their plan keeps facts, base_images and
// observed_sha256 known; destroy with on_destroy = "keep" then never needs the host.
func TestAccHostRetireDeadHost(t *testing.T) {
	accPreCheck(t)
	h, stop := startStoppableSimHost(t, winsim.Options{Profile: "ws2022"})
	const addr = "wincontainers_host.test"
	cfg := func(extra string) string {
		return hostConfig(h, `
  container_mode = "process"
  engine         = { type = "docker", version = "27.3.1" }
`+extra)
	}
	known := []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
		plancheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("build"), knownvalue.Int64Exact(20348)),
		plancheck.ExpectKnownValue(addr, tfjsonpath.New("base_images").AtMapKey("process"),
			knownvalue.ListPartial(map[int]knownvalue.Check{0: knownvalue.StringExact("mcr.microsoft.com/windows/servercore:ltsc2022")})),
		plancheck.ExpectKnownValue(addr, tfjsonpath.New("observed_sha256"), knownvalue.MapSizeExact(1)),
		plancheck.ExpectKnownValue(addr, tfjsonpath.New("pending_changes"), knownvalue.ListExact([]knownvalue.Check{})),
		plancheck.ExpectKnownValue(addr, tfjsonpath.New("verified_at"), knownvalue.NotNull()),
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		// on_destroy = "keep": nothing was uninstalled (the machine is unreachable anyway).
		CheckDestroy: checkSim(h, dockerRunning),
		Steps: []resource.TestStep{
			{Config: cfg(""), Check: checkSim(h, dockerRunning)},
			{
				// A setting of wincontainers' own behaviour on a live host: an update that converges nothing.
				Config:           cfg(`  reboot = { allowed = false }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: known},
			},
			{
				// The machine is gone: the user retires it.
				PreConfig: stop,
				Config: cfg(`
  on_destroy = "keep"
  reboot     = { allowed = false, timeout = "20m" }
  timeouts   = { update = "5m", delete = "1m" }
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: known},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("on_destroy"), knownvalue.StringExact("keep")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("reboot").AtMapKey("timeout"), knownvalue.StringExact("20m")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("engine_version"), knownvalue.StringExact("27.3.1")),
				},
			},
		},
	})
}

// The same when the host died with something pending (here a stopped engine found by refresh): the
// apply that sets on_destroy = "keep" must converge and fails, yet records on_destroy, so that destroy
// then leaves the host alone instead of trying to uninstall from a machine that is gone.
func TestAccHostRetireDeadHostWithPendingChanges(t *testing.T) {
	accPreCheck(t)
	h, stop := startStoppableSimHost(t, winsim.Options{Profile: "ws2022"})
	cfg := func(extra string) string {
		return hostConfig(h, `
  container_mode = "process"
  engine         = { type = "docker", version = "27.3.1" }
`+extra)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		CheckDestroy: checkSim(h, func(st winsim.State) error {
			if st.Engine.Type != "docker" {
				return fmt.Errorf("on_destroy = \"keep\" was not honoured: engine %+v", st.Engine)
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{Config: cfg(""), Check: checkSim(h, dockerRunning)},
			{
				PreConfig: func() {
					if err := h.sim.Machine.ApplyDrift(machine.Drift{StopService: "docker"}); err != nil {
						t.Fatal(err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check:              resource.TestCheckResourceAttr("wincontainers_host.test", "pending_changes.#", "2"),
			},
			{
				PreConfig:   stop,
				Config:      cfg(`  on_destroy = "keep"`),
				ExpectError: regexp.MustCompile(`(?s)connection\s+refused`),
			},
		},
	})
}
