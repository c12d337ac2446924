package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func compatConfig(host, image, iso string) string {
	return fmt.Sprintf(`
data "wincontainers_compatibility" "test" {
  host_os   = %[1]q
  image_os  = %[2]q
  isolation = %[3]q
}
`, host, image, iso)
}

func TestAccCompatibilityDataSource(t *testing.T) {
	const addr = "data.wincontainers_compatibility.test"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: compatConfig("2022", "2019", "process"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("supported"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("reason"), knownvalue.StringRegexp(regexp.MustCompile(`builds to match.*20348.*17763.*0xc0370101`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("host_build"), knownvalue.Int64Exact(20348)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("image_build"), knownvalue.Int64Exact(17763)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("20348/17763/process")),
				},
			},
			{
				Config: compatConfig("2022", "2019", "hyperv"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("supported"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("caveats").AtSliceIndex(0), knownvalue.StringRegexp(regexp.MustCompile(`nested virtualization`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("sources").AtSliceIndex(0), knownvalue.StringRegexp(regexp.MustCompile(`^https://learn\.microsoft\.com/`))),
				},
			},
			{
				// The Annual Channel reports "Windows Server 2022" but is build 25398.
				Config: compatConfig("23H2", "2022", "process"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("supported"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("host_build"), knownvalue.Int64Exact(25398)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("host_release"), knownvalue.StringExact("Windows Server, version 23H2")),
				},
			},
			{
				Config: compatConfig("14393.1914", "10.0.14393.1944", "process"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("supported"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("reason"), knownvalue.StringRegexp(regexp.MustCompile(`revision`))),
				},
			},
			{
				Config: compatConfig("win11-24h2", "ltsc2025", "process"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("supported"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("caveats"), knownvalue.ListPartial(map[int]knownvalue.Check{
						0: knownvalue.StringRegexp(regexp.MustCompile(`development and testing`)),
					})),
				},
			},
		},
	})
}

func TestAccCompatibilityDataSourceBadInput(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      compatConfig("2012", "2019", "process"),
				ExpectError: regexp.MustCompile(`(?s)with data.wincontainers_compatibility.test,.*host_os.*"2012" is not a Windows release`),
			},
			{
				Config:      compatConfig("2022", "17763..1", "process"),
				ExpectError: regexp.MustCompile(`(?s)image_os.*not a build number`),
			},
			{
				Config:      compatConfig("2022", "2022", "container"),
				ExpectError: regexp.MustCompile(`(?s)isolation.*value must be one of`),
			},
		},
	})
}

func baseImageConfig(host, iso, extra string) string {
	return fmt.Sprintf(`
data "wincontainers_base_image" "test" {
  host_os   = %[1]q
  isolation = %[2]q
  %[3]s
}
`, host, iso, extra)
}

func TestAccBaseImageDataSource(t *testing.T) {
	const addr = "data.wincontainers_base_image.test"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: baseImageConfig("2022", "process", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("references"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("mcr.microsoft.com/windows/servercore:ltsc2022"),
						knownvalue.StringExact("mcr.microsoft.com/windows/nanoserver:ltsc2022"),
						knownvalue.StringExact("mcr.microsoft.com/windows/server:ltsc2022"),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("reference"), knownvalue.StringExact("mcr.microsoft.com/windows/servercore:ltsc2022")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("images").AtSliceIndex(0).AtMapKey("end_of_support"), knownvalue.StringExact("2031-10-14")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("images").AtSliceIndex(0).AtMapKey("retired"), knownvalue.Bool(false)),
				},
			},
			{
				// The Annual Channel has no images of its own and runs ltsc2022.
				Config: baseImageConfig("23H2", "process", `families = ["servercore"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("references"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("mcr.microsoft.com/windows/servercore:ltsc2022"),
					})),
				},
			},
			{
				Config: baseImageConfig("2019", "hyperv", `include_retired = true
  families = ["nanoserver"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("references"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("mcr.microsoft.com/windows/nanoserver:1809"),
						knownvalue.StringExact("mcr.microsoft.com/windows/nanoserver:1803"),
						knownvalue.StringExact("mcr.microsoft.com/windows/nanoserver:1709"),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("images").AtSliceIndex(1).AtMapKey("retired"), knownvalue.Bool(true)),
				},
			},
			{
				// No image runs process-isolated on Windows 10 22H2: an empty answer, not an error.
				Config: baseImageConfig("win10-22h2", "process", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("references"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("reference"), knownvalue.StringExact("")),
				},
			},
		},
	})
}

func TestAccBaseImageDataSourceBadInput(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      baseImageConfig("vista", "process", ""),
				ExpectError: regexp.MustCompile(`(?s)host_os.*"vista" is not a Windows release`),
			},
			{
				Config:      baseImageConfig("2022", "process", `families = ["busybox"]`),
				ExpectError: regexp.MustCompile(`(?s)families.*value must be one of`),
			},
		},
	})
}
