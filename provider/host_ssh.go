package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wincontainers/wincontainers/internal/sshconn"
)

// sshConnModel is a resource's ssh block: the host reached through Windows' OpenSSH server.
type sshConnModel struct {
	User                 types.String         `tfsdk:"user"`
	Password             types.String         `tfsdk:"password"`
	PasswordWO           types.String         `tfsdk:"password_wo"`
	PrivateKey           types.String         `tfsdk:"private_key"`
	PrivateKeyPassphrase types.String         `tfsdk:"private_key_passphrase"`
	KnownHosts           types.String         `tfsdk:"known_hosts"`
	HostKey              types.String         `tfsdk:"host_key"`
	Timeout              timetypes.GoDuration `tfsdk:"timeout"`
}

const sshDefaultPort = 22

var sshConnAttrTypes = map[string]attr.Type{
	"user": types.StringType, "password": types.StringType, "password_wo": types.StringType, "private_key": types.StringType,
	"private_key_passphrase": types.StringType, "known_hosts": types.StringType, "host_key": types.StringType,
	"timeout": timetypes.GoDurationType{},
}

// resourceSSHSchema is wincontainers_host's ssh block.
func resourceSSHSchema() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "Reach the host through its OpenSSH server (built into Windows Server 2019 and later, installed by default on " +
			"2025) instead of WinRM: `host` and `port` (default 22) address it. Scripts run as over WinRM, through `powershell.exe` with the " +
			"script on stdin, which works with the server's default shell, `cmd.exe`. The host's key is checked against `known_hosts` " +
			"(default `~/.ssh/known_hosts`) or pinned with `host_key`; there is no way to skip the check. Log on with a password or a private " +
			"key; an administrator's public keys go in `%ProgramData%\\ssh\\administrators_authorized_keys` on the host, not the user's " +
			"`.ssh\\authorized_keys`. Conflicts with `winrm` and `azure`.",
		Attributes: map[string]schema.Attribute{
			"user": schema.StringAttribute{Required: true, Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
				MarkdownDescription: "User to log on as (a member of the host's Administrators group)."},
			"password": schema.StringAttribute{Optional: true, Sensitive: true,
				MarkdownDescription: "Password of `user`. Sensitive; stored (sensitive) in the state so that refresh and destroy can connect. " +
					"Use `password_wo` or `private_key` to keep a password out of the state."},
			"password_wo": schema.StringAttribute{Optional: true, Sensitive: true, WriteOnly: true,
				MarkdownDescription: "Write-only password (Terraform 1.11 and later): used by create and update, never stored. Refresh then " +
					"keeps the last known state and says so, and destroy (unless `on_destroy = \"keep\"`) needs `password` or `private_key`.",
				Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("password"))}},
			"private_key": schema.StringAttribute{Optional: true, Sensitive: true,
				MarkdownDescription: "PEM private key (OpenSSH, PKCS#1 or PKCS#8; for example `file(\"~/.ssh/id_ed25519\")`) whose public key is in " +
					"the host's `administrators_authorized_keys`. Sensitive; stored (sensitive) in the state. Tried before `password` when both are given."},
			"private_key_passphrase": schema.StringAttribute{Optional: true, Sensitive: true,
				MarkdownDescription: "Passphrase of an encrypted `private_key`. Sensitive."},
			"known_hosts": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Path of the known_hosts file that must vouch for the host's key. Default `~/.ssh/known_hosts`. An " +
					"unknown or changed key is refused before logging on."},
			"host_key": schema.StringAttribute{Optional: true,
				MarkdownDescription: "The host's public key, pinned instead of `known_hosts`: a line such as `ssh-ed25519 AAAA...` (the " +
					"host's `%ProgramData%\\ssh\\ssh_host_ed25519_key.pub`) or a known_hosts line.",
				Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("known_hosts"))}},
			"timeout": schema.StringAttribute{Optional: true, CustomType: timetypes.GoDurationType{},
				MarkdownDescription: "How long connecting and logging on may take, as a Go duration. Default `30s`."},
		},
		Validators: []validator.Object{objectvalidator.ConflictsWith(path.MatchRoot("winrm"), path.MatchRoot("azure"))},
	}
}

// sshOptions turns the ssh block into the transport's options. complete is false while a value is not
// known yet (it comes from another resource); err says what is missing or wrong.
func sshOptions(ctx context.Context, o types.Object, host string, port types.Int64, diags *diag.Diagnostics) (opts sshconn.Options, complete bool, err error) {
	if o.IsUnknown() {
		return opts, false, nil
	}
	m, ok := objectAs[sshConnModel](ctx, o, diags)
	if !ok {
		return opts, false, nil
	}
	for _, v := range []types.String{m.User, m.Password, m.PasswordWO, m.PrivateKey, m.PrivateKeyPassphrase, m.KnownHosts, m.HostKey} {
		if v.IsUnknown() {
			return opts, false, nil
		}
	}
	if m.Timeout.IsUnknown() || port.IsUnknown() {
		return opts, false, nil
	}
	opts = sshconn.Options{Host: host, Port: sshDefaultPort, User: m.User.ValueString(), Password: m.Password.ValueString(),
		PrivateKey: []byte(m.PrivateKey.ValueString()), PrivateKeyPassphrase: m.PrivateKeyPassphrase.ValueString(),
		HostKey: m.HostKey.ValueString()}
	if !port.IsNull() && port.ValueInt64() != 0 {
		opts.Port = int(port.ValueInt64())
	}
	if pw := m.PasswordWO.ValueString(); pw != "" {
		opts.Password = pw
	}
	if f := m.KnownHosts.ValueString(); f != "" {
		opts.KnownHostsFiles = []string{expandHome(f)}
	}
	if !m.Timeout.IsNull() {
		d, ds := m.Timeout.ValueGoDuration()
		diags.Append(ds...)
		opts.Timeout = d
	}
	if opts.Password == "" && len(opts.PrivateKey) == 0 {
		return opts, true, fmt.Errorf("no SSH credentials for %s@%s: set ssh.password, ssh.password_wo or ssh.private_key "+
			"(a write-only password is not available to refresh and destroy)", opts.User, host)
	}
	if _, err := sshconn.New(opts); err != nil {
		return opts, true, err //nolint:wrapcheck // sshconn's errors name the setting and what to do
	}
	return opts, true, nil
}

// expandHome resolves a leading ~/ as the shells do.
func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return home + "/" + rest
		}
	}
	return p
}

// planSSH fills the plan's port (22 unless given) and reports at plan time what stops the apply from
// connecting over SSH, as far as the plan can tell.
func planSSH(ctx context.Context, p, cfg *hostModel, diags *diag.Diagnostics) {
	if p.Port.IsUnknown() && cfg.Port.IsNull() {
		p.Port = types.Int64Value(sshDefaultPort)
	}
	if _, _, err := sshOptions(ctx, cfg.SSH, cfg.Host.ValueString(), p.Port, diags); err != nil {
		diags.AddAttributeError(path.Root("ssh"), "Incomplete SSH connection settings", err.Error())
	}
}

// sshConfig translates the resource's ssh block (port 22 unless given) into hostconn's SSH options; ok
// is false with the problem on diags.
func sshConfig(ctx context.Context, m *hostModel, diags *diag.Diagnostics) (*sshconn.Options, bool) {
	if m.Port.IsNull() || m.Port.IsUnknown() || m.Port.ValueInt64() == 0 {
		m.Port = types.Int64Value(sshDefaultPort)
	}
	host := m.Host.ValueString()
	opts, complete, err := sshOptions(ctx, m.SSH, host, m.Port, diags)
	switch {
	case err != nil:
		diags.AddAttributeError(path.Root("ssh"), "Incomplete SSH connection settings", err.Error())
		return nil, false
	case !complete:
		diags.AddAttributeError(path.Root("ssh"), "SSH settings not known yet", "the ssh settings for "+host+
			" come from another resource and are not known yet: apply it first, for example with -target")
		return nil, false
	}
	return &opts, true
}

// withSSHWriteOnly copies the ssh block's write-only password from the configuration into m.
func withSSHWriteOnly(ctx context.Context, m, cfg *hostModel, diags *diag.Diagnostics) {
	cs, ok := objectAs[sshConnModel](ctx, cfg.SSH, diags)
	if !ok || cs.PasswordWO.IsNull() {
		return
	}
	ms, _ := objectAs[sshConnModel](ctx, m.SSH, diags)
	ms.PasswordWO = cs.PasswordWO
	obj, d := types.ObjectValueFrom(ctx, m.SSH.AttributeTypes(ctx), ms)
	diags.Append(d...)
	m.SSH = obj
}

// nullSSHWriteOnly clears the ssh block's write-only password, as the state must hold it.
func nullSSHWriteOnly(ctx context.Context, m *hostModel, diags *diag.Diagnostics) {
	if s, ok := objectAs[sshConnModel](ctx, m.SSH, diags); ok && !s.PasswordWO.IsNull() {
		s.PasswordWO = types.StringNull()
		obj, d := types.ObjectValueFrom(ctx, m.SSH.AttributeTypes(ctx), s)
		diags.Append(d...)
		m.SSH = obj
	}
}

// sshDestroyWarning is the plan-time warning when destroy will not have SSH credentials.
func sshDestroyWarning(ctx context.Context, st *hostModel) error {
	_, _, err := sshOptions(ctx, st.SSH, st.Host.ValueString(), st.Port, &diag.Diagnostics{})
	if err == nil {
		return nil
	}
	return errors.New("on_destroy is " + st.OnDestroy.ValueString() + ", which connects to the host, but " + err.Error() +
		". Set ssh.password or ssh.private_key, or set on_destroy = \"keep\" and apply first.")
}

// dataSourceSSHSchema is wincontainers_host_facts's ssh block: the resource's without the write-only
// password (data sources have no write-only arguments).
func dataSourceSSHSchema() dschema.SingleNestedAttribute {
	rs := resourceSSHSchema()
	attrs := map[string]dschema.Attribute{}
	for name, a := range rs.Attributes {
		if name == "password_wo" {
			continue
		}
		sa, _ := a.(schema.StringAttribute)
		attrs[name] = dschema.StringAttribute{Required: sa.Required, Optional: sa.Optional, Sensitive: sa.Sensitive,
			MarkdownDescription: strings.ReplaceAll(sa.MarkdownDescription, "Use `password_wo` or `private_key`", "Use `private_key`"),
			CustomType:          sa.CustomType}
	}
	attrs["host_key"] = dschema.StringAttribute{Optional: true, MarkdownDescription: rs.Attributes["host_key"].GetMarkdownDescription(),
		Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("known_hosts"))}}
	return dschema.SingleNestedAttribute{Optional: true, Attributes: attrs,
		MarkdownDescription: "Read the facts through the host's OpenSSH server instead of WinRM (`port` default 22); the arguments are those " +
			"of `wincontainers_host`'s `ssh` block. Conflicts with `winrm`.",
		Validators: []validator.Object{objectvalidator.ConflictsWith(path.MatchRoot("winrm"))}}
}

// dataSourceSSHModel is wincontainers_host_facts's ssh block.
type dataSourceSSHModel struct {
	User                 types.String         `tfsdk:"user"`
	Password             types.String         `tfsdk:"password"`
	PrivateKey           types.String         `tfsdk:"private_key"`
	PrivateKeyPassphrase types.String         `tfsdk:"private_key_passphrase"`
	KnownHosts           types.String         `tfsdk:"known_hosts"`
	HostKey              types.String         `tfsdk:"host_key"`
	Timeout              timetypes.GoDuration `tfsdk:"timeout"`
}

// factsSSHConfig translates the data source's ssh block into hostconn's SSH options; ok is false with
// the problem on diags.
func factsSSHConfig(ctx context.Context, o types.Object, host string, port types.Int64, diags *diag.Diagnostics) (*sshconn.Options, bool) {
	dm, ok := objectAs[dataSourceSSHModel](ctx, o, diags)
	if !ok {
		return nil, false
	}
	rm := sshConnModel{User: dm.User, Password: dm.Password, PasswordWO: types.StringNull(), PrivateKey: dm.PrivateKey,
		PrivateKeyPassphrase: dm.PrivateKeyPassphrase, KnownHosts: dm.KnownHosts, HostKey: dm.HostKey, Timeout: dm.Timeout}
	obj, d := types.ObjectValueFrom(ctx, sshConnAttrTypes, rm)
	diags.Append(d...)
	opts, complete, err := sshOptions(ctx, obj, host, port, diags)
	if err == nil && !complete {
		err = errors.New("the ssh settings for " + host + " are not known yet")
	}
	if err != nil {
		diags.AddAttributeError(path.Root("ssh"), "Incomplete SSH connection settings", err.Error())
		return nil, false
	}
	return &opts, true
}
