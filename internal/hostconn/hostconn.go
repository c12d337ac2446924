// Package hostconn assembles every connection the front doors use to reach a host, in one place: WinRM
// (internal/winrm), SSH (internal/sshconn), Azure managed Run Command (internal/azure) and a
// communicator another program opened (Packer's, adapted by packer/comm), each with the script runner on
// top (retrying idempotent scripts after transport failures), the restart-and-wait and the upload,
// assembled as an executor.Conn (Conn embeds executor.ScriptConn).
package hostconn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wincontainers/wincontainers/internal/azure"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/sshconn"
	"github.com/wincontainers/wincontainers/internal/winrm"
)

// Config says how to reach one host. At most one of SSH, Azure and Communicator is set; with none, the
// host is reached over WinRM.
type Config struct {
	WinRM winrm.Options
	// SSH, when set, reaches the host over SSH instead of WinRM (WinRM is then ignored).
	SSH *sshconn.Options
	// Azure, when set, reaches an Azure VM through managed Run Command. Its RebootOptions, OnEvent and
	// retry settings are taken from Reboot and the retry settings here.
	Azure *azure.VM
	// Communicator, when set, runs scripts through a connection another program made and owns
	// (Packer's communicator); Close leaves it open.
	Communicator *Communicator
	// Reboot tunes the restart-and-wait; its OnEvent also receives Azure's progress lines.
	Reboot runner.RebootOptions
	// RetryAttempts is how many times an idempotent script is tried over a failing transport (default
	// 4); RetryBackoff the first pause (default 1s, doubling).
	RetryAttempts int
	RetryBackoff  time.Duration
}

// Communicator is a connection another program made, as the runner's seams. With Exec, which carries
// stdin, scripts and uploads go on stdin as over our own transports; without it, scripts are staged
// through Starter and Uploader (runner.StagedRunner) and uploads go through Uploader.
type Communicator struct {
	Exec     runner.Exec
	Starter  runner.Starter
	Uploader runner.FileUploader
	// Wait is how long the host waits for a staged script (runner.StagedRunner's default when zero).
	Wait time.Duration
}

// Conn is an open connection to one host. It is not safe for concurrent use: WinRM commands run one
// at a time in one remote shell.
type Conn struct {
	// ScriptConn is the executor's connection over this one: facts, steps, reboots and uploads. Through
	// it a *Conn is an executor.Conn.
	executor.ScriptConn
	// Azure is the Run Command connection when the host is an Azure VM (nil otherwise): it also reads
	// the VM's size for the nested-virtualization preflight.
	Azure  *azure.Conn
	client io.Closer
	what   string
}

var _ executor.Conn = (*Conn)(nil)

// Target names the host c reaches, for messages: its address, or "Azure VM <name>".
func (c Config) Target() string {
	switch {
	case c.Azure != nil:
		return "Azure VM " + c.Azure.Name
	case c.SSH != nil:
		return c.SSH.Host
	case c.Communicator != nil:
		return "the machine behind the communicator"
	}
	return c.WinRM.Host
}

// OpenError is a connection that could not be built (bad settings the transport found, a script
// library that does not load). Target names the host as Config.Target does.
type OpenError struct {
	Target string
	Err    error
}

func (e *OpenError) Error() string { return "cannot connect to " + e.Target + ": " + e.Err.Error() }

func (e *OpenError) Unwrap() error { return e.Err }

// PlainHTTPError refuses plain HTTP without AllowUnencrypted for Host when Auth would send its messages
// in clear: it says what Windows does over HTTP and the two secure setups, NTLM with message encryption
// over HTTP and HTTPS.
type PlainHTTPError struct{ Host, Auth string }

func (e *PlainHTTPError) Error() string {
	auth := e.Auth
	if auth == "" {
		auth = winrm.AuthBasic
	}
	why := "Basic sends the password and every message in clear text over HTTP"
	if auth == winrm.AuthCertificate {
		why = "certificate authentication is a TLS client certificate, which needs HTTPS"
	}
	return "plain HTTP to " + e.Host + " with auth = \"" + auth + "\" was asked for (https = false) without allow_unencrypted: " + why +
		", and Windows refuses unencrypted messages out of the box (the WinRM service's AllowUnencrypted setting is off). " +
		"Two setups are secure and need no change on a Windows host as it ships: auth = \"ntlm\" or \"kerberos\" over HTTP (port 5985), where " +
		"wincontainers encrypts every message with the logon's session keys (message encryption, as Windows serves it), or HTTPS: " +
		"https = true (port 5986) with an HTTPS listener whose CA you pass in ca_cert (on Azure, wincontainers_azure_winrm_listener " +
		"makes one). allow_unencrypted = true works only with AllowUnencrypted turned on in the host's WinRM service, which weakens " +
		"the host for every client"
}

// clearText reports whether o would send its messages in clear: plain HTTP without allow_unencrypted,
// with an authentication that does not seal them (Basic, certificate).
func clearText(o winrm.Options) bool {
	return o.HTTP && !o.AllowUnencrypted && !winrm.Sealed(o.HTTP, o.Auth)
}

// Open builds the connection. It does not contact the host: the first script does. Its errors are
// *OpenError, except *PlainHTTPError for a refused plain HTTP setup.
func Open(c Config) (*Conn, error) {
	conn, err := open(c)
	if err != nil {
		if _, ok := err.(*PlainHTTPError); ok { //nolint:errorlint // open returns it unwrapped
			return nil, err
		}
		return nil, &OpenError{Target: c.Target(), Err: err}
	}
	return conn, nil
}

// Open implements the engine's connector seam (internal/converge): a Config opens itself.
func (c Config) Open(context.Context) (*Conn, error) { return Open(c) }

func open(c Config) (*Conn, error) {
	switch {
	case c.Azure != nil:
		return openAzure(c)
	case c.Communicator != nil:
		return openCommunicator(c)
	case c.SSH != nil:
		return openSSH(c)
	}
	if clearText(c.WinRM) {
		return nil, &PlainHTTPError{Host: c.WinRM.Host, Auth: c.WinRM.Auth}
	}
	lib, err := powershell.Load()
	if err != nil {
		return nil, fmt.Errorf("loading the script library: %w", err)
	}
	client, err := winrm.New(c.WinRM)
	if err != nil {
		return nil, err //nolint:wrapcheck // winrm's option errors name the setting and what to do
	}
	return assemble(c, lib, client, client, "the WinRM shell"), nil
}

// openSSH builds the connection over SSH: the same scripts, the bootstrap as the command line and the
// script on stdin, which cmd.exe (Windows' OpenSSH default shell) hands to powershell.exe.
func openSSH(c Config) (*Conn, error) {
	lib, err := powershell.Load()
	if err != nil {
		return nil, fmt.Errorf("loading the script library: %w", err)
	}
	client, err := sshconn.New(*c.SSH)
	if err != nil {
		return nil, err //nolint:wrapcheck // sshconn's option errors name the setting and what to do
	}
	return assemble(c, lib, client, client, "the SSH connection"), nil
}

// openAzure builds the Run Command connection of an Azure VM.
func openAzure(c Config) (*Conn, error) {
	v := *c.Azure
	v.RebootOptions, v.OnEvent = c.Reboot, c.Reboot.OnEvent
	h, err := azure.Open(v)
	if err != nil {
		return nil, err //nolint:wrapcheck // Open wraps it in OpenError, which names the VM
	}
	// Retried here, as every transport is: an idempotent script whose run command failed without
	// leaving anything behind (azure's transport errors say which).
	h.ScriptConn.Runner = collapsing{&runner.Retrying{Runner: h.Runner, Idempotent: h.Runner.Library.Idempotent,
		Attempts: c.RetryAttempts, Backoff: c.RetryBackoff}}
	return &Conn{ScriptConn: h.ScriptConn, Azure: h, client: nopCloser{}, what: "the Azure Run Command connection"}, nil
}

// openCommunicator builds the connection over a communicator another program made.
func openCommunicator(c Config) (*Conn, error) {
	cm := c.Communicator
	lib, err := powershell.Load()
	if err != nil {
		return nil, fmt.Errorf("loading the script library: %w", err)
	}
	if cm.Exec != nil {
		// As over our own transports: the bootstrap as the command line, the script on stdin; uploads
		// streamed on stdin to receive-file.
		return assemble(c, lib, cm.Exec, nopCloser{}, "the communicator"), nil
	}
	if cm.Starter == nil || cm.Uploader == nil {
		return nil, errors.New("the communicator can neither carry stdin nor stage scripts (no starter or uploader): this is a bug, please report it")
	}
	staged := &runner.StagedRunner{Starter: cm.Starter, Uploader: cm.Uploader, Library: lib, Wait: cm.Wait}
	retrying := collapsing{&runner.Retrying{Runner: staged, Idempotent: lib.Idempotent, Attempts: c.RetryAttempts, Backoff: c.RetryBackoff}}
	return &Conn{
		ScriptConn: executor.ScriptConn{
			Runner:   retrying,
			Rebooter: runner.ScriptRebooter{Runner: retrying, Options: c.Reboot},
			Uploader: runner.StagedUploader{Runner: retrying, Uploader: cm.Uploader},
		},
		client: nopCloser{},
		what:   "the communicator",
	}, nil
}

// nopCloser is the closer of a connection hostconn does not own: Azure's HTTP clients hold no session,
// and a communicator belongs to the program that opened it.
type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// assemble puts the script runner, the retries, the restart-and-wait and the upload on an Exec.
func assemble(c Config, lib *powershell.Library, exec runner.Exec, closer io.Closer, what string) *Conn {
	sr := &runner.ScriptRunner{Exec: exec, Library: lib}
	retrying := collapsing{&runner.Retrying{Runner: sr, Idempotent: lib.Idempotent, Attempts: c.RetryAttempts, Backoff: c.RetryBackoff}}
	return &Conn{
		ScriptConn: executor.ScriptConn{
			Runner:   retrying,
			Rebooter: runner.ScriptRebooter{Runner: retrying, Options: c.Reboot},
			Uploader: sr,
		},
		client: closer,
		what:   what,
	}
}

// collapsing reports a script that failed the same way on every attempt once, with the number of
// attempts, instead of runner.Retrying's list of the earlier attempts (a host that is down would
// otherwise show its dial error once per attempt).
type collapsing struct{ runner.Runner }

// Run implements runner.Runner.
func (c collapsing) Run(ctx context.Context, script string, params any, onProgress func(powershell.Progress)) (powershell.Outcome, error) {
	o, err := c.Runner.Run(ctx, script, params, onProgress)
	return o, collapseRetries(err)
}

// collapseRetries rewrites runner.Retrying's "last (after N attempts; earlier: a, b, ...)" when every
// earlier attempt failed with the same message as the last. The result still unwraps to err, so
// errors.Is and errors.As see every attempt's error as before.
func collapseRetries(err error) error {
	multi, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return err
	}
	parts := multi.Unwrap()
	if len(parts) != 2 {
		return err
	}
	earlier, ok := parts[1].(interface{ Unwrap() []error })
	if !ok || len(earlier.Unwrap()) == 0 {
		return err
	}
	last := parts[0].Error()
	for _, e := range earlier.Unwrap() {
		if e.Error() != last {
			return err
		}
	}
	return &sameFailure{msg: last, attempts: len(earlier.Unwrap()) + 1, err: err}
}

// sameFailure is an error every attempt ended with.
type sameFailure struct {
	msg      string
	attempts int
	err      error
}

func (e *sameFailure) Error() string {
	return fmt.Sprintf("%s (the same on each of %d attempts)", e.msg, e.attempts)
}

func (e *sameFailure) Unwrap() error { return e.err }

// Close deletes the remote shell (WinRM) or closes the connection (SSH). Closing twice is harmless.
func (c *Conn) Close() error {
	if err := c.client.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", c.what, err)
	}
	return nil
}

// SettingError is a WinRM argument that is missing or contradicts another, found before any request.
// Arg is the argument to set or change, named as in the front doors' winrm blocks ("password"), so
// that a front door can add where it may be set.
type SettingError struct {
	Host, Arg, Msg string
}

func (e *SettingError) Error() string { return e.Msg }

// CheckWinRM says what is missing or contradictory in o for a WinRM connection to work, before any
// request, with the argument names both front doors' winrm blocks use: plain HTTP that would send
// messages in clear (*PlainHTTPError), an authentication without what it needs (*SettingError: a user
// and password for Basic and NTLM, a client certificate and HTTPS for certificate authentication) and,
// for Kerberos, the krb5.conf, realm and ticket cache on this machine (winrm.CheckKerberos). unknown,
// when not nil, names the arguments whose values are not known yet (Terraform's values from another
// resource): a check that needs one of them is left for later, when every value is known.
func CheckWinRM(o winrm.Options, unknown func(arg string) bool) error {
	known := func(args ...string) bool {
		if unknown == nil {
			return true
		}
		for _, a := range args {
			if unknown(a) {
				return false
			}
		}
		return true
	}
	auth := o.Auth
	if auth == "" {
		auth = winrm.AuthBasic
	}
	host := o.Host
	missing := func(arg, format string, args ...any) error {
		return &SettingError{Host: host, Arg: arg, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case known("host") && strings.TrimSpace(host) == "":
		return missing("host", "no host: set host to the machine's name or address")
	case known("https", "allow_unencrypted", "auth") && clearText(o):
		return &PlainHTTPError{Host: host, Auth: o.Auth}
	case !known("auth"):
		return nil
	case auth != winrm.AuthBasic && auth != winrm.AuthNTLM && auth != winrm.AuthCertificate && auth != winrm.AuthKerberos:
		return missing("auth", "auth = %q for %s is not an authentication WinRM offers: use %q, %q, %q or %q", o.Auth, host,
			winrm.AuthBasic, winrm.AuthNTLM, winrm.AuthKerberos, winrm.AuthCertificate)
	case (auth == winrm.AuthBasic || auth == winrm.AuthNTLM) && known("username") && o.User == "":
		return missing("username", "no WinRM user name for %s: auth = %q logs on with a user name and password", host, auth)
	case auth == winrm.AuthCertificate && known("https") && o.HTTP:
		return missing("https", "auth = \"certificate\" for %s needs HTTPS: the client certificate travels in the TLS handshake; remove https = false", host)
	case auth == winrm.AuthCertificate && known("client_cert", "client_key") && (len(o.Cert) == 0 || len(o.Key) == 0):
		return missing("client_cert", "auth = \"certificate\" for %s needs client_cert and client_key (PEM): a certificate with the Client "+
			"Authentication EKU and the user's UPN, mapped on the host with New-Item -Path WSMan:\\localhost\\ClientCertificate", host)
	case (auth == winrm.AuthBasic || auth == winrm.AuthNTLM) && known("password") && o.Password == "":
		return missing("password", "no WinRM password for %s: auth = %q logs on with a user name and password", host, auth)
	case auth == winrm.AuthKerberos && known("username", "password", "krb_realm", "krb_config", "krb_spn", "krb_ccache"):
		if err := winrm.CheckKerberos(o); err != nil {
			return fmt.Errorf("WinRM Kerberos settings for %s: %w", host, err)
		}
	}
	return nil
}
