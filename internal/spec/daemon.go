package spec

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wincontainers/wincontainers/internal/compat"
)

// maxDataRoot bounds daemon.data_root: Docker nests layer folders several levels under it
// (windowsfilter\<64-hex id>\Files\...), and Windows paths are limited to 260 characters.
const maxDataRoot = 200

// validateDaemon checks the daemon block. Each setting is checked on its own, so one bad entry does not
// hide another; the resolved copy is kept only when something was set.
func validateDaemon(in *Daemon, r *Resolved, d *Diagnostics) {
	if in.isZero() {
		return
	}
	if r.EngineType == compat.Containerd {
		d.errorf(PathDaemon, "daemon settings apply to Docker only",
			"the daemon block writes daemon.json, dockerd's configuration file, which does not exist with containerd: wincontainers "+
				"configures containerd through its own config.toml and nerdctl. Remove the daemon block, or use engine.type = \"docker\"")
		return
	}
	// Every setting is kept as given; the checks below report, and the lists are copied.
	out := *in
	if in.DataRoot != "" {
		if summary, detail := checkDataRoot(in.DataRoot); summary != "" {
			d.errorf(PathDaemonDataRoot, summary, "%s", detail)
		}
	}
	out.RegistryMirrors = checkList(in.RegistryMirrors, PathDaemonRegistryMirrors, checkMirror, d)
	out.InsecureRegistries = checkList(in.InsecureRegistries, PathDaemonInsecureRegistries, checkInsecureRegistry, d)
	out.DNS = checkList(in.DNS, PathDaemonDNS, checkDNS, d)
	out.Hosts = checkList(in.Hosts, PathDaemonHosts, checkDockerHost, d)
	if in.Group != "" {
		if summary, detail := checkGroup(in.Group); summary != "" {
			d.errorf(PathDaemonGroup, summary, "%s", detail)
		}
	}
	validateDaemonTLS(in, d)
	r.Daemon = &out
}

// maxTLSPath bounds the TLS file paths (Windows paths stop at 260 characters).
const maxTLSPath = 259

// validateDaemonTLS checks hosts against the TLS settings: a TCP endpoint gives whoever reaches it
// dockerd's API, which is administrator on the host, so it needs client-certificate verification
// (tls_verify with the three files) or allow_insecure_tcp, which is accepted with a warning.
func validateDaemonTLS(in *Daemon, d *Diagnostics) {
	files := []struct{ path, value, key string }{
		{PathDaemonTLSCACert, in.TLSCACert, "tlscacert"}, {PathDaemonTLSCert, in.TLSCert, "tlscert"}, {PathDaemonTLSKey, in.TLSKey, "tlskey"}}
	for _, f := range files {
		if f.value == "" {
			if in.TLSVerify {
				d.errorf(f.path, f.path+" is required with tls_verify",
					"tls_verify = true makes dockerd load its certificate, its key and the CA that signs client certificates (%q in daemon.json); "+
						"give tls_ca_cert, tls_cert and tls_key as files on the host, such as C:\\ProgramData\\docker\\certs.d\\ca.pem", f.key)
			}
			continue
		}
		if summary, detail := checkLocalPath(f.path, f.value, maxTLSPath, true); summary != "" {
			d.errorf(f.path, summary, "%s", detail)
		} else if !in.TLSVerify {
			d.errorf(f.path, f.path+" is set without tls_verify",
				"TLS files are used only with tls_verify = true: TLS without client verification encrypts the connection but still lets anyone "+
					"who reaches the port control the host. Set tls_verify = true, or remove %s", f.path)
		}
	}
	var tcp []string
	for _, h := range in.Hosts {
		if strings.HasPrefix(strings.ToLower(h), "tcp://") {
			tcp = append(tcp, h)
		}
	}
	if len(in.Hosts) > 0 && !slices.ContainsFunc(in.Hosts, func(h string) bool { return strings.EqualFold(h, DefaultDockerHost) }) {
		d.errorf(PathDaemonHosts, "daemon.hosts leaves out the local named pipe",
			"hosts replaces dockerd's default endpoint, %s, which the docker CLI on the host (and wincontainers' verification) uses; "+
				"list it first, then the other endpoints", DefaultDockerHost)
	}
	if len(tcp) == 0 {
		return
	}
	list := strings.Join(tcp, ", ")
	switch {
	case in.TLSVerify:
		for _, h := range tcp {
			if strings.HasSuffix(h, ":2375") {
				d.warnf(PathDaemonHosts, "TLS endpoint on port 2375",
					"%s uses port 2375, which Docker clients take to be the plain-HTTP port; the TLS port is 2376 (DOCKER_TLS_VERIFY=1 clients expect it)", h)
			}
		}
	case in.AllowInsecureTCP:
		d.warnf(PathDaemonHosts, "unauthenticated Docker API on TCP",
			"%s is served without TLS and without client certificates because allow_insecure_tcp = true: anyone who can reach the port "+
				"controls the host (the Docker API is root-equivalent: it runs containers that mount C:\\ as the system account). "+
				"Use it only on an isolated network; to close it, set tls_verify = true with tls_ca_cert, tls_cert and tls_key (conventionally on port 2376)", list)
	default:
		d.errorf(PathDaemonHosts, "TCP endpoint without TLS",
			"%s would serve the Docker API without authentication: anyone who can reach the port controls the host (the Docker API is "+
				"root-equivalent). Set tls_verify = true with tls_ca_cert, tls_cert and tls_key (conventionally on port 2376), or, on an "+
				"isolated network only, allow_insecure_tcp = true (port 2375 by convention)", list)
	}
}

// checkDockerHost: npipe:////./pipe/<name> or tcp://host:port. unix:// and fd:// are Linux sockets.
func checkDockerHost(raw string) (summary, detail, key string) {
	q := truncate(raw, 120)
	const want = "give npipe:////./pipe/docker_engine or tcp://host:port, such as tcp://0.0.0.0:2376"
	bad := func(why string) (string, string, string) {
		return "invalid entry in daemon.hosts", fmt.Sprintf("%q %s; %s", q, why, want), ""
	}
	if raw == "" {
		return "empty entry in daemon.hosts", "an entry is the empty string; " + want + ", or remove it", ""
	}
	if !utf8.ValidString(raw) {
		return bad("is not valid UTF-8 text")
	}
	if c := badURLChar(raw); c >= 0 {
		return bad(fmt.Sprintf("contains %q", c))
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return bad("has no scheme")
	}
	switch strings.ToLower(scheme) {
	case "npipe":
		name, ok := strings.CutPrefix(rest, "//./pipe/")
		if !ok || name == "" || len(name) > 200 || strings.IndexFunc(name, func(c rune) bool {
			return (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && !strings.ContainsRune("_-.", c)
		}) >= 0 {
			return bad("is not a named pipe of the form npipe:////./pipe/name (letters, digits, _ - and .)")
		}
		return "", "", "npipe:" + strings.ToLower(name)
	case "tcp":
		host, port, err := net.SplitHostPort(rest)
		if err != nil || port == "" {
			return bad("is not tcp://host:port")
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port != strconv.Itoa(n) {
			return bad(fmt.Sprintf("has port %q (a port is 1-65535)", port))
		}
		if a, err := netip.ParseAddr(host); err == nil {
			if a.Zone() != "" {
				return bad("has an IPv6 zone")
			}
			return "", "", "tcp:" + net.JoinHostPort(a.String(), port)
		}
		if !isHostname(host) {
			return bad("does not have a host name or IP address (use 0.0.0.0 for every interface)")
		}
		return "", "", "tcp:" + strings.ToLower(host) + ":" + port
	case "unix", "fd":
		return "daemon.hosts: " + strings.ToLower(scheme) + ":// does not exist on Windows", fmt.Sprintf(
			"%q is a Linux socket; dockerd on Windows listens on named pipes and TCP: %s", q, want), ""
	default:
		return bad(fmt.Sprintf("uses %s://, which dockerd does not listen on", truncate(scheme, 20)))
	}
}

// checkList checks each entry with check, which returns a problem (summary and detail) or the key that
// identifies the entry for the duplicate check. It returns a copy of the list.
func checkList(list []string, path string, check func(string) (summary, detail, key string), d *Diagnostics) []string {
	if len(list) == 0 {
		return nil
	}
	seen := map[string]string{}
	for _, v := range list {
		summary, detail, key := check(v)
		if summary != "" {
			d.errorf(path, summary, "%s", detail)
			continue
		}
		if first, dup := seen[key]; dup {
			d.errorf(path, "duplicate entry in "+path,
				"%q is listed twice (the first time as %q); remove one", truncate(v, 120), truncate(first, 120))
			continue
		}
		seen[key] = v
	}
	return slices.Clone(list)
}

// checkDataRoot returns a summary and detail when p is not an absolute local Windows path with a drive
// letter that Docker can use as its data root. The rules are strict on purpose: the path travels into
// daemon.json and into PowerShell, so it must mean one folder, the same everywhere.
func checkDataRoot(p string) (summary, detail string) {
	return checkLocalPath(PathDaemonDataRoot, p, maxDataRoot, false)
}

// checkLocalPath checks a path on the host for the setting attr: an absolute local Windows path with a
// drive letter and backslashes, without quoting or expansion characters, traversal or device names.
// file is true for a file (a TLS certificate) and false for a folder (the data root).
func checkLocalPath(attr, p string, maxLen int, file bool) (summary, detail string) {
	q := truncate(p, 120)
	example, sample := `Give a local folder such as D:\docker`, `D:\docker`
	if file {
		example, sample = `Give a local file such as C:\ProgramData\docker\certs.d\ca.pem`, `C:\ProgramData\docker\certs.d\ca.pem`
	}
	if !utf8.ValidString(p) {
		return attr + " is not valid UTF-8", fmt.Sprintf("%q holds bytes that are not UTF-8 text. %s", q, example)
	}
	if n := utf8.RuneCountInString(p); n > maxLen {
		why := "Windows paths stop at 260 characters"
		if !file {
			why = "Docker nests layer folders under it and " + why
		}
		return attr + " is too long", fmt.Sprintf(
			"%q is %d characters; %s, so at most %d are allowed. Use a shorter path such as %s", q, n, why, maxLen, sample)
	}
	for _, c := range p {
		if unicode.IsControl(c) {
			return attr + " contains a control character",
				fmt.Sprintf("%q contains %q; a newline, tab or other control character cannot be part of a Windows path. %s", q, c, example)
		}
	}
	if strings.HasPrefix(p, `\\`) || strings.HasPrefix(p, "//") {
		why := "Docker on Windows cannot keep its data root on a share"
		if file {
			why = "dockerd reads its TLS files from a local disk"
		}
		return attr + " is a network or device path", fmt.Sprintf(
			"%q starts with two slashes (a share \\\\server\\share or a device path \\\\?\\); %s. %s", q, why, example)
	}
	if strings.Contains(p, "/") {
		return attr + " uses forward slashes", fmt.Sprintf(
			"%q contains /; write the Windows path with backslashes, %q (in HCL, \"%s\")",
			q, strings.ReplaceAll(p, "/", `\`), strings.ReplaceAll(strings.ReplaceAll(p, "/", `\`), `\`, `\\`))
	}
	if len(p) < 3 || !isDriveLetter(p[0]) || p[1] != ':' || p[2] != '\\' {
		return attr + " is not an absolute path with a drive letter", fmt.Sprintf(
			"%q is not of the form X:\\folder; a relative path (docker, D:docker, \\docker) depends on the folder dockerd starts in. %s",
			q, example)
	}
	drive, rest := p[:2], p[3:]
	if rest == "" {
		if file {
			return attr + " is the root of a drive", fmt.Sprintf("%q names a drive, not a file. %s", q, example)
		}
		return attr + " is the root of a drive", fmt.Sprintf(
			"%q would scatter Docker's folders (image, windowsfilter, containers, ...) over the top of %s; use a folder such as %s\\docker",
			q, drive, drive)
	}
	if i := strings.IndexAny(rest, "\"*?<>|:$`%'"); i >= 0 {
		if strings.IndexByte("$`%'", rest[i]) >= 0 {
			return attr + " contains a shell quoting or expansion character", fmt.Sprintf(
				"%q contains %q; $, `, %% and ' are refused in %s so the path reads the same in daemon.json, PowerShell and cmd. "+
					"Use a name without them, such as %s", q, rest[i], strings.TrimPrefix(attr, "daemon."), sample)
		}
		return attr + " contains a character Windows does not allow in paths", fmt.Sprintf(
			"%q contains %q; Windows file names cannot hold \" * ? < > | or a colon after the drive. %s", q, rest[i], example)
	}
	segs := strings.Split(rest, `\`)
	for _, s := range segs {
		switch {
		case s == "":
			return attr + " has an empty path segment", fmt.Sprintf(
				"%q has a doubled or trailing backslash; write it as %q", q, drive+`\`+strings.Join(slices.DeleteFunc(slices.Clone(segs), func(x string) bool { return x == "" }), `\`))
		case s == "." || s == "..":
			return attr + " contains a . or .. segment", fmt.Sprintf(
				"%q contains %q; relative segments and path traversal are refused. Give the full path, such as %s", q, s, sample)
		case strings.HasSuffix(s, ".") || strings.HasSuffix(s, " "):
			return attr + " has a name ending in a dot or space", fmt.Sprintf(
				"%q: Windows drops trailing dots and spaces from names, so %q would not be the path written; remove them", q, s)
		case isReservedName(s):
			return attr + " names a reserved device", fmt.Sprintf(
				"%q contains %q, a reserved device name on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9); choose another name", q, s)
		}
	}
	if !file && strings.EqualFold(drive, "C:") && strings.EqualFold(segs[0], "Windows") {
		return attr + " is inside C:\\Windows", fmt.Sprintf(
			"%q is under the operating system's folder, which Windows servicing and resource protection own; use a folder such as D:\\docker or C:\\ProgramData\\docker",
			q)
	}
	return "", ""
}

func isDriveLetter(c byte) bool { return ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') }

// isReservedName reports whether a path segment is one of Windows' device names, which stay reserved
// with any extension (NUL.txt is NUL).
func isReservedName(s string) bool {
	base, _, _ := strings.Cut(strings.ToUpper(s), ".")
	switch base {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	if len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) && base[3] >= '1' && base[3] <= '9' {
		return true
	}
	return false
}

// badURLChar returns the first character a URL cannot hold unencoded (whitespace, control characters,
// quotes, backslash, backtick and the other characters RFC 3986 excludes), or -1.
func badURLChar(s string) rune {
	for _, c := range s {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune("\"<>\\^`{|}", c) {
			return c
		}
	}
	return -1
}

// checkMirror: an https:// URL with a host, without credentials, query or fragment. The key ignores a
// trailing slash and the case of scheme and host, as dockerd does when it loads mirrors.
func checkMirror(raw string) (summary, detail, key string) {
	q := truncate(raw, 120)
	if raw == "" {
		return "empty entry in daemon.registry_mirrors", "an entry is the empty string; give an https:// URL such as https://mirror.example.com, or remove it", ""
	}
	if !utf8.ValidString(raw) {
		return "invalid entry in daemon.registry_mirrors", fmt.Sprintf("%q is not valid UTF-8 text; give an https:// URL", q), ""
	}
	if c := badURLChar(raw); c >= 0 {
		return "invalid entry in daemon.registry_mirrors", fmt.Sprintf(
			"%q contains %q, which a URL cannot hold; give an https:// URL such as https://mirror.example.com (percent-encode such characters in a path)", q, c), ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "invalid entry in daemon.registry_mirrors", fmt.Sprintf("%q is not a URL: %s", q, err.Error()), ""
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		return "plain-HTTP registry mirror", fmt.Sprintf(
			"%q uses http://; registry_mirrors takes https:// URLs. For a registry that only speaks plain HTTP, list its host:port in daemon.insecure_registries instead", q), ""
	default:
		return "invalid entry in daemon.registry_mirrors", fmt.Sprintf(
			"%q is not an https:// URL; give one such as https://mirror.example.com", q), ""
	}
	if u.User != nil {
		return "registry mirror URL carries credentials", fmt.Sprintf(
			"%q holds a user name or password, and mirror URLs are shown by `docker info` to anyone who can run docker; remove them and sign in with docker login",
			u.Redacted()), ""
	}
	if u.Hostname() == "" || u.Opaque != "" {
		return "invalid entry in daemon.registry_mirrors", fmt.Sprintf("%q has no host; give a URL such as https://mirror.example.com", q), ""
	}
	if h := u.Hostname(); !isHostname(h) {
		if a, err := netip.ParseAddr(h); err != nil || a.Zone() != "" {
			return "invalid entry in daemon.registry_mirrors", fmt.Sprintf("%q: %q is not a host name or IP address", q, truncate(h, 80)), ""
		}
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "invalid entry in daemon.registry_mirrors", fmt.Sprintf("%q has port %q; a port is 1-65535", q, port), ""
		}
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#") {
		return "registry mirror URL has a query or fragment", fmt.Sprintf(
			"%q ends in ?... or #...; dockerd refuses mirrors with a query or fragment. Give the mirror's base URL", q), ""
	}
	return "", "", "https://" + strings.ToLower(u.Host) + strings.TrimSuffix(u.EscapedPath(), "/")
}

// checkInsecureRegistry: host, host:port or a CIDR, as dockerd's --insecure-registry takes them (without
// the http:// dockerd strips with a warning).
func checkInsecureRegistry(raw string) (summary, detail, key string) {
	q := truncate(raw, 120)
	const want = "give host, host:port or a CIDR, such as registry.local:5000 or 10.0.0.0/8"
	bad := func(why string) (string, string, string) {
		return "invalid entry in daemon.insecure_registries", fmt.Sprintf("%q %s; %s", q, why, want), ""
	}
	switch {
	case raw == "":
		return "empty entry in daemon.insecure_registries", "an entry is the empty string; " + want + ", or remove it", ""
	case !utf8.ValidString(raw):
		return bad("is not valid UTF-8 text")
	case strings.IndexFunc(raw, func(c rune) bool { return unicode.IsSpace(c) || unicode.IsControl(c) }) >= 0:
		return bad("contains whitespace or a control character")
	case strings.Contains(raw, "://"):
		host, _, _ := strings.Cut(raw[strings.Index(raw, "://")+3:], "/")
		return "insecure registry given as a URL", fmt.Sprintf(
			"%q has a scheme; insecure_registries takes host, host:port or a CIDR without one: write %q", q, truncate(host, 120)), ""
	case strings.Contains(raw, "/"):
		_, n, err := net.ParseCIDR(raw)
		if err != nil {
			return bad("has a path or is a malformed CIDR (a CIDR is address/prefix length)")
		}
		return "", "", n.String()
	}
	if a, err := netip.ParseAddr(raw); err == nil {
		if a.Zone() != "" {
			return bad("has an IPv6 zone")
		}
		return "", "", a.String()
	}
	host, port := raw, ""
	if h, p, err := net.SplitHostPort(raw); err == nil {
		host, port = h, p
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port != strconv.Itoa(n) {
			return bad(fmt.Sprintf("has port %q (a port is 1-65535)", port))
		}
	}
	if strings.HasPrefix(raw, "[") {
		if a, err := netip.ParseAddr(host); err != nil || !a.Is6() || a.Zone() != "" || port == "" {
			return bad("is not [IPv6]:port")
		}
		return "", "", "[" + strings.ToLower(host) + "]:" + port
	}
	if !isHostname(host) {
		return bad("is not a host name or IP address")
	}
	return "", "", strings.ToLower(raw)
}

// isHostname: dot-separated labels of letters, digits and inner hyphens (the registry reference grammar).
func isHostname(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return true
}

// checkDNS: an IPv4 or IPv6 address without a zone.
func checkDNS(raw string) (summary, detail, key string) {
	q := truncate(raw, 120)
	if raw == "" {
		return "empty entry in daemon.dns", "an entry is the empty string; give a DNS server's IP address such as 10.0.0.2, or remove it", ""
	}
	a, err := netip.ParseAddr(raw)
	if err != nil {
		return "invalid entry in daemon.dns", fmt.Sprintf(
			"%q is not an IP address; daemon.dns takes DNS servers' IPv4 or IPv6 addresses (no host names, ports or whitespace), such as 10.0.0.2", q), ""
	}
	if a.Zone() != "" {
		return "invalid entry in daemon.dns", fmt.Sprintf("%q has an IPv6 zone, which dockerd does not accept; give the address without %%%s", q, a.Zone()), ""
	}
	return "", "", a.String()
}

// checkGroup: a Windows group name, optionally DOMAIN\name. Windows refuses the characters
// " / \ [ ] : ; | = , + * ? < > @ in account names (the backslash only as the domain separator) and
// limits group names to 256 characters.
func checkGroup(raw string) (summary, detail string) {
	q := fmt.Sprintf("%q", truncate(raw, 120))
	name := raw
	if dom, rest, ok := strings.Cut(raw, `\`); ok {
		if dom == "" || rest == "" {
			return "invalid daemon.group", fmt.Sprintf("%s: write a group as name or DOMAIN\\name", q)
		}
		name = rest
		if strings.ContainsAny(dom, `"/\[]:;|=,+*?<>@ `) {
			return "invalid daemon.group", fmt.Sprintf("%s: the domain part holds a character Windows does not allow in a domain name", q)
		}
	}
	switch {
	case !utf8.ValidString(raw):
		return "invalid daemon.group", "the group name is not valid UTF-8"
	case len(name) > 256:
		return "invalid daemon.group", fmt.Sprintf("the group name is %d bytes; Windows group names have at most 256 characters", len(name))
	case strings.TrimSpace(name) != name || strings.HasSuffix(name, "."):
		return "invalid daemon.group", fmt.Sprintf("%s: a group name cannot start or end with a space, or end with a period", q)
	case strings.ContainsFunc(name, unicode.IsControl) || strings.ContainsAny(name, `"/\[]:;|=,+*?<>@`):
		return "invalid daemon.group", fmt.Sprintf("%s holds a character Windows does not allow in account names (\" / \\ [ ] : ; | = , + * ? < > @ or a control character); "+
			"give the name of a local group such as docker-users", q)
	}
	return "", ""
}
