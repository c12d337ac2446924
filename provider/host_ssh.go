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
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/wincontainers/wincontainers/internal/sshconn"
)

// Environment variables the provider-level ssh block falls back to, as the winrm block does, so that
// credentials can stay out of configuration files and import (which sees no resource configuration)
// can still connect.
const (
	envSSHUser       = "WINCONTAINERS_SSH_USER"
	envSSHPassword   = "WINCONTAINERS_SSH_PASSWORD"
	envSSHPrivateKey = "WINCONTAINERS_SSH_PRIVATE_KEY"
)

// sshArgsModel is the provider's ssh block and wincontainers_host_facts' ssh block: the resource's
// arguments without the write-only ones.
type sshArgsModel struct {
	User                 types.String         `tfsdk:"user"`
	Password             types.String         `tfsdk:"password"`
	PrivateKey           types.String         `tfsdk:"private_key"`
	PrivateKeyPassphrase types.String         `tfsdk:"private_key_passphrase"`
	KnownHosts           types.String         `tfsdk:"known_hosts"`
	HostKey              types.String         `tfsdk:"host_key"`
	Timeout              timetypes.GoDuration `tfsdk:"timeout"`
}

// sshConnModel is a resource's ssh block: the host reached through Windows' OpenSSH server.
type sshConnModel struct {
	sshArgsModel
	PasswordWO   types.String `tfsdk:"password_wo"`
	PrivateKeyWO types.String `tfsdk:"private_key_wo"`
}

const sshDefaultPort = 22

var sshArgsAttrTypes = map[string]attr.Type{
	"user": types.StringType, "password": types.StringType, "private_key": types.StringType,
	"private_key_passphrase": types.StringType, "known_hosts": types.StringType, "host_key": types.StringType,
	"timeout": timetypes.GoDurationType{},
}

var sshConnAttrTypes = func() map[string]attr.Type {
	m := map[string]attr.Type{"password_wo": types.StringType, "private_key_wo": types.StringType}
	for k, v := range sshArgsAttrTypes {
		m[k] = v
	}
	return m
}()

// sshArg describes one argument of the ssh block once, for the provider, resource and data-source schemas.
type sshArg struct {
	name      string
	sensitive bool
	desc      string
	// conflicts names the argument of the same block it cannot be given with.
	conflicts string
	duration  bool
}

var sshArgs = []sshArg{
	{name: "user", desc: "User to log on as (a member of the host's Administrators group). Required here or in the provider's `ssh` block " +
		"(provider level: also `" + envSSHUser + "`)."},
	{name: "password", sensitive: true, desc: "Password of `user`. Sensitive. Given on the resource it is stored (sensitive) in the state " +
		"so that refresh and destroy can connect; give it in the provider's `ssh` block (or `" + envSSHPassword + "`), or as the " +
		"resource's `password_wo`, to keep it out of the state."},
	{name: "private_key", sensitive: true, desc: "PEM private key (OpenSSH, PKCS#1 or PKCS#8; for example `file(\"~/.ssh/id_ed25519\")`) " +
		"whose public key is in the host's `administrators_authorized_keys`. Sensitive. Given on the resource it is stored (sensitive) in " +
		"the state; give it in the provider's `ssh` block (or `" + envSSHPrivateKey + "`), or as the resource's `private_key_wo`, to keep " +
		"it out of the state. Tried before `password` when both are given."},
	{name: "private_key_passphrase", sensitive: true, desc: "Passphrase of an encrypted private key. Sensitive."},
	{name: "known_hosts", conflicts: "host_key", desc: "Path of the known_hosts file that must vouch for the host's key. Default " +
		"`~/.ssh/known_hosts`. An unknown or changed key is refused before logging on."},
	{name: "host_key", conflicts: "known_hosts", desc: "The host's public key, pinned instead of `known_hosts`: a line such as " +
		"`ssh-ed25519 AAAA...` (the host's `%ProgramData%\\ssh\\ssh_host_ed25519_key.pub`) or a known_hosts line without a marker."},
	{name: "timeout", duration: true, desc: "How long connecting and logging on may take, as a Go duration. Default `30s`."},
}

func (a sshArg) validators() []validator.String {
	var v []validator.String
	if a.name == "user" {
		v = append(v, stringvalidator.LengthAtLeast(1))
	}
	if a.conflicts != "" {
		v = append(v, stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName(a.conflicts)))
	}
	return v
}

func (a sshArg) customType() basetypes.StringTypable {
	if a.duration {
		return timetypes.GoDurationType{}
	}
	return nil
}

// resourceSSHSchema is wincontainers_host's ssh block.
func resourceSSHSchema() schema.SingleNestedAttribute {
	attrs := map[string]schema.Attribute{}
	for _, a := range sshArgs {
		attrs[a.name] = schema.StringAttribute{Optional: true, Sensitive: a.sensitive, MarkdownDescription: a.desc,
			Validators: a.validators(), CustomType: a.customType()}
	}
	attrs["password_wo"] = schema.StringAttribute{Optional: true, Sensitive: true, WriteOnly: true,
		MarkdownDescription: "Write-only password (Terraform 1.11 and later): used by create and update, never stored. Terraform does not " +
			"hand write-only values to refresh or destroy, so those use the provider's `ssh` block (`password` or `private_key`); without " +
			"one, refresh keeps the last known state and says so, and destroy (unless `on_destroy = \"keep\"`) fails with advice.",
		Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("password"))}}
	attrs["private_key_wo"] = schema.StringAttribute{Optional: true, Sensitive: true, WriteOnly: true,
		MarkdownDescription: "Write-only private key (Terraform 1.11 and later), in the forms `private_key` takes: used by create and " +
			"update, never stored. Terraform does not hand write-only values to refresh or destroy, so those use the provider's `ssh` " +
			"block (`private_key` or `password`); without one, refresh keeps the last known state and says so, and destroy (unless " +
			"`on_destroy = \"keep\"`) fails with advice.",
		Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("private_key"))}}
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "Reach the host through its OpenSSH server (built into Windows Server 2019 and later, installed by default on " +
			"2025) instead of WinRM: `host` and `port` (default 22) address it. Scripts run as over WinRM, through `powershell.exe` with the " +
			"script on stdin, which works with the server's default shell, `cmd.exe`. The host's key is checked against `known_hosts` " +
			"(default `~/.ssh/known_hosts`) or pinned with `host_key`; there is no way to skip the check. Log on with a password or a private " +
			"key; an administrator's public keys go in `%ProgramData%\\ssh\\administrators_authorized_keys` on the host, not the user's " +
			"`.ssh\\authorized_keys`. Every argument here overrides the same argument of the provider's `ssh` block, so `ssh = {}` connects " +
			"with the provider's alone. Conflicts with `winrm` and `azure`.",
		Attributes: attrs,
		Validators: []validator.Object{objectvalidator.ConflictsWith(path.MatchRoot("winrm"), path.MatchRoot("azure"))},
	}
}

// providerSSHSchema is the provider's ssh block.
func providerSSHSchema() pschema.SingleNestedAttribute {
	attrs := map[string]pschema.Attribute{}
	for _, a := range sshArgs {
		attrs[a.name] = pschema.StringAttribute{Optional: true, Sensitive: a.sensitive, MarkdownDescription: a.desc,
			Validators: a.validators(), CustomType: a.customType()}
	}
	return pschema.SingleNestedAttribute{Optional: true, Attributes: attrs,
		MarkdownDescription: "Defaults for the `ssh` block of every `wincontainers_host` resource and `wincontainers_host_facts` data " +
			"source (a resource still chooses SSH with its own `ssh` block, `ssh = {}` at least). Credentials given here are never stored " +
			"in the state; refresh and destroy use them when the resource's are write-only, and `terraform import` with an " +
			"`ssh://host[:port]` ID connects with them."}
}

// sshDefaults is the provider's ssh block, with the environment filling what it leaves out.
type sshDefaults struct {
	args sshArgsModel
	// unknown is true while the provider's ssh block is unknown as a whole (it comes from another
	// resource): every argument the resource leaves out is then not known yet.
	unknown bool
}

// sshDefaultsOf reads the provider's ssh block and the environment.
func sshDefaultsOf(ctx context.Context, o types.Object, diags *diag.Diagnostics) sshDefaults {
	if o.IsUnknown() {
		return sshDefaults{unknown: true}
	}
	var a sshArgsModel
	if !o.IsNull() {
		a, _ = objectAs[sshArgsModel](ctx, o, diags)
	}
	for _, e := range []struct {
		v   *types.String
		env string
	}{{&a.User, envSSHUser}, {&a.Password, envSSHPassword}, {&a.PrivateKey, envSSHPrivateKey}} {
		if v, ok := os.LookupEnv(e.env); ok && v != "" && e.v.IsNull() {
			*e.v = types.StringValue(v)
		}
	}
	return sshDefaults{args: a}
}

// under returns a with every argument it leaves out taken from the defaults.
func (d sshDefaults) under(a sshArgsModel) sshArgsModel {
	fill := func(v *types.String, def types.String) {
		switch {
		case !v.IsNull():
		case d.unknown:
			*v = types.StringUnknown()
		default:
			*v = def
		}
	}
	fill(&a.User, d.args.User)
	fill(&a.Password, d.args.Password)
	fill(&a.PrivateKey, d.args.PrivateKey)
	fill(&a.PrivateKeyPassphrase, d.args.PrivateKeyPassphrase)
	fill(&a.KnownHosts, d.args.KnownHosts)
	fill(&a.HostKey, d.args.HostKey)
	if a.Timeout.IsNull() {
		switch {
		case d.unknown:
			a.Timeout = timetypes.NewGoDurationUnknown()
		default:
			a.Timeout = d.args.Timeout
		}
	}
	return a
}

// sshModelOf reads a resource's ssh block under the provider's defaults; ok is false while the block is
// unknown as a whole.
func sshModelOf(ctx context.Context, o types.Object, def sshDefaults, diags *diag.Diagnostics) (sshConnModel, bool) {
	if o.IsUnknown() {
		return sshConnModel{}, false
	}
	m, ok := objectAs[sshConnModel](ctx, o, diags)
	if !ok {
		return m, false
	}
	m.sshArgsModel = def.under(m.sshArgsModel)
	return m, true
}

// sshOptions turns an ssh block (already under the provider's defaults) into the transport's options.
// complete is false while a value is not known yet (it comes from another resource); err says what is
// missing or wrong.
func sshOptions(m sshConnModel, host string, port types.Int64, diags *diag.Diagnostics) (opts sshconn.Options, complete bool, err error) {
	for _, v := range []types.String{m.User, m.Password, m.PasswordWO, m.PrivateKey, m.PrivateKeyWO, m.PrivateKeyPassphrase, m.KnownHosts, m.HostKey} {
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
	if k := m.PrivateKeyWO.ValueString(); k != "" {
		opts.PrivateKey = []byte(k)
	}
	if f := m.KnownHosts.ValueString(); f != "" {
		opts.KnownHostsFiles = []string{expandHome(f)}
	}
	if !m.Timeout.IsNull() {
		d, ds := m.Timeout.ValueGoDuration()
		diags.Append(ds...)
		opts.Timeout = d
	}
	if opts.User == "" {
		return opts, true, fmt.Errorf("no SSH user for %s: set ssh.user on the resource, or user in the provider's ssh block (or %s)", host, envSSHUser)
	}
	if opts.Password == "" && len(opts.PrivateKey) == 0 {
		return opts, true, fmt.Errorf("no SSH credentials for %s@%s: set ssh.private_key, ssh.private_key_wo, ssh.password or "+
			"ssh.password_wo on the resource, or private_key or password in the provider's ssh block (or %s, %s). Refresh, destroy and "+
			"import have only those that are not write-only: give the provider's ssh block a credential for them",
			opts.User, host, envSSHPrivateKey, envSSHPassword)
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
func planSSH(ctx context.Context, p, cfg *hostModel, def sshDefaults, diags *diag.Diagnostics) {
	if p.Port.IsUnknown() && cfg.Port.IsNull() {
		p.Port = types.Int64Value(sshDefaultPort)
	}
	m, ok := sshModelOf(ctx, cfg.SSH, def, diags)
	if !ok {
		return
	}
	if _, _, err := sshOptions(m, cfg.Host.ValueString(), p.Port, diags); err != nil {
		diags.AddAttributeError(path.Root("ssh"), "Incomplete SSH connection settings", err.Error())
	}
}

// sshConfig translates the resource's ssh block (port 22 unless given) under the provider's defaults
// into hostconn's SSH options; ok is false with the problem on diags.
func sshConfig(ctx context.Context, m *hostModel, def sshDefaults, diags *diag.Diagnostics) (*sshconn.Options, bool) {
	if m.Port.IsNull() || m.Port.IsUnknown() || m.Port.ValueInt64() == 0 {
		m.Port = types.Int64Value(sshDefaultPort)
	}
	host := m.Host.ValueString()
	var (
		opts     sshconn.Options
		complete bool
		err      error
	)
	if sm, ok := sshModelOf(ctx, m.SSH, def, diags); ok {
		opts, complete, err = sshOptions(sm, host, m.Port, diags)
	}
	switch {
	case err != nil:
		diags.AddAttributeError(path.Root("ssh"), "Incomplete SSH connection settings", err.Error())
		return nil, false
	case !complete:
		diags.AddAttributeError(path.Root("ssh"), "SSH settings not known yet", "the ssh settings for "+host+
			" come from another resource (or the provider's ssh block does) and are not known yet: apply it first, for example with -target")
		return nil, false
	}
	return &opts, true
}

// withSSHWriteOnly copies the ssh block's write-only password and private key from the configuration
// into m, which the apply connects with.
func withSSHWriteOnly(ctx context.Context, m, cfg *hostModel, diags *diag.Diagnostics) {
	if cfg.SSH.IsNull() || cfg.SSH.IsUnknown() {
		return
	}
	cs, ok := objectAs[sshConnModel](ctx, cfg.SSH, diags)
	if !ok || (cs.PasswordWO.IsNull() && cs.PrivateKeyWO.IsNull()) {
		return
	}
	ms, _ := objectAs[sshConnModel](ctx, m.SSH, diags)
	ms.PasswordWO, ms.PrivateKeyWO = cs.PasswordWO, cs.PrivateKeyWO
	obj, d := types.ObjectValueFrom(ctx, sshConnAttrTypes, ms)
	diags.Append(d...)
	m.SSH = obj
}

// nullSSHWriteOnly clears the ssh block's write-only arguments, as the state must hold them.
func nullSSHWriteOnly(ctx context.Context, m *hostModel, diags *diag.Diagnostics) {
	if m.SSH.IsNull() || m.SSH.IsUnknown() {
		return
	}
	if s, ok := objectAs[sshConnModel](ctx, m.SSH, diags); ok && (!s.PasswordWO.IsNull() || !s.PrivateKeyWO.IsNull()) {
		s.PasswordWO, s.PrivateKeyWO = types.StringNull(), types.StringNull()
		obj, d := types.ObjectValueFrom(ctx, sshConnAttrTypes, s)
		diags.Append(d...)
		m.SSH = obj
	}
}

// sshRefreshAdvice is what a refresh or destroy that cannot connect over SSH tells the user to do.
const sshRefreshAdvice = "a write-only private key or password is not available to refresh and destroy; give the provider's ssh block " +
	"a private_key or password (or " + envSSHPrivateKey + ", " + envSSHPassword + ")"

// sshDestroyWarning is the plan-time warning when destroy will not have SSH credentials.
func sshDestroyWarning(ctx context.Context, st *hostModel, def sshDefaults) error {
	var diags diag.Diagnostics
	m, ok := sshModelOf(ctx, st.SSH, def, &diags)
	if !ok {
		return nil
	}
	_, _, err := sshOptions(m, st.Host.ValueString(), st.Port, &diags)
	if err == nil {
		return nil
	}
	return errors.New("on_destroy is " + st.OnDestroy.ValueString() + ", which connects to the host, but " + err.Error() +
		". Set private_key or password in the provider's ssh block, or set on_destroy = \"keep\" and apply first.")
}

// dataSourceSSHSchema is wincontainers_host_facts's ssh block: the resource's without the write-only
// arguments (data sources have none).
func dataSourceSSHSchema() dschema.SingleNestedAttribute {
	attrs := map[string]dschema.Attribute{}
	for _, a := range sshArgs {
		attrs[a.name] = dschema.StringAttribute{Optional: true, Sensitive: a.sensitive,
			MarkdownDescription: strings.NewReplacer(", or as the resource's `password_wo`,", "", ", or as the resource's `private_key_wo`,", "",
				"Given on the resource it is", "Given here it is", " so that refresh and destroy can connect", "").Replace(a.desc),
			Validators: a.validators(), CustomType: a.customType()}
	}
	return dschema.SingleNestedAttribute{Optional: true, Attributes: attrs,
		MarkdownDescription: "Read the facts through the host's OpenSSH server instead of WinRM (`port` default 22); the arguments are those " +
			"of `wincontainers_host`'s `ssh` block, over the provider's `ssh` block. Conflicts with `winrm`.",
		Validators: []validator.Object{objectvalidator.ConflictsWith(path.MatchRoot("winrm"))}}
}

// factsSSHConfig translates the data source's ssh block under the provider's defaults into hostconn's
// SSH options; ok is false with the problem on diags.
func factsSSHConfig(ctx context.Context, o types.Object, def sshDefaults, host string, port types.Int64, diags *diag.Diagnostics) (*sshconn.Options, bool) {
	dm, ok := objectAs[sshArgsModel](ctx, o, diags)
	if !ok {
		return nil, false
	}
	m := sshConnModel{sshArgsModel: def.under(dm), PasswordWO: types.StringNull(), PrivateKeyWO: types.StringNull()}
	opts, complete, err := sshOptions(m, host, port, diags)
	if err == nil && !complete {
		err = errors.New("the ssh settings for " + host + " are not known yet")
	}
	if err != nil {
		diags.AddAttributeError(path.Root("ssh"), "Incomplete SSH connection settings", err.Error())
		return nil, false
	}
	return &opts, true
}
