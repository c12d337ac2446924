package azure

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/steps"
)

// Listener is an HTTPS WinRM listener created through Run Command: pin CertPEM (as the WinRM
// connection's ca_cert / Packer's winrm certificate) instead of skipping verification.
type Listener struct {
	Port              int
	FingerprintSHA256 string // lower-case hex of the certificate's DER
	CertPEM           string
	Thumbprint        string // Windows' SHA-1 thumbprint, for the user's own checks
	Names             []string
	Changed           bool
}

// WinRMOptions name the VM the way clients will address it (the certificate's subject names); the
// VM's own host name is always included. Port defaults to 5986.
type WinRMOptions struct {
	Port        int
	DNSNames    []string
	IPAddresses []string
	ValidDays   int
}

// BootstrapWinRM runs the winrm-listener library script through r (a RunCommandRunner, usually): it
// creates, once, a self-signed certificate for the VM's names, an HTTPS listener and the firewall
// rule, and returns the certificate. The fingerprint is checked against the PEM here, so what the
// caller pins is what the VM reported.
func BootstrapWinRM(ctx context.Context, r runner.Runner, o WinRMOptions) (Listener, error) {
	params := steps.WinRMListener{Port: o.Port, DNSNames: o.DNSNames, IPAddresses: o.IPAddresses, ValidDays: o.ValidDays}
	l, _, err := runListener(ctx, r, params)
	if err != nil {
		return Listener{}, fmt.Errorf("creating the WinRM HTTPS listener: %w", err)
	}
	return l, nil
}

// ReadWinRM reports, changing nothing, the HTTPS listener now on the VM and its certificate (the
// script's report mode: one run command); present is false when the VM has no HTTPS listener or its
// certificate is gone. Names are then the certificate's DNS names.
func ReadWinRM(ctx context.Context, r runner.Runner) (l Listener, present bool, err error) {
	l, present, err = runListener(ctx, r, steps.WinRMListener{Mode: "report"})
	if err != nil {
		return Listener{}, false, fmt.Errorf("reading the WinRM HTTPS listener: %w", err)
	}
	return l, present, nil
}

// RemoveWinRM removes the HTTPS listener when it still uses the certificate with this thumbprint (any
// HTTPS listener when thumbprint is empty), the firewall rule wincontainers-winrm-https and the
// certificate. removed is false when there was nothing of ours to remove: no HTTPS listener, or one
// that someone moved to another certificate (left as it is).
func RemoveWinRM(ctx context.Context, r runner.Runner, thumbprint string) (removed bool, err error) {
	out, err := r.Run(ctx, "winrm-listener", steps.WinRMListener{Mode: "remove", Thumbprint: thumbprint}, nil)
	if err != nil {
		return false, fmt.Errorf("removing the WinRM HTTPS listener: %w", err)
	}
	res, err := steps.Decode[steps.WinRMListenerRemoved]("winrm-listener", out.Result)
	if err != nil {
		return false, fmt.Errorf("removing the WinRM HTTPS listener: %w", err)
	}
	return res.Removed, nil
}

// runListener runs the winrm-listener script and checks the certificate it returns: the fingerprint
// is checked against the PEM here, so what the caller pins is what the VM reported.
func runListener(ctx context.Context, r runner.Runner, params steps.WinRMListener) (Listener, bool, error) {
	out, err := r.Run(ctx, "winrm-listener", params, nil)
	if err != nil {
		return Listener{}, false, err
	}
	res, err := steps.Decode[steps.WinRMListenerResult]("winrm-listener", out.Result)
	if err != nil {
		return Listener{}, false, err //nolint:wrapcheck // Decode names the script and the result
	}
	if !res.Present {
		return Listener{}, false, nil
	}
	block, _ := pem.Decode([]byte(res.CertPEM))
	if block == nil || block.Type != "CERTIFICATE" {
		return Listener{}, false, fmt.Errorf("the VM returned no PEM certificate")
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return Listener{}, false, fmt.Errorf("the VM's certificate: %w", err)
	}
	sum := sha256.Sum256(block.Bytes)
	if got := hex.EncodeToString(sum[:]); !strings.EqualFold(got, res.FingerprintSHA256) {
		return Listener{}, false, fmt.Errorf("the certificate's SHA-256 is %s, the VM reported %s", got, res.FingerprintSHA256)
	}
	return Listener{Port: res.Port, FingerprintSHA256: strings.ToLower(res.FingerprintSHA256), CertPEM: res.CertPEM, Thumbprint: res.Thumbprint,
		Names: res.Names, Changed: res.Changed}, true, nil
}
