package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/spec"
)

func TestParseListenerID(t *testing.T) {
	cases := []struct {
		id, rg, vm string
		port       int64
		err        string
	}{
		{"azure:rg/vm1:5986", "rg", "vm1", 5986, ""},
		{" azure:lab-rg/ctr-host-1:15986 ", "lab-rg", "ctr-host-1", 15986, ""},
		{"azure:rg/vm1", "", "", 0, "azure:<resource group>/<vm name>:<port>"},
		{"azure:rg/vm1:0", "", "", 0, "is not a port number"},
		{"azure:rg/vm1:70000", "", "", 0, "is not a port number"},
		{"azure:rg:5986", "", "", 0, "azure:<resource group>/<vm name>"},
		{"rg/vm1:5986", "", "", 0, "azure:<resource group>/<vm name>:<port>"},
		{"azure:", "", "", 0, "azure:<resource group>/<vm name>:<port>"},
		{"azure:rg/a b:5986", "", "", 0, "is not a VM name"},
	}
	for _, c := range cases {
		rg, vm, port, err := parseListenerID(c.id)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.id, err, c.err)
			}
			continue
		}
		if err != nil || rg != c.rg || vm != c.vm || port != c.port {
			t.Errorf("%q: %q %q %d %v, want %q %q %d", c.id, rg, vm, port, err, c.rg, c.vm, c.port)
		}
	}
}

// A VM deleted in Azure is told apart from a run command that is gone and from other failures.
func TestAzureVMGone(t *testing.T) {
	arm := func(status int, code string) error { return &azcore.ResponseError{StatusCode: status, ErrorCode: code} }
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"VM not found", arm(http.StatusNotFound, "ResourceNotFound"), true},
		{"resource group not found", arm(http.StatusNotFound, "ResourceGroupNotFound"), true},
		{"run command of a missing VM", arm(http.StatusNotFound, "ParentResourceNotFound"), true},
		{"wrapped as the runner wraps it", fmt.Errorf("facts: %w", &runner.TransportError{Op: "reading VM vm1", Err: arm(404, "ResourceNotFound")}), true},
		{"a run command that is gone", arm(http.StatusNotFound, "NotFound"), false},
		{"VM not running", arm(http.StatusConflict, "OperationNotAllowed"), false},
		{"not an ARM error", errors.New("ResourceNotFound"), false},
	}
	for _, c := range cases {
		if got := azureVMGone(c.err); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// A host that does not answer is told apart from one that answers and refuses.
func TestUnreachable(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", fmt.Errorf("facts: %w", &runner.TransportError{Op: "winrm", Retryable: true, Err: errors.New("connect: connection refused")}), true},
		{"time limit", fmt.Errorf("facts: %w", context.DeadlineExceeded), true},
		{"name gone", &runner.TransportError{Op: "winrm", Err: &net.DNSError{Err: "no such host", Name: "gone.example"}}, true},
		{"name gone, flattened", &runner.TransportError{Op: "winrm", Err: errors.New("dial tcp: lookup gone.example: no such host")}, true},
		{"credentials rejected", &runner.TransportError{Op: "winrm", Err: errors.New("HTTP 401")}, false},
		{"script failed", errors.New("facts: script facts exited 1"), false},
	}
	for _, c := range cases {
		if got := unreachable(c.err); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// The unpinned-engine warning is said until observed_sha256 records the archive, and only for it.
func TestPlanWarnings(t *testing.T) {
	day := compat.DateOf(fixedDay)
	want, ds := spec.Validate(spec.Spec{Mode: "process", OSVersion: "2016", Engine: spec.Engine{Type: "docker", Version: "20.10.24"}}, day)
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	paths := func(ds spec.Diagnostics) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.Path)
		}
		return out
	}
	all := paths(planWarnings(ds, want, nil))
	if !strings.Contains(strings.Join(all, " "), spec.PathEngineSHA256) {
		t.Fatalf("without a prior state the unpinned warning is missing: %v", all)
	}
	recorded := func(keys ...string) *hostModel {
		m := map[string]attr.Value{}
		for _, k := range keys {
			m[k] = types.StringValue("ab")
		}
		v, d := types.MapValue(types.StringType, m)
		if d.HasError() {
			t.Fatal(d)
		}
		return &hostModel{ObservedSHA256: v}
	}
	got := paths(planWarnings(ds, want, recorded(compat.DockerURL("20.10.24"))))
	if strings.Contains(strings.Join(got, " "), spec.PathEngineSHA256) || len(got) != len(all)-1 {
		t.Errorf("with the hash recorded: %v (all: %v)", got, all)
	}
	if got := paths(planWarnings(ds, want, recorded(compat.DockerURL("27.3.1")))); len(got) != len(all) {
		t.Errorf("another version's hash silenced the warning: %v", got)
	}
	var diags diag.Diagnostics
	specDiagnostics(planWarnings(ds, want, nil), &diags)
	if diags.WarningsCount() != len(all) || diags.HasError() {
		t.Errorf("diagnostics %v", diags)
	}
}

// Which changes reach the host: the desired state and the way to reach the machine do; the settings of
// wincontainers' own behaviour do not, nor does host as the label of an azure connection.
func TestConvergePlanned(t *testing.T) {
	ctx := context.Background()
	vm := func(name string, override bool) types.Object {
		return types.ObjectValueMust(azureConnAttrTypes, map[string]attr.Value{"subscription_id": types.StringNull(),
			"resource_group": types.StringValue("rg"), "vm_name": types.StringValue(name), "nested_virtualization_override": types.BoolValue(override)})
	}
	winrmHost := hostModel{Host: types.StringValue("10.0.0.5"), Port: types.Int64Value(5986), ContainerMode: types.StringValue("process"),
		OnDestroy: types.StringValue(onDestroyUninstall), Azure: types.ObjectNull(azureConnAttrTypes)}
	azureHost := winrmHost
	azureHost.Host, azureHost.Port, azureHost.Azure = types.StringValue("vm1"), types.Int64Null(), vm("vm1", false)
	cases := []struct {
		name   string
		prior  hostModel
		change func(*hostModel)
		want   bool
	}{
		{"nothing", winrmHost, func(*hostModel) {}, false},
		{"on_destroy", winrmHost, func(m *hostModel) { m.OnDestroy = types.StringValue(onDestroyKeep) }, false},
		{"container_mode", winrmHost, func(m *hostModel) { m.ContainerMode = types.StringValue("hyperv") }, true},
		{"port", winrmHost, func(m *hostModel) { m.Port = types.Int64Value(15986) }, true},
		{"port not known yet", winrmHost, func(m *hostModel) { m.Port = types.Int64Unknown() }, true},
		{"WinRM host", winrmHost, func(m *hostModel) { m.Host = types.StringValue("10.0.0.6") }, true},
		{"azure label", azureHost, func(m *hostModel) { m.Host = types.StringValue("build-vm-1") }, false},
		{"azure override", azureHost, func(m *hostModel) { m.Azure = vm("vm1", true) }, false},
		{"azure VM", azureHost, func(m *hostModel) { m.Azure = vm("vm2", false) }, true},
		{"WinRM to azure", winrmHost, func(m *hostModel) { m.Azure = vm("vm1", false) }, true},
		{"compose", winrmHost, func(m *hostModel) {
			m.Compose = types.ObjectValueMust(map[string]attr.Type{"enabled": types.BoolType, "network": types.StringType},
				map[string]attr.Value{"enabled": types.BoolValue(true), "network": types.StringValue("nat")})
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.prior
			c.change(&p)
			var diags diag.Diagnostics
			if got := convergePlanned(ctx, &p, &c.prior, &diags); got != c.want || diags.HasError() {
				t.Errorf("%v %v, want %v", got, diags, c.want)
			}
		})
	}
	pending := winrmHost
	pending.PendingChanges = types.ListValueMust(types.StringType, []attr.Value{types.StringValue("start-service: stopped")})
	p := pending
	p.OnDestroy = types.StringValue(onDestroyKeep)
	if !convergePlanned(ctx, &p, &pending, &diag.Diagnostics{}) {
		t.Error("with changes pending, a plan must converge")
	}
}
