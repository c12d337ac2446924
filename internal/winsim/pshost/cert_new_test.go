package pshost

import (
	"crypto/x509"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

func newCert(th *testHost, ext []string) callResult {
	return th.call("New-SelfSignedCertificate", map[string]any{"CertStoreLocation": `Cert:\LocalMachine\My`, "Subject": "CN=WINSIM-TEST",
		"TextExtension": ext, "KeyAlgorithm": "RSA", "KeyLength": int32(2048), "HashAlgorithm": "SHA256",
		"NotAfter": value.FromTime(time.Now().AddDate(0, 0, 365), value.UTC)})
}

// winrm-listener.ps1's call, with the two extensions as two strings.
func TestNewSelfSignedCertificate(t *testing.T) {
	th := newTestHost(t, machine.Config{})
	r := newCert(th, []string{"2.5.29.17={text}DNS=WINSIM-TEST&DNS=vm1.example&IPAddress=10.0.0.4", "2.5.29.37={text}1.3.6.1.5.5.7.3.1"})
	if r.err != nil || len(r.out) != 1 {
		t.Fatalf("%+v %s", r, r.errText())
	}
	obj := r.out[0].(*object)
	raw, _ := obj.Property("RawData")
	ta, ok := raw.(*value.TypedArray)
	if !ok || ta.Elem != "System.Byte" {
		t.Fatalf("RawData %T", raw)
	}
	der := make([]byte, len(ta.Values))
	for i, b := range ta.Values {
		der[i] = b.(uint8)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.DNSNames, ",") != "WINSIM-TEST,vm1.example" || len(c.IPAddresses) != 1 || !c.IPAddresses[0].Equal(net.ParseIP("10.0.0.4")) {
		t.Fatalf("names %v %v", c.DNSNames, c.IPAddresses)
	}
	if len(c.ExtKeyUsage) != 1 || c.ExtKeyUsage[0] != x509.ExtKeyUsageServerAuth || c.SignatureAlgorithm != x509.SHA256WithRSA {
		t.Fatalf("eku %v sig %v", c.ExtKeyUsage, c.SignatureAlgorithm)
	}
	tp := prop(t, obj, "Thumbprint")
	if tp != machine.Thumbprint(der) {
		t.Fatal("thumbprint")
	}
	// DnsNameList: DNS names only, never the IP address.
	dl, _ := obj.Property("DnsNameList")
	var names []string
	for _, it := range dl.(*collection).Items() {
		names = append(names, value.ToString(it))
	}
	if strings.Join(names, ",") != "WINSIM-TEST,vm1.example" {
		t.Fatalf("DnsNameList %v", names)
	}
	// The SAN extension's RawData is the DER value winrm-listener.ps1 decodes.
	exts, _ := obj.Property("Extensions")
	found := false
	for _, e := range exts.(*collection).Items() {
		oid, _ := e.(*object).Property("Oid")
		if prop(t, oid, "Value") == "2.5.29.17" {
			rd, _ := e.(*object).Property("RawData")
			found = rd.(*value.TypedArray).Values[0] == uint8(0x30)
		}
	}
	if !found {
		t.Fatal("no SAN extension with DER RawData")
	}
	// In the store, by path.
	item, ok, err := certItem(th.w, `Cert:\LocalMachine\My\`+tp)
	if err != nil || !ok || prop(t, item, "Thumbprint") != tp {
		t.Fatalf("CertItem: %v %v", ok, err)
	}
	prov := CertProvider(th.w)
	if ok, container, err := prov.Exists(`Cert:\LocalMachine\My\` + tp); !ok || container || err != nil {
		t.Fatalf("Exists: %v %v %v", ok, container, err)
	}
	if items, err := prov.Children(`Cert:\LocalMachine\My`, false); err != nil || len(items) != 1 {
		t.Fatalf("Children: %v %v", items, err)
	}
	if ok, err := removeCertItem(th.w, `Cert:\LocalMachine\My\`+strings.ToLower(tp)); !ok || err != nil {
		t.Fatalf("RemoveCertItem: %v %v", ok, err)
	}
	if _, ok, _ := certItem(th.w, `Cert:\LocalMachine\My\`+tp); ok {
		t.Fatal("still there")
	}
}

// The defect of 5251737: both extensions joined into one string. CertEnroll refuses the last
// IPAddress; without an IP address the certificate would have a bogus last DNS name and no EKU.
func TestTextExtensionsJoinedByMistake(t *testing.T) {
	th := newTestHost(t, machine.Config{})
	joined := "2.5.29.17={text}DNS=WINSIM-TEST&IPAddress=10.0.0.4 2.5.29.37={text}1.3.6.1.5.5.7.3.1"
	r := newCert(th, []string{joined})
	if r.err == nil || !strings.Contains(r.err.Error(), "CertEnroll::") || !strings.Contains(r.err.Error(), "0x80070057") {
		t.Fatalf("want CertEnroll's refusal, got %+v", r)
	}
	if certs, _ := th.w.Certificates(machine.LocalMachineMy); len(certs) != 0 {
		t.Fatal("a certificate was stored")
	}
	r = newCert(th, []string{"2.5.29.17={text}DNS=WINSIM-TEST 2.5.29.37={text}1.3.6.1.5.5.7.3.1"})
	if r.err != nil {
		t.Fatal(r.errText())
	}
	c, _ := x509.ParseCertificate(der(t, r.out[0]))
	if len(c.DNSNames) != 1 || c.DNSNames[0] != "WINSIM-TEST 2.5.29.37={text}1.3.6.1.5.5.7.3.1" || len(c.ExtKeyUsage) != 0 {
		t.Fatalf("names %q eku %v", c.DNSNames, c.ExtKeyUsage)
	}
	for _, bad := range []string{"2.5.29.17={text}DNS", "x.y={text}DNS=a", "2.5.29.37={text}server", "2.5.29.17={hex}zz"} {
		if r := newCert(th, []string{bad}); r.err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func der(t *testing.T, v any) []byte {
	t.Helper()
	raw, _ := v.(*object).Property("RawData")
	ta := raw.(*value.TypedArray)
	out := make([]byte, len(ta.Values))
	for i, b := range ta.Values {
		out[i] = b.(uint8)
	}
	return out
}
