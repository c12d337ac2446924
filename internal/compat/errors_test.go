package compat

import (
	"strings"
	"testing"
)

// Every catalogue entry must recognise its own documented example first.
func TestKnownErrorsMatchTheirExamples(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range KnownErrors() {
		if seen[k.ID] {
			t.Errorf("duplicate id %s", k.ID)
		}
		seen[k.ID] = true
		if k.Cause == "" || k.Remedy == "" || len(k.Sources) == 0 || k.Example == "" {
			t.Errorf("%s: incomplete entry", k.ID)
		}
		m := MatchError(k.Example)
		if len(m) == 0 || m[0].ID != k.ID {
			ids := []string{}
			for _, x := range m {
				ids = append(ids, x.ID)
			}
			t.Errorf("%s: example %q matched %v first", k.ID, k.Example, ids)
		}
	}
}

// Texts as they appear in real output (docs/knowledge/windows.md#known-errors and the seeds), with surrounding noise.
func TestKnownErrorsInRealOutput(t *testing.T) {
	cases := []struct {
		text string
		id   string
	}{
		{"time=\"2026-11-22T10:00:00Z\" level=fatal msg=\"failed to start daemon: this version of Windows does not support the docker daemon (Windows build 17763 or higher is required)\"", "docker_build_floor"},
		{"docker: Error response from daemon: container 3f2a encountered an error during hcsshim::System::CreateProcess: failure in a Windows system call: The operating system of the container does not match the operating system of the host. (0xc0370101)", "build_mismatch"},
		{"ERROR: image operating system \"linux\" cannot be used on this platform", "linux_image_on_windows_daemon"},
		{"ERROR: HNS failed with error : パラメーターが間違っています。 (The parameter is incorrect.)", "hns_default_network"},
		{"Creating network \"hogehoge_default\" with the default driver\nERROR: HNS failed with error : パラメーターが間違っています。 (The parameter is incorrect.)", "compose_network_hns"},
		{"ERROR: client version 1.22 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version", "api_version_too_old"},
		{"An error occurred trying to connect: Get http://%2F%2F.%2Fpipe%2Fdocker_engine/v1.24/info: open //./pipe/docker_engine: The system cannot find the file specified.", "pipe_not_found"},
		{"hcsshim::ImportLayer - Win32 API call returned error r1=2147549183 err=Catastrophic failure layerId=27dc flavour=1", "import_layer_failure"},
		{"docker: Error response from daemon: hcsshim::CreateComputeSystem 8e1b: The virtual machine could not be started because a required feature is not installed.", "hyperv_not_installed"},
		{"container 8e1b encountered an error during CreateContainer: failure in a Windows system call: No hypervisor is present on this system. (0xc0351000)", "no_hypervisor"},
		{"Error starting daemon: a required service is not installed, ensure the Containers feature is installed: failed to open service hns", "containers_feature_missing"},
		{"docker: Error response from daemon: a Windows version 10.0.20348-based image is incompatible with a 10.0.17763 host.", "image_newer_than_host"},
		{"1809: Pulling from windows/servercore\nno matching manifest for windows/amd64 10.0.14393 in the manifest list entries", "no_matching_manifest"},
		{"Error response from daemon: failed to start service utility VM (createreadwrite): kernel 'C:\\Program Files\\Linux Containers\\kernel' not found.", "lcow_kernel_missing"},
		{"ctr: no network config found in /etc/cni/net.d: cni plugin not initialized: failed to load cni config", "cni_not_initialized"},
		{"unable to configure the Docker daemon with file C:\\ProgramData\\docker\\config\\daemon.json: the following directives are specified both as a flag and in the configuration file: hosts: (from flag: [npipe://], from file: [tcp://0.0.0.0:2376])", "flag_and_file_conflict"},
	}
	for _, c := range cases {
		m := MatchError(c.text)
		if len(m) == 0 || m[0].ID != c.id {
			got := "nothing"
			if len(m) > 0 {
				got = m[0].ID
			}
			t.Errorf("%q: matched %s, want %s", c.text, got, c.id)
		}
	}
}

func TestExplain(t *testing.T) {
	if Explain("all good") != "" || Explain("   ") != "" || MatchError("") != nil {
		t.Error("unrelated text must not match")
	}
	got := Explain("No hypervisor is present on this system")
	if !strings.HasPrefix(got, "cause: ") || !strings.Contains(got, "nested virtualization") {
		t.Errorf("Explain: %q", got)
	}
}

func FuzzMatchError(f *testing.F) {
	for _, k := range KnownErrors() {
		f.Add(k.Example)
	}
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		for _, k := range MatchError(s) {
			if k.ID == "" || k.Remedy == "" {
				t.Fatalf("bad match %+v", k)
			}
		}
	})
}
