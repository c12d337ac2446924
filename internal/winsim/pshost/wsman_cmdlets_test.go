package pshost

import (
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

func table(kv ...string) *value.Hashtable {
	h := value.NewHashtable()
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func TestWSManListener(t *testing.T) {
	th := newTestHost(t, machine.Config{})
	sel := table("Address", "*", "Transport", "HTTPS")
	q := func(extra ...string) map[string]any {
		b := map[string]any{"ResourceURI": "winrm/config/listener", "SelectorSet": sel}
		if len(extra) > 0 {
			b["ValueSet"] = table(extra...)
		}
		return b
	}
	r := th.call("Get-WSManInstance", q())
	if len(r.errs) != 1 || !strings.Contains(r.errs[0].Exception.Message, `Code="2150858752"`) ||
		!strings.Contains(r.errs[0].Exception.Message, "The service cannot find the resource identified by the resource URI and selectors.") ||
		r.errs[0].FullyQualifiedErrorId != "WsManError,Microsoft.WSMan.Management.GetWSManInstanceCommand" {
		t.Fatalf("%s", r.errText())
	}
	// A thumbprint that names no certificate.
	r = th.call("New-WSManInstance", q("Hostname", "WINSIM-TEST", "CertificateThumbprint", strings.Repeat("AB", 20), "Port", "5986"))
	if len(r.errs) != 1 || !strings.Contains(r.errs[0].Exception.Message, "cannot find the certificate") {
		t.Fatalf("%s", r.errText())
	}
	cert := newCert(th, []string{"2.5.29.17={text}DNS=WINSIM-TEST"})
	tp := prop(t, cert.out[0], "Thumbprint")
	if r := th.call("New-WSManInstance", q("Hostname", "WINSIM-TEST", "CertificateThumbprint", tp, "Port", "5986")); len(r.errs) != 0 || r.err != nil {
		t.Fatal(r.errText())
	}
	r = th.call("New-WSManInstance", q("Hostname", "WINSIM-TEST", "CertificateThumbprint", tp, "Port", "5986"))
	if len(r.errs) != 1 || !strings.Contains(r.errs[0].Exception.Message, "Cannot create a file when that file already exists.") {
		t.Fatalf("%s", r.errText())
	}
	r = th.call("Get-WSManInstance", q())
	if len(r.out) != 1 || prop(t, r.out[0], "CertificateThumbprint") != tp || prop(t, r.out[0], "Port") != "5986" || prop(t, r.out[0], "Enabled") != "true" {
		t.Fatalf("%+v", r)
	}
	if r := th.call("Set-WSManInstance", q("Port", "5999")); r.err != nil || len(r.errs) != 0 || prop(t, r.out[0], "Port") != "5999" {
		t.Fatalf("%+v", r)
	}
	if r := th.call("Remove-WSManInstance", q()); len(r.errs) != 0 {
		t.Fatal(r.errText())
	}
	if l := th.w.Listeners(); len(l) != 1 || l[0].Transport != "HTTP" {
		t.Fatalf("listeners %+v", l)
	}
	if r := th.call("Get-WSManInstance", map[string]any{"ResourceURI": "winrm/config/service/auth"}); r.err == nil {
		t.Fatal("another resource must fail loudly")
	}
}

func TestFirewallRules(t *testing.T) {
	th := newTestHost(t, machine.Config{})
	name := "wincontainers-winrm-https"
	r := th.call("Get-NetFirewallRule", map[string]any{"Name": []string{name}})
	if len(r.errs) != 1 || r.errs[0].Exception.Message != "No MSFT_NetFirewallRule objects found with property 'Name' equal to '"+name+"'.  Verify the value of the property and retry." {
		t.Fatalf("%s", r.errText())
	}
	args := map[string]any{"Name": name, "DisplayName": "Windows Remote Management (HTTPS-In, wincontainers)", "Direction": "Inbound",
		"Protocol": "TCP", "LocalPort": []string{"5986"}, "Action": "Allow", "Profile": "Any"}
	if r := th.call("New-NetFirewallRule", args); r.err != nil || len(r.errs) != 0 || len(r.out) != 1 {
		t.Fatal(r.errText())
	}
	if r := th.call("New-NetFirewallRule", args); len(r.errs) != 1 {
		t.Fatal("a duplicate name")
	}
	if r := th.call("Get-NetFirewallRule", map[string]any{"Name": []string{name}}); len(r.out) != 1 || prop(t, r.out[0], "Direction") != "Inbound" {
		t.Fatalf("%+v", r)
	}
	bad := map[string]any{"DisplayName": "x", "Direction": "Sideways"}
	if r := th.call("New-NetFirewallRule", bad); r.err == nil {
		t.Fatal("a bad direction")
	}
	if r := th.call("Remove-NetFirewallRule", map[string]any{"Name": []string{name}}); len(r.errs) != 0 {
		t.Fatal(r.errText())
	}
	if r := th.call("Remove-NetFirewallRule", map[string]any{"Name": []string{name}}); len(r.errs) != 1 {
		t.Fatal("removing a missing rule is the not-found error")
	}
}
