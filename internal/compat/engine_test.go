package compat

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func osp(t *testing.T, s string) *OS {
	t.Helper()
	o := mustOS(t, s)
	return &o
}

func codes(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

// TestEngineRules covers every engine/mode/edition rule with the finding codes it must (and must not)
// produce. Sources per row are in engine.go beside each rule.
func TestEngineRules(t *testing.T) {
	cases := []struct {
		name    string
		spec    Combination
		want    []string // codes that must be present
		notWant []string // codes that must be absent
		errors  int      // number of error findings
	}{
		// [MOBY-SYS] Docker >= 23 needs 17763.
		{"docker27 on 2016", Combination{OS: osp(t, "2016"), Mode: ModeProcess, Engine: Docker, Version: MustVersion("27.3.1")},
			[]string{"docker_23_needs_17763"}, nil, 1},
		{"docker23.0.0 on 1803", Combination{OS: osp(t, "1803"), Mode: ModeProcess, Engine: Docker, Version: MustVersion("23.0.0")},
			[]string{"docker_23_needs_17763"}, nil, 1},
		{"docker20.10 on 2016", Combination{OS: osp(t, "2016"), Mode: ModeProcess, Engine: Docker, Version: MustVersion("20.10.24")},
			nil, []string{"docker_23_needs_17763"}, 0},
		{"docker27 on 2019", Combination{OS: osp(t, "2019"), Mode: ModeProcess, Engine: Docker, Version: MustVersion("27.3.1")},
			nil, []string{"docker_23_needs_17763"}, 0},
		{"docker27 unknown host", Combination{Mode: ModeProcess, Engine: Docker, Version: MustVersion("27.3.1")}, nil, nil, 0},
		{"containerd on 2016: its own floor, not Docker's", Combination{OS: osp(t, "2016"), Mode: ModeProcess, Engine: Containerd, Version: MustVersion("2.1.2")},
			[]string{"containerd_needs_17763"}, []string{"docker_23_needs_17763"}, 1},
		{"containerd on 1809", Combination{OS: osp(t, "1809"), Mode: ModeProcess, Engine: Containerd, Version: MustVersion("2.1.2")},
			nil, []string{"containerd_needs_17763"}, 0},

		// LCOW: 2016 never (seed 000; [MOBY-LCOW]).
		{"lcow on 2016 containerd", Combination{OS: osp(t, "2016"), Mode: ModeLCOW, Engine: Containerd, Version: MustVersion("2.1.2")},
			[]string{"lcow_host_too_old", "lcow_deprecated"}, nil, 1},
		{"lcow on 2016 docker 20.10", Combination{OS: osp(t, "2016"), Mode: ModeLCOW, Engine: Docker, Version: MustVersion("20.10.24")},
			[]string{"lcow_host_too_old"}, nil, 1},
		// Docker eras [MOBY-LCOW].
		{"lcow docker 27 removed", Combination{OS: osp(t, "2022"), Mode: ModeLCOW, Engine: Docker, Version: MustVersion("27.3.1")},
			[]string{"lcow_removed_from_docker", "lcow_deprecated"}, nil, 1},
		{"lcow docker 23.0.0 removed", Combination{OS: osp(t, "2019"), Mode: ModeLCOW, Engine: Docker, Version: MustVersion("23.0.0")},
			[]string{"lcow_removed_from_docker"}, nil, 1},
		{"lcow docker 20.10 on 2019", Combination{OS: osp(t, "2019"), Mode: ModeLCOW, Engine: Docker, Version: MustVersion("20.10.24")},
			[]string{"lcow_docker_deprecated", "lcow_experimental"}, []string{"lcow_docker_needs_17763"}, 0},
		{"lcow docker 19.03 on 1803", Combination{OS: osp(t, "1803"), Mode: ModeLCOW, Engine: Docker, Version: MustVersion("19.03.5")},
			[]string{"lcow_docker_needs_17763"}, nil, 1},
		{"lcow docker 18.09 on 1709", Combination{OS: osp(t, "1709"), Mode: ModeLCOW, Engine: Docker, Version: MustVersion("18.09.1")},
			[]string{"lcow_experimental"}, []string{"lcow_docker_needs_16299", "lcow_docker_deprecated"}, 0},
		{"lcow docker 18.02 on 1803", Combination{OS: osp(t, "1803"), Mode: ModeLCOW, Engine: Docker, Version: MustVersion("18.02.0")},
			[]string{"lcow_experimental"}, nil, 0},
		{"lcow docker 17.10 LCOW_SUPPORTED era", Combination{OS: osp(t, "1709"), Mode: ModeLCOW, Engine: Docker, Version: MustVersion("17.10.0-ce")},
			[]string{"lcow_supported_env"}, nil, 1},
		{"lcow docker 17.06 too old", Combination{OS: osp(t, "1709"), Mode: ModeLCOW, Engine: Docker, Version: MustVersion("17.06.2-ee-17")},
			[]string{"lcow_docker_too_old"}, nil, 1},
		// containerd LCOW [HCS][CTRD-LCOW][I-CTRD9822][I-CTRD6313].
		{"lcow containerd on 2022", Combination{OS: osp(t, "2022"), Mode: ModeLCOW, Engine: Containerd, Version: MustVersion("2.1.2")},
			[]string{"lcow_boot_files", "lcow_deprecated"}, nil, 0},
		{"lcow containerd 1.5.7", Combination{OS: osp(t, "2022"), Mode: ModeLCOW, Engine: Containerd, Version: MustVersion("1.5.7")},
			[]string{"lcow_containerd_too_old"}, nil, 1},
		{"lcow containerd on 1803", Combination{OS: osp(t, "1803"), Mode: ModeLCOW, Engine: Containerd, Version: MustVersion("2.1.2")},
			[]string{"lcow_containerd_needs_17763"}, nil, 1},

		// Editions [MS-FAQ][WSD-AC][MS-SYSREQ].
		{"standard hyperv warns", Combination{OS: osp(t, "2022"), Edition: Standard, Mode: ModeHyperV, Engine: Docker, Version: MustVersion("27.3.1")},
			[]string{"standard_hyperv_limit"}, nil, 0},
		{"standard lcow warns", Combination{OS: osp(t, "2022"), Edition: Standard, Mode: ModeLCOW, Engine: Containerd, Version: MustVersion("2.1.2")},
			[]string{"standard_hyperv_limit"}, nil, 0},
		{"datacenter hyperv quiet", Combination{OS: osp(t, "2022"), Edition: Datacenter, Mode: ModeHyperV, Engine: Docker, Version: MustVersion("27.3.1")},
			nil, []string{"standard_hyperv_limit"}, 0},
		{"standard process quiet", Combination{OS: osp(t, "2022"), Edition: Standard, Mode: ModeProcess, Engine: Docker},
			nil, []string{"standard_hyperv_limit"}, 0},
		{"annual standard refused", Combination{OS: osp(t, "23H2"), Edition: Standard, Mode: ModeProcess, Engine: Docker},
			[]string{"edition_not_supported"}, nil, 1},
		{"client standard refused", Combination{OS: osp(t, "win11-24h2"), Edition: Standard, Mode: ModeHyperV, Engine: Docker},
			[]string{"edition_not_supported"}, nil, 1},

		// Clients [MS-FAQ][MOBY-C907].
		{"client process 1803 refused", Combination{OS: osp(t, "win10-1803"), Mode: ModeProcess, Engine: Docker, Version: MustVersion("20.10.24")},
			[]string{"client_process_needs_1809"}, nil, 1},
		{"client process docker 18.06 refused", Combination{OS: osp(t, "win10-1809"), Mode: ModeProcess, Engine: Docker, Version: MustVersion("18.06.1-ce")},
			[]string{"client_process_docker_too_old"}, nil, 1},
		{"client process dev only", Combination{OS: osp(t, "win11-24h2"), Mode: ModeProcess, Engine: Docker, Version: MustVersion("29.2.1")},
			[]string{"client_process_dev_only"}, nil, 0},
		{"client hyperv fine", Combination{OS: osp(t, "win10-1803"), Mode: ModeHyperV, Engine: Docker, Version: MustVersion("20.10.24")},
			nil, []string{"client_process_needs_1809", "client_process_dev_only"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := CheckEngine(c.spec)
			got := codes(fs)
			for _, w := range c.want {
				if !HasCode(fs, w) {
					t.Errorf("missing %s in %v", w, got)
				}
			}
			for _, w := range c.notWant {
				if HasCode(fs, w) {
					t.Errorf("unexpected %s in %v", w, got)
				}
			}
			if n := len(Errors(fs)); n != c.errors {
				t.Errorf("%d errors, want %d: %v", n, c.errors, fs)
			}
			for _, f := range fs {
				if f.Summary == "" || f.Detail == "" || len(f.Sources) == 0 {
					t.Errorf("finding %s lacks summary, detail or source", f.Code)
				}
			}
		})
	}
}

// The seed story: Windows Server 2016 with LCOW must name the build, why, and what would work.
func TestLCOWOn2016Message(t *testing.T) {
	fs := Errors(CheckEngine(Combination{OS: osp(t, "2016"), Mode: ModeLCOW, Engine: Containerd}))
	if len(fs) != 1 {
		t.Fatalf("want one error, got %v", fs)
	}
	msg := fs[0].Summary + " " + fs[0].Detail
	for _, want := range []string{"14393", "1709", "16299", "2019", "containerd", "Docker 18.02-20.10"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}

func TestDefaults(t *testing.T) {
	cases := []struct {
		engine EngineType
		build  int
		mode   Mode
		want   string
	}{
		{Docker, 20348, ModeProcess, DefaultDockerVersion},
		{Docker, 0, ModeHyperV, DefaultDockerVersion},
		{Docker, 14393, ModeProcess, DefaultLegacyDockerVersion},
		{Docker, 17134, ModeHyperV, DefaultLegacyDockerVersion},
		{Docker, 20348, ModeLCOW, DefaultLegacyDockerVersion},
		{Containerd, 17763, ModeProcess, DefaultContainerdVersion},
	}
	for _, c := range cases {
		got := DefaultEngineVersion(c.engine, c.build, c.mode)
		if got != c.want {
			t.Errorf("DefaultEngineVersion(%s,%d,%s)=%s want %s", c.engine, c.build, c.mode, got, c.want)
		}
		// A default must itself pass the engine rules for that host.
		if c.build > 0 {
			o := mustOS(t, strconv.Itoa(c.build))
			if errs := Errors(CheckEngine(Combination{OS: &o, Mode: ModeProcess, Engine: c.engine, Version: MustVersion(got)})); len(errs) > 0 {
				t.Errorf("default %s %s fails on %d: %v", c.engine, got, c.build, errs)
			}
		}
	}
	if DefaultEngine(ModeLCOW) != Containerd || DefaultEngine(ModeProcess) != Docker || DefaultEngine(ModeHyperV) != Docker {
		t.Error("default engines")
	}
	// Docker 23+ is not the default on a host it cannot run on, and the LCOW default has LCOW.
	if errs := Errors(CheckEngine(Combination{OS: osp(t, "2019"), Mode: ModeLCOW, Engine: Docker,
		Version: MustVersion(DefaultEngineVersion(Docker, 17763, ModeLCOW))})); len(errs) > 0 {
		t.Errorf("default LCOW docker fails on 2019: %v", errs)
	}
}

func TestParseVersion(t *testing.T) {
	cases := []struct {
		in            string
		maj, min, pat int
		suffix, str   string
	}{
		{"27.3.1", 27, 3, 1, "", "27.3.1"},
		{"v27.3.1", 27, 3, 1, "", "27.3.1"},
		{"17.06.2-ce", 17, 6, 2, "ce", "17.06.2-ce"},
		{"17.06.2-ee-17", 17, 6, 2, "ee-17", "17.06.2-ee-17"},
		{"20.10", 20, 10, 0, "", "20.10"},
		{"2.0.0-rc.1", 2, 0, 0, "rc.1", "2.0.0-rc.1"},
	}
	for _, c := range cases {
		v, err := ParseVersion(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if v.Major != c.maj || v.Minor != c.min || v.Patch != c.pat || v.Suffix != c.suffix || v.String() != c.str {
			t.Errorf("%s: got %+v %q", c.in, v, v.String())
		}
	}
	for _, bad := range []string{"", "27", "27.x.1", "1.2.3.4", "27.3.1-", "27.3.1-ä", "latest", "1234567.1.1", "-1.2.3"} {
		if _, err := ParseVersion(bad); !errors.Is(err, ErrMalformedVersion) {
			t.Errorf("%q: want ErrMalformedVersion, got %v", bad, err)
		}
	}
	ordered := []string{"17.06.2-ce", "18.02.0", "18.09.1", "19.03.0", "20.10.24", "23.0.0", "27.3.1", "29.2.1"}
	for i := 1; i < len(ordered); i++ {
		if !MustVersion(ordered[i-1]).Less(MustVersion(ordered[i])) {
			t.Errorf("%s should be < %s", ordered[i-1], ordered[i])
		}
	}
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"27.3.1", "17.06.2-ce", "v1.7.13", "", "1..2", "1.2.3-", "٣.٣.٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedVersion) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		again, err := ParseVersion(v.String())
		if err != nil || again.Compare(v) != 0 || again.Suffix != v.Suffix {
			t.Fatalf("%q -> %q does not round-trip: %v", s, v.String(), err)
		}
	})
}
