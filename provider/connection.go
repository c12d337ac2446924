package provider

import (
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
	{name: "https", boolean: true, desc: "Use HTTPS (WinRM port 5986). Default `true`. Plain HTTP needs `allow_unencrypted = true` as well."},
	{name: "insecure", boolean: true, desc: "Skip verification of the host's certificate. Default `false`; prefer `ca_cert`."},
	{name: "ca_cert", desc: "PEM bundle of the certificate authorities that signed the host's WinRM certificate (for example `file(\"ca.pem\")`). " +
		"Default: the system's roots."},
	{name: "tls_server_name", desc: "Name to verify the host's certificate against, when it differs from `host` (connecting by IP address to a " +
		"certificate issued for a DNS name)."},
	{name: "allow_unencrypted", boolean: true, desc: "Allow plain HTTP with `https = false`. Windows itself refuses Basic authentication " +
		"over HTTP unless its WinRM `AllowUnencrypted` setting is on; this is the matching opt-in. Default `false`."},
	{name: "auth", desc: "Authentication: `basic` (default), `ntlm`, `certificate` or `kerberos`.",
		oneOf: []string{winrm.AuthBasic, winrm.AuthNTLM, winrm.AuthCertificate, winrm.AuthKerberos}},
	{name: "client_cert", desc: "PEM client certificate, for `auth = \"certificate\"`."},
	{name: "client_key", sensitive: true, desc: "PEM private key of `client_cert`. Sensitive."},
	{name: "krb_realm", desc: "Kerberos realm, for `auth = \"kerberos\"`."},
	{name: "krb_config", desc: "Path of the krb5.conf to use, for `auth = \"kerberos\"`."},
	{name: "krb_spn", desc: "Service principal name of the host, for `auth = \"kerberos\"` (default `HTTP/<host>`)."},
	{name: "krb_ccache", desc: "Path of a Kerberos credential cache to use instead of a password."},
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

// connSettings is one set of connection arguments, nil where not given.
type connSettings struct {
	username, password, caCert, tlsServerName, auth, clientCert, clientKey *string
	krbRealm, krbConfig, krbSPN, krbCCache                                 *string
	https, insecure, allowUnencrypted                                      *bool
}

func str(v types.String) *string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	s := v.ValueString()
	return &s
}

func boolean(v types.Bool) *bool {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	b := v.ValueBool()
	return &b
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

// providerDefaults reads the provider's winrm block, with the environment filling what it leaves out.
func providerDefaults(m *winrmDefaultsModel) connSettings {
	s := m.settings()
	if s.username == nil {
		if v, ok := os.LookupEnv(envWinRMUsername); ok && v != "" {
			s.username = &v
		}
	}
	if s.password == nil {
		if v, ok := os.LookupEnv(envWinRMPassword); ok && v != "" {
			s.password = &v
		}
	}
	return s
}

// over returns s with every argument o gives replaced.
func (s connSettings) over(o connSettings) connSettings {
	pick := func(a, b *string) *string {
		if b != nil {
			return b
		}
		return a
	}
	pickB := func(a, b *bool) *bool {
		if b != nil {
			return b
		}
		return a
	}
	return connSettings{
		username: pick(s.username, o.username), password: pick(s.password, o.password), caCert: pick(s.caCert, o.caCert),
		tlsServerName: pick(s.tlsServerName, o.tlsServerName), auth: pick(s.auth, o.auth), clientCert: pick(s.clientCert, o.clientCert),
		clientKey: pick(s.clientKey, o.clientKey), krbRealm: pick(s.krbRealm, o.krbRealm), krbConfig: pick(s.krbConfig, o.krbConfig),
		krbSPN: pick(s.krbSPN, o.krbSPN), krbCCache: pick(s.krbCCache, o.krbCCache),
		https: pickB(s.https, o.https), insecure: pickB(s.insecure, o.insecure), allowUnencrypted: pickB(s.allowUnencrypted, o.allowUnencrypted),
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// useHTTPS is the effective transport: HTTPS unless https = false.
func (s connSettings) useHTTPS() bool { return s.https == nil || *s.https }

// defaultPort is WinRM's port for the transport.
func (s connSettings) defaultPort() int64 {
	if s.useHTTPS() {
		return 5986
	}
	return 5985
}

// options turns the merged arguments into the transport's options, or says which argument is missing.
func (s connSettings) options(host string, port int64) (winrm.Options, error) {
	o := winrm.Options{
		Host: host, Port: int(port), HTTP: !s.useHTTPS(),
		AllowUnencrypted: s.allowUnencrypted != nil && *s.allowUnencrypted,
		Insecure:         s.insecure != nil && *s.insecure,
		TLSServerName:    deref(s.tlsServerName),
		User:             deref(s.username), Password: deref(s.password), Auth: deref(s.auth),
		KrbRealm: deref(s.krbRealm), KrbConfig: deref(s.krbConfig), KrbSPN: deref(s.krbSPN), KrbCCache: deref(s.krbCCache),
	}
	if s.caCert != nil {
		o.CACert = []byte(*s.caCert)
	}
	if s.clientCert != nil {
		o.Cert = []byte(*s.clientCert)
	}
	if s.clientKey != nil {
		o.Key = []byte(*s.clientKey)
	}
	auth := o.Auth
	if auth == "" {
		auth = winrm.AuthBasic
	}
	switch {
	case auth != winrm.AuthCertificate && o.User == "":
		return o, fmt.Errorf("no WinRM user name for %s: set winrm.username on the resource or in the provider's winrm block, or %s", host, envWinRMUsername)
	case (auth == winrm.AuthBasic || auth == winrm.AuthNTLM) && o.Password == "":
		return o, fmt.Errorf("no WinRM password for %s: set winrm.password or winrm.password_wo on the resource, or password in the provider's winrm block, or %s", host, envWinRMPassword)
	}
	return o, nil
}

// splitAddress parses an import ID: a host, or host:port ([v6]:port).
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
		return "", 0, fmt.Errorf("import ID %q: give a host name or address, optionally with :port, not a URL", id)
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
	diags.AddAttributeError(path.Root("winrm"), "Incomplete WinRM connection settings", err.Error())
}
