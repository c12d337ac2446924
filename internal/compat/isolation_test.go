package compat

import (
	"strings"
	"testing"
)

func mustOS(t *testing.T, s string) OS {
	t.Helper()
	o, err := ParseOS(s)
	if err != nil {
		t.Fatalf("ParseOS(%q): %v", s, err)
	}
	return o
}

// TestMatrixServerHosts encodes the current Microsoft matrix for Windows Server hosts cell by cell
// (docs/knowledge/windows.md#the-compatibility-matrix, [MS-VC] dated 2025-01-23). "(not listed)" cells are newer images on older hosts,
// which the general rule refuses (§1.2 "newer container image operating systems can't run on previous
// host operating system" [MS-PORT]).
func TestMatrixServerHosts(t *testing.T) {
	type verdicts struct{ hv, proc bool }
	images := []string{"2025", "2022", "2019", "2016"}
	matrix := map[string][4]verdicts{
		"2025": {{true, true}, {true, true}, {true, false}, {true, false}},
		"2022": {{false, false}, {true, true}, {true, false}, {true, false}},
		"2019": {{false, false}, {false, false}, {true, true}, {true, false}},
		"2016": {{false, false}, {false, false}, {false, false}, {true, true}},
	}
	for host, row := range matrix {
		for i, image := range images {
			h, im := mustOS(t, host), mustOS(t, image)
			if got := CheckImage(h, im, HyperV); got.Supported != row[i].hv {
				t.Errorf("host %s image %s hyperv: got %v want %v (%s)", host, image, got.Supported, row[i].hv, got.Reason)
			}
			if got := CheckImage(h, im, Process); got.Supported != row[i].proc {
				t.Errorf("host %s image %s process: got %v want %v (%s)", host, image, got.Supported, row[i].proc, got.Reason)
			}
		}
	}
}

// cell is one host/image pair with the expected Hyper-V and process verdicts.
type cell struct {
	host, image string
	hv, proc    bool
}

func checkCells(t *testing.T, cases []cell) {
	t.Helper()
	for _, c := range cases {
		h, im := mustOS(t, c.host), mustOS(t, c.image)
		if got := CheckImage(h, im, HyperV); got.Supported != c.hv {
			t.Errorf("host %s image %s hyperv: got %v want %v (%s)", c.host, c.image, got.Supported, c.hv, got.Reason)
		}
		if got := CheckImage(h, im, Process); got.Supported != c.proc {
			t.Errorf("host %s image %s process: got %v want %v (%s)", c.host, c.image, got.Supported, c.proc, got.Reason)
		}
	}
}

// TestMatrixClientHosts encodes the client rows of [MS-VC] (docs/knowledge/windows.md#the-compatibility-matrix): Windows 11 and Windows 10.
func TestMatrixClientHosts(t *testing.T) {
	cases := []cell{
		// Windows 11: WS2025 HV and process from 24H2 (footnote 1), WS2022 both, WS2019/2016 HV only.
		{"win11-24h2", "2025", true, true},
		{"win11-25h2", "2025", true, true},
		{"win11-23h2", "2025", false, false}, // footnote: "from Windows 11 24H2 onwards"; and newer image
		{"win11-21h2", "2022", true, true},
		{"win11-22h2", "2022", true, true},
		{"win11-24h2", "2022", true, true},
		{"win11-25h2", "2022", true, true},
		{"win11-22h2", "2019", true, false},
		{"win11-22h2", "2016", true, false},
		// Windows 10: WS2022 neither (newer image), WS2019 and WS2016 HV only.
		{"win10-22h2", "2022", false, false},
		{"win10-21h2", "2022", false, false}, // [I-1786]: refused by Docker; current table ❌
		{"win10-22h2", "2019", true, false},
		{"win10-22h2", "2016", true, false},
		{"win10-1809", "2016", true, false},
	}
	checkCells(t, cases)
}

// TestMatrixSACEra encodes the 2019-07 and 2021-05 revisions of the matrix (docs/knowledge/windows.md#earlier-revisions-of-the-matrix,
// [MS-VC-2019][MS-VC-2021a][MS-VC-2021b]) for the Semi-Annual Channel builds.
func TestMatrixSACEra(t *testing.T) {
	cases := []cell{
		{"20H2", "20H2", true, true},
		{"20H2", "2004", true, false},
		{"20H2", "1909", true, false},
		{"20H2", "1903", true, false},
		{"20H2", "2019", true, false},
		{"20H2", "2016", true, false},
		{"2004", "2004", true, true},
		{"2004", "20H2", false, false},
		{"1909", "1909", true, true},
		{"1909", "1903", true, false},
		{"1903", "1903", true, true},
		{"1903", "2019", true, false},
		{"2019", "1903", false, false}, // "2019 host: ... all SAC ❌"
		{"2019", "1803", true, false},  // 2019-07: 1803 image HV on 2019
		{"1803", "1803", true, true},
		{"1803", "1709", true, false},
		{"1709", "1709", true, true},
		{"1709", "2016", true, false},
		{"2016", "1709", false, false}, // 1709 image "not on 2016"
		{"1809", "2019", true, true},   // same build 17763
		{"2022", "20H2", true, false},  // 2021-10: 2022 host runs SAC images HV only
		{"2022", "1909", true, false},
		{"win10-1903", "1903", true, true}, // FAQ/isolation page: 1809+ clients, same build (DISAGREEMENT noted)
		{"win10-1903", "2019", true, false},
		{"win10-1809", "2019", true, true},
		{"win10-1803", "1803", true, false}, // clients before 1809: Hyper-V only [MOBY-C907]
		{"win10-20h2", "20H2", true, true},
		{"win10-21h2", "20H2", true, false}, // no 19044 images; process needs the same build
	}
	checkCells(t, cases)
}

// TestAnnualChannel: "A Windows Server, version 23H2 container host only supports the Windows Server
// 2022 LTSC container image" [MS-PORT][WSD-AC]; no 23H2 images exist [MS-BIL].
func TestAnnualChannel(t *testing.T) {
	host := mustOS(t, "23H2")
	for _, iso := range isolations() {
		if v := CheckImage(host, mustOS(t, "2022"), iso); !v.Supported {
			t.Errorf("23H2 + 2022 %s: %s", iso, v.Reason)
		}
		for _, image := range []string{"2019", "2016", "20H2"} {
			if v := CheckImage(host, mustOS(t, image), iso); v.Supported || !strings.Contains(v.Reason, "ltsc2022") {
				t.Errorf("23H2 + %s %s: want refusal naming ltsc2022, got %+v", image, iso, v)
			}
		}
		v := CheckImage(host, host, iso)
		if v.Supported || !strings.Contains(v.Reason, "no container images are published") {
			t.Errorf("23H2 image: want 'no images', got %+v", v)
		}
	}
	if v := CheckImage(mustOS(t, "2025"), host, HyperV); v.Supported {
		t.Errorf("23H2 image on 2025: no such image exists, got supported")
	}
}

// TestRevisionRule: on hosts before 1809 the revision must match too [MS-VC] (example 14393.1914 vs
// 14393.1944); the rule does not apply from 1809.
func TestRevisionRule(t *testing.T) {
	cases := []struct {
		host, image string
		proc        bool
		caveat      bool
	}{
		{"14393.1914", "14393.1944", false, false},
		{"10.0.14393.1944", "14393.1944", true, false},
		{"2016", "2016", true, true}, // revisions unknown: supported with the caveat
		{"16299.15", "16299.98", false, false},
		{"17763.1", "17763.5936", true, false},
		{"20348.1", "20348.2", true, false},
	}
	for _, c := range cases {
		v := CheckImage(mustOS(t, c.host), mustOS(t, c.image), Process)
		if v.Supported != c.proc {
			t.Errorf("%s vs %s: got %v want %v (%s)", c.host, c.image, v.Supported, c.proc, v.Reason)
		}
		hasCaveat := false
		for _, cv := range v.Caveats {
			if strings.Contains(cv, "revisions") {
				hasCaveat = true
			}
		}
		if hasCaveat != c.caveat {
			t.Errorf("%s vs %s: revision caveat %v, want %v (%v)", c.host, c.image, hasCaveat, c.caveat, v.Caveats)
		}
		if !v.Supported && !strings.Contains(v.Reason, "revision") {
			t.Errorf("%s vs %s: refusal must name the revision rule: %s", c.host, c.image, v.Reason)
		}
	}
}

func TestVerdictReasonsNameTheBuildAndSource(t *testing.T) {
	v := CheckImage(mustOS(t, "2019"), mustOS(t, "2022"), Process)
	for _, want := range []string{"20348", "17763", "newer"} {
		if !strings.Contains(v.Reason, want) {
			t.Errorf("reason %q lacks %q", v.Reason, want)
		}
	}
	if len(v.Sources) == 0 {
		t.Error("verdict without source")
	}
	v = CheckImage(mustOS(t, "2022"), mustOS(t, "2019"), Process)
	if !strings.Contains(v.Reason, "0xc0370101") || !strings.Contains(v.Reason, "servercore:ltsc2022") {
		t.Errorf("mismatch reason should quote the error and the matching tag: %s", v.Reason)
	}
	v = CheckImage(mustOS(t, "2022"), mustOS(t, "2016"), HyperV)
	if len(v.Caveats) == 0 || !strings.Contains(v.Caveats[0], "nested virtualization") {
		t.Errorf("Hyper-V verdict should warn about virtualization: %+v", v)
	}
}

func TestImagesFor(t *testing.T) {
	day := D(2026, 11, 22)
	refs := func(ms []ImageMatch) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Image.Reference())
		}
		return out
	}
	cases := []struct {
		host           string
		iso            Isolation
		includeRetired bool
		want           []string
	}{
		{"2022", Process, false, []string{
			"mcr.microsoft.com/windows/servercore:ltsc2022", "mcr.microsoft.com/windows/nanoserver:ltsc2022", "mcr.microsoft.com/windows/server:ltsc2022"}},
		{"2025", Process, false, []string{
			"mcr.microsoft.com/windows/servercore:ltsc2025", "mcr.microsoft.com/windows/nanoserver:ltsc2025", "mcr.microsoft.com/windows/server:ltsc2025",
			"mcr.microsoft.com/windows/servercore:ltsc2022", "mcr.microsoft.com/windows/nanoserver:ltsc2022", "mcr.microsoft.com/windows/server:ltsc2022"}},
		{"23H2", Process, false, []string{
			"mcr.microsoft.com/windows/servercore:ltsc2022", "mcr.microsoft.com/windows/nanoserver:ltsc2022", "mcr.microsoft.com/windows/server:ltsc2022"}},
		{"2019", Process, false, []string{"mcr.microsoft.com/windows/servercore:ltsc2019", "mcr.microsoft.com/windows/nanoserver:1809", "mcr.microsoft.com/windows:1809"}},
		{"2016", HyperV, false, []string{"mcr.microsoft.com/windows/servercore:ltsc2016"}},
		{"2019", HyperV, false, []string{
			"mcr.microsoft.com/windows/servercore:ltsc2019", "mcr.microsoft.com/windows/nanoserver:1809", "mcr.microsoft.com/windows:1809",
			"mcr.microsoft.com/windows/servercore:ltsc2016"}},
		{"2019", HyperV, true, []string{
			"mcr.microsoft.com/windows/servercore:ltsc2019", "mcr.microsoft.com/windows/nanoserver:1809", "mcr.microsoft.com/windows:1809",
			"mcr.microsoft.com/windows/servercore:1803", "mcr.microsoft.com/windows/nanoserver:1803",
			"mcr.microsoft.com/windows/servercore:1709", "mcr.microsoft.com/windows/nanoserver:1709",
			"mcr.microsoft.com/windows/servercore:ltsc2016"}},
		{"win10-22h2", Process, false, nil},
		{"win10-22h2", Process, true, nil},
	}
	for _, c := range cases {
		got := refs(ImagesFor(mustOS(t, c.host), c.iso, day, c.includeRetired))
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("ImagesFor(%s, %s, retired=%v):\n got  %v\n want %v", c.host, c.iso, c.includeRetired, got, c.want)
		}
	}
}
