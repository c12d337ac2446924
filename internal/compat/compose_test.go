package compat

import (
	"strings"
	"testing"
)

func TestDockerAPIVersion(t *testing.T) {
	for _, c := range []struct{ docker, api string }{
		{"17.06.2", "1.30"}, {"18.09.11", "1.39"}, {"19.03.15", "1.40"}, {"20.10.24", "1.41"}, {"23.0.6", "1.42"},
		{"24.0.9", "1.43"}, {"25.0.5", "1.44"}, {"27.3.1", "1.47"}, {"28.1.1", "1.49"}, {"29.2.1", "1.53"}, {"17.03.2", ""},
	} {
		if got := dockerAPIVersion(MustVersion(c.docker)); got != c.api {
			t.Errorf("DockerAPIVersion(%s) = %q, want %q", c.docker, got, c.api)
		}
	}
}

func TestComposeAPIFloor(t *testing.T) {
	for _, c := range []struct{ compose, floor string }{
		{"2.0.0", ""}, {"2.40.3", ""}, {"5.0.2", ""}, {"5.1.0", "1.44"}, {"5.1.1", "1.40"}, {"5.5.0", "1.40"},
	} {
		if got := composeAPIFloor(MustVersion(c.compose)); got != c.floor {
			t.Errorf("ComposeAPIFloor(%s) = %q, want %q", c.compose, got, c.floor)
		}
	}
	if !apiLess("1.9", "1.40") || apiLess("1.41", "1.40") || apiLess("1.40", "1.40") {
		t.Error("APILess does not compare API versions numerically")
	}
}

func TestDefaultComposeVersionFor(t *testing.T) {
	for _, c := range []struct{ docker, want string }{
		{DefaultDockerVersion, DefaultComposeVersion}, {DefaultLegacyDockerVersion, DefaultComposeVersion},
		{"19.03.15", DefaultComposeVersion}, {"18.09.11", LegacyComposeVersion}, {"17.06.2", LegacyComposeVersion},
	} {
		if got := DefaultComposeVersionFor(MustVersion(c.docker)); got != c.want {
			t.Errorf("DefaultComposeVersionFor(%s) = %s, want %s", c.docker, got, c.want)
		}
	}
}

func TestComposeURLs(t *testing.T) {
	exe, sums := ComposeURLs("5.5.0")
	if exe != "https://github.com/docker/compose/releases/download/v5.5.0/docker-compose-windows-x86_64.exe" ||
		sums != "https://github.com/docker/compose/releases/download/v5.5.0/checksums.txt" {
		t.Fatalf("ComposeURLs = %s, %s", exe, sums)
	}
}

func TestCheckCompose(t *testing.T) {
	ws2016, ws2019 := mustParseOS(t, "2016"), mustParseOS(t, "2019")
	for _, c := range []struct {
		name  string
		spec  ComposeSpec
		codes []string
	}{
		{"current compose on current docker", ComposeSpec{OS: &ws2019, Mode: ModeProcess, Engine: Docker, Docker: MustVersion("29.2.1"), Version: MustVersion("5.5.0"), Network: ComposeNetworkNAT}, nil},
		{"current compose on 20.10", ComposeSpec{OS: &ws2016, Mode: ModeProcess, Engine: Docker, Docker: MustVersion("20.10.24"), Version: MustVersion("5.5.0"), Network: ComposeNetworkNAT}, nil},
		{"current compose on 18.09", ComposeSpec{OS: &ws2016, Mode: ModeProcess, Engine: Docker, Docker: MustVersion("18.09.11"), Version: MustVersion("5.5.0")}, []string{"compose_api_too_old"}},
		{"5.1.0 needs 25.0", ComposeSpec{Engine: Docker, Docker: MustVersion("24.0.9"), Version: MustVersion("5.1.0")}, []string{"compose_api_too_old"}},
		{"5.1.0 on 25.0", ComposeSpec{Engine: Docker, Docker: MustVersion("25.0.5"), Version: MustVersion("5.1.0")}, nil},
		{"v2 on 17.06", ComposeSpec{Engine: Docker, Docker: MustVersion("17.06.2"), Version: MustVersion("2.40.3")}, nil},
		{"compose v1", ComposeSpec{Engine: Docker, Docker: MustVersion("20.10.24"), Version: MustVersion("1.29.2")}, []string{"compose_v1"}},
		{"own network on 2016", ComposeSpec{OS: &ws2016, Engine: Docker, Docker: MustVersion("20.10.24"), Version: MustVersion("5.5.0"), Network: ComposeNetworkProject}, []string{"compose_network_2016"}},
		{"own network on 2019", ComposeSpec{OS: &ws2019, Engine: Docker, Docker: MustVersion("29.2.1"), Version: MustVersion("5.5.0"), Network: ComposeNetworkProject}, nil},
		{"nerdctl compose", ComposeSpec{OS: &ws2019, Engine: Containerd, Network: ComposeNetworkNAT}, nil},
		{"docker lcow", ComposeSpec{OS: &ws2019, Mode: ModeLCOW, Engine: Docker, Docker: MustVersion("20.10.24"), Version: MustVersion("5.5.0")}, []string{"compose_lcow_platform"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fs := CheckCompose(c.spec)
			var got []string
			for _, f := range fs {
				got = append(got, f.Code)
				if f.Severity == SeverityError && (!strings.Contains(f.Detail, "Use") || len(f.Sources) == 0) {
					t.Errorf("%s: an error must name a remedy and its sources: %s", f.Code, f.Detail)
				}
			}
			if strings.Join(got, ",") != strings.Join(c.codes, ",") {
				t.Fatalf("codes %v, want %v (%v)", got, c.codes, fs)
			}
		})
	}
}

func mustParseOS(t *testing.T, s string) OS {
	t.Helper()
	o, err := ParseOS(s)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// Compose's own error texts are explained by the catalogue, not mistaken for the engine's HNS start error.
func TestExplainComposeErrors(t *testing.T) {
	for text, want := range map[string]string{
		"failed to create network p_default: Error response from daemon: HNS failed with error : The parameter is incorrect. ":        "external",
		"API version 1.39 is not supported by this client: the minimum supported API version is 1.40":                                 "2.40.3",
		"Error response from daemon: client version 1.44 is too new. Maximum supported API version is 1.41":                           "DOCKER_API_VERSION",
		"ERROR: client version 1.22 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version": "2.1",
	} {
		if got := Explain(text); !strings.Contains(got, want) {
			t.Errorf("Explain(%q) = %q, want it to mention %q", text, got, want)
		}
	}
}
