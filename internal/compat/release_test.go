package compat

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestReleaseFacts checks each server release against docs/knowledge/windows.md#releases-and-builds (builds, channels [HCS-OSV]),
// §2.1 (installation options [WSD-SC][WSD-AC]), §2.2 and §1.5 (lifecycle [WSD-RI-2026][MS-BIL-2023]).
func TestReleaseFacts(t *testing.T) {
	cases := []struct {
		name, profile string
		build         int
		channel       Channel
		display       string
		product       string
		editions      []Edition
		installs      []Installation
		available     Date
		eos           Date
	}{
		{"2016", "ws2016", 14393, LTSC, "1607", "Windows Server 2016", ltscEditions, bothInstalls, D(2016, 10, 15), D(2027, 1, 12)},
		{"1709", "ws1709", 16299, SAC, "1709", "Windows Server", ltscEditions, coreOnly, D(2017, 10, 17), D(2019, 4, 9)},
		{"1803", "ws1803", 17134, SAC, "1803", "Windows Server", ltscEditions, coreOnly, D(2018, 4, 30), D(2019, 11, 12)},
		{"1809", "ws1809", 17763, SAC, "1809", "Windows Server", ltscEditions, coreOnly, D(2018, 11, 13), D(2020, 11, 10)},
		{"2019", "ws2019", 17763, LTSC, "1809", "Windows Server 2019", ltscEditions, bothInstalls, D(2018, 11, 13), D(2029, 1, 9)},
		{"1903", "ws1903", 18362, SAC, "1903", "Windows Server", ltscEditions, coreOnly, D(2019, 5, 21), D(2020, 12, 8)},
		{"1909", "ws1909", 18363, SAC, "1909", "Windows Server", ltscEditions, coreOnly, D(2019, 11, 12), D(2021, 5, 11)},
		{"2004", "ws2004", 19041, SAC, "2004", "Windows Server", ltscEditions, coreOnly, D(2020, 5, 27), D(2021, 12, 14)},
		{"20H2", "ws20h2", 19042, SAC, "20H2", "Windows Server", ltscEditions, coreOnly, D(2020, 10, 20), D(2022, 8, 9)},
		{"2022", "ws2022", 20348, LTSC, "21H2", "Windows Server 2022", ltscEditions, bothInstalls, D(2021, 8, 18), D(2031, 10, 14)},
		{"23H2", "ws23h2", 25398, Annual, "23H2", "Windows Server 2022", []Edition{Datacenter}, coreOnly, D(2023, 10, 24), D(2025, 10, 24)},
		{"2025", "ws2025", 26100, LTSC, "24H2", "Windows Server 2025", ltscEditions, bothInstalls, D(2024, 11, 1), D(2034, 11, 14)},
	}
	if got := ServerReleaseNames(); len(got) != len(cases) {
		t.Fatalf("server releases %v, want %d (the design's os_version list)", got, len(cases))
	}
	for _, c := range cases {
		r, ok := LookupRelease(c.name)
		if !ok {
			t.Errorf("%s: not found", c.name)
			continue
		}
		if r.Profile != c.profile || r.Build != c.build || r.Channel != c.channel || r.DisplayVersion != c.display ||
			r.ProductName != c.product || !slices.Equal(r.Editions, c.editions) || !slices.Equal(r.Installations, c.installs) ||
			r.Available != c.available || r.EndOfSupport != c.eos || r.Kind != Server {
			t.Errorf("%s: got %+v", c.name, r)
		}
		if r.Source == "" {
			t.Errorf("%s: no source", c.name)
		}
	}
}

// TestChannelInvariants: SAC and the Annual Channel are Server Core only [WSD-SC][WSD-AC]; the Annual
// Channel is Datacenter only and reports the 2022 product name, so it must be recognised by build 25398.
func TestChannelInvariants(t *testing.T) {
	for _, r := range Releases() {
		switch r.Channel {
		case SAC, Annual:
			if r.SupportsInstallation(Desktop) || !r.SupportsInstallation(Core) {
				t.Errorf("%s (%s) must be Server Core only: %v", r.Name, r.Channel, r.Installations)
			}
		case LTSC:
			if !r.SupportsInstallation(Desktop) || !r.SupportsInstallation(Core) {
				t.Errorf("%s (LTSC) must allow core and desktop: %v", r.Name, r.Installations)
			}
		case ClientGA:
			if len(r.Installations) != 0 || r.Kind != Client {
				t.Errorf("%s: client rows carry no installation option", r.Name)
			}
			if !slices.Equal(r.Editions, []Edition{Pro, Enterprise}) {
				t.Errorf("%s: client container hosts are Pro and Enterprise [MS-SYSREQ]: %v", r.Name, r.Editions)
			}
		}
		if r.Channel == Annual && (r.ProductName != "Windows Server 2022" || r.Build != 25398 || !slices.Equal(r.Editions, []Edition{Datacenter})) {
			t.Errorf("Annual Channel facts wrong: %+v", r)
		}
	}
	// Two releases report "Windows Server 2022": only the build tells them apart.
	var named2022 []int
	for _, r := range Releases() {
		if r.ProductName == "Windows Server 2022" {
			named2022 = append(named2022, r.Build)
		}
	}
	if !slices.Equal(named2022, []int{20348, 25398}) {
		t.Errorf("releases named Windows Server 2022: %v", named2022)
	}
}

// TestClientBuilds: client builds [HCS-OSV][P-22631][I-OSBUILD58] (docs/knowledge/windows.md#releases-and-builds).
func TestClientBuilds(t *testing.T) {
	want := map[string]int{
		"win10-1607": 14393, "win10-1703": 15063, "win10-1709": 16299, "win10-1803": 17134, "win10-1809": 17763,
		"win10-1903": 18362, "win10-1909": 18363, "win10-2004": 19041, "win10-20h2": 19042, "win10-21h1": 19043,
		"win10-21h2": 19044, "win10-22h2": 19045, "win11-21h2": 22000, "win11-22h2": 22621, "win11-23h2": 22631,
		"win11-24h2": 26100, "win11-25h2": 26200,
	}
	for name, build := range want {
		r, ok := LookupRelease(name)
		if !ok || r.Build != build || r.Kind != Client {
			t.Errorf("%s: got %+v, want build %d", name, r, build)
		}
		wantProduct := "Windows 10"
		if build >= 22000 {
			wantProduct = "Windows 11"
		}
		if r.ProductName != wantProduct {
			t.Errorf("%s: product %q want %q", name, r.ProductName, wantProduct)
		}
	}
}

func TestOutOfSupport(t *testing.T) {
	day := D(2026, 11, 22)
	for name, want := range map[string]bool{
		"2016": false, "2019": false, "2022": false, "2025": false,
		"1709": true, "1809": true, "20H2": true, "23H2": true,
		"win10-22h2": false, // no lifecycle date in the sources: never claimed out of support
	} {
		r, _ := LookupRelease(name)
		if got := r.OutOfSupport(day); got != want {
			t.Errorf("%s OutOfSupport(%s) = %v, want %v", name, day, got, want)
		}
	}
	r, _ := LookupRelease("2016")
	if !r.OutOfSupport(D(2027, 1, 13)) || r.OutOfSupport(D(2027, 1, 12)) {
		t.Error("2016 support ends after 2027-01-12")
	}
}

func TestParseOS(t *testing.T) {
	cases := []struct {
		in        string
		release   string
		build     int
		rev       int
		fromBuild bool
	}{
		{"2016", "2016", 14393, 0, false},
		{" 2022 ", "2022", 20348, 0, false},
		{"ws2022", "2022", 20348, 0, false},
		{"ltsc2019", "2019", 17763, 0, false},
		{"LTSC2025", "2025", 26100, 0, false},
		{"23h2", "23H2", 25398, 0, false},
		{"20h2", "20H2", 19042, 0, false},
		{"1809", "1809", 17763, 0, false},
		{"win10-22H2", "win10-22h2", 19045, 0, false},
		{"windows-11-24h2", "win11-24h2", 26100, 0, false},
		{"Windows Server 2019", "2019", 17763, 0, false},
		{"17763", "2019", 17763, 0, true},
		{"17763.5936", "2019", 17763, 5936, true},
		{"10.0.17763", "2019", 17763, 0, true},
		{"10.0.20348.2700", "2022", 20348, 2700, true},
		{"26100", "2025", 26100, 0, true},
		{"25398", "23H2", 25398, 0, true},
		{"19045", "win10-22h2", 19045, 0, true},
		{"22000", "win11-21h2", 22000, 0, true},
	}
	for _, c := range cases {
		o, err := ParseOS(c.in)
		if err != nil {
			t.Errorf("ParseOS(%q): %v", c.in, err)
			continue
		}
		if o.Release.Name != c.release || o.Build != c.build || o.Revision != c.rev || o.FromBuild != c.fromBuild {
			t.Errorf("ParseOS(%q) = %s/%d.%d fromBuild=%v, want %s/%d.%d %v", c.in, o.Release.Name, o.Build, o.Revision, o.FromBuild,
				c.release, c.build, c.rev, c.fromBuild)
		}
	}
}

func TestParseOSErrors(t *testing.T) {
	cases := []struct {
		in   string
		kind error
		says []string
	}{
		{"", ErrMalformedOS, []string{"empty"}},
		{"2012", ErrUnknownOS, []string{"2012", "start with Windows Server 2016", "2022, 23H2"}},
		{"17000", ErrUnknownOS, []string{"17000", "14393"}},
		{"vista", ErrUnknownOS, []string{"vista", "2016, 1709", "win11"}},
		{"17763..1", ErrMalformedOS, []string{"17763..1"}},
		{"1.2.3.4.5", ErrMalformedOS, []string{"not a build number"}},
		{"11.0.17763", ErrMalformedOS, []string{"10.0.17763"}},
		{"99999999999999999999", ErrMalformedOS, []string{"too large"}},
		{"win12-24h2", ErrUnknownOS, []string{"win12-24h2"}},
	}
	for _, c := range cases {
		_, err := ParseOS(c.in)
		if !errors.Is(err, c.kind) {
			t.Errorf("ParseOS(%q) = %v, want %v", c.in, err, c.kind)
			continue
		}
		for _, s := range c.says {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("ParseOS(%q) error %q lacks %q", c.in, err, s)
			}
		}
	}
}

// TestImageCatalogueAbsences: the images that do not exist [MS-CBI][MS-CBI-2024][MS-BIL][MS-PORT].
func TestImageCatalogueAbsences(t *testing.T) {
	has := func(f ImageFamily, build int) bool {
		for _, b := range imagesForBuild(build) {
			if b.Family == f {
				return true
			}
		}
		return false
	}
	absent := []struct {
		f     ImageFamily
		build int
	}{
		{Windows, 20348}, {Windows, 26100}, // no `windows` image for 2022 or 2025
		{WinServer, 17763}, {WinServer, 14393}, // windows/server starts with 2022
		{NanoServer, 14393}, // only the retired SAC 1607 Nano image, not offered
		{Windows, 14393}, {Windows, 16299}, {Windows, 17134},
	}
	for _, a := range absent {
		if has(a.f, a.build) {
			t.Errorf("%s image for build %d must not exist", a.f, a.build)
		}
	}
	if len(imagesForBuild(25398)) != 0 {
		t.Error("no 23H2 images are published")
	}
	for _, b := range []int{22000, 19045, 26200} {
		if hasImages(b) {
			t.Errorf("client-only build %d has no images", b)
		}
	}
	present := map[string]bool{
		"mcr.microsoft.com/windows/servercore:ltsc2016": true, "mcr.microsoft.com/windows/servercore:ltsc2019": true,
		"mcr.microsoft.com/windows/nanoserver:1809": true, "mcr.microsoft.com/windows:1809": true,
		"mcr.microsoft.com/windows/servercore:20H2": true, "mcr.microsoft.com/windows/server:ltsc2022": true,
		"mcr.microsoft.com/windows/nanoserver:ltsc2025": true, "mcr.microsoft.com/windows/servercore:1709": true,
	}
	for _, b := range BaseImages() {
		delete(present, b.Reference())
		if b.Source == "" || b.Available.IsZero() || b.EndOfSupport.IsZero() || len(b.Tags) == 0 {
			t.Errorf("incomplete image row %+v", b)
		}
	}
	if len(present) != 0 {
		t.Errorf("missing images: %v", present)
	}
	// The copy is independent of the catalogue.
	imgs := BaseImages()
	imgs[0].Tags[0] = "mutated"
	if BaseImages()[0].Tags[0] == "mutated" {
		t.Error("BaseImages leaks the catalogue")
	}
}

func FuzzParseOS(f *testing.F) {
	for _, s := range []string{"2016", "10.0.17763.5936", "win11-24h2", "", "..", "1.2", "ltsc2022", "0", "-1", "１７７６３"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOS(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedOS) && !errors.Is(err, ErrUnknownOS) {
				t.Fatalf("ParseOS(%q): untyped error %v", s, err)
			}
			return
		}
		if o.Build <= 0 || o.Release.Name == "" || !slices.Contains(KnownBuilds(), o.Build) {
			t.Fatalf("ParseOS(%q) = %+v", s, o)
		}
		// Whatever parsed must be checkable without panicking.
		for _, iso := range isolations() {
			_ = CheckImage(o, o, iso)
		}
	})
}
