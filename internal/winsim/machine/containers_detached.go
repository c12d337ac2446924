package machine

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
)

// Containers that keep running (`docker run -d`, `nerdctl run -d`) and the host's process table they
// show in. Run (containers.go) runs a container to completion; a detached container is started with
// the same checks and stays until it is removed, its engine stops or the machine restarts.
//
// What a container shows on the host (docs/knowledge/windows.md#process-isolation; Microsoft's "Isolation modes" page): a process-
// isolated container's processes are host processes (the same PIDs `docker top` lists); a Hyper-V
// isolated container's processes run in a utility VM, and the host sees that VM's worker process,
// vmwp.exe, instead.

// Container is a detached container.
type Container struct {
	ID        string // 64 hex digits
	Engine    string
	Image     string
	Isolation string // process or hyperv
	Command   []string
	// Processes are the container's processes as `docker top` lists them (image name and PID); the
	// last one is the command's.
	Processes []Process
	// WorkerPID is the host's vmwp.exe for a Hyper-V isolated container (0 for process isolation).
	WorkerPID int
	// Project and Service are a compose-made container's labels (com.docker.compose.project and
	// .service, or nerdctl's equivalents); "" for a container run on its own.
	Project string
	Service string
	started time.Time
	exited  bool
}

// Process is a process in the host's (or a container's) process table.
type Process struct {
	Name string // without .exe, as Get-Process's ProcessName
	ID   int
}

// Running reports whether the container still runs.
func (c Container) Running() bool { return !c.exited }

// containerSystemProcesses are the processes a Windows container's own session runs before its command
// (inferred from `docker top` of a Server Core container; CExecSvc is the container execution agent).
func containerSystemProcesses() []string {
	return []string{"smss", "csrss", "wininit", "services", "lsass", "svchost", "CExecSvc"}
}

// longRunning reports whether a command keeps running until it is stopped: `ping -t` (what verify.ps1
// starts) does; any other command is taken to finish at once (not modelled beyond that).
func longRunning(cmd []string) bool {
	if len(cmd) == 0 || !strings.EqualFold(strings.TrimSuffix(strings.ToLower(path.Base(strings.ReplaceAll(cmd[0], `\`, "/"))), ".exe"), "ping") {
		return false
	}
	return slices.ContainsFunc(cmd[1:], func(a string) bool { return strings.EqualFold(a, "-t") || strings.EqualFold(a, "/t") })
}

func (w *Windows) pidLocked() int {
	w.nextPID += 4 // Windows process IDs are multiples of four
	return w.nextPID
}

// RunDetached starts a container in the background with Run's checks and errors (the image must be
// present or pullable, the isolation possible on this host).
func (w *Windows) RunDetached(o RunOptions, cmd []string) (Container, error) {
	res, err := w.m.Run(o)
	if err != nil {
		return Container{}, err
	}
	var b [32]byte
	_, _ = rand.Read(b[:])
	w.mu.Lock()
	defer w.mu.Unlock()
	c := &Container{ID: hex.EncodeToString(b[:]), Engine: o.Engine, Image: o.Image, Isolation: res.Isolation,
		Command: slices.Clone(cmd), started: w.Now(), exited: !longRunning(cmd)}
	for _, n := range containerSystemProcesses() {
		c.Processes = append(c.Processes, Process{Name: n, ID: w.pidLocked()})
	}
	if len(cmd) > 0 {
		name := strings.TrimSuffix(path.Base(strings.ReplaceAll(cmd[0], `\`, "/")), ".exe")
		c.Processes = append(c.Processes, Process{Name: name, ID: w.pidLocked()})
	}
	if c.Isolation == "hyperv" {
		c.WorkerPID = w.pidLocked()
	}
	w.containers = append(w.containers, c)
	return *c, nil
}

// liveLocked drops containers that no longer run: removed by a restart (started before this boot) or
// by their engine's stop (without live-restore, which Windows does not support, an engine's stop
// stops its containers; moby daemon/daemon_windows.go).
func (w *Windows) liveLocked(boot time.Time) []*Container {
	keep := w.containers[:0]
	for _, c := range w.containers {
		svc, ok := w.m.Service(c.Engine)
		if c.started.Before(boot) || !ok || svc.State != Running {
			continue
		}
		keep = append(keep, c)
	}
	w.containers = keep
	return keep
}

// Container finds a container by its ID or a unique prefix of it (as docker and nerdctl accept).
func (w *Windows) Container(engine, ref string) (Container, error) {
	boot := w.BootTime()
	w.mu.Lock()
	defer w.mu.Unlock()
	c, err := findContainer(w.liveLocked(boot), engine, ref)
	if err != nil {
		return Container{}, err
	}
	return *c, nil
}

// NoSuchContainerError is a reference that names no container.
type NoSuchContainerError struct{ Ref string }

func (e *NoSuchContainerError) Error() string { return "No such container: " + e.Ref }

func findContainer(cs []*Container, engine, ref string) (*Container, error) {
	var found *Container
	for _, c := range cs {
		if c.Engine == engine && ref != "" && strings.HasPrefix(c.ID, strings.ToLower(ref)) {
			if found != nil {
				return nil, fmt.Errorf("multiple IDs found with provided prefix: %s", ref)
			}
			found = c
		}
	}
	if found == nil {
		return nil, &NoSuchContainerError{ref}
	}
	return found, nil
}

// RemoveContainer is `docker rm -f`: the container is stopped and removed.
func (w *Windows) RemoveContainer(engine, ref string) error {
	boot := w.BootTime()
	w.mu.Lock()
	defer w.mu.Unlock()
	live := w.liveLocked(boot)
	c, err := findContainer(live, engine, ref)
	if err != nil {
		return err
	}
	w.containers = slices.DeleteFunc(live, func(x *Container) bool { return x == c })
	return nil
}

// Containers lists the containers that exist (running or exited, not removed).
func (w *Windows) Containers() []Container {
	boot := w.BootTime()
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []Container
	for _, c := range w.liveLocked(boot) {
		out = append(out, *c)
	}
	return out
}

// hostBaseProcesses are the processes every Windows host runs (a representative set; inferred).
func hostBaseProcesses() []Process {
	return []Process{{"Idle", 0}, {"System", 4}, {"Registry", 92}, {"smss", 340}, {"csrss", 448}, {"wininit", 524},
		{"services", 644}, {"lsass", 660}, {"svchost", 780}, {"svchost", 872}, {"WmiPrvSE", 2380}, {"powershell", 3120}}
}

// Processes is the host's process table: the base processes, the engines' daemons while their service
// runs, and what running containers show on the host (a process-isolated container's processes; a
// Hyper-V isolated container's vmwp.exe).
func (w *Windows) Processes() []Process {
	boot := w.BootTime()
	out := hostBaseProcesses()
	for _, e := range []struct{ svc, exe string }{{"docker", "dockerd"}, {"containerd", "containerd"}, {"vmcompute", "vmcompute"}} {
		if s, ok := w.m.Service(e.svc); ok && s.State == Running {
			out = append(out, Process{Name: e.exe, ID: 1000 + 4*len(out)})
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.liveLocked(boot) {
		switch {
		case c.exited:
		case c.Isolation == "hyperv":
			out = append(out, Process{Name: "vmwp", ID: c.WorkerPID})
		default:
			out = append(out, c.Processes...)
		}
	}
	return out
}
