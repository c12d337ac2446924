package compat

import (
	"regexp"
	"strings"
)

// KnownError maps an error text that engines and Windows print to a cause and a remedy.
type KnownError struct {
	// ID is stable ("hns_default_network", "build_mismatch").
	ID string
	// Example is the text as reported, for documentation and tests.
	Example string
	Cause   string
	Remedy  string
	Sources []string
	pattern *regexp.Regexp
}

// knownErrors is the catalogue of docs/knowledge/windows.md#known-errors and the seed documents (docs/knowledge/windows.md#the-seed-documents). Order matters:
// Match returns every hit in this order, most specific first. Patterns are case-insensitive and
// tolerate the variants seen in reports (quoting, localised tails, HRESULTs).
var knownErrors = []KnownError{
	{
		ID:      "docker_build_floor",
		Example: "this version of Windows does not support the docker daemon (Windows build 17763 or higher is required)",
		Cause:   "Docker 23.0 or later on a host older than build 17763 (Server 2016, 1709, 1803)",
		Remedy:  "install Docker 20.10.x on this host, or move to Windows Server 2019 or later",
		Sources: []string{"[MOBY-SYS]", "https://github.com/moby/moby/commit/1b3fef5"},
		pattern: re(`does not support the docker daemon`),
	},
	{
		ID:      "build_mismatch",
		Example: "The operating system of the container does not match the operating system of the host. (0xc0370101)",
		Cause:   "process isolation with an image whose build differs from the host's",
		Remedy:  "use the base image tag that matches the host build, or run with --isolation=hyperv if the host is newer than the image",
		Sources: []string{"[MS-VC]", srcVersionCompat},
		pattern: re(`operating system of the container does not match|0xc0370101`),
	},
	{
		ID:      "image_newer_than_host",
		Example: "a Windows version 10.0.20348-based image is incompatible with a 10.0.17763 host",
		Cause:   "the image was built on a newer Windows build than the host; Docker refuses it under any isolation",
		Remedy:  "use an image of the host's build or older, or upgrade the host",
		Sources: []string{"[MOBY-PULL]", "[I-39328]", "[I-1786]"},
		pattern: re(`windows version [0-9.]+-based image is incompatible with a [0-9.]+ host`),
	},
	{
		ID:      "no_matching_manifest",
		Example: "no matching manifest for unknown in the manifest list entries",
		Cause:   "no variant of the image exists for this host's OS build (host too old for the tag), or the image is Linux-only",
		Remedy:  "pick the tag published for the host build (ltsc2019, ltsc2022, ltsc2025 ...), or update the host",
		Sources: []string{"[P-WS2019GA]", "[I-LK22]"},
		pattern: re(`no matching manifest for (unknown|windows/amd64)`),
	},
	{
		ID:      "linux_image_on_windows_daemon",
		Example: `image operating system "linux" cannot be used on this platform`,
		Cause:   "a Linux image was pulled or run against a daemon that runs Windows containers (seen on Windows Server 2016, which can never run Linux containers)",
		Remedy:  "use a Windows image; for Linux containers use container_mode = \"lcow\" on a 2019+ host with containerd (or legacy Docker 18.02-20.10 with experimental), or a Linux host",
		Sources: []string{"[I-27668]", "[I-KM2828]", "seed 000"},
		pattern: re(`image operating system "?linux"? cannot be used on this platform`),
	},
	{
		ID:      "windows_image_on_linux_daemon",
		Example: `image operating system "windows" cannot be used on this platform`,
		Cause:   "a Windows image was pulled or run against a Linux daemon (Docker Desktop in Linux mode, or a Linux host)",
		Remedy:  "switch the daemon to Windows containers (DockerCli.exe -SwitchDaemon) or run the image on a Windows host",
		Sources: []string{"[I-FW4116]"},
		pattern: re(`image operating system "?windows"? cannot be used on this platform`),
	},
	{
		ID:      "windows_image_unknown_blob",
		Example: "docker: unknown blob",
		Cause:   "a Windows image was pulled by a Linux Docker engine, which cannot fetch its foreign layers",
		Remedy:  "run Windows images on a Windows container host",
		Sources: []string{"seed 003"},
		pattern: re(`unknown blob`),
	},
	{
		ID:      "api_version_too_old",
		Example: "client version 1.22 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version",
		Cause:   "an old client (docker-compose with a version 2.0 compose file, docker-py) speaks an API older than the daemon's minimum",
		Remedy:  "use compose file format 2.1 or later, or a newer client; a Go client should negotiate the API version",
		Sources: []string{"[I-COMPOSE4106]", "[I-28072]", "[I-FW1242]", "seed 000"},
		pattern: re(`client version [0-9.]+ is too old\. minimum supported api version is`),
	},
	{
		ID:      "api_version_too_new",
		Example: "Error response from daemon: client version 1.44 is too new. Maximum supported API version is 1.41",
		Cause:   "a client that does not negotiate (DOCKER_API_VERSION set, or a pinned-version SDK) asked for a newer Engine API than the daemon serves",
		Remedy:  "unset DOCKER_API_VERSION (Compose v2 and later negotiate the version), set it to the daemon's API version, or upgrade the engine",
		Sources: []string{"moby api/server/middleware/version.go", "https://docs.docker.com/reference/api/engine/#api-version-matrix"},
		pattern: re(`client version [0-9.]+ is too new\. maximum supported api version is`),
	},
	{
		ID:      "client_api_floor",
		Example: "API version 1.39 is not supported by this client: the minimum supported API version is 1.40",
		Cause:   "the client (Compose 5.1 and later, built on moby/moby/client) negotiates no lower than its minimum Engine API, and the daemon is older",
		Remedy:  "use Compose 2.40.3 (the last Compose v2, which negotiates down to any Windows daemon) or a Docker that serves the client's minimum API (19.03 for 1.40, 25.0 for 1.44)",
		Sources: []string{"moby/moby client/client.go (MinAPIVersion)"},
		pattern: re(`api version [0-9.]+ is not supported by this client`),
	},
	{
		ID:      "compose_network_hns",
		Example: `failed to create network app_default: Error response from daemon: HNS failed with error : The parameter is incorrect.`,
		Cause:   "compose tried to create its project network on an engine whose HNS cannot create another NAT network (Windows Server 2016)",
		Remedy:  "use the existing nat network as external in the compose file (networks: default: name: nat, external: true), or compose.network = \"nat\"",
		Sources: []string{"seed 000", "docker/compose#4024", "docker/compose pkg/compose/create.go"},
		// Compose v1 printed `Creating network "x_default" with the default driver`; v2 and later
		// `failed to create network x_default: ...`.
		pattern: re(`creating network .* with the default driver|failed to create network \S+: .*hns failed with error`),
	},
	{
		ID:      "hns_default_network",
		Example: "Error starting daemon: Error initializing network controller: Error creating default network: HNS failed with error : The parameter is incorrect.",
		Cause:   "a stale or conflicting NAT (Get-NetNat entries, for example a custom NAT for Hyper-V VMs) blocks the default nat network",
		Remedy:  "run Get-NetNat | Remove-NetNat, then restart the docker service; or set \"bridge\": \"none\" / a non-overlapping fixed-cidr",
		Sources: []string{"[I-FW598]", "[I-30280]", "moby#29207"},
		pattern: re(`hns failed with error ?: ?(the parameter is incorrect|パラメーターが間違っています)`),
	},
	{
		ID:      "hns_first_boot",
		Example: "failed to start daemon: Error initializing network controller: error creating default network: failed during hnsCallRawResponse: hnsCall failed in Win32: {Application Error}\r\nThe exception %s (0x (0x23e)",
		Cause:   "the Host Network Service was not ready when Windows started the docker service at boot (the first start after installing the engine and restarting)",
		Remedy: "start the service again (Start-Service docker); a later start succeeds. The restart actions dockerd --register-service sets (60 s) " +
			"apply only to crashes, not to this failed start, so the service stays stopped until started: wincontainers plans start-service for it",
		Sources: []string{"[I-50093]", "moby cmd/dockerd/service_windows.go registerService, handler.Execute"},
		pattern: re(`hnscallrawresponse|hnscall failed.*0x23e`),
	},
	{
		ID:      "pipe_not_found",
		Example: "error during connect: ... open //./pipe/docker_engine: The system cannot find the file specified.",
		Cause:   "dockerd is not running (or the client is not elevated and cannot reach the pipe)",
		Remedy:  "start the docker service and read the Application event log (source docker); run the client elevated, or add the user to the daemon.json \"group\"",
		Sources: []string{"[MOBY-CLIENT]", "[I-FW1922]", "[MS-DOCKERD]", "seed 003"},
		pattern: re(`pipe/docker_engine: the system cannot find the file specified`),
	},
	{
		ID:      "pipe_access_denied",
		Example: "open //./pipe/docker_engine: Access is denied.",
		Cause:   "a non-administrator client without permission on the engine's named pipe",
		Remedy:  "run elevated, or set \"group\" in daemon.json to a group the user belongs to",
		Sources: []string{"[I-COMPOSE5103]", "[MS-DBG]"},
		pattern: re(`pipe/docker_engine: access is denied`),
	},
	{
		ID:      "listener_config",
		Example: "fatal: failed to load listeners: open //./pipe/docker_engine: The system cannot find the path specified.",
		Cause:   "the daemon's listener configuration is broken",
		Remedy:  "check \"hosts\" in daemon.json against the flags on the service command line",
		Sources: []string{"[I-1633]"},
		pattern: re(`failed to load listeners`),
	},
	{
		ID:      "flag_and_file_conflict",
		Example: "unable to configure the Docker daemon with file C:\\ProgramData\\docker\\config\\daemon.json: the following directives are specified both as a flag and in the configuration file: hosts",
		Cause:   "the same option is set as a service flag (for example -H) and in daemon.json",
		Remedy:  "keep the option in one place; wincontainers registers the service without flags that daemon.json sets",
		Sources: []string{"[I-31291]", "[I-FW2178]"},
		pattern: re(`specified both as a flag and in the configuration file`),
	},
	{
		ID:      "hyperv_not_installed",
		Example: "hcsshim::CreateComputeSystem ...: The virtual machine could not be started because a required feature is not installed.",
		Cause:   "Hyper-V isolation (the default on Windows client, or --isolation=hyperv) without the Hyper-V role or a running hypervisor",
		Remedy:  "install the Hyper-V feature and reboot; inside a VM enable nested virtualization; or use --isolation=process on Windows Server",
		Sources: []string{"[I-40792]", "[I-FW6606]", "[I-CLAUDE42888]"},
		pattern: re(`required feature is not installed|0x80370102`),
	},
	{
		ID:      "no_hypervisor",
		Example: "failure in a Windows system call: No hypervisor is present on this system. (0xc0351000)",
		Cause:   "Hyper-V isolation or LCOW on a machine whose Windows hypervisor is not running: a VM without exposed virtualization extensions, or a boot configuration with hypervisorlaunchtype Off",
		Remedy: "enable nested virtualization (Hyper-V: Set-VMProcessor -ExposeVirtualizationExtensions $true with the VM off; VMware: vhv.enable; Azure: a nested-capable size with Security Type Standard), " +
			"or run bcdedit /set hypervisorlaunchtype auto; then reboot",
		Sources: []string{"[I-27198]", "[I-29079]", "[I-FW2710]", "[MS-NESTED]"},
		pattern: re(`no hypervisor is present|0xc0351000`),
	},
	{
		ID:      "nested_timeout",
		Example: "hcs::CreateComputeSystem ...: hcsshim: timeout waiting for notification",
		Cause:   "Hyper-V isolation in a nested VM on ESXi with AMD processors",
		Remedy:  "reported and unresolved upstream; use process isolation, Intel hosts, or Hyper-V as the outer hypervisor",
		Sources: []string{"[I-WC382]"},
		pattern: re(`timeout waiting for notification`),
	},
	{
		ID:      "docker_desktop_nested",
		Example: "Unable to write to the database. Exit code: 1",
		Cause:   "Docker for Windows started in a VM without nested virtualization (it needs a hypervisor for its Linux VM)",
		Remedy:  "enable nested virtualization for the VM, or run the engine on a Windows Server host",
		Sources: []string{"seed 003"},
		pattern: re(`unable to write to the database\. exit code: 1`),
	},
	{
		ID:      "containers_feature_missing",
		Example: "Error starting daemon: Failed to load vmcompute.dll. Ensure that the Containers role is installed.",
		Cause:   "the Containers feature is missing or its reboot has not happened yet (or the edition, such as Windows 10 Home, has none)",
		Remedy:  "install the Containers feature and reboot",
		Sources: []string{"[I-FW1082]", "[I-1270]", "[MOBY-SYS]"},
		pattern: re(`vmcompute\.dll|ensure the containers feature is installed|failed to open service hns`),
	},
	{
		ID:      "panic_log_access",
		Example: `fatal: open C:\ProgramData\docker\panic.log: Access is denied.`,
		Cause:   "a regression in Docker EE 20.10.8 after reboot",
		Remedy:  "use Docker CE (the Moby static binaries)",
		Sources: []string{"[GHA-6220]", "[GHA-4397]"},
		pattern: re(`panic\.log: access is denied`),
	},
	{
		ID:      "cni_not_initialized",
		Example: "ctr: no network config found in /etc/cni/net.d: cni plugin not initialized",
		Cause:   "containerd without its CNI configuration (0-containerd-nat.conf) or the Windows CNI plugins",
		Remedy: "install the windows-container-networking plugins into the CNI bin_dir and write 0-containerd-nat.conf (type nat, name nat, ipam subnet and routes dst/gw) into conf_dir; " +
			"the nat plugin creates the HNS network at the first container. wincontainers' install-containerd step does both: apply again",
		Sources: []string{"[I-WCN70]", "[I-NERD2112]"},
		pattern: re(`cni plugin not initialized|needs cni plugin "?nat"? to be installed`),
	},
	{
		ID:      "lcow_kernel_missing",
		Example: `failed to start service utility VM (createreadwrite): kernel 'C:\Program Files\Linux Containers\kernel' not found.`,
		Cause:   "the LCOW boot files are missing",
		Remedy:  "install the LinuxKit kernel and initrd.img into C:\\Program Files\\Linux Containers (wincontainers' lcow settings do this)",
		Sources: []string{"[I-38320]"},
		pattern: re(`kernel '.*linux containers.*kernel' not found`),
	},
	{
		ID:      "lcow_not_enabled",
		Example: `invalid platform: invalid platform os "linux"`,
		Cause:   "LCOW is not enabled on the engine (experimental off, or an engine without LCOW)",
		Remedy:  "for legacy Docker 18.02-20.10 enable experimental; Docker 23+ has no LCOW: use containerd",
		Sources: []string{"[I-FW2241]", "[I-FW4004]"},
		pattern: re(`invalid platform os "?linux"?|unsupported os linux`),
	},
	{
		ID:      "import_layer_failure",
		Example: "hcsshim::ImportLayer - Win32 API call returned error r1=2147549183 err=Catastrophic failure",
		Cause:   "layer import failed in the Windows container storage (seen with Server 2016 technical previews when a build step wrote through a POSIX layer such as Cygwin)",
		Remedy:  "avoid the failing build step, update the host to a released build, and check free disk space under C:\\ProgramData\\docker\\windowsfilter",
		Sources: []string{"seed 002"},
		pattern: re(`hcsshim::importlayer`),
	},
	{
		ID:      "restart_always_after_reboot",
		Example: "containers with --restart=always do not come back after host reboot",
		Cause:   "the docker service starts before the components it needs",
		Remedy:  "set the service to Automatic (Delayed Start) or add a dependency",
		Sources: []string{"[I-27544]", "[I-33542]"},
		pattern: re(`restart=always.*(after|following) (a )?(host )?reboot`),
	},
}

func re(p string) *regexp.Regexp { return regexp.MustCompile(`(?is)` + p) }

// KnownErrors returns a copy of the catalogue.
func KnownErrors() []KnownError {
	out := make([]KnownError, len(knownErrors))
	copy(out, knownErrors)
	return out
}

// MatchError returns every known error whose pattern occurs in text, most specific first.
func MatchError(text string) []KnownError {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	var out []KnownError
	for _, k := range knownErrors {
		if k.pattern.MatchString(text) {
			out = append(out, k)
		}
	}
	return out
}

// Explain returns "cause: ...; remedy: ..." for the best match, or "" when nothing matches.
func Explain(text string) string {
	m := MatchError(text)
	if len(m) == 0 {
		return ""
	}
	return "cause: " + m[0].Cause + "; remedy: " + m[0].Remedy
}
