package provider

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

// airgapArchives writes the controller's copies of what an LCOW host with containerd downloads (the
// bytes winsim's internet serves at those URLs) and returns path and SHA-256 by component.
func airgapArchives(t *testing.T, dir string) (paths, sums map[string]string) {
	t.Helper()
	nerd, _ := compat.NerdctlURLs(compat.DefaultNerdctlVersion)
	paths, sums = map[string]string{}, map[string]string{}
	for name, url := range map[string]string{
		"containerd": compat.ContainerdURL(compat.DefaultContainerdVersion),
		"nerdctl":    nerd,
		"cni":        compat.CNIURL(compat.DefaultCNIVersion),
		"lcow":       compat.LinuxKitURL(compat.DefaultLinuxKitRelease),
	} {
		a, err := accInternet.Lookup(url)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name+"-"+url[strings.LastIndexByte(url, '/')+1:])
		if err := a.Save(p); err != nil {
			t.Fatal(err)
		}
		if sums[name], _, err = spec.FileSHA256(p); err != nil {
			t.Fatal(err)
		}
		paths[name] = p
	}
	return paths, sums
}

// An air-gapped Windows Server 2022 host (winsim --offline) becomes a verified LCOW host through
// terraform apply with everything pushed from the machine running Terraform: containerd, nerdctl and
// the CNI plugins (engine.archive, engine.nerdctl_archive, engine.cni_archive) and the LinuxKit release
// (lcow.archive, pinned). A wrong pin is refused at plan time; the unpinned archives land in
// observed_sha256 under their paths; the host attempts no download; the next plan is empty.
func TestAccHostAirGappedLCOW(t *testing.T) {
	accPreCheck(t)
	h := startSimServer(t, winsim.Options{Profile: "ws2022", Offline: true})
	paths, sums := airgapArchives(t, t.TempDir())
	cfg := func(lcowSHA string) string {
		return hostConfig(h, fmt.Sprintf(`
  container_mode = "lcow"
  os_version     = "2022"
  engine = {
    archive         = %q
    nerdctl_archive = %q
    cni_archive     = %q
  }
  lcow = {
    archive = %q
    sha256  = %q
  }
`, paths["containerd"], paths["nerdctl"], paths["cni"], paths["lcow"], lcowSHA))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{
			{
				// The pushed file is not the one pinned: refused before any connection.
				Config:      cfg(strings.Repeat("ab", 32)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)lcow.archive is not the file lcow.sha256 pins.*` + sums["lcow"]),
			},
			{
				Config: cfg(sums["lcow"]),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("wincontainers_host.test", tfjsonpath.New("observed_sha256"), knownvalue.MapExact(map[string]knownvalue.Check{
						paths["containerd"]: knownvalue.StringExact(sums["containerd"]),
						paths["nerdctl"]:    knownvalue.StringExact(sums["nerdctl"]),
						paths["cni"]:        knownvalue.StringExact(sums["cni"]),
					})),
					statecheck.ExpectKnownValue("wincontainers_host.test", tfjsonpath.New("facts").AtMapKey("engine_type"), knownvalue.StringExact("containerd")),
				},
				Check: checkSim(h, func(st winsim.State) error {
					if d := h.sim.Machine.DownloadsAttempted(); len(d) > 0 {
						return fmt.Errorf("winsim: the offline host attempted downloads: %v", d)
					}
					if st.Engine.Type != "containerd" || st.Services["containerd"].State != "Running" || len(st.LCOWBootFiles) != 2 || st.Verified == "" {
						return fmt.Errorf("winsim: engine %+v, containerd %+v, boot files %v, verified %q", st.Engine, st.Services["containerd"], st.LCOWBootFiles, st.Verified)
					}
					t.Logf("offline lcow apply: %d WS-Man requests, %d bytes in, %d restart(s)", st.Requests.Total, st.Requests.BytesIn, st.Reboots)
					return nil
				}),
			},
			{
				Config:           cfg(sums["lcow"]),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
