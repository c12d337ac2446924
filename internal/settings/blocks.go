package settings

import "github.com/wincontainers/wincontainers/internal/compat"

func engine() Block {
	return Block{
		Name: "engine", Type: "Engine",
		Doc:        "The container engine. Default: Docker (containerd for LCOW on hosts where Docker's LCOW is gone) at a pinned version that fits the host and mode.",
		Note:       "is the container engine to install.",
		PackerNote: "is the `engine` block; it mirrors wincontainers_host's engine.",
		Settings: []Setting{
			{Name: "type", Field: "Type", Kind: String, Values: strs(compat.EngineTypes()),
				Terraform: "`docker` or `containerd`.",
				Packer: "`docker` or `containerd`. Default: `docker`, or `containerd` for `container_mode = \"lcow\"` (Docker's " +
					"LCOW ended with Docker 20.10).",
				Note: "Type is docker or containerd; defaults by mode (compat.DefaultEngine)."},
			{Name: "version", Field: "Version", Kind: String,
				Terraform: "Engine version, for example `27.3.1` (Docker) or `1.7.22` (containerd). Changing it upgrades or downgrades in place.",
				Packer: "Engine version, for example `27.3.1` (Docker) or `1.7.22` (containerd). Default: a pinned version that " +
					"fits the release and mode: Docker 29.2.1 on build 17763 (Windows Server 2019) and later, Docker " +
					"20.10.24 below it and for LCOW with Docker, containerd 2.1.2. Docker 23.0 and later refuse to start " +
					"below build 17763, so such a combination is refused.",
				Note: "Version defaults to a pinned version that fits the host and mode (compat.DefaultEngineVersion)."},
			{Name: "sha256", Field: "SHA256", Kind: String,
				Terraform: "SHA-256 of the engine archive. Docker publishes none for its Windows zips: without a pin the hash seen is recorded " +
					"in `observed_sha256` (trust on first use) and a later change is reported.",
				Packer: "SHA-256 of the engine archive. Docker publishes none for its Windows zips: without a pin the hash seen " +
					"is reported after the build (trust on first use, see [Checksums](#checksums)).",
				Note: "SHA256 pins the engine archive. Docker publishes no checksums for its Windows zips, so without it " +
					"the first download's hash is recorded (trust on first use) and any later change is flagged."},
			{Name: "url", Field: "URL", Kind: String,
				Doc:  "Download location of the engine archive (a mirror); https only.",
				Note: "URL overrides the download location (a mirror). It must be https."},
			{Name: "archive", Field: "Archive", Kind: String,
				Terraform: "The engine archive as a file on the machine running Terraform, pushed to the host over WinRM instead of " +
					"downloading there: for hosts without internet access. The Docker zip, or with `type = \"containerd\"` the containerd release " +
					"tarball (`containerd-<version>-windows-amd64.tar.gz`); `version` must be the version inside it. Its SHA-256 is computed here and " +
					"checked on the host; with `sha256` set the file must have that hash (checked at plan time). Conflicts with `url`.",
				Packer: "The engine archive on the machine running Packer, uploaded through the communicator instead of " +
					"downloading on the machine: for builds without internet access. The Docker zip, or with " +
					"`type = \"containerd\"` the containerd release tarball (`containerd-<version>-windows-amd64.tar.gz`); " +
					"`version` must be the version inside it. With `sha256` set the file must have that hash (checked when " +
					"the template is validated). Conflicts with `url`. Slow over WinRM; see " +
					"[Downloads and uploads](#downloads-and-uploads).",
				Note: "Archive is a file on the controller (the machine running Terraform or Packer) that is pushed to " +
					"the host instead of downloading there: for hosts without internet access. It is the Docker zip, or " +
					"for containerd the containerd release tarball (containerd-<version>-windows-amd64.tar.gz)."},
			{Name: "nerdctl_archive", Field: "NerdctlArchive", Kind: String,
				Terraform: "containerd only: the nerdctl release tarball (`nerdctl-<version>-windows-amd64.tar.gz`) on the machine " +
					"running Terraform, pushed like `archive`. Unset, the host downloads it (a partly offline host is allowed; plan warns).",
				Packer: "containerd only: the nerdctl release tarball (`nerdctl-<version>-windows-amd64.tar.gz`) on the machine " +
					"running Packer, uploaded like `archive`. Unset, the machine downloads it (a partly offline build is " +
					"allowed, with a warning).",
				Note: "NerdctlArchive and CNIArchive are, for containerd only, the nerdctl release tarball " +
					"(nerdctl-<version>-windows-amd64.tar.gz) and the Windows CNI plugins zip " +
					"(windows-container-networking-cni-amd64-v<version>.zip) on the controller, pushed like Archive. " +
					"Each archive is pushed or downloaded on its own: the ones not given are downloaded by the host " +
					"(a partly offline containerd), and plan warns when that leaves something to download."},
			{Name: "cni_archive", Field: "CNIArchive", Kind: String,
				Terraform: "containerd only: the Windows CNI plugins zip (`windows-container-networking-cni-amd64-v<version>.zip`) on the " +
					"machine running Terraform, pushed like `archive`. Unset, the host downloads it. Pushed archives without a pin are recorded in " +
					"`observed_sha256` under their path.",
				Packer: "containerd only: the Windows CNI plugins zip (`windows-container-networking-cni-amd64-v<version>.zip`) " +
					"on the machine running Packer, uploaded like `archive`. Unset, the machine downloads it.",
				Note: "CNIArchive: see NerdctlArchive."},
		},
	}
}

func lcow() Block {
	return Block{
		Name: "lcow", Type: "LCOW",
		Doc:        "Where the LinuxKit boot files (`kernel`, `initrd.img`) come from, with `container_mode = \"lcow\"`. Default: the pinned LinuxKit release.",
		Note:       "is where the LinuxKit boot files (kernel, initrd.img) come from.",
		PackerNote: "is the `lcow` block; it mirrors wincontainers_host's lcow.",
		Settings: []Setting{
			{Name: "url", Field: "URL", Kind: String,
				Terraform: "URL of a release zip holding `kernel` and `initrd.img`; https only.",
				Packer:    "URL of a release zip holding `kernel` and `initrd.img`; https only. Default: the pinned linuxkit/lcow release `v4.14.35-v0.3.9`.",
				Note:      "URL of a release.zip holding kernel and initrd.img; defaults to the pinned LinuxKit release."},
			{Name: "sha256", Field: "SHA256", Kind: String,
				Doc:  "SHA-256 of that zip. None is published upstream, so pin it.",
				Note: "SHA256 of that archive; no checksum is published upstream, so pin it."},
			{Name: "archive", Field: "Archive", Kind: String,
				Terraform: "That release zip as a file on the machine running Terraform, pushed to the host over WinRM instead of " +
					"downloading there (hosts without internet access). Its SHA-256 is computed here and checked on the host; with `sha256` set " +
					"the file must have that hash (checked at plan time). Conflicts with `url`.",
				Packer: "That release zip on the machine running Packer, uploaded through the communicator instead of " +
					"downloading on the machine. With `sha256` set the file must have that hash (checked when the template " +
					"is validated). Conflicts with `url`.",
				Note: "Archive is that release zip on the controller, pushed to the host instead of downloading there."},
		},
	}
}

func daemon() Block {
	return Block{
		Name: "daemon", Type: "Daemon",
		Doc: "Settings written to Docker's `daemon.json` (Docker only). Only the settings given here are managed; other keys in the " +
			"file are kept as found. A change restarts the engine.",
		Note: "is the part of dockerd's configuration file (daemon.json) that the user manages through " +
			"wincontainers. Only the settings given are managed: a setting left empty here leaves its key in the " +
			"host's daemon.json as found, so removing a setting from the spec does not remove it from the host.",
		PackerNote: "is the `daemon` block, Docker's daemon.json; it mirrors wincontainers_host's daemon.",
		Settings: []Setting{
			{Name: "data_root", Field: "DataRoot", Kind: String, DaemonKey: "data-root",
				Terraform: "`data-root`: where images and containers live, an absolute local path such as `D:\\docker`.",
				Packer:    "`data-root`: where images and containers live, an absolute local path such as `D:\\docker` (backslashes).",
				Note: "DataRoot (\"data-root\") is where images and containers live, e.g. D:\\docker: an absolute local " +
					"path with a drive letter, written with backslashes (forward slashes are refused, not rewritten, " +
					"so the value in daemon.json is the one the user wrote). Changing it does not move what is stored " +
					"under the old root; dockerd starts with an empty store there. Docker's default is " +
					"C:\\ProgramData\\docker."},
			{Name: "registry_mirrors", Field: "RegistryMirrors", Kind: StringList, DaemonKey: "registry-mirrors",
				Doc:  "`registry-mirrors`: https URLs of pull-through mirrors.",
				Note: "RegistryMirrors (\"registry-mirrors\") are https:// URLs of Docker Hub mirrors, tried in order."},
			{Name: "insecure_registries", Field: "InsecureRegistries", Kind: StringList, DaemonKey: "insecure-registries",
				Doc: "`insecure-registries`: registries reached over plain HTTP or with unverified certificates (`host`, `host:port` or a CIDR).",
				Note: "InsecureRegistries (\"insecure-registries\") are registries reached without TLS verification or " +
					"over plain HTTP: host, host:port or a CIDR."},
			{Name: "dns", Field: "DNS", Kind: StringList, DaemonKey: "dns",
				Doc:  "`dns`: DNS servers for containers.",
				Note: "DNS (\"dns\") are the DNS servers containers use: IPv4 or IPv6 addresses."},
			{Name: "group", Field: "Group", Kind: String, DaemonKey: "group",
				Terraform: "`group`: a local (or `DOMAIN\\name`) group whose members may use the engine's named pipe without elevation, " +
					"for example `docker-users`; by default only Administrators can. Membership gives control of the host.",
				Packer: "`group`: a local (or `DOMAIN\\name`) group whose members may use the engine's named pipe without " +
					"elevation, for example `docker-users`; by default only Administrators can. Membership gives control " +
					"of the machine.",
				Note: "Group (\"group\") is a local or domain group whose members may use dockerd's named pipe; by " +
					"default only Administrators can [MS-DOCKERD] (docs/knowledge/windows.md#installing-docker). Members still control the host."},
			{Name: "hosts", Field: "Hosts", Kind: StringList, DaemonKey: "hosts",
				Terraform: "`hosts`: the endpoints dockerd listens on, replacing its default. Keep `npipe:////./pipe/docker_engine` (the docker CLI " +
					"on the host and verification use it) and add `tcp://host:port` endpoints; a TCP endpoint needs `tls_verify` with the three TLS files, " +
					"or `allow_insecure_tcp`. `unix://` and `fd://` do not exist on Windows. By convention port 2376 serves TLS and 2375 plain HTTP.",
				Packer: "`hosts`: the endpoints dockerd listens on, replacing its default. Keep " +
					"`npipe:////./pipe/docker_engine` (the docker CLI on the host and verification use it) and add " +
					"`tcp://host:port` endpoints. A TCP endpoint needs `tls_verify` with the three TLS files, or " +
					"`allow_insecure_tcp`. `unix://` and `fd://` do not exist on Windows. By convention 2376 serves TLS, " +
					"2375 plain HTTP.",
				Note: "Hosts (\"hosts\") are the endpoints dockerd listens on, replacing its default, the named pipe " +
					"npipe:////./pipe/docker_engine (DefaultDockerHost), which the list must keep. A tcp://host:port " +
					"endpoint needs TLSVerify with the three TLS files, or AllowInsecureTCP. unix:// and fd:// do not " +
					"exist on Windows."},
			{Name: "log_level", Field: "LogLevel", Kind: String, DaemonKey: "log-level",
				Values: []string{"debug", "info", "warn", "error", "fatal"},
				Doc: "`log-level`: how much dockerd logs, to the Application event log when it runs as a service: `debug`, `info` " +
					"(dockerd's default), `warn`, `error` or `fatal`. `debug` helps when the engine misbehaves; it is verbose.",
				Note: "LogLevel (\"log-level\") is dockerd's logging level, the values its --log-level documents; dockerd " +
					"refuses to start with another (docs/knowledge/windows.md#what-dockerd-checks-at-start)."},
			{Name: "tls_verify", Field: "TLSVerify", Kind: Bool,
				Doc: "`tlsverify`: serve TCP endpoints with TLS and accept only clients whose certificate `tls_ca_cert` signed. " +
					"Requires `tls_ca_cert`, `tls_cert` and `tls_key`.",
				Note: "TLSVerify (\"tlsverify\") makes dockerd require a client certificate signed by TLSCACert on its TCP " +
					"endpoints; TLSCACert, TLSCert and TLSKey (\"tlscacert\", \"tlscert\", \"tlskey\") are files on the host, " +
					"absolute local paths like DataRoot. The planner writes the four keys together."},
			{Name: "tls_ca_cert", Field: "TLSCACert", Kind: String,
				Terraform: "`tlscacert`: the CA certificate that signs client certificates, a file on the host (an absolute local path " +
					"such as `C:\\ProgramData\\docker\\certs.d\\ca.pem`). wincontainers does not copy it there.",
				Packer: "`tlscacert`: the CA certificate that signs client certificates, a file on the host (an absolute local " +
					"path such as `C:\\ProgramData\\docker\\certs.d\\ca.pem`).",
				Note: "TLSCACert: see TLSVerify."},
			{Name: "tls_cert", Field: "TLSCert", Kind: String,
				Doc: "`tlscert`: dockerd's server certificate, a file on the host.", Note: "TLSCert: see TLSVerify."},
			{Name: "tls_key", Field: "TLSKey", Kind: String,
				Doc: "`tlskey`: dockerd's private key, a file on the host.", Note: "TLSKey: see TLSVerify."},
			{Name: "allow_insecure_tcp", Field: "AllowInsecureTCP", Kind: Bool,
				Terraform: "Accept a `tcp://` endpoint in `hosts` without " +
					"`tls_verify`. Anyone who can reach the port then controls the host (the Docker API is root-equivalent), so plan shows a warning. " +
					"Written as `\"tlsverify\": false`, the explicit intent dockerd asks for. Default `false`: such an endpoint is refused.",
				Packer: "Accept a `tcp://` endpoint without `tls_verify`, with a warning: anyone who can reach the port " +
					"controls the host (the Docker API is root-equivalent). Written as `\"tlsverify\": false`. Default " +
					"`false`: such an endpoint is refused.",
				Note: "AllowInsecureTCP accepts a tcp:// endpoint without TLS verification: anyone who reaches the port " +
					"controls the host. It is written as \"tlsverify\": false, the explicit intent dockerd asks for."},
		},
	}
}

func compose() Block {
	return Block{
		Name: "compose", Type: "Compose",
		Doc: "Makes the host Compose-ready. Docker hosts get the Docker Compose CLI plugin (`docker compose`) from its GitHub " +
			"release, checked against the release's `checksums.txt`, in `%ProgramFiles%\\Docker\\cli-plugins`; containerd hosts use " +
			"`nerdctl compose`, which is part of nerdctl. Verification then brings up a one-service compose project on the build-matched " +
			"base image in the mode's isolation, checks that it runs, and takes it down again (with `verify.pull_images`, or when the image " +
			"is on the host; otherwise the project is reported skipped). A deleted or replaced plugin shows in `pending_changes` and is " +
			"reinstalled; `on_destroy = \"uninstall\"` removes it. Combinations that cannot work (Compose v1, a Compose whose Engine API " +
			"floor the Docker version does not serve, a project network on Windows Server 2016) are refused, at plan time when " +
			"`os_version` is given. See the [Compose guide](../guides/compose.md).",
		Note: "is Docker Compose on the host: on Docker hosts the Compose CLI plugin (`docker compose`, " +
			"docker-compose.exe in %ProgramFiles%\\Docker\\cli-plugins) from its release, on containerd hosts nerdctl's " +
			"built-in `nerdctl compose`. Verification then runs a small compose project.",
		PackerNote: "is the `compose` block; it mirrors wincontainers_host's compose.",
		Settings: []Setting{
			{Name: "enabled", Field: "Enabled", Kind: Bool, Default: true,
				Terraform: "Whether Compose is managed. The block asks for it; `false` keeps the block without managing Compose " +
					"(what is installed stays as it is). Default `true`.",
				Packer: "Whether Compose is managed. The block asks for it; `false` keeps the block without installing " +
					"Compose. Default `true`.",
				Note: "Enabled: the block asks for Compose; false keeps it in the configuration without managing it."},
			{Name: "version", Field: "Version", Kind: String,
				Terraform: "Docker only: the Compose release, for example `5.5.0`. Default: `" + compat.DefaultComposeVersion + "` when the " +
					"engine serves Engine API 1.40 or later (Docker 19.03 and later), else `" + compat.LegacyComposeVersion + "` (the last Compose " +
					"v2). Compose v1 is refused. Changing it replaces the plugin in place.",
				Packer: "Docker only: the Compose release, for example `5.5.0`. Default: `" + compat.DefaultComposeVersion + "` when the engine serves Engine " +
					"API 1.40 or later (Docker 19.03 and later), else `" + compat.LegacyComposeVersion + "` (the last Compose v2). Compose v1 is " +
					"refused, and so is a Compose whose Engine API floor the Docker version does not serve.",
				Note: "Version pins the Compose release (Docker only); defaults to compat.DefaultComposeVersionFor the engine."},
			{Name: "sha256", Field: "SHA256", Kind: String,
				Terraform: "Docker only: SHA-256 of `docker-compose-windows-x86_64.exe`. Default: the hash the release's `checksums.txt` " +
					"publishes. With `archive` set, the file must have this hash (checked at plan time).",
				Packer: "Docker only: SHA-256 of `docker-compose-windows-x86_64.exe`. Default: the hash the release's " +
					"`checksums.txt` publishes. With `archive` set, the file must have this hash (checked when the " +
					"template is validated).",
				Note: "SHA256 pins docker-compose-windows-x86_64.exe; without it the release's checksums.txt is used."},
			{Name: "url", Field: "URL", Kind: String,
				Terraform: "Docker only: download location of `docker-compose-windows-x86_64.exe` (a mirror); https only. A mirror publishes " +
					"no `checksums.txt` wincontainers knows, so set `sha256` too, or the hash seen is recorded in `observed_sha256`. Conflicts with `archive`.",
				Packer: "Docker only: download location of `docker-compose-windows-x86_64.exe` (a mirror); https only. A mirror " +
					"publishes no `checksums.txt` wincontainers knows, so set `sha256` too. Conflicts with `archive`.",
				Note: "URL overrides the download of docker-compose-windows-x86_64.exe (a mirror); https only."},
			{Name: "archive", Field: "Archive", Kind: String,
				Terraform: "Docker only: `docker-compose-windows-x86_64.exe` as a file on the machine running Terraform, pushed to the host " +
					"over WinRM instead of downloading there (hosts without internet access). Its SHA-256 is computed here and checked on the host; " +
					"unpinned, it is recorded in `observed_sha256` under its path. Conflicts with `url`.",
				Packer: "Docker only: `docker-compose-windows-x86_64.exe` on the machine running Packer, uploaded through the " +
					"communicator instead of downloading on the machine (builds without internet access). Conflicts with " +
					"`url`.",
				Note: "Archive is docker-compose-windows-x86_64.exe on the controller, pushed to the host instead of " +
					"downloaded there (air-gapped hosts)."},
			{Name: "standalone", Field: "Standalone", Kind: Bool,
				Terraform: "Docker only: also install the binary as " +
					"`docker-compose.exe` beside `docker.exe`, for scripts that call the standalone name. Default `false`.",
				Packer: "Docker only: also install the binary as `docker-compose.exe` beside `docker.exe`, for scripts that " +
					"call the standalone name. Default `false`.",
				Note: "Standalone also installs the binary as docker-compose.exe beside docker.exe, for scripts that call " +
					"the standalone name."},
			{Name: "network", Field: "Network", Kind: String, Default: compat.ComposeNetworkNAT,
				Terraform: "The network of the verification project: `nat` (the host's `nat` network as external, which works on " +
					"every Windows Server and is what Windows Server 2016 needs) or `project` (Compose creates `<project>_default`; refused on " +
					"Windows Server 2016, whose Host Network Service cannot add a second NAT network). Default `nat`.",
				Packer: "The network of the verification project: `nat` (the machine's `nat` network as external, which works " +
					"on every Windows Server and is what Windows Server 2016 needs; the default) or `project` (Compose " +
					"creates `<project>_default`; refused on Windows Server 2016, whose Host Network Service cannot add a " +
					"second NAT network).",
				Note: "Network is the verification project's network: \"nat\" (the host's nat network as external, the " +
					"default, what Windows Server 2016 needs) or \"project\" (compose creates <project>_default). spec " +
					"checks it (compat.ComposeNetworkNAT, compat.ComposeNetworkProject) with its own advice."},
		},
	}
}
