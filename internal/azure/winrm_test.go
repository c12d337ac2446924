package azure

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

// The WinRM bootstrap through Run Command returns a certificate a client can pin, for the names asked,
// and a second run reuses it.
func TestBootstrapWinRMThroughRunCommand(t *testing.T) {
	v := newFakeVM(t, winsim.Options{Profile: "ws2022", ComputerName: "VM1"})
	r := v.runner(t)
	r.MaxInlineScript = 0 // the real limit: the script is staged
	o := WinRMOptions{DNSNames: []string{"vm1.westeurope.cloudapp.azure.com"}, IPAddresses: []string{"20.1.2.3"}}
	l, err := BootstrapWinRM(context.Background(), r, o)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(l.CertPEM))
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil || l.Port != 5986 || !l.Changed || len(l.FingerprintSHA256) != 64 {
		t.Fatalf("%+v %v", l, err)
	}
	if err := c.VerifyHostname("vm1.westeurope.cloudapp.azure.com"); err != nil {
		t.Error(err)
	}
	if err := c.VerifyHostname("20.1.2.3"); err != nil {
		t.Error(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(c)
	if _, err := c.Verify(x509.VerifyOptions{Roots: pool, DNSName: "VM1"}); err != nil {
		t.Errorf("pinned as ca_cert, the certificate does not verify: %v", err)
	}
	again, err := BootstrapWinRM(context.Background(), r, o)
	if err != nil || again.Changed || again.FingerprintSHA256 != l.FingerprintSHA256 {
		t.Errorf("second run: changed %v, fingerprint %s vs %s, %v", again.Changed, again.FingerprintSHA256, l.FingerprintSHA256, err)
	}
	o.DNSNames = append(o.DNSNames, "other.example")
	if third, err := BootstrapWinRM(context.Background(), r, o); err != nil || !third.Changed || third.FingerprintSHA256 == l.FingerprintSHA256 {
		t.Errorf("a new name must give a new certificate: %+v %v", third, err)
	}
}

// Report mode changes nothing and returns the current certificate; remove mode removes only the
// listener that still uses the given certificate, and is idempotent.
func TestReadAndRemoveWinRM(t *testing.T) {
	v := newFakeVM(t, winsim.Options{Profile: "ws2022", ComputerName: "VM1"})
	r := v.runner(t)
	ctx := context.Background()
	if _, present, err := ReadWinRM(ctx, r); err != nil || present {
		t.Fatalf("before: present %v, %v", present, err)
	}
	if _, _, ok := v.Sim.HTTPSListener(); ok {
		t.Fatal("report mode created a listener")
	}
	l, err := BootstrapWinRM(ctx, r, WinRMOptions{Port: 5990, DNSNames: []string{"vm1.example"}})
	if err != nil {
		t.Fatal(err)
	}
	got, present, err := ReadWinRM(ctx, r)
	if err != nil || !present || got.FingerprintSHA256 != l.FingerprintSHA256 || got.CertPEM != l.CertPEM || got.Port != 5990 || got.Thumbprint != l.Thumbprint {
		t.Fatalf("report: %+v %v %v, want %+v", got, present, err, l)
	}
	if removed, err := RemoveWinRM(ctx, r, "0000"); err != nil || removed {
		t.Fatalf("another thumbprint: removed %v, %v", removed, err)
	}
	if _, _, ok := v.Sim.HTTPSListener(); !ok {
		t.Fatal("a listener with another certificate was removed")
	}
	if removed, err := RemoveWinRM(ctx, r, l.Thumbprint); err != nil || !removed {
		t.Fatalf("remove: %v, %v", removed, err)
	}
	if _, _, ok := v.Sim.HTTPSListener(); ok {
		t.Fatal("the listener is still there")
	}
	if removed, err := RemoveWinRM(ctx, r, l.Thumbprint); err != nil || removed {
		t.Fatalf("second remove: %v, %v", removed, err)
	}
}

// The preflight never passes silently: it passes only when the size table and the guest agree.
func TestPreflightNested(t *testing.T) {
	exposed := &facts.Virtualization{FirmwareEnabled: true, SLAT: true, VMMonitorModeExtensions: true, Manufacturer: "Microsoft Corporation", Model: "Virtual Machine"}
	hidden := &facts.Virtualization{HypervisorPresent: true, Manufacturer: "Microsoft Corporation", Model: "Virtual Machine"}
	cases := []struct {
		size, sec string
		guest     *facts.Virtualization
		ok        bool
		says      string
	}{
		{"Standard_D4s_v5", "Standard", exposed, true, ""},
		{"Standard_D4s_v5", "TrustedLaunch", exposed, true, ""},
		{"Standard_D4s_v5", "TrustedLaunch", hidden, false, "re-create it with Security Type \"Standard\""},
		{"Standard_D4s_v5", "Standard", nil, false, "has not been read"},
		{"Standard_B2s", "Standard", exposed, false, "B-series"},
		{"Standard_NC6s_v3", "Standard", exposed, false, "not in wincontainers' table"},
	}
	for _, c := range cases {
		p := preflightNested(c.size, c.sec, c.guest, 20348, false)
		err := p.Err()
		if p.OK != c.ok || (err == nil) != c.ok || (!c.ok && (!strings.Contains(err.Error(), c.says) || !strings.Contains(err.Error(), "override"))) {
			t.Errorf("%s %s %v: ok %v, err %v", c.size, c.sec, c.guest != nil, p.OK, err)
		}
		if !c.ok && len(p.Warnings) == 0 {
			t.Errorf("%s: a failed preflight without a warning", c.size)
		}
		if preflightNested(c.size, c.sec, c.guest, 20348, true).Err() != nil {
			t.Errorf("%s: the override must let it through", c.size)
		}
	}
	if p := preflightNested("Standard_D4s_v5", "TrustedLaunch", exposed, 20348, false); len(p.Caveats) == 0 || !strings.Contains(strings.Join(p.Caveats, " "), "Trusted Launch") {
		t.Errorf("Trusted Launch caveat missing: %v", p.Caveats)
	}
}

// The size and security type come from VirtualMachinesClient.Get (served by the fake), and with the
// facts read through Run Command the preflight runs against a simulated VM end to end.
func TestPreflightFromTheAPIAndTheGuest(t *testing.T) {
	v := newFakeVM(t, winsim.Options{Profile: "ws2022", Virtualization: "exposed"})
	v.Size = "Standard_D8as_v5"
	r := v.runner(t)
	size, sec, err := r.VMSizeAndSecurity(context.Background())
	if err != nil || size != "Standard_D8as_v5" || sec != "TrustedLaunch" {
		t.Fatalf("%s %s %v", size, sec, err)
	}
	o, err := r.Run(context.Background(), "facts", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := facts.Decode(o.Result)
	if err != nil {
		t.Fatal(err)
	}
	p := preflightNested(size, sec, &f.Virtualization, f.OS.Build, false)
	if !p.OK || p.Guest != "can_enable" || len(p.Caveats) != 2 {
		t.Errorf("%+v", p)
	}
}
