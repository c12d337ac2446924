//go:generate ../../../scripts/packer-struct-markdown

package wincontainers

import (
	"errors"
	"fmt"
	"strings"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/wincontainers/wincontainers/internal/hostconn"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/winrm"
)

// WinRMConfig is the `winrm` block: the provisioner's own WinRM connection, with the arguments and
// defaults of wincontainers_host's winrm block. How each setup is secured:
// docs/knowledge/winrm.md#message-encryption.
type WinRMConfig struct {
	// The machine's name or address. `build.Host` is the builder's address where the builder has one.
	Host string `mapstructure:"host" required:"true"`
	// WinRM's port. Default `5986` with HTTPS, `5985` without.
	Port int `mapstructure:"port"`
	// User to log on as (`Administrator`, `MACHINE\\user`, or `user@REALM` for Kerberos).
	Username string `mapstructure:"username"`
	// Password of `username`. Pass it from a `sensitive` variable; it is kept out of Packer's logs.
	Password string `mapstructure:"password"`
	// Use HTTPS (port 5986). Default `true`. With `https = false` (port 5985) and `auth = "ntlm"` or
	// `"kerberos"`, every WinRM message is encrypted with the logon's session keys (message encryption),
	// which Windows accepts as it ships: a secure setup beside HTTPS. Basic over plain HTTP needs
	// `allow_unencrypted = true`.
	HTTPS *bool `mapstructure:"https"`
	// Skip verification of the machine's HTTPS certificate. Default `false`; prefer `ca_cert`.
	Insecure bool `mapstructure:"insecure"`
	// PEM bundle of the certificate authorities that signed the machine's WinRM certificate (for example
	// `file("ca.pem")`). Default: the system's roots.
	CACert string `mapstructure:"ca_cert"`
	// Name to verify the machine's certificate against, when it differs from `host`.
	TLSServerName string `mapstructure:"tls_server_name"`
	// Allow plain HTTP without message encryption, for `auth = "basic"`: scripts, their output and the
	// password then cross the network in clear text, and the machine must have `AllowUnencrypted = true`
	// in its WinRM service, which Windows does not ship. Not needed with `ntlm` or `kerberos` over HTTP,
	// nor with HTTPS. Default `false`.
	AllowUnencrypted bool `mapstructure:"allow_unencrypted"`
	// Authentication: `basic` (default), `ntlm`, `kerberos` or `certificate`.
	Auth string `mapstructure:"auth"`
	// PEM client certificate, for `auth = "certificate"` (HTTPS only): the Client Authentication EKU, the
	// user's UPN in its subject alternative name, and a mapping on the machine
	// (`WSMan:\localhost\ClientCertificate`).
	ClientCert string `mapstructure:"client_cert"`
	// PEM private key of `client_cert`; kept out of Packer's logs.
	ClientKey string `mapstructure:"client_key"`
	// Kerberos realm (upper case), for `auth = "kerberos"`. Default: the realm of a `username` of the
	// form `user@REALM`, else `default_realm` of the krb5.conf.
	KrbRealm string `mapstructure:"krb_realm"`
	// Path of the krb5.conf, for `auth = "kerberos"`. Default: `KRB5_CONFIG`, else `/etc/krb5.conf`.
	KrbConfig string `mapstructure:"krb_config"`
	// Service principal name of the machine, for `auth = "kerberos"`. Default `HTTP/<host>`.
	KrbSPN string `mapstructure:"krb_spn"`
	// Path of a Kerberos ticket cache (`kinit`) used when no password is set. Default: `KRB5CCNAME`.
	KrbCCache string `mapstructure:"krb_ccache"`
}

// options is the transport's view of the block.
func (w *WinRMConfig) options() winrm.Options {
	o := winrm.Options{
		Host: strings.TrimSpace(w.Host), Port: w.Port, HTTP: w.HTTPS != nil && !*w.HTTPS,
		Insecure: w.Insecure, TLSServerName: w.TLSServerName, AllowUnencrypted: w.AllowUnencrypted,
		User: w.Username, Password: w.Password, Auth: w.Auth,
		KrbRealm: w.KrbRealm, KrbConfig: w.KrbConfig, KrbSPN: w.KrbSPN, KrbCCache: w.KrbCCache,
	}
	if w.CACert != "" {
		o.CACert = []byte(w.CACert)
	}
	if w.ClientCert != "" {
		o.Cert = []byte(w.ClientCert)
	}
	if w.ClientKey != "" {
		o.Key = []byte(w.ClientKey)
	}
	return o
}

// check is the block's validation for `packer validate`: the port's range, then hostconn's checks of
// the combination (plain HTTP without encryption, what each authentication needs). A host that is
// still a placeholder (`build.Host` before the build, a data source's value) is checked when the build
// prepares with the real value.
func (w *WinRMConfig) check() error {
	if w.Port < 0 || w.Port > 65535 {
		return fmt.Errorf("winrm { port = %d } is not a port number: give 1-65535, or leave it out for 5986 (HTTPS) or 5985 (HTTP)", w.Port)
	}
	o := w.options()
	if o.Host == "" {
		return errors.New("winrm { host } is required: the machine's name or address (host = build.Host takes the builder's)")
	}
	if err := hostconn.CheckWinRM(o, nil); err != nil {
		return fmt.Errorf("winrm: %w", err)
	}
	return nil
}

// hasUnknown reports whether a value of the block is still Packer's placeholder: `build.Host` while the
// template is validated, or a data source's output.
func (w *WinRMConfig) hasUnknown() bool {
	for _, v := range []string{w.Host, w.Username, w.Password, w.Auth, w.CACert, w.TLSServerName, w.ClientCert, w.ClientKey,
		w.KrbRealm, w.KrbConfig, w.KrbSPN, w.KrbCCache} {
		if strings.Contains(v, unknownValue) {
			return true
		}
	}
	return false
}

// hideSecrets keeps the block's secrets out of Packer's logs and UI.
func (w *WinRMConfig) hideSecrets() {
	packersdk.LogSecretFilter.Set(w.Password, w.ClientKey)
}

// connection is the provisioner's own WinRM connection, assembled by hostconn as Terraform's is.
func (w *WinRMConfig) connection(reboot runner.RebootOptions) hostconn.Config {
	return hostconn.Config{WinRM: w.options(), Reboot: reboot}
}

// describe names the transport and its protection for the build's output: "HTTPS, ntlm" or "HTTP with
// message encryption, ntlm".
func (w *WinRMConfig) describe() string {
	o := w.options()
	auth := o.Auth
	if auth == "" {
		auth = winrm.AuthBasic
	}
	switch {
	case !o.HTTP:
		return "HTTPS, " + auth
	case winrm.Sealed(o.HTTP, auth):
		return "HTTP with message encryption, " + auth
	}
	return "plain HTTP without encryption (allow_unencrypted), " + auth
}
