package compat

import "testing"

// Every finding says what it is about, so that front doors attach it to the right setting: swept over
// every release, mode, engine, edition and a spread of versions.
func TestEveryFindingHasASubject(t *testing.T) {
	versions := map[EngineType][]string{Docker: {"17.06.0", "17.09.0", "18.03.0", "19.03.5", "20.10.24", "27.3.1"}, Containerd: {"1.5.7", "1.7.0", "2.1.2"}}
	seen := 0
	for _, r := range Releases() {
		os := &OS{Release: r, Build: r.Build}
		for _, mode := range []Mode{ModeProcess, ModeHyperV, ModeLCOW} {
			for _, e := range EngineTypes() {
				for _, v := range versions[e] {
					for _, ed := range []Edition{"", Standard, Datacenter} {
						for _, f := range CheckEngine(Combination{OS: os, Edition: ed, Mode: mode, Engine: e, Version: MustVersion(v)}) {
							seen++
							if f.Subject == "" {
								t.Errorf("%s on %s (%s, %s %s): no subject", f.Code, r.Title, mode, e, v)
							}
						}
					}
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("the sweep produced no findings")
	}
}
