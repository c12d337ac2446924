package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wincontainers/wincontainers/internal/winsim"
)

// daemon.log_level, added through the settings table alone, reaches daemon.json through the shipped
// configure-daemon.ps1, and dockerd (winsim's, which refuses a level moby refuses) starts with it; a
// change is an in-place update that rewrites the key.
func TestAccHostDaemonLogLevel(t *testing.T) {
	accPreCheck(t)
	h := startSimServer(t, winsim.Options{Profile: "ws2022"})
	const addr = "wincontainers_host.test"
	cfg := func(level string) string {
		return hostConfig(h, fmt.Sprintf(`
  container_mode = "process"
  os_version     = "2022"
  engine         = { type = "docker", version = "29.2.1" }
  daemon         = { log_level = %q }
`, level))
	}
	level := func(want string) resource.TestCheckFunc {
		return checkSim(h, func(st winsim.State) error {
			if st.DaemonConfig["log-level"] != want || st.Services["docker"].State != "Running" {
				return fmt.Errorf("winsim: daemon.json %v, docker %s; want log-level %q and docker running", st.DaemonConfig, st.Services["docker"].State, want)
			}
			return nil
		})
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: cfg("debug"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("daemon").AtMapKey("log_level"), knownvalue.StringExact("debug")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("pending_changes"), knownvalue.ListExact([]knownvalue.Check{})),
				},
				Check: level("debug"),
			},
			{
				Config: cfg("warn"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				Check: level("warn"),
			},
		},
	})
}
