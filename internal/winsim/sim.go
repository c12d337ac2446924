// Package winsim assembles a simulated Windows host: the WS-Man server (wsman), the host model (host),
// a release profile (profile), HTTPS with a generated CA, fault injection and the control API of
// docs/design.md#winsim-control-api (GET /winsim/v1/state, POST /winsim/v1/faults, POST /winsim/v1/reset-counters).
//
// The control API shares the listener but lives outside /wsman. It requires the same credentials as
// WinRM (HTTP Basic), so reaching the listener does not give control of the host; the listener binds
// to loopback by default.
package winsim

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jcmturner/gokrb5/v8/keytab"

	"github.com/wincontainers/wincontainers/internal/winsim/host"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/profile"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/sshd"
	"github.com/wincontainers/wincontainers/internal/winsim/wsman"
)

// Options configure one simulated host (the flags of `winsim serve`).
type Options struct {
	Profile        string
	User, Password string
	HTTPS          bool
	// Auth is the service's auth setting (winrm/config/service/auth): basic (the default) enables Basic
	// and Negotiate, ntlm enables Negotiate only (NTLMv2 for the local account, per connection), kerberos
	// enables Negotiate with Kerberos and NTLM, and the Kerberos scheme, Basic off (Windows' defaults):
	// it needs Keytab.
	Auth string
	// Keytab is the path of the keytab holding the host's service principals (HTTP/<host>), for
	// Auth = kerberos (docs/knowledge/winrm.md#kerberos).
	Keytab         string
	Virtualization string // none | exposed
	Edition        string
	Installation   string
	RebootTime     time.Duration
	// WhileDown is what a request gets while the host is restarting: "reset" (the default: the connection
	// is reset at once) or "drop" (no answer until the client gives up or the host is back, as from a
	// machine that is off).
	WhileDown    string
	Offline      bool
	StateDir     string
	ComputerName string
	// AllowUnencrypted is the service's AllowUnencrypted. An HTTP host allows unencrypted messages
	// whatever it says (Basic over HTTP needs it, and winsim's HTTP hosts have always served it) unless
	// RequireEncryption is set.
	AllowUnencrypted bool
	// RequireEncryption makes an HTTP host keep Windows' out-of-box AllowUnencrypted=false: Basic and
	// unsealed NTLM are refused with 401, NTLM-sealed messages (multipart/encrypted) are served.
	RequireEncryption bool
	// Quotas are the WinRM quotas and shell idle timeout (zero fields: wsman.ModernQuotas, what every
	// profile's Windows reports; wsman.QuotaPreset has the spec and legacy sets).
	Quotas wsman.Quotas
	// Internet, when set, is shared with other simulated hosts so synthetic artifacts are hashed once.
	Internet *machine.Internet
	// SSH turns on the host's OpenSSH server (ListenSSH serves it): its host key is read from or written
	// to StateDir (ssh_host_ed25519_key), so StateDir is required. SSHAuthorizedKeys (authorized_keys
	// lines) is written to %ProgramData%\ssh\administrators_authorized_keys, the file sshd reads for an
	// administrator's public keys (docs/knowledge/ssh.md#authorized-keys).
	SSH               bool
	SSHAuthorizedKeys []byte
	// CertificateAuth is Service\Auth\Certificate (off by default, as on Windows): with HTTPS, a client
	// certificate that chains to TrustedRoots (PEM: the CAs in the host's LocalMachine\Root) and matches
	// one of CertMappings (WSMan:\localhost\ClientCertificate) logs on as the mapping's user
	// (docs/knowledge/winrm.md#certificate-authentication). The listener asks every client for a
	// certificate when either is set.
	CertificateAuth bool
	CertMappings    []wsman.CertMapping
	TrustedRoots    []byte
}

// Sim is one simulated host.
type Sim struct {
	opts Options
	prof profile.Profile
	// windows is the machine's Windows beyond the model's core (certificate stores, WinRM listeners, the
	// shutdown schedule, running containers' processes), used by the PowerShell engine.
	windows *machine.Windows
	// programs are the native programs cmd.exe starts (the same PowerShell runs), built once in useEngine.
	programs engine.NativeRunner
	Host     *host.Host
	Machine  *machine.Machine
	Server   *wsman.Server
	// SSHD is the OpenSSH server (nil unless Options.SSH).
	SSHD    *sshd.Server
	TLS     *tls.Config
	mu      sync.Mutex
	faults  faults
	reboots int
}

type faults struct {
	latency time.Duration
	resets  int
	// stayDown: the next restart takes the host down for good (down), until come_back.
	stayDown, down bool
}

// New validates the options and builds the host; it does not listen.
func New(o Options) (*Sim, error) {
	p, err := profile.Lookup(o.Profile)
	if err != nil {
		return nil, err
	}
	if o.Edition == "" {
		o.Edition = p.Editions[len(p.Editions)-1]
	}
	if o.Installation == "" {
		o.Installation = p.Installations[0]
	}
	if err := p.Check(o.Edition, o.Installation); err != nil {
		return nil, err
	}
	switch o.Virtualization {
	case "", "none", "exposed":
	default:
		return nil, fmt.Errorf("--virtualization %q: use none or exposed", o.Virtualization)
	}
	switch o.Auth {
	case "", "basic", "ntlm":
	case "kerberos":
		if o.Keytab == "" {
			return nil, errors.New("--auth kerberos needs --keytab: the keytab of the host's HTTP/<host> service principal (kadmin ktadd -k)")
		}
	default:
		return nil, fmt.Errorf("--auth %q: use basic (Basic and Negotiate), ntlm (Negotiate only) or kerberos (Negotiate and Kerberos, with --keytab)", o.Auth)
	}
	var kt *keytab.Keytab
	if o.Keytab != "" {
		var err error
		if kt, err = keytab.Load(o.Keytab); err != nil {
			return nil, fmt.Errorf("--keytab %s: %w", o.Keytab, err)
		}
	}
	if o.User == "" || o.Password == "" {
		return nil, errors.New("--user and --password are required")
	}
	roots, err := certAuthSetup(o)
	if err != nil {
		return nil, err
	}
	switch o.WhileDown {
	case "", "reset", "drop":
	default:
		return nil, fmt.Errorf("--while-down %q: use reset or drop", o.WhileDown)
	}
	if o.RebootTime == 0 {
		o.RebootTime = 3 * time.Second
	}
	if o.ComputerName == "" {
		o.ComputerName = "WINSIM-" + strings.ToUpper(p.Name)
	}
	s := &Sim{opts: o, prof: p}
	s.Machine = machine.New(machine.Config{Build: p.Build, Client: p.Client, Virtualization: o.Virtualization, Offline: o.Offline,
		Release: s.release()})
	if o.Internet != nil {
		s.Machine.UseInternet(o.Internet)
	}
	s.Host = host.New(o.ComputerName, p.Build, time.Now().Add(-time.Hour), s.Machine)
	s.Host.RebootTime = o.RebootTime
	s.Server = wsman.NewServer(wsman.Config{User: o.User, Password: o.Password, HTTPS: o.HTTPS, AllowUnencrypted: (!o.HTTPS && !o.RequireEncryption) || o.AllowUnencrypted,
		DisableBasic: o.Auth == "ntlm" || o.Auth == "kerberos", Keytab: kt, ComputerName: o.ComputerName, Build: p.Build,
		Handler: s.Host.Run, Up: s.Host.Up, DropWhileDown: o.WhileDown == "drop", Quotas: o.Quotas,
		Certificate: o.CertificateAuth, CertMappings: o.CertMappings, TrustedRoots: roots})
	if err := s.useEngine(); err != nil {
		return nil, err
	}
	s.Host.OnReboot = func() {
		s.mu.Lock()
		s.reboots++
		if s.faults.stayDown {
			s.faults.down = true
		}
		s.mu.Unlock()
		s.Server.CloseAll()
		if s.SSHD != nil {
			s.SSHD.CloseAll()
		}
	}
	if o.SSH {
		if err := s.useSSH(); err != nil {
			return nil, err
		}
	}
	if o.HTTPS {
		cfg, caPEM, err := newTLS()
		if err != nil {
			return nil, err
		}
		if o.CertificateAuth || len(o.CertMappings) > 0 {
			// Windows asks for the certificate by renegotiation when a request names certificate
			// authentication; Go's server cannot renegotiate, so winsim asks every client in the
			// handshake and lets the WS-Man server judge it (internal/winsim/DIFFERENCES.md).
			cfg.ClientAuth = tls.RequestClientCert
		}
		s.TLS = cfg
		if o.StateDir == "" {
			return nil, errors.New("--https needs --state-dir, where the CA certificate is written as ca.pem")
		}
		if err := os.MkdirAll(o.StateDir, 0o700); err != nil {
			return nil, fmt.Errorf("state dir: %w", err)
		}
		if err := os.WriteFile(filepath.Join(o.StateDir, "ca.pem"), caPEM, 0o600); err != nil {
			return nil, fmt.Errorf("writing ca.pem: %w", err)
		}
	}
	return s, nil
}

// Profile returns the host's release profile.
func (s *Sim) Profile() profile.Profile { return s.prof }

// Handler is the listener's handler: /wsman (through fault injection) and the control API.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/wsman", http.HandlerFunc(s.wsman))
	mux.HandleFunc("GET /winsim/v1/state", s.control(s.state))
	mux.HandleFunc("POST /winsim/v1/faults", s.control(s.injectFault))
	mux.HandleFunc("POST /winsim/v1/drift", s.control(s.drift))
	mux.HandleFunc("POST /winsim/v1/reset-counters", s.control(func(w http.ResponseWriter, _ *http.Request) {
		s.ResetCounts()
		w.WriteHeader(http.StatusNoContent)
	}))
	return mux
}

func (s *Sim) wsman(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f := s.faults
	if s.faults.resets > 0 {
		s.faults.resets--
	}
	s.mu.Unlock()
	if f.latency > 0 {
		select {
		case <-time.After(f.latency):
		case <-r.Context().Done():
			return
		}
	}
	if f.resets > 0 || f.down {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
	}
	s.Server.ServeHTTP(w, r)
}

func (s *Sim) control(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(s.opts.User)) != 1 || subtle.ConstantTimeCompare([]byte(p), []byte(s.opts.Password)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="winsim control"`)
			http.Error(w, "the control API needs the host's credentials", http.StatusUnauthorized)
			return
		}
		h(w, r)
	}
}

// State is the control API's view of the host.
type State struct {
	OS struct {
		Profile      string `json:"profile"`
		Build        int    `json:"build"`
		Channel      string `json:"channel"`
		Edition      string `json:"edition"`
		Installation string `json:"installation"`
		ProductName  string `json:"product_name"`
	} `json:"os"`
	BootID         string `json:"boot_id"`
	Reboots        int    `json:"reboots"`
	Up             bool   `json:"up"`
	Virtualization string `json:"virtualization"`
	// HypervisorLaunchType is the boot entry's hypervisorlaunchtype ("Auto", "Off", "" when not set) and
	// HypervisorRunning whether the Windows hypervisor started at the last boot.
	HypervisorLaunchType string                     `json:"hypervisor_launch_type"`
	HypervisorRunning    bool                       `json:"hypervisor_running"`
	Offline              bool                       `json:"offline"`
	Features             map[string]string          `json:"features"`
	PendingReboot        bool                       `json:"pending_reboot"`
	Services             map[string]machine.Service `json:"services"`
	Engine               struct {
		Type    string `json:"type"`
		Version string `json:"version"`
		// DataRoot is where the running docker keeps images and containers (docker info's
		// DockerRootDir: daemon.json's data-root as read at its last start); "" when docker is not running.
		DataRoot string `json:"data_root,omitempty"`
	} `json:"engine"`
	// DaemonConfig is daemon.json parsed, null when absent; DaemonConfigRaw is its text when it does not parse.
	DaemonConfig    map[string]any    `json:"daemon_config"`
	DaemonConfigRaw string            `json:"daemon_config_raw,omitempty"`
	LCOWBootFiles   []string          `json:"lcow_boot_files"`
	MachinePath     []string          `json:"machine_path"`
	Files           map[string]string `json:"files"` // path -> sha256, under Program Files and ProgramData
	Verified        string            `json:"verified_spec_hash"`
	Images          []string          `json:"images,omitempty"`
	HNSNetworks     map[string]string `json:"hns_networks,omitempty"` // the Host Network Service's networks, name -> type
	Requests        struct {
		Total    int            `json:"total"`
		ByAction map[string]int `json:"by_action"`
		BytesIn  int64          `json:"bytes_in"`
		BytesOut int64          `json:"bytes_out"`
		// AuthChallenges counts the 401 answers (not in Total, which counts SOAP requests): the
		// anonymous first try and the challenge of every NTLM handshake, and refused credentials.
		AuthChallenges int `json:"auth_challenges"`
		// Sealed counts the SOAP requests (in Total) that came sealed with NTLM session security
		// (multipart/encrypted).
		Sealed int `json:"sealed"`
	} `json:"requests"`
	// OpenShells is how many WinRM shells are open now (created and not yet deleted); a client that
	// leaks shells makes it grow. A restart drops them all, as on Windows.
	OpenShells int `json:"open_shells"`
	// QuotaFaults counts the WinRM quota faults returned, by quota (MaxShellsPerUser, MaxConcurrentUsers,
	// MaxConcurrentOperationsPerUser); IdleTimeouts the shells deleted for being idle past IdleTimeout.
	QuotaFaults  map[string]int `json:"quota_faults"`
	IdleTimeouts int            `json:"idle_timeouts"`
	// SSH is what the OpenSSH server saw (null without Options.SSH).
	SSH *sshd.Stats `json:"ssh,omitempty"`
}

// Snapshot returns the current state.
func (s *Sim) Snapshot() State {
	var st State
	st.OS.Profile, st.OS.Build, st.OS.Channel = s.prof.Name, s.prof.Build, s.prof.Channel
	st.OS.Edition, st.OS.Installation = s.opts.Edition, s.opts.Installation
	st.OS.ProductName = s.productName()
	st.BootID, st.Up = s.Host.BootID(), s.Host.Up()
	s.mu.Lock()
	st.Reboots = s.reboots
	s.mu.Unlock()
	st.Virtualization = s.opts.Virtualization
	st.HypervisorLaunchType, st.HypervisorRunning = s.Machine.HypervisorLaunchType(), s.Machine.HypervisorRunning()
	if st.Virtualization == "" {
		st.Virtualization = "none"
	}
	m := s.Machine
	st.Offline = s.opts.Offline
	st.Features, st.PendingReboot, st.Services = m.Features(), m.PendingReboot(), m.Services()
	if e := engineOf(m); e != "" {
		st.Engine.Type = e
		st.Engine.Version = engineVersion(m, e)
		if info, err := m.Info(e); err == nil {
			st.Engine.DataRoot = info.DataRoot
		}
	}
	if f, ok := m.File(machine.DaemonJSON); ok {
		if err := json.Unmarshal(f.Content, &st.DaemonConfig); err != nil {
			st.DaemonConfigRaw = string(f.Content)
		}
	}
	st.LCOWBootFiles = []string{}
	for n := range lcowBootFiles(m) {
		st.LCOWBootFiles = append(st.LCOWBootFiles, machine.LCOWDir+`\`+n)
	}
	slices.Sort(st.LCOWBootFiles)
	st.MachinePath = m.MachinePath()
	st.Files = map[string]string{}
	for _, dir := range []string{machine.ProgramFiles, machine.ProgramData} {
		for _, p := range m.Paths(dir) {
			f, _ := m.File(p)
			st.Files[p] = f.SHA256
		}
	}
	st.Verified = m.Registry("VerifiedSpecHash")
	st.Images, st.HNSNetworks = m.Images(), m.Networks()
	st.Requests.ByAction = s.Server.Counts()
	for _, n := range st.Requests.ByAction {
		st.Requests.Total += n
	}
	st.Requests.BytesIn, st.Requests.BytesOut = s.Server.Bytes()
	st.Requests.AuthChallenges = s.Server.AuthChallenges()
	st.Requests.Sealed = s.Server.SealedRequests()
	st.OpenShells = s.Server.OpenShells()
	st.QuotaFaults = s.Server.QuotaFaults()
	if st.QuotaFaults == nil {
		st.QuotaFaults = map[string]int{}
	}
	st.IdleTimeouts = s.Server.IdleTimedOut()
	if s.SSHD != nil {
		ss := s.SSHD.Stats()
		st.SSH = &ss
	}
	return st
}

func (s *Sim) state(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s.Snapshot())
}

// Fault is a control-API fault request.
type Fault struct {
	Kind   string `json:"kind"`
	Count  int    `json:"count"`
	Delay  string `json:"delay"`
	Action string `json:"action"`
	// URLContains selects the downloads fail_download breaks ("" with fail_download clears them).
	URLContains string `json:"url_contains"`
}

func (s *Sim) drift(w http.ResponseWriter, r *http.Request) {
	var d machine.Drift
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		http.Error(w, "drift: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.Machine.ApplyDrift(d); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sim) injectFault(w http.ResponseWriter, r *http.Request) {
	var f Fault
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&f); err != nil {
		http.Error(w, "fault: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.Inject(f); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// FaultKinds are the kinds Inject accepts (docs/reliability.md describes what each does).
var FaultKinds = []string{"reset_connections", "reboot_now", "reject_auth", "allow_auth", "latency", "soap_fault", "fail_download",
	"truncate_download", "disk_full", "disk_freed", "hns_broken", "hns_fixed", "hns_first_boot", "crash_service", "stay_down", "come_back", "clear"}

// Inject applies a fault: reset_connections (count), reboot_now, reject_auth, allow_auth, latency
// (delay: every WS-Man request, and everything the SSH server sends on a connection accepted while it
// is set, waits that long), soap_fault (action), fail_download (url_contains); the machine's truncate_download
// (url_contains; "" clears), disk_full and disk_freed, hns_broken and hns_fixed, hns_first_boot (at the
// next boot HNS is not ready when Windows starts docker, moby#50093; once), crash_service (action:
// the service; "" clears); stay_down (the next restart never finishes: every connection is reset
// after it) and come_back; clear (every fault off).
func (s *Sim) Inject(f Fault) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	mf := s.Machine.CurrentFaults()
	switch f.Kind {
	case "truncate_download":
		mf.TruncateDownloads = nil
		if f.URLContains != "" {
			mf.TruncateDownloads = []string{f.URLContains}
		}
		s.Machine.SetFaults(mf)
	case "disk_full", "disk_freed":
		mf.DiskFull = f.Kind == "disk_full"
		s.Machine.SetFaults(mf)
	case "hns_broken", "hns_fixed":
		mf.HNSBroken = f.Kind == "hns_broken"
		s.Machine.SetFaults(mf)
	case "hns_first_boot":
		mf.HNSFirstBoot = true
		s.Machine.SetFaults(mf)
	case "crash_service":
		switch f.Action {
		case "":
			mf.CrashServices = nil
		case "docker", "containerd":
			mf.CrashServices = append(mf.CrashServices, f.Action)
		default:
			return fmt.Errorf("crash_service needs an action: docker, containerd, or \"\" to clear (got %q)", f.Action)
		}
		s.Machine.SetFaults(mf)
	case "stay_down":
		s.faults.stayDown = true
	case "come_back":
		s.faults.stayDown, s.faults.down = false, false
	case "clear":
		s.faults = faults{}
		s.Server.RejectCredentials(false)
		s.Machine.SetFaults(machine.Faults{})
		s.Machine.FailDownloads("")
	case "reset_connections":
		if f.Count <= 0 {
			f.Count = 1
		}
		s.faults.resets += f.Count
	case "reboot_now":
		go s.Host.Reboot(0)
	case "reject_auth":
		// Every credential check fails, Basic and NTLM alike, and authenticated connections are forgotten.
		s.Server.RejectCredentials(true)
	case "allow_auth":
		s.Server.RejectCredentials(false)
	case "soap_fault":
		verb := f.Action
		switch verb {
		case "Create", "Command", "Send", "Receive", "Signal", "Delete":
		default:
			return fmt.Errorf("soap_fault needs an action: Create, Command, Send, Receive, Signal or Delete (got %q)", f.Action)
		}
		s.Server.InjectFault(verb, wsman.InternalError("The service cannot comply with the request due to internal processing errors. "))
	case "fail_download":
		s.Machine.FailDownloads(f.URLContains)
	case "latency":
		d, err := time.ParseDuration(f.Delay)
		if err != nil || d < 0 || d > time.Minute {
			return fmt.Errorf("latency delay %q: give a duration up to 1m, such as \"50ms\"", f.Delay)
		}
		s.faults.latency = d
	default:
		return fmt.Errorf("unknown fault kind %q (supported: %s)", f.Kind, strings.Join(FaultKinds, ", "))
	}
	return nil
}

// Listen starts serving on addr (127.0.0.1:0 picks a free port) and returns the base URL and a stop
// function.
func (s *Sim) Listen(addr string) (url string, stop func() error, err error) {
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	// ConnContext: NTLM authenticates the connection (docs/knowledge/winrm.md#http-authentication).
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 30 * time.Second, TLSConfig: s.TLS, ConnContext: s.Server.ConnContext}
	scheme := "http"
	if s.TLS != nil {
		scheme = "https"
		ln = tls.NewListener(ln, s.TLS)
	}
	go func() { _ = srv.Serve(ln) }()
	return scheme + "://" + ln.Addr().String(), srv.Close, nil
}

// productName is WindowsProductName: the profile's name with the edition.
func (s *Sim) productName() string {
	if s.prof.Client {
		return s.prof.ProductName + map[string]string{"pro": " Pro", "enterprise": " Enterprise"}[s.opts.Edition]
	}
	return s.prof.ProductName + " " + strings.ToUpper(s.opts.Edition[:1]) + s.opts.Edition[1:]
}

// engineOf is the engine the state document reports: Docker first, then containerd, by service.
func engineOf(m *machine.Machine) string {
	for _, e := range []string{"docker", "containerd"} {
		if _, ok := m.Service(e); ok {
			return e
		}
	}
	return ""
}

func engineVersion(m *machine.Machine, engine string) string {
	f, _ := m.File(machine.EngineBinary(engine))
	return f.Version
}

// lcowBootFiles are the boot files present where hcsshim looks for them, name -> SHA-256.
func lcowBootFiles(m *machine.Machine) map[string]string {
	out := map[string]string{}
	for _, n := range []string{"kernel", "vmlinux", "initrd.img", "rootfs.vhd"} {
		if f, ok := m.File(machine.LCOWDir + `\` + n); ok {
			out[n] = f.SHA256
		}
	}
	return out
}
