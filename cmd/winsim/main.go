// Command winsim serves simulated Windows hosts over WS-Management, for tests, demos and labs.
//
//	winsim serve --os ws2022 [--addr 127.0.0.1:0] [--count N] [--https] [--auth basic|ntlm|kerberos [--keytab FILE]] [--require-encryption] [--user U] [--password P]
//	             [--virtualization none|exposed] [--edition standard|datacenter] [--installation core|desktop]
//	             [--reboot-time 3s] [--while-down reset|drop] [--offline] [--state-dir DIR]
//	             [--ssh 127.0.0.1:0 [--ssh-authorized-keys FILE]]
//	             [--cert-auth --trusted-roots FILE --cert-mapping issuer=THUMBPRINT|FILE,subject=UPN[,user=U] ...]
//	winsim profiles
package main

import (
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"

	"golang.org/x/crypto/ssh"

	"github.com/wincontainers/wincontainers/internal/certupn"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/profile"
	"github.com/wincontainers/wincontainers/internal/winsim/wsman"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "winsim:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: winsim serve [flags] | winsim profiles")
	}
	switch args[0] {
	case "profiles":
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PROFILE\tBUILD\tCHANNEL\tPRODUCT\tDISPLAY\tEDITIONS\tINSTALLATIONS")
		for _, p := range profile.All() {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.Build, p.Channel, p.ProductName, p.DisplayVersion,
				strings.Join(p.Editions, ","), strings.Join(p.Installations, ","))
		}
		if err := tw.Flush(); err != nil {
			return fmt.Errorf("writing the profile table: %w", err)
		}
		return nil
	case "serve":
		return serve(args[1:], stdout, stderr)
	default:
		return fmt.Errorf("unknown command %q: use serve or profiles", args[0])
	}
}

func serve(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o winsim.Options
	addr := fs.String("addr", "127.0.0.1:0", "listen address (port 0 picks a free port; with --count, ports count up from a fixed one)")
	count := fs.Int("count", 1, "number of hosts")
	fs.StringVar(&o.Profile, "os", "ws2022", "release profile (winsim profiles)")
	fs.BoolVar(&o.HTTPS, "https", false, "serve HTTPS with a generated CA written to <state-dir>/ca.pem")
	fs.StringVar(&o.Auth, "auth", "basic", "WinRM service auth: basic (Basic and Negotiate enabled), ntlm (Negotiate/NTLMv2 only, Basic disabled) "+
		"or kerberos (Negotiate with Kerberos and NTLM, and the Kerberos scheme; Basic disabled; needs --keytab)")
	fs.StringVar(&o.Keytab, "keytab", "", "keytab of the host's HTTP/<host> service principal, for --auth kerberos")
	fs.BoolVar(&o.RequireEncryption, "require-encryption", false, "over HTTP keep AllowUnencrypted=false, as Windows ships: Basic and unsealed NTLM "+
		"are refused (401), NTLM-sealed messages (multipart/encrypted) are served; use with --auth ntlm for the out-of-box service")
	fs.StringVar(&o.User, "user", "Administrator", "user name")
	fs.StringVar(&o.Password, "password", "", "password (required; or WINSIM_PASSWORD)")
	fs.StringVar(&o.Virtualization, "virtualization", "none", "none or exposed")
	fs.StringVar(&o.Edition, "edition", "", "standard or datacenter (clients: pro or enterprise)")
	fs.StringVar(&o.Installation, "installation", "", "core or desktop")
	fs.DurationVar(&o.RebootTime, "reboot-time", 0, "how long a restart keeps the host unreachable (default 3s)")
	fs.StringVar(&o.WhileDown, "while-down", "reset", "what a request gets while the host restarts: reset (the connection is reset at once) or drop (no answer until the host is back, as a machine that is off)")
	fs.BoolVar(&o.Offline, "offline", false, "downloads fail as on an air-gapped host")
	fs.StringVar(&o.StateDir, "state-dir", "", "directory for ca.pem and state")
	sshAddr := fs.String("ssh", "", "also serve SSH as Windows' OpenSSH server does (cmd.exe as the default shell) on this address "+
		"(port 0 picks a free port; with --count, ports count up from a fixed one); needs --state-dir, where the host key is kept")
	sshKeys := fs.String("ssh-authorized-keys", "", "authorized_keys file written to the host's %ProgramData%\\ssh\\administrators_authorized_keys "+
		"(public-key logons of the administrator)")
	quotas := fs.String("quotas", "modern", "WinRM quotas: modern (Windows 8/2012 and later), spec (MS-WSMV defaults) or legacy (2008 R2 and older)")
	idle := fs.Duration("idle-timeout", 0, "shell IdleTimeout (default: the quota set's)")
	fs.BoolVar(&o.CertificateAuth, "cert-auth", false, "turn certificate authentication on (WinRM's Service\\Auth\\Certificate, off as Windows ships); needs --https")
	roots := fs.String("trusted-roots", "", "PEM file of the CA certificates the host trusts for client certificates (its LocalMachine\\Root store)")
	var mappings []string
	fs.Func("cert-mapping", "map client certificates to an account, as New-Item -Path WSMan:\\localhost\\ClientCertificate -URI * does: "+
		"issuer=<thumbprint, or a PEM file of the CA that signs the certificates>,subject=<UPN, or a pattern with one * first or last>"+
		"[,user=<account, default --user>]; repeat for several", func(v string) error {
		mappings = append(mappings, v)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err //nolint:wrapcheck // flag already printed the usage
	}
	if o.Password == "" {
		o.Password = os.Getenv("WINSIM_PASSWORD")
	}
	q, err := wsman.QuotaPreset(*quotas)
	if err != nil {
		return fmt.Errorf("--quotas: %w", err)
	}
	if *idle > 0 {
		q.IdleTimeout = *idle
	}
	o.Quotas = q
	for _, m := range mappings {
		cm, err := parseCertMapping(m, o.User)
		if err != nil {
			return fmt.Errorf("--cert-mapping %q: %w", m, err)
		}
		o.CertMappings = append(o.CertMappings, cm)
	}
	if *roots != "" {
		b, err := os.ReadFile(*roots)
		if err != nil {
			return fmt.Errorf("--trusted-roots: %w", err)
		}
		o.TrustedRoots = b
	}
	if *sshAddr != "" {
		o.SSH = true
		if *sshKeys != "" {
			b, err := os.ReadFile(*sshKeys)
			if err != nil {
				return fmt.Errorf("--ssh-authorized-keys: %w", err)
			}
			o.SSHAuthorizedKeys = b
		}
	}
	sshHost, sshPort, err := splitAddr(*sshAddr)
	if err != nil {
		return fmt.Errorf("--ssh %q: %w", *sshAddr, err)
	}
	if *count < 1 || *count > 256 {
		return fmt.Errorf("--count %d: between 1 and 256", *count)
	}
	host, port := *addr, 0
	if i := strings.LastIndex(*addr, ":"); i >= 0 {
		host = (*addr)[:i]
		p, err := strconv.Atoi((*addr)[i+1:])
		if err != nil {
			return fmt.Errorf("--addr %q: %w", *addr, err)
		}
		port = p
	}
	var stops []func() error
	defer func() {
		for _, s := range stops {
			_ = s()
		}
	}()
	for i := 0; i < *count; i++ {
		hostOpts := o
		if o.StateDir != "" && *count > 1 {
			hostOpts.StateDir = filepath.Join(o.StateDir, strconv.Itoa(i))
		}
		hostOpts.ComputerName = fmt.Sprintf("WINSIM-%02d", i)
		sim, err := winsim.New(hostOpts)
		if err != nil {
			return err //nolint:wrapcheck // already says what is wrong with which flag
		}
		listen := host + ":0"
		if port != 0 {
			listen = host + ":" + strconv.Itoa(port+i)
		}
		url, stop, err := sim.Listen(listen)
		if err != nil {
			return err //nolint:wrapcheck // already names the address
		}
		stops = append(stops, stop)
		fmt.Fprintf(stdout, "winsim: host %d listening on %s os=%s build=%d\n", i, url, sim.Profile().Name, sim.Profile().Build)
		if o.SSH {
			listen := sshHost + ":0"
			if sshPort != 0 {
				listen = sshHost + ":" + strconv.Itoa(sshPort+i)
			}
			addr, stop, err := sim.ListenSSH(listen)
			if err != nil {
				return err //nolint:wrapcheck // already names the address
			}
			stops = append(stops, stop)
			fmt.Fprintf(stdout, "winsim: host %d serving SSH on %s host key %s\n", i, addr, ssh.FingerprintSHA256(sim.SSHHostKey()))
		}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	return nil
}

// parseCertMapping reads a --cert-mapping value: issuer=, subject= and optionally user= (default user),
// comma-separated. The issuer is a certificate thumbprint (40 hex digits) or a PEM file of the issuing
// certificate, whose thumbprint is taken; the host checks the rest as Windows does when the mapping is
// made (winsim.Options.CertMappings).
func parseCertMapping(v, user string) (wsman.CertMapping, error) {
	m := wsman.CertMapping{UserName: user}
	for _, kv := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(kv, "=")
		if !ok || val == "" {
			return m, fmt.Errorf("%q: give key=value pairs: issuer=<thumbprint or CA PEM file>,subject=<UPN>[,user=<account>]", kv)
		}
		switch strings.TrimSpace(k) {
		case "issuer":
			tp, err := issuerThumbprint(val)
			if err != nil {
				return m, err
			}
			m.Issuer = tp
		case "subject":
			m.Subject = val
		case "user":
			m.UserName = val
		default:
			return m, fmt.Errorf("unknown key %q: the keys are issuer, subject and user", k)
		}
	}
	if m.Issuer == "" || m.Subject == "" {
		return m, errors.New("issuer= and subject= are both required")
	}
	return m, nil
}

// issuerThumbprint is v when it is a thumbprint, else the thumbprint of the first certificate in the PEM
// file v names.
func issuerThumbprint(v string) (string, error) {
	if b, err := hex.DecodeString(v); err == nil && len(b) == 20 {
		return strings.ToUpper(v), nil
	}
	b, err := os.ReadFile(v) //nolint:gosec // a file the user names on the command line
	if err != nil {
		return "", fmt.Errorf("issuer %q is neither a thumbprint (40 hex digits) nor a readable PEM file: %w", v, err)
	}
	for rest := b; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return "", fmt.Errorf("issuer file %s holds no PEM certificate", v)
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return "", fmt.Errorf("issuer file %s: %w", v, err)
		}
		return certupn.Thumbprint(c), nil
	}
}

// splitAddr splits host:port ("" gives "", 0).
func splitAddr(addr string) (string, int, error) {
	if addr == "" {
		return "", 0, nil
	}
	i := strings.LastIndex(addr, ":")
	if i < 0 {
		return "", 0, errors.New("give host:port, for example 127.0.0.1:0")
	}
	p, err := strconv.Atoi(addr[i+1:])
	if err != nil || p < 0 || p > 65535 {
		return "", 0, fmt.Errorf("%q is not a port", addr[i+1:])
	}
	return addr[:i], p, nil
}
