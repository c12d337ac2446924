package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"golang.org/x/crypto/ssh"

	"github.com/wincontainers/wincontainers/internal/azure"
	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/converge"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/hostconn"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winrm"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

// The provider's translation functions: Terraform's models into the engine's connection (connConfig),
// and the engine's outcome and errors into diagnostics (connectFailed, convergeFailed,
// nestedDiagnostics).

func objectOf[T any](t *testing.T, attrTypes map[string]attr.Type, v T) types.Object {
	t.Helper()
	obj, d := types.ObjectValueFrom(context.Background(), attrTypes, v)
	if d.HasError() {
		t.Fatal(d)
	}
	return obj
}

func winrmObject(t *testing.T, w winrmModel) types.Object {
	t.Helper()
	ot, _ := resourceWinRMSchema().GetType().(types.ObjectType)
	obj, d := types.ObjectValueFrom(context.Background(), ot.AttrTypes, w)
	if d.HasError() {
		t.Fatal(d)
	}
	return obj
}

func hostOf(host string) hostModel {
	return hostModel{Host: types.StringValue(host), Port: types.Int64Null(), WinRM: types.ObjectNull(nil), Azure: types.ObjectNull(azureConnAttrTypes),
		SSH: types.ObjectNull(sshConnAttrTypes)}
}

func TestConnConfig(t *testing.T) {
	ctx := context.Background()
	data := &providerData{reboot: runner.RebootOptions{PollInterval: time.Second}, retryBackoff: 7 * time.Millisecond,
		winrm: connSettings{username: valued("admin")}, azure: azure.Auth{SubscriptionID: "sub-provider"}}
	r := &hostResource{data: data}

	t.Run("winrm over the provider's defaults, port from the transport", func(t *testing.T) {
		m := hostOf("10.0.0.5")
		m.WinRM = winrmObject(t, winrmModel{winrmDefaultsModel: winrmDefaultsModel{HTTPS: types.BoolValue(false), Auth: types.StringValue("ntlm")},
			PasswordWO: types.StringValue("wo-secret")})
		var diags diag.Diagnostics
		cfg, ok := r.connConfig(ctx, &m, 20*time.Minute, &diags)
		if !ok || diags.HasError() {
			t.Fatalf("refused: %v", diags)
		}
		w := cfg.WinRM
		if w.Host != "10.0.0.5" || w.Port != 5985 || !w.HTTP || w.User != "admin" || w.Password != "wo-secret" || w.Auth != "ntlm" {
			t.Errorf("winrm options %+v: want NTLM over HTTP on 5985 as admin with the write-only password", w)
		}
		if m.Port.ValueInt64() != 5985 {
			t.Errorf("port %v: an import without :port learns the default", m.Port)
		}
		if cfg.SSH != nil || cfg.Azure != nil || cfg.Reboot.Timeout != 20*time.Minute || cfg.Reboot.PollInterval != time.Second ||
			cfg.RetryBackoff != 7*time.Millisecond || cfg.Reboot.OnEvent == nil {
			t.Errorf("config %+v: want WinRM alone with the provider's reboot and retry settings and the reboot timeout", cfg)
		}
	})
	t.Run("winrm without a password is refused on the winrm block", func(t *testing.T) {
		m := hostOf("10.0.0.5")
		var diags diag.Diagnostics
		if _, ok := r.connConfig(ctx, &m, time.Minute, &diags); ok || !hasErrorAt(diags, path.Root("winrm"), "Incomplete WinRM connection settings") {
			t.Errorf("accepted or misplaced: %v", diags)
		}
	})
	t.Run("ssh, port 22", func(t *testing.T) {
		m := hostOf("10.0.0.6")
		m.SSH = objectOf(t, sshConnAttrTypes, sshConnModel{sshArgsModel: sshArgsModel{User: types.StringValue("Administrator"), Password: types.StringValue("pw"),
			HostKey: types.StringValue("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl")}})
		var diags diag.Diagnostics
		cfg, ok := r.connConfig(ctx, &m, time.Minute, &diags)
		if !ok || cfg.SSH == nil || cfg.SSH.Port != 22 || cfg.SSH.User != "Administrator" || cfg.SSH.Password != "pw" || m.Port.ValueInt64() != 22 {
			t.Fatalf("ssh config %+v (%v): want Administrator on port 22", cfg.SSH, diags)
		}
	})
	t.Run("ssh = {} over the provider's ssh block and the environment", func(t *testing.T) {
		t.Setenv(envSSHPassword, "env-pw")
		t.Setenv(envSSHUser, "env-user")
		knownHosts := filepath.Join(t.TempDir(), "known_hosts")
		if err := os.WriteFile(knownHosts, []byte("[10.0.0.7]:2222 "+testHostKey+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		def := sshDefaultsOf(ctx, objectOf(t, sshArgsAttrTypes, sshArgsModel{User: types.StringValue("provider-user"),
			KnownHosts: types.StringValue(knownHosts), Timeout: timetypes.NewGoDurationValueFromStringMust("7s")}), &diag.Diagnostics{})
		r := &hostResource{data: &providerData{ssh: def}}
		m := hostOf("10.0.0.7")
		m.SSH = objectOf(t, sshConnAttrTypes, sshConnModel{})
		m.Port = types.Int64Value(2222)
		var diags diag.Diagnostics
		cfg, ok := r.connConfig(ctx, &m, time.Minute, &diags)
		if !ok || cfg.SSH == nil {
			t.Fatalf("refused: %v", diags)
		}
		o := cfg.SSH
		if o.User != "provider-user" || o.Password != "env-pw" || len(o.KnownHostsFiles) != 1 || o.KnownHostsFiles[0] != knownHosts ||
			o.Timeout != 7*time.Second || o.Port != 2222 {
			t.Errorf("options %+v: want the provider's user, known_hosts and timeout, the environment's password, port 2222", o)
		}
		// The resource's arguments win one by one; the write-only key and password replace the stored ones.
		key, _ := testKey(t)
		m.SSH = objectOf(t, sshConnAttrTypes, sshConnModel{sshArgsModel: sshArgsModel{User: types.StringValue("resource-user"),
			HostKey: types.StringValue(testHostKey)}, PrivateKeyWO: types.StringValue(key), PasswordWO: types.StringValue("wo-pw")})
		cfg, ok = r.connConfig(ctx, &m, time.Minute, &diags)
		if !ok || cfg.SSH.User != "resource-user" || string(cfg.SSH.PrivateKey) != key || cfg.SSH.Password != "wo-pw" || cfg.SSH.HostKey != testHostKey {
			t.Errorf("options %+v (%v): want the resource's user, host key, write-only key and password", cfg.SSH, diags)
		}
	})
	t.Run("ssh with the provider's ssh block unknown waits for the apply", func(t *testing.T) {
		r := &hostResource{data: &providerData{ssh: sshDefaultsOf(ctx, types.ObjectUnknown(sshArgsAttrTypes), &diag.Diagnostics{})}}
		m := hostOf("10.0.0.7")
		m.SSH = objectOf(t, sshConnAttrTypes, sshConnModel{sshArgsModel: sshArgsModel{User: types.StringValue("Administrator")}})
		var diags diag.Diagnostics
		if _, ok := r.connConfig(ctx, &m, time.Minute, &diags); ok || !hasErrorAt(diags, path.Root("ssh"), "SSH settings not known yet") {
			t.Errorf("accepted or misplaced: %v", diags)
		}
	})
	t.Run("ssh without a user names the provider's block and the environment", func(t *testing.T) {
		m := hostOf("10.0.0.6")
		m.SSH = objectOf(t, sshConnAttrTypes, sshConnModel{sshArgsModel: sshArgsModel{Password: types.StringValue("pw")}})
		var diags diag.Diagnostics
		if _, ok := r.connConfig(ctx, &m, time.Minute, &diags); ok || !strings.Contains(fmt.Sprint(diags), envSSHUser) {
			t.Errorf("accepted, or the advice is missing: %v", diags)
		}
	})
	t.Run("ssh without credentials is refused on the ssh block", func(t *testing.T) {
		m := hostOf("10.0.0.6")
		m.SSH = objectOf(t, sshConnAttrTypes, sshConnModel{sshArgsModel: sshArgsModel{User: types.StringValue("Administrator")}})
		var diags diag.Diagnostics
		if _, ok := r.connConfig(ctx, &m, time.Minute, &diags); ok || !hasErrorAt(diags, path.Root("ssh"), "Incomplete SSH connection settings") {
			t.Errorf("accepted or misplaced: %v", diags)
		}
	})
	t.Run("azure, subscription from the block over the provider's", func(t *testing.T) {
		m := hostOf("vm1")
		m.Azure = objectOf(t, azureConnAttrTypes, azureConnModel{SubscriptionID: types.StringValue("sub-block"), ResourceGroup: types.StringValue("rg"),
			VMName: types.StringValue("vm1"), NestedVirtualizationOverride: types.BoolValue(true)})
		var diags diag.Diagnostics
		cfg, ok := r.connConfig(ctx, &m, time.Minute, &diags)
		if !ok || cfg.Azure == nil || cfg.Azure.Auth.SubscriptionID != "sub-block" || cfg.Azure.ResourceGroup != "rg" || cfg.Azure.Name != "vm1" {
			t.Fatalf("azure config %+v (%v)", cfg.Azure, diags)
		}
		if cfg.Target() != "Azure VM vm1" || !nestedOverride(ctx, &m, &diags) {
			t.Errorf("target %q, override %v", cfg.Target(), nestedOverride(ctx, &m, &diags))
		}
	})
}

func hasErrorAt(diags diag.Diagnostics, p path.Path, summary string) bool {
	for _, d := range diags.Errors() {
		if wp, ok := d.(diag.DiagnosticWithPath); ok && wp.Path().Equal(p) && d.Summary() == summary {
			return true
		}
	}
	return false
}

func TestConnectFailed(t *testing.T) {
	_, openErr := hostconn.Open(hostconn.Config{WinRM: hostconnOptionsWithBadCA()})
	if _, ok := errors.AsType[*hostconn.OpenError](openErr); !ok {
		t.Fatalf("hostconn.Open with a bad CA: %v, want an OpenError", openErr)
	}
	cases := []struct {
		name, block string
		err         error
		want        string // summary; "" for no diagnostic
		at          path.Path
	}{
		{"settings already reported", "winrm", errReported, "", path.Empty()},
		{"the transport refused the settings", "winrm", openErr, "Cannot connect to 10.0.0.5", path.Root("winrm")},
		{"plain HTTP", "winrm", &hostconn.PlainHTTPError{Host: "h"}, "Plain HTTP without message encryption", path.Root("winrm")},
		{"anywhere", "", openErr, "Cannot connect to 10.0.0.5", path.Empty()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var diags diag.Diagnostics
			connectFailed(&diags, c.block, c.err)
			if c.want == "" {
				if len(diags) != 0 {
					t.Errorf("reported again: %v", diags)
				}
				return
			}
			if len(diags) != 1 || diags[0].Summary() != c.want {
				t.Fatalf("diagnostics %v, want %q", diags, c.want)
			}
			wp, ok := diags[0].(diag.DiagnosticWithPath)
			if c.at.Equal(path.Empty()) == ok || (ok && !wp.Path().Equal(c.at)) {
				t.Errorf("diagnostic %v: want it at %v", diags[0], c.at)
			}
			if strings.HasPrefix(diags[0].Detail(), "cannot connect to") {
				t.Errorf("detail %q repeats the summary", diags[0].Detail())
			}
		})
	}
}

// hostconnOptionsWithBadCA is a WinRM setup the transport refuses before any network call.
func hostconnOptionsWithBadCA() (o winrm.Options) {
	o.Host, o.Port, o.CACert, o.User, o.Password = "10.0.0.5", 5986, []byte("not a PEM bundle"), "u", "p"
	return o
}

func TestConvergeFailed(t *testing.T) {
	ctx := context.Background()
	r := &hostResource{}
	m := hostOf("10.0.0.5")
	m.Azure = objectOf(t, azureConnAttrTypes, azureConnModel{ResourceGroup: types.StringValue("rg"), VMName: types.StringValue("vm1")})
	_, ds := spec.Validate(spec.Spec{Mode: "lcow", OSVersion: "2016", Engine: spec.Engine{Type: "docker"}}, compat.Date{Year: 2026, Month: 1, Day: 1})
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"validate", &converge.Error{Stage: converge.StageValidate, Err: &converge.InvalidSpecError{Diagnostics: ds.Errors()}}, ds.Errors()[0].Summary},
		{"connect", &converge.Error{Stage: converge.StageConnect, Err: &hostconn.OpenError{Target: "Azure VM vm1", Err: errors.New("no subscription")}},
			"Cannot connect to Azure VM vm1"},
		{"facts", &converge.Error{Stage: converge.StageFacts, Err: errors.New("timeout")}, "Cannot read the facts of 10.0.0.5"},
		{"preflight", &converge.Error{Stage: converge.StagePreflight, Err: errors.New("403")}, "Cannot read the size of Azure VM vm1"},
		{"apply: restart", &converge.Error{Stage: converge.StageApply, Err: executor.ErrRebootNotAllowed}, "The host needs a restart"},
		{"apply: other", &converge.Error{Stage: converge.StageApply, Err: errors.New("boom")}, "Converging 10.0.0.5 failed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var diags diag.Diagnostics
			r.convergeFailed(ctx, &m, c.err, &diags)
			if len(diags.Errors()) == 0 || diags.Errors()[0].Summary() != c.want {
				t.Errorf("diagnostics %v, want %q", diags, c.want)
			}
		})
	}
	var diags diag.Diagnostics
	r.convergeFailed(ctx, &m, &converge.Error{Stage: converge.StagePreflight, Err: &converge.NestedRefusal{}}, &diags)
	if len(diags) != 0 {
		t.Errorf("a nested refusal is rendered by nestedDiagnostics, not again: %v", diags)
	}
}

func TestNestedDiagnostics(t *testing.T) {
	at := path.Root("azure").AtName("nested_virtualization_override")
	cases := []struct {
		name             string
		p                *azure.NestedPreflight
		errors, warnings int
	}{
		{"none ran", nil, 0, 0},
		{"confirmed, with a caveat", &azure.NestedPreflight{OK: true, Caveats: []string{"Trusted Launch"}}, 0, 1},
		{"not confirmed: refused", &azure.NestedPreflight{Size: "Standard_B2s", Warnings: []string{"B-series has no nested virtualization"}}, 1, 0},
		{"not confirmed, overridden", &azure.NestedPreflight{Size: "Standard_B2s", Overridden: true, Warnings: []string{"B-series"}}, 0, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var diags diag.Diagnostics
			nestedDiagnostics(c.p, compat.ModeHyperV, "vm1", &diags)
			if len(diags.Errors()) != c.errors || len(diags.Warnings()) != c.warnings {
				t.Fatalf("diagnostics %v: want %d error(s), %d warning(s)", diags, c.errors, c.warnings)
			}
			if c.p != nil && !c.p.OK {
				d := diags[0]
				wp, ok := d.(diag.DiagnosticWithPath)
				if !ok || !wp.Path().Equal(at) || !strings.Contains(d.Detail(), c.p.Size) || !strings.Contains(d.Detail(), c.p.Warnings[0]) {
					t.Errorf("%v: want it on %v naming the size and why", d, at)
				}
			}
		})
	}
}

func TestDataSourceConnConfig(t *testing.T) {
	ctx := context.Background()
	d := &hostFactsDataSource{data: &providerData{retryBackoff: 3 * time.Millisecond, winrm: connSettings{username: valued("u"), password: valued("p")}}}
	m := hostFactsModel{Host: types.StringValue("10.0.0.7"), Port: types.Int64Null(), WinRM: types.ObjectNull(nil), SSH: types.ObjectNull(nil)}
	var diags diag.Diagnostics
	cfg, ok := d.connConfig(ctx, &m, &diags)
	if !ok || cfg.WinRM.Host != "10.0.0.7" || cfg.WinRM.Port != 5986 || cfg.WinRM.User != "u" || cfg.RetryBackoff != 3*time.Millisecond {
		t.Errorf("data source config %+v (%v): want the provider's defaults over HTTPS on 5986", cfg, diags)
	}
	d.data.winrm.password = setting[string]{}
	diags = nil
	if _, ok := d.connConfig(ctx, &m, &diags); ok || !hasErrorAt(diags, path.Root("winrm"), "Incomplete WinRM connection settings") {
		t.Errorf("no password: %v, want the resource's message on winrm", diags)
	}
}

// testHostKey is a host key in .pub form.
const testHostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"

// testKey is a fresh Ed25519 private key in OpenSSH PEM form, and its public key.
func testKey(t *testing.T) (string, ssh.PublicKey) {
	t.Helper()
	priv, pub := winsimtest.NewSSHKey(t)
	return string(priv), pub
}
