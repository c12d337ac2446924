package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wincontainers/wincontainers/internal/hostconn"
	"github.com/wincontainers/wincontainers/internal/winrm"
)

// Environment variables the provider-level winrm block falls back to, so that credentials can stay out of
// configuration files (and import, which sees no resource configuration, can still connect).
const (
	envWinRMUsername = "WINCONTAINERS_WINRM_USERNAME"
	envWinRMPassword = "WINCONTAINERS_WINRM_PASSWORD"
)

// winrmAttr describes one connection argument once, for the provider, resource and data-source schemas.
type winrmAttr struct {
	name      string
	boolean   bool
	sensitive bool
	desc      string
	oneOf     []string
}

var winrmAttrs = []winrmAttr{
	{name: "username", desc: "User to log on as. Provider level: also `" + envWinRMUsername + "`."},
	{name: "password", sensitive: true, desc: "Password of `username`. Sensitive. A password given here on the resource is stored (sensitive) in the state so that " +
		"refresh and destroy can connect; give it in the provider's `winrm` block (or `" + envWinRMPassword + "`) or as the resource's `password_wo` " +
		"to keep it out of the state."},
	{name: "https", boolean: true, desc: "Use HTTPS (WinRM port 5986). Default `true`. With `https = false` (port 5985) and " +
		"`auth = \"ntlm\"` or `\"kerberos\"`, wincontainers encrypts every WinRM message with the logon's session keys (message " +
		"encryption), which Windows accepts as it ships (`AllowUnencrypted = false`): a secure setup beside HTTPS. Basic over plain HTTP " +
		"needs `allow_unencrypted = true`."},
	{name: "insecure", boolean: true, desc: "Skip verification of the host's certificate. Default `false`; prefer `ca_cert`."},
	{name: "ca_cert", desc: "PEM bundle of the certificate authorities that signed the host's WinRM certificate (for example `file(\"ca.pem\")`). " +
		"Default: the system's roots."},
	{name: "tls_server_name", desc: "Name to verify the host's certificate against, when it differs from `host` (connecting by IP address to a " +
		"certificate issued for a DNS name)."},
	{name: "allow_unencrypted", boolean: true, desc: "Allow plain HTTP (`https = false`) without message encryption, for `auth = \"basic\"`. " +
		"Scripts, their output and the password then cross the network in clear text, and the host must have `AllowUnencrypted = true` in " +
		"its WinRM service, which Windows does not ship. Not needed with `auth = \"ntlm\"` or `\"kerberos\"`, which encrypt every message " +
		"over HTTP, nor with HTTPS. Default `false`."},
	{name: "auth", desc: "Authentication: `basic` (default), `ntlm`, `certificate` or `kerberos`.",
		oneOf: []string{winrm.AuthBasic, winrm.AuthNTLM, winrm.AuthCertificate, winrm.AuthKerberos}},
	{name: "client_cert", desc: "PEM client certificate, for `auth = \"certificate\"`: it needs the Client Authentication EKU and the " +
		"user's UPN in its subject alternative name, and a mapping on the host (`WSMan:\\localhost\\ClientCertificate`; see the connecting guide)."},
	{name: "client_key", sensitive: true, desc: "PEM private key of `client_cert`. Sensitive."},
	{name: "krb_realm", desc: "Kerberos realm (upper case, the AD domain name), for `auth = \"kerberos\"`. Default: the realm of a " +
		"`username` of the form `user@REALM`, else `default_realm` of the krb5.conf."},
	{name: "krb_config", desc: "Path of the krb5.conf to use, for `auth = \"kerberos\"`. Default: `KRB5_CONFIG`, else `/etc/krb5.conf`. " +
		"Checked at plan time: it must name the realm's KDC (or turn `dns_lookup_kdc` on)."},
	{name: "krb_spn", desc: "Service principal name of the host, for `auth = \"kerberos\"` (default `HTTP/<host>`: connect with the host " +
		"name the SPN is registered for, not an IP address)."},
	{name: "krb_ccache", desc: "Path of a Kerberos ticket cache (a FILE cache filled by `kinit`) to use when no password is set. Default: " +
		"`KRB5CCNAME`, else `/tmp/krb5cc_<uid>`. Checked at plan time: it must hold a ticket-granting ticket that has not expired."},
}

const winrmBlockDesc = "How to reach the host over WinRM. Every argument here overrides the same argument of the provider's `winrm` block."

func (a winrmAttr) validators() []validator.String {
	if len(a.oneOf) == 0 {
		return nil
	}
	return []validator.String{stringvalidator.OneOf(a.oneOf...)}
}

func providerWinRMSchema() pschema.SingleNestedAttribute {
	attrs := map[string]pschema.Attribute{}
	for _, a := range winrmAttrs {
		if a.boolean {
			attrs[a.name] = pschema.BoolAttribute{Optional: true, MarkdownDescription: a.desc}
		} else {
			attrs[a.name] = pschema.StringAttribute{Optional: true, Sensitive: a.sensitive, MarkdownDescription: a.desc, Validators: a.validators()}
		}
	}
	return pschema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "Defaults for the `winrm` block of every `wincontainers_host` resource and `wincontainers_host_facts` data source. " +
			"Credentials given here are never stored in the state, and `terraform import` uses them.",
		Attributes: attrs,
	}
}

func resourceWinRMSchema() rschema.SingleNestedAttribute {
	attrs := map[string]rschema.Attribute{}
	for _, a := range winrmAttrs {
		if a.boolean {
			attrs[a.name] = rschema.BoolAttribute{Optional: true, MarkdownDescription: a.desc}
		} else {
			attrs[a.name] = rschema.StringAttribute{Optional: true, Sensitive: a.sensitive, MarkdownDescription: a.desc, Validators: a.validators()}
		}
	}
	attrs["password_wo"] = rschema.StringAttribute{
		Optional: true, Sensitive: true, WriteOnly: true,
		MarkdownDescription: "Write-only password (Terraform 1.11 and later): used by create and update, never stored. Terraform does not " +
			"hand write-only values to refresh or destroy, so those use the provider's `winrm.password`; without one, refresh keeps the last " +
			"known state and says so, and destroy (unless `on_destroy = \"keep\"`) fails with advice.",
		Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("password"))},
	}
	return rschema.SingleNestedAttribute{Optional: true, MarkdownDescription: winrmBlockDesc, Attributes: attrs}
}

func dataSourceWinRMSchema() dschema.SingleNestedAttribute {
	attrs := map[string]dschema.Attribute{}
	for _, a := range winrmAttrs {
		if a.boolean {
			attrs[a.name] = dschema.BoolAttribute{Optional: true, MarkdownDescription: a.desc}
		} else {
			attrs[a.name] = dschema.StringAttribute{Optional: true, Sensitive: a.sensitive, MarkdownDescription: a.desc, Validators: a.validators()}
		}
	}
	return dschema.SingleNestedAttribute{Optional: true, MarkdownDescription: winrmBlockDesc, Attributes: attrs}
}

// winrmDefaultsModel is the provider's winrm block.
type winrmDefaultsModel struct {
	Username         types.String `tfsdk:"username"`
	Password         types.String `tfsdk:"password"`
	HTTPS            types.Bool   `tfsdk:"https"`
	Insecure         types.Bool   `tfsdk:"insecure"`
	CACert           types.String `tfsdk:"ca_cert"`
	TLSServerName    types.String `tfsdk:"tls_server_name"`
	AllowUnencrypted types.Bool   `tfsdk:"allow_unencrypted"`
	Auth             types.String `tfsdk:"auth"`
	ClientCert       types.String `tfsdk:"client_cert"`
	ClientKey        types.String `tfsdk:"client_key"`
	KrbRealm         types.String `tfsdk:"krb_realm"`
	KrbConfig        types.String `tfsdk:"krb_config"`
	KrbSPN           types.String `tfsdk:"krb_spn"`
	KrbCCache        types.String `tfsdk:"krb_ccache"`
}

// winrmModel is a resource's winrm block: the defaults' arguments plus the write-only password.
type winrmModel struct {
	winrmDefaultsModel
	PasswordWO types.String `tfsdk:"password_wo"`
}

// setting is one connection argument: a value, unknown until apply (it comes from another resource), or
// not given (neither).
type setting[T any] struct {
	v       *T
	unknown bool
}

// given reports whether the argument was set, to a value or to one known only at apply.
func (s setting[T]) given() bool { return s.v != nil || s.unknown }

// value returns the argument's value, or T's zero value when it has none (yet).
func (s setting[T]) value() T {
	var zero T
	if s.v == nil {
		return zero
	}
	return *s.v
}

// pick returns b when it was given, else a: one argument overriding another.
func pick[T any](a, b setting[T]) setting[T] {
	if b.given() {
		return b
	}
	return a
}

// valued is an argument given with a known value.
func valued[T any](v T) setting[T] { return setting[T]{v: &v} }

// connSettings is one set of connection arguments.
type connSettings struct {
	username, password, caCert, tlsServerName, auth, clientCert, clientKey setting[string]
	krbRealm, krbConfig, krbSPN, krbCCache                                 setting[string]
	https, insecure, allowUnencrypted                                      setting[bool]
}

func str(v types.String) setting[string] {
	if v.IsUnknown() {
		return setting[string]{unknown: true}
	}
	if v.IsNull() {
		return setting[string]{}
	}
	return valued(v.ValueString())
}

func boolean(v types.Bool) setting[bool] {
	if v.IsUnknown() {
		return setting[bool]{unknown: true}
	}
	if v.IsNull() {
		return setting[bool]{}
	}
	return valued(v.ValueBool())
}

func (m *winrmDefaultsModel) settings() connSettings {
	if m == nil {
		return connSettings{}
	}
	return connSettings{
		username: str(m.Username), password: str(m.Password), caCert: str(m.CACert), tlsServerName: str(m.TLSServerName),
		auth: str(m.Auth), clientCert: str(m.ClientCert), clientKey: str(m.ClientKey),
		krbRealm: str(m.KrbRealm), krbConfig: str(m.KrbConfig), krbSPN: str(m.KrbSPN), krbCCache: str(m.KrbCCache),
		https: boolean(m.HTTPS), insecure: boolean(m.Insecure), allowUnencrypted: boolean(m.AllowUnencrypted),
	}
}

// unknownSettings is a winrm block that is unknown as a whole until apply: every argument may be set.
func unknownSettings() connSettings {
	u, b := setting[string]{unknown: true}, setting[bool]{unknown: true}
	return connSettings{username: u, password: u, caCert: u, tlsServerName: u, auth: u, clientCert: u, clientKey: u,
		krbRealm: u, krbConfig: u, krbSPN: u, krbCCache: u, https: b, insecure: b, allowUnencrypted: b}
}

// settingsOf reads a winrm block (null: nothing given; unknown: anything may be given).
func settingsOf(ctx context.Context, o types.Object, diags *diag.Diagnostics) connSettings {
	if o.IsUnknown() {
		return unknownSettings()
	}
	m, ok := objectAs[winrmDefaultsModel](ctx, o, diags)
	if !ok {
		return connSettings{}
	}
	return m.settings()
}

// providerDefaults reads the provider's winrm block, with the environment filling what it leaves out.
func providerDefaults(s connSettings) connSettings {
	if !s.username.given() {
		if v, ok := os.LookupEnv(envWinRMUsername); ok && v != "" {
			s.username = valued(v)
		}
	}
	if !s.password.given() {
		if v, ok := os.LookupEnv(envWinRMPassword); ok && v != "" {
			s.password = valued(v)
		}
	}
	return s
}

// over returns s with every argument o gives replaced.
func (s connSettings) over(o connSettings) connSettings {
	return connSettings{
		username: pick(s.username, o.username), password: pick(s.password, o.password), caCert: pick(s.caCert, o.caCert),
		tlsServerName: pick(s.tlsServerName, o.tlsServerName), auth: pick(s.auth, o.auth), clientCert: pick(s.clientCert, o.clientCert),
		clientKey: pick(s.clientKey, o.clientKey), krbRealm: pick(s.krbRealm, o.krbRealm), krbConfig: pick(s.krbConfig, o.krbConfig),
		krbSPN: pick(s.krbSPN, o.krbSPN), krbCCache: pick(s.krbCCache, o.krbCCache),
		https: pick(s.https, o.https), insecure: pick(s.insecure, o.insecure), allowUnencrypted: pick(s.allowUnencrypted, o.allowUnencrypted),
	}
}

// useHTTPS is the effective transport: HTTPS unless https = false.
func (s connSettings) useHTTPS() bool { return !s.https.given() || s.https.unknown || s.https.value() }

// defaultPort is WinRM's port for the transport; ok is false while https is not known yet.
func (s connSettings) defaultPort() (port int64, ok bool) {
	if s.https.unknown {
		return 0, false
	}
	if s.useHTTPS() {
		return 5986, true
	}
	return 5985, true
}

// unknownNames lists the arguments that are not known yet.
func (s connSettings) unknownNames() []string {
	var out []string
	for _, a := range []struct {
		name    string
		unknown bool
	}{
		{"username", s.username.unknown}, {"password", s.password.unknown}, {"ca_cert", s.caCert.unknown},
		{"tls_server_name", s.tlsServerName.unknown}, {"auth", s.auth.unknown}, {"client_cert", s.clientCert.unknown},
		{"client_key", s.clientKey.unknown}, {"krb_realm", s.krbRealm.unknown}, {"krb_config", s.krbConfig.unknown},
		{"krb_spn", s.krbSPN.unknown}, {"krb_ccache", s.krbCCache.unknown}, {"https", s.https.unknown},
		{"insecure", s.insecure.unknown}, {"allow_unencrypted", s.allowUnencrypted.unknown},
	} {
		if a.unknown {
			out = append(out, a.name)
		}
	}
	return out
}

// check says which argument is missing for the connection to work (hostconn.CheckWinRM, the engine's
// checks for every front door), with where each may be set here. Arguments not known yet (they come from
// another resource) are taken as given: check is run again at apply, when every value is known.
func (s connSettings) check(host string) error {
	// host is "" while it is unknown (it comes from another resource); an empty host given as such is
	// refused by the schema's validator.
	unknown := map[string]bool{"host": host == ""}
	for _, n := range s.unknownNames() {
		unknown[n] = true
	}
	err := hostconn.CheckWinRM(s.known(host), func(arg string) bool { return unknown[arg] })
	var se *hostconn.SettingError
	if !errors.As(err, &se) {
		return err //nolint:wrapcheck // hostconn names the host and the argument
	}
	switch se.Arg {
	case "username":
		return fmt.Errorf("%s: set winrm.username on the resource or in the provider's winrm block, or %s", se.Msg, envWinRMUsername)
	case "password":
		return fmt.Errorf("%s: set winrm.password or winrm.password_wo on the resource, or password in the provider's winrm block, or %s",
			se.Msg, envWinRMPassword)
	}
	return se
}

// known is the transport's options from the arguments' known values (unknown ones are zero).
func (s connSettings) known(host string) winrm.Options {
	o := winrm.Options{
		Host: host, HTTP: !s.useHTTPS(),
		AllowUnencrypted: s.allowUnencrypted.value(),
		Insecure:         s.insecure.value(),
		TLSServerName:    s.tlsServerName.value(),
		User:             s.username.value(), Password: s.password.value(), Auth: s.auth.value(),
		KrbRealm: s.krbRealm.value(), KrbConfig: s.krbConfig.value(), KrbSPN: s.krbSPN.value(), KrbCCache: s.krbCCache.value(),
	}
	if s.caCert.v != nil {
		o.CACert = []byte(*s.caCert.v)
	}
	if s.clientCert.v != nil {
		o.Cert = []byte(*s.clientCert.v)
	}
	if s.clientKey.v != nil {
		o.Key = []byte(*s.clientKey.v)
	}
	return o
}

// options turns the merged arguments into the transport's options, or says which argument is missing or
// not known yet.
func (s connSettings) options(host string, port int64) (winrm.Options, error) {
	if u := s.unknownNames(); len(u) > 0 {
		return winrm.Options{}, fmt.Errorf("the WinRM settings %s for %s are not known yet (they come from another resource); "+
			"they are known once that resource is applied: apply it first, for example with -target", strings.Join(u, ", "), host)
	}
	if err := s.check(host); err != nil {
		return winrm.Options{}, err
	}
	o := s.known(host)
	o.Port = int(port)
	return o, nil
}

// sshImportScheme prefixes an import ID that reaches the host over SSH.
const sshImportScheme = "ssh://"

// parseImportID parses an import ID: host[:port] over WinRM (the provider's winrm block), or
// ssh://host[:port] over SSH (the provider's ssh block; port default 22).
func parseImportID(id string) (host string, port int64, overSSH bool, err error) {
	id = strings.TrimSpace(id)
	// A URI scheme compares without case (RFC 3986, 3.1).
	if len(id) >= len(sshImportScheme) && strings.ToLower(id[:len(sshImportScheme)]) == sshImportScheme {
		rest := id[len(sshImportScheme):]
		if strings.Contains(rest, "@") {
			return "", 0, false, fmt.Errorf("import ID %q: give ssh://host[:port] without a user; the user comes from the provider's "+
				"ssh block (user, or %s)", id, envSSHUser)
		}
		host, port, err = splitAddress(rest)
		return host, port, err == nil, err
	}
	host, port, err = splitAddress(id)
	return host, port, false, err
}

// splitAddress parses a host, or host:port ([v6]:port).
func splitAddress(id string) (host string, port int64, err error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return "", 0, fmt.Errorf("empty import ID: give the host's address, for example 10.0.0.5 or 10.0.0.5:5986")
	}
	if strings.HasPrefix(id, "[") {
		end := strings.Index(id, "]")
		if end < 0 {
			return "", 0, fmt.Errorf("import ID %q: unclosed [ in an IPv6 address", id)
		}
		host, rest := id[1:end], id[end+1:]
		if host == "" {
			return "", 0, fmt.Errorf("import ID %q: no address between [ and ]; give the host, for example [fd00::5]:5986", id)
		}
		if rest == "" {
			return host, 0, nil
		}
		if !strings.HasPrefix(rest, ":") {
			return "", 0, fmt.Errorf("import ID %q: expected :port after the IPv6 address", id)
		}
		p, err := parsePort(rest[1:], id)
		return host, p, err
	}
	if strings.Count(id, ":") == 1 {
		h, p, _ := strings.Cut(id, ":")
		if strings.TrimSpace(h) == "" {
			return "", 0, fmt.Errorf("import ID %q: no host before :%s; give the host's address, for example 10.0.0.5:%s", id, p, p)
		}
		port, err := parsePort(p, id)
		return h, port, err
	}
	if strings.ContainsAny(id, "/ \t") {
		return "", 0, fmt.Errorf("import ID %q: give a host name or address, optionally with :port (ssh://host[:port] to import "+
			"over SSH), not a URL", id)
	}
	return id, 0, nil
}

func parsePort(p, id string) (int64, error) {
	n, err := strconv.ParseUint(p, 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("import ID %q: %q is not a port number (1-65535)", id, p)
	}
	return int64(n), nil
}

// addConnError reports a connection setting problem on the winrm attribute.
func addConnError(diags *diag.Diagnostics, err error) {
	summary := "Incomplete WinRM connection settings"
	if _, ok := errors.AsType[*hostconn.PlainHTTPError](err); ok {
		summary = "Plain HTTP without message encryption"
	}
	diags.AddAttributeError(path.Root("winrm"), summary, err.Error())
}

// errReported is a connection whose settings could not be translated: the problem is already on the
// diagnostics, on the block that holds it.
var errReported = errors.New("the connection settings are incomplete (see the other diagnostics)")

// connBlock is the block that configures m's connection: azure, ssh or winrm.
func connBlock(azure, ssh types.Object) string {
	switch {
	case !azure.IsNull():
		return "azure"
	case !ssh.IsNull():
		return "ssh"
	}
	return "winrm"
}

// connectFailed reports a connection that the engine could not open, on the block that configures it
// (anywhere with block ""). Settings the translation refused are already reported (errReported).
func connectFailed(diags *diag.Diagnostics, block string, err error) {
	if errors.Is(err, errReported) {
		return
	}
	if pe, ok := errors.AsType[*hostconn.PlainHTTPError](err); ok {
		addConnError(diags, pe)
		return
	}
	summary, detail := "Cannot connect", err.Error()
	if oe, ok := errors.AsType[*hostconn.OpenError](err); ok {
		summary, detail = "Cannot connect to "+oe.Target, oe.Err.Error()
	}
	if block == "" {
		diags.AddError(summary, detail)
		return
	}
	diags.AddAttributeError(path.Root(block), summary, detail)
}
