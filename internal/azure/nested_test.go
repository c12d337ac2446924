package azure

import (
	"strings"
	"testing"
)

// TestNestedVirtualization encodes docs/knowledge/azure.md#nested-virtualization-by-size row by row.
func TestNestedVirtualization(t *testing.T) {
	cases := []struct {
		size   string
		build  int
		sec    string
		answer Nested
		says   string
	}{
		{"Standard_D4s_v3", 20348, "Standard", NestedYes, "Dsv3"},
		{"Standard_D8ds_v4", 20348, "Standard", NestedYes, "Ddsv4"},
		{"Standard_D4s_v5", 17763, "Standard", NestedYes, "Dsv5"},
		{"Standard_D4ds_v5", 0, "", NestedYes, ""},
		{"Standard_D2ls_v5", 20348, "Standard", NestedYes, "Dlsv5"},
		{"Standard_D4as_v5", 20348, "Standard", NestedYes, "Dasv5"},
		{"Standard_D4ads_v5", 26100, "Standard", NestedYes, ""},
		{"Standard_D4s_v6", 26100, "Standard", NestedYes, ""},
		{"Standard_D4as_v6", 20348, "Standard", NestedYes, ""},
		{"Standard_E8s_v3", 20348, "Standard", NestedYes, "Ev3"},
		{"Standard_E16ds_v5", 20348, "Standard", NestedYes, ""},
		{"Standard_F8s_v2", 20348, "Standard", NestedYes, "Fsv2"},
		{"Standard_FX4mds", 20348, "Standard", NestedYes, "FX"},
		{"Standard_M64ms", 20348, "Standard", NestedYes, "M family"},
		{"Standard_L8s_v3", 20348, "Standard", NestedYes, ""},
		{"Standard_L8as_v3", 20348, "Standard", NestedYes, ""},
		// Not supported.
		{"Standard_B2s", 20348, "Standard", NestedNo, "B-series"},
		{"Standard_B4as_v2", 20348, "Standard", NestedNo, "B-series"},
		{"Standard_A2_v2", 20348, "Standard", NestedNo, "A-series"},
		{"Standard_D2_v2", 20348, "Standard", NestedNo, "Dv2"},
		{"Standard_DS3_v2", 20348, "Standard", NestedNo, "Dv2/DSv2"},
		{"Standard_D4as_v4", 20348, "Standard", NestedNo, "AMD v4"},
		{"Standard_D4a_v4", 20348, "Standard", NestedNo, "AMD v4"},
		{"Standard_D4ps_v5", 20348, "Standard", NestedNo, "Arm64"},
		{"Standard_DC4s_v3", 20348, "Standard", NestedNo, "confidential"},
		{"Standard_EC8as_v5", 20348, "Standard", NestedNo, "confidential"},
		// AMD with Windows Server 2019 in the VM: needs 2022+ (derived from Microsoft's nested page).
		{"Standard_D4as_v5", 17763, "Standard", NestedNo, "build 17763"},
		// Security type.
		{"Standard_D4s_v5", 20348, "ConfidentialVM", NestedNo, "confidential VMs"},
		// Unknown families warn, never pass silently.
		{"Standard_NC6s_v3", 20348, "Standard", NestedUnknown, "not in wincontainers' table"},
		{"Standard_HB120rs_v3", 20348, "Standard", NestedUnknown, "Dsv5"},
		{"not-a-size", 20348, "Standard", NestedUnknown, "not an Azure VM size"},
	}
	for _, c := range cases {
		v := nestedVirtualization(c.size, c.build, c.sec)
		if v.Answer != c.answer || !strings.Contains(v.Reason, c.says) {
			t.Errorf("%s (build %d, %s): %s %q, want %s containing %q", c.size, c.build, c.sec, v.Answer, v.Reason, c.answer, c.says)
		}
	}
	v := nestedVirtualization("Standard_D4as_v5", 0, "TrustedLaunch")
	if v.Answer != NestedYes || len(v.Caveats) != 2 || !strings.Contains(v.Caveats[0], "Windows Server 2022") || !strings.Contains(v.Caveats[1], "Standard") {
		t.Errorf("AMD + Trusted Launch caveats: %+v", v)
	}
	if v := nestedVirtualization("Standard_D4s_v5", 20348, ""); len(v.Caveats) != 1 || !strings.Contains(v.Caveats[0], "Security Type") {
		t.Errorf("unknown security type must carry the Standard advice: %+v", v)
	}
}

func FuzzNestedVirtualization(f *testing.F) {
	for _, s := range []string{"Standard_D4s_v5", "Standard_B2s", "", "standard_d4_v", "Standard_D99999999999999999999s_v5"} {
		f.Add(s, 20348, "Standard")
	}
	f.Fuzz(func(t *testing.T, size string, build int, sec string) {
		v := nestedVirtualization(size, build, sec)
		if v.Reason == "" || (v.Answer != NestedYes && v.Answer != NestedNo && v.Answer != NestedUnknown) {
			t.Fatalf("%q: %+v", size, v)
		}
	})
}
