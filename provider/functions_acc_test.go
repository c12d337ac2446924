package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// functionsConfig uses both functions where a data source cannot go: a variable validation, a
// resource precondition, an output precondition and a check block. host_os and image_os are variables
// so that each step changes only the answer.
const functionsConfig = `
variable "host_os" {
  type    = string
  default = "2022"
}

variable "image_os" {
  type    = string
  default = "ltsc2022"
  validation {
    # A variable's validation may refer only to the variable itself (Terraform before 1.9), so the host is spelled here.
    condition     = provider::wincontainers::compatible("2022", var.image_os, "process").supported
    error_message = "This image cannot run process-isolated on the Windows Server 2022 build hosts: ${provider::wincontainers::compatible("2022", var.image_os, "process").reason}"
  }
}

variable "check_image_os" {
  type    = string
  default = "2022"
}

locals {
  verdict = provider::wincontainers::compatible(var.host_os, var.image_os, "process")
  image   = provider::wincontainers::base_image(var.host_os, "process", "servercore")
}

resource "terraform_data" "build" {
  input = local.image
  lifecycle {
    precondition {
      condition     = local.verdict.supported
      error_message = local.verdict.reason
    }
  }
}

output "image" {
  value = terraform_data.build.output
  precondition {
    condition     = startswith(local.image, "mcr.microsoft.com/windows/servercore:")
    error_message = "unexpected base image ${local.image}"
  }
}

output "verdict" {
  value = local.verdict
}

output "hyperv_image" {
  value = provider::wincontainers::base_image("2025", "hyperv", "nanoserver")
}

check "image_runs_on_host" {
  assert {
    condition     = provider::wincontainers::compatible(var.host_os, var.check_image_os, "process").supported
    error_message = provider::wincontainers::compatible(var.host_os, var.check_image_os, "process").reason
  }
}
`

// expectCheck asserts the status of a check block in the plan, and that its failure message matches.
// A failing check block is a warning, not an error, so only the plan's check results show it.
type expectCheck struct {
	name   string
	status tfjson.CheckStatus
	msg    *regexp.Regexp
}

func (e expectCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	var seen []string
	for _, c := range req.Plan.Checks {
		seen = append(seen, fmt.Sprintf("%s=%s", c.Address.ToDisplay, c.Status))
		if c.Address.Kind != tfjson.CheckKindCheckBlock || c.Address.Name != e.name {
			continue
		}
		if c.Status != e.status {
			resp.Error = fmt.Errorf("check %s: status %s, want %s", e.name, c.Status, e.status)
			return
		}
		if e.msg == nil {
			return
		}
		var msgs []string
		for _, in := range c.Instances {
			for _, p := range in.Problems {
				msgs = append(msgs, p.Message)
			}
		}
		if !e.msg.MatchString(strings.Join(msgs, "\n")) {
			resp.Error = fmt.Errorf("check %s: problems %q do not match %s", e.name, msgs, e.msg)
		}
		return
	}
	resp.Error = fmt.Errorf("check block %s not in the plan's check results %v", e.name, seen)
}

func TestAccFunctions(t *testing.T) {
	resource.Test(t, resource.TestCase{
		// Provider-defined functions: Terraform 1.8, OpenTofu 1.7 (whose version numbers are below 1.8
		// only before 1.8, so one check covers both).
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Everything holds: the build-matched image, the verdict's fields, a passing check.
				Config: functionsConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectCheck{name: "image_runs_on_host", status: tfjson.CheckStatusPass},
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("image", knownvalue.StringExact("mcr.microsoft.com/windows/servercore:ltsc2022")),
					statecheck.ExpectKnownOutputValue("hyperv_image", knownvalue.StringExact("mcr.microsoft.com/windows/nanoserver:ltsc2025")),
					statecheck.ExpectKnownOutputValue("verdict", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"supported":   knownvalue.Bool(true),
						"reason":      knownvalue.StringRegexp(regexp.MustCompile(`build 20348`)),
						"caveats":     knownvalue.ListSizeExact(0),
						"host_build":  knownvalue.Int64Exact(20348),
						"image_build": knownvalue.Int64Exact(20348),
					})),
				},
			},
			{
				// The Annual Channel host runs ltsc2022 images: the function says which, and a 2019 image
				// fails only the check block, a warning that names the rule.
				Config: functionsConfig,
				ConfigVariables: config.Variables{
					"host_os":        config.StringVariable("23H2"),
					"check_image_os": config.StringVariable("2019"),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectCheck{name: "image_runs_on_host", status: tfjson.CheckStatusFail, msg: wrapped(`25398.*17763`)},
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("image", knownvalue.StringExact("mcr.microsoft.com/windows/servercore:ltsc2022")),
					statecheck.ExpectKnownOutputValue("verdict", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"supported": knownvalue.Bool(true), "host_build": knownvalue.Int64Exact(25398),
					})),
				},
			},
			{
				// The variable validation refuses a 2019 image for the 2022 build hosts, with the reason.
				Config:          functionsConfig,
				ConfigVariables: config.Variables{"image_os": config.StringVariable("2019")},
				ExpectError:     wrapped(`Windows Server 2022 build hosts:.*builds to match.*20348.*17763`),
			},
			{
				// The precondition stops the plan for a 2022 image on a 2019 host, with the reason.
				Config:          functionsConfig,
				ConfigVariables: config.Variables{"host_os": config.StringVariable("2019")},
				ExpectError:     wrapped(`Resource precondition failed.*17763.*20348`),
			},
		},
	})
}

func TestAccFunctionErrors(t *testing.T) {
	out := func(expr string) string { return fmt.Sprintf("output \"x\" {\n  value = %s\n}\n", expr) }
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// No Windows image exists for 2022: an error with what does run there.
				Config:      out(`provider::wincontainers::base_image("2022", "process", "windows")`),
				ExpectError: wrapped(`no windows base image runs on Windows Server 2022.*servercore:ltsc2022`),
			},
			{
				// Nothing runs process-isolated on Windows 10 22H2: the isolation rule's reason.
				Config:      out(`provider::wincontainers::base_image("win10-22h2", "process", "servercore")`),
				ExpectError: wrapped(`no servercore base image runs on Windows 10.*process`),
			},
			{
				Config:      out(`provider::wincontainers::compatible("2012", "2019", "process")`),
				ExpectError: wrapped(`Invalid value for "host_os" parameter: .*"2012" is not a Windows release`),
			},
			{
				Config:      out(`provider::wincontainers::compatible("2022", "2022", "container")`),
				ExpectError: wrapped(`Invalid value for "isolation" parameter: isolation "container": must be "process" or "hyperv"`),
			},
			{
				Config:      out(`provider::wincontainers::base_image("2022", "process", "busybox")`),
				ExpectError: wrapped(`Invalid value for "flavor" parameter: flavor "busybox": must be one of servercore, nanoserver`),
			},
		},
	})
}

// wrapped compiles a pattern for a CLI diagnostic, which both CLIs wrap at word boundaries: each space
// in the pattern matches any run of white space, and . matches newlines.
func wrapped(pattern string) *regexp.Regexp {
	return regexp.MustCompile("(?s)" + strings.ReplaceAll(pattern, " ", `\s+`))
}
