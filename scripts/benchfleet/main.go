// Command benchfleet measures the provider through the real Terraform CLI against winsim hosts, for
// scripts/bench (`make bench`), and prints `go test -bench` style lines that scripts/benchreport reads:
//
//	benchfleet -mode refresh   a no-op `terraform plan` of 1, 10 and 50 converged hosts, at 0 and 20 ms
//	                           latency: wall time, WS-Man requests per host by action, bytes, peak RSS
//	benchfleet -mode fleet     one `terraform apply` of 100 bare hosts at -parallelism 10 and 50: wall
//	                           time, peak RSS of the provider, Terraform and winsim, errors and quota faults
//
// The hosts are one `winsim serve --count N --https` process; the provider is bin/ through dev_overrides
// in a temporary CLI configuration, with examples/lab as the configuration (as scripts/demo does). The
// password is random and travels only in the environment (WINSIM_PASSWORD, TF_VAR_password). Peak RSS
// is VmHWM from /proc/<pid>/status, polled every 20 ms for Terraform and every provider process it starts
// (a plan or apply starts several; the largest counts), and read once for winsim at the end.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	wsim "github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/control"
)

const providerComm = "terraform-provi" // /proc/<pid>/comm keeps 15 bytes of terraform-provider-wincontainers

var actions = []string{"Create", "Command", "Send", "Receive", "Signal", "Delete"}

type config struct {
	root, bin, tf, work string
	runs                int
	password, quotas    string
}

func main() {
	mode := flag.String("mode", "refresh", "refresh or fleet")
	runs := flag.Int("count", 3, "runs of each case")
	tf := flag.String("terraform", "", "Terraform CLI (default: scripts/terraform-cli)")
	hosts := flag.Int("hosts", 100, "fleet: number of hosts")
	par := flag.String("parallelism", "10,50", "fleet: -parallelism values")
	quotas := flag.String("quotas", "", "winsim serve --quotas (modern, spec or legacy; default winsim's)")
	sizes := flag.String("sizes", "1,10,50", "refresh: numbers of hosts")
	flag.Parse()
	if err := run(*mode, *runs, *tf, *hosts, *par, *sizes, *quotas); err != nil {
		fmt.Fprintln(os.Stderr, "benchfleet:", err)
		os.Exit(1)
	}
}

func run(mode string, runs int, tf string, hosts int, par, sizes, quotas string) error {
	root, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("os.Getwd: %w", err)
	}
	c := &config{root: root, bin: filepath.Join(root, "bin"), runs: runs, quotas: quotas}
	for _, b := range []string{"terraform-provider-wincontainers", "winsim"} {
		if _, err := os.Stat(filepath.Join(c.bin, b)); err != nil {
			return fmt.Errorf("%s: run make build first", filepath.Join(c.bin, b))
		}
	}
	if tf == "" {
		out, err := exec.CommandContext(context.Background(), filepath.Join(root, "scripts/terraform-cli")).Output()
		if err != nil {
			return fmt.Errorf("scripts/terraform-cli: %w", err)
		}
		tf = strings.TrimSpace(string(out))
	}
	c.tf = tf
	c.work, err = os.MkdirTemp("", "benchfleet.")
	if err != nil {
		return fmt.Errorf("os.MkdirTemp: %w", err)
	}
	defer func() { _ = os.RemoveAll(c.work) }()
	rnd := make([]byte, 12)
	_, _ = rand.Read(rnd)
	c.password = "Bench-" + hex.EncodeToString(rnd) + "-1a"
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"wincontainers/wincontainers\" = %q\n  }\n  direct {}\n}\n", c.bin)
	if err := os.WriteFile(filepath.Join(c.work, "dev.tfrc"), []byte(rc), 0o600); err != nil {
		return fmt.Errorf("os.WriteFile: %w", err)
	}
	switch mode {
	case "refresh":
		return c.refresh(ints(sizes))
	case "fleet":
		return c.fleet(hosts, ints(par))
	}
	return fmt.Errorf("-mode %q: refresh or fleet", mode)
}

func ints(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// refresh converges the largest set once, then times no-op plans of each size at 0 and 20 ms.
func (c *config) refresh(sizes []int) error {
	largest := 0
	for _, n := range sizes {
		largest = max(largest, n)
	}
	sim, err := c.startWinsim(filepath.Join(c.work, "hosts"), largest)
	if err != nil {
		return err
	}
	defer sim.stop()
	dirs := map[int]string{}
	sort.Sort(sort.Reverse(sort.IntSlice(sizes)))
	for _, n := range sizes { // the largest first: the smaller sets then apply to converged hosts
		d, err := c.workdir(fmt.Sprintf("refresh-%d", n), sim, n)
		if err != nil {
			return err
		}
		dirs[n] = d
		start := time.Now()
		if _, err := c.terraform(d, "apply", "-auto-approve", "-parallelism=50"); err != nil {
			return fmt.Errorf("converging %d hosts: %w", n, err)
		}
		logf("converged %d hosts in %.1f s", n, time.Since(start).Seconds())
	}
	sort.Ints(sizes)
	for _, lat := range []time.Duration{0, 20 * time.Millisecond} {
		if err := sim.each(largest, func(h *simServer) error { return h.latency(lat) }); err != nil {
			return err
		}
		for _, n := range sizes {
			for range c.runs {
				if err := sim.each(n, (*simServer).resetCounters); err != nil {
					return err
				}
				start := time.Now()
				res, err := c.terraform(dirs[n], "plan", "-detailed-exitcode")
				wall := time.Since(start)
				if err != nil {
					return fmt.Errorf("no-op plan of %d hosts at %s: %w", n, lat, err)
				}
				tot, err := sim.totals(n)
				if err != nil {
					return err
				}
				line := fmt.Sprintf("BenchmarkRefresh/hosts=%d/latency=%dms 1 %d ns/op %.2f ms/host %.4g requests/host",
					n, lat.Milliseconds(), wall.Nanoseconds(), float64(wall)/1e6/float64(n), float64(tot.requests)/float64(n))
				for _, a := range actions {
					line += fmt.Sprintf(" %.4g %s/host", float64(tot.byAction[a])/float64(n), a)
				}
				line += fmt.Sprintf(" %.0f bytes-sent/host %.0f bytes-received/host %.1f provider-peak-MB %d open-shells",
					float64(tot.bytesIn)/float64(n), float64(tot.bytesOut)/float64(n), res.providerMB, tot.openShells)
				fmt.Println(line)
			}
		}
	}
	return nil
}

// fleet applies a fresh set of bare hosts once per run and parallelism.
func (c *config) fleet(hosts int, pars []int) error {
	for _, p := range pars {
		for r := range c.runs {
			sim, err := c.startWinsim(filepath.Join(c.work, fmt.Sprintf("fleet-%d-%d", p, r)), hosts)
			if err != nil {
				return err
			}
			baseMB := sim.rssMB("VmRSS")
			d, err := c.workdir(fmt.Sprintf("fleet-%d-%d-tf", p, r), sim, hosts)
			if err != nil {
				sim.stop()
				return err
			}
			start := time.Now()
			res, applyErr := c.terraform(d, "apply", "-auto-approve", fmt.Sprintf("-parallelism=%d", p))
			wall := time.Since(start)
			tot, err := sim.totals(hosts)
			winsimMB := sim.rssMB("VmHWM")
			sim.stop()
			if err != nil {
				return err
			}
			errs := strings.Count(res.output, "Error: ")
			quota := tot.quotaFaults // what winsim returned, retried by the provider or not
			if n := len(quotaFault.FindAllStringIndex(res.output, -1)); n > quota {
				quota = n
			}
			if applyErr != nil {
				logf("apply at -parallelism=%d failed (%d errors, %d quota faults): %v\n%s", p, errs, quota, applyErr, tail(res.output, 40))
			}
			line := fmt.Sprintf("BenchmarkFleet/hosts=%d/parallelism=%d 1 %d ns/op %.2f slot-s/host %.3g requests/host %.3g reboots/host %d verified %d errors %d quota-faults %d open-shells %.1f provider-peak-MB %.1f terraform-peak-MB %.1f winsim-peak-MB %.0f winsim-KB/host",
				hosts, p, wall.Nanoseconds(), wall.Seconds()*float64(p)/float64(hosts), float64(tot.requests)/float64(hosts),
				float64(tot.reboots)/float64(hosts), tot.verified, errs, quota, tot.openShells, res.providerMB, res.terraformMB,
				winsimMB, (winsimMB-baseMB)*1024/float64(hosts))
			fmt.Println(line)
		}
	}
	return nil
}

// quotaFault matches a WinRM quota fault in Terraform's output (MaxShellsPerUser 2150859173,
// MaxConcurrentOperationsPerUser 2150859174, MaxConcurrentUsers 2150859179), should one reach the user.
var quotaFault = regexp.MustCompile(`(?i)QuotaLimit|21508591(73|74|79)|maximum number of \d+ concurrent`)

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "benchfleet: "+format+"\n", a...)
}

// --- winsim

type winsim struct {
	cmd   *exec.Cmd
	hosts []*simServer
	dir   string
}

// simServer is one host the winsim process serves: its URL, CA file and control API client.
type simServer struct {
	url, ca string
	ctl     *control.Client
}

var listening = regexp.MustCompile(`^winsim: host (\d+) listening on (https://127\.0\.0\.1:(\d+))`)

func (c *config) startWinsim(dir string, n int) (*winsim, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("os.MkdirAll: %w", err)
	}
	args := []string{"serve", "--os", "ws2022", "--https", "--state-dir", dir, "--count", strconv.Itoa(n)}
	if c.quotas != "" {
		args = append(args, "--quotas", c.quotas)
	}
	cmd := exec.CommandContext(context.Background(), filepath.Join(c.bin, "winsim"), args...)
	cmd.Env = append(os.Environ(), "WINSIM_PASSWORD="+c.password)
	stderr, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		return nil, fmt.Errorf("os.Create: %w", err)
	}
	defer func() { _ = stderr.Close() }()
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("exec.Cmd.StdoutPipe: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("exec.Cmd.Start: %w", err)
	}
	w := &winsim{cmd: cmd, dir: dir}
	sc := bufio.NewScanner(out)
	done := make(chan error, 1)
	go func() {
		for len(w.hosts) < n && sc.Scan() {
			m := listening.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			i, _ := strconv.Atoi(m[1])
			ca := filepath.Join(dir, m[1], "ca.pem")
			if n == 1 {
				ca = filepath.Join(dir, "ca.pem")
			}
			h, err := newSimServer(m[2], ca, c.password)
			if err != nil {
				done <- err
				return
			}
			if i != len(w.hosts) {
				done <- fmt.Errorf("winsim: host %d out of order", i)
				return
			}
			w.hosts = append(w.hosts, h)
		}
		if len(w.hosts) < n {
			done <- fmt.Errorf("winsim exited after %d of %d hosts (see %s/stderr)", len(w.hosts), n, dir)
			return
		}
		go func() { _, _ = io.Copy(io.Discard, out) }()
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			w.stop()
			return nil, err
		}
	case <-time.After(2 * time.Minute):
		w.stop()
		return nil, errors.New("winsim did not start its hosts within 2 minutes")
	}
	return w, nil
}

func (w *winsim) stop() {
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	_ = w.cmd.Wait()
}

func (w *winsim) rssMB(field string) float64 { return statusMB(w.cmd.Process.Pid, field) }

func newSimServer(url, caFile, password string) (*simServer, error) {
	ctl, err := control.New(url, caFile, "Administrator", password)
	if err != nil {
		return nil, fmt.Errorf("winsim host %s: %w", url, err)
	}
	return &simServer{url: url, ca: caFile, ctl: ctl}, nil
}

func (h *simServer) latency(d time.Duration) error {
	return h.ctl.Inject(context.Background(), wsim.Fault{Kind: "latency", Delay: d.String()}) //nolint:wrapcheck // names the host and path
}

func (h *simServer) resetCounters() error {
	return h.ctl.ResetCounters(context.Background()) //nolint:wrapcheck // names the host and path
}

// each runs f on the first n hosts, 8 at a time.
func (w *winsim) each(n int, f func(*simServer) error) error {
	var mu sync.Mutex
	var first error
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for _, h := range w.hosts[:n] {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := f(h); err != nil {
				mu.Lock()
				first = cmpErr(first, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

type totals struct {
	requests, reboots, verified, openShells, quotaFaults int
	byAction                                             map[string]int
	bytesIn, bytesOut                                    int64
}

func (w *winsim) totals(n int) (totals, error) {
	t := totals{byAction: map[string]int{}}
	var mu sync.Mutex
	err := w.each(n, func(h *simServer) error {
		st, err := h.ctl.State(context.Background())
		if err != nil {
			return err //nolint:wrapcheck // names the host and path
		}
		mu.Lock()
		defer mu.Unlock()
		t.requests += st.Requests.Total
		t.reboots += st.Reboots
		t.openShells += st.OpenShells
		for _, v := range st.QuotaFaults {
			t.quotaFaults += v
		}
		t.bytesIn += st.Requests.BytesIn
		t.bytesOut += st.Requests.BytesOut
		if st.Verified != "" {
			t.verified++
		}
		for a, v := range st.Requests.ByAction {
			t.byAction[a] += v
		}
		return nil
	})
	return t, err
}

// --- Terraform

// workdir writes examples/lab with the first n hosts as process-isolation ws2022 hosts.
func (c *config) workdir(name string, w *winsim, n int) (string, error) {
	d := filepath.Join(c.work, name)
	if err := os.MkdirAll(d, 0o700); err != nil {
		return "", fmt.Errorf("os.MkdirAll: %w", err)
	}
	tfs, _ := filepath.Glob(filepath.Join(c.root, "examples/lab/*.tf"))
	for _, f := range tfs {
		b, err := os.ReadFile(f) //nolint:gosec // the repository's example
		if err != nil {
			return "", fmt.Errorf("os.ReadFile: %w", err)
		}
		if err := os.WriteFile(filepath.Join(d, filepath.Base(f)), b, 0o600); err != nil {
			return "", fmt.Errorf("os.WriteFile: %w", err)
		}
	}
	type hostVar struct {
		Host          string `json:"host"`
		Port          int    `json:"port"`
		CACertFile    string `json:"ca_cert_file"`
		ContainerMode string `json:"container_mode"`
		OSVersion     string `json:"os_version"`
	}
	hosts := map[string]hostVar{}
	for i, h := range w.hosts[:n] {
		port, _ := strconv.Atoi(h.url[strings.LastIndex(h.url, ":")+1:])
		hosts[fmt.Sprintf("h%03d", i)] = hostVar{"127.0.0.1", port, h.ca, "process", "2022"}
	}
	b, err := json.MarshalIndent(map[string]any{"hosts": hosts}, "", "  ")
	if err != nil {
		return "", fmt.Errorf("json.MarshalIndent: %w", err)
	}
	return d, wrapErr("tfvars", os.WriteFile(filepath.Join(d, "terraform.tfvars.json"), b, 0o600))
}

type tfResult struct {
	output                  string
	providerMB, terraformMB float64
}

// terraform runs one command in dir, sampling the peak RSS of Terraform and of the providers it starts.
func (c *config) terraform(dir string, args ...string) (tfResult, error) {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "TF_") {
			env = append(env, e)
		}
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+filepath.Join(c.work, "dev.tfrc"), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"TF_VAR_password="+c.password)
	cmd := exec.CommandContext(context.Background(), c.tf, append([]string{args[0], "-input=false", "-no-color"}, args[1:]...)...)
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return tfResult{}, fmt.Errorf("exec.Cmd.Start: %w", err)
	}
	stop := make(chan struct{})
	peaks := make(chan [2]float64, 1)
	go func() { peaks <- sample(cmd.Process.Pid, stop) }()
	err := cmd.Wait()
	close(stop)
	p := <-peaks
	res := tfResult{output: out.String(), providerMB: p[0], terraformMB: p[1]}
	if err != nil {
		return res, fmt.Errorf("terraform %s: %w\n%s", args[0], err, tail(res.output, 30))
	}
	return res, nil
}

// sample polls /proc until stop: the largest VmHWM of the provider processes under pid, and pid's own.
func sample(pid int, stop <-chan struct{}) [2]float64 {
	var prov, tf float64
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		tf = max(tf, statusMB(pid, "VmHWM"))
		for _, child := range children(pid) {
			if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", child)); strings.TrimSpace(string(comm)) == providerComm {
				prov = max(prov, statusMB(child, "VmHWM"))
			}
		}
		select {
		case <-stop:
			return [2]float64{prov, tf}
		case <-t.C:
		}
	}
}

func children(pid int) []int {
	// Go starts a child from whichever thread runs the fork, so every thread's children count.
	if tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid)); len(tasks) > 0 {
		var out []int
		for _, t := range tasks {
			b, _ := os.ReadFile(t) //nolint:gosec // procfs
			for _, f := range strings.Fields(string(b)) {
				if n, err := strconv.Atoi(f); err == nil {
					out = append(out, n)
				}
			}
		}
		return out
	}
	// Kernels without CONFIG_PROC_CHILDREN: scan /proc for the parent pid.
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", n))
		if err != nil {
			continue
		}
		s := string(st)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			out = append(out, n)
		}
	}
	return out
}

// statusMB reads a "VmHWM:  1234 kB" style field of /proc/<pid>/status, in MB (0 when gone).
func statusMB(pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == field {
			f := strings.Fields(v)
			if len(f) > 0 {
				kb, _ := strconv.ParseFloat(f[0], 64)
				return kb / 1024
			}
		}
	}
	return 0
}

func wrapErr(what string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
