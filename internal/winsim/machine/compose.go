package machine

import (
	"fmt"
	"slices"
)

// Compose projects: the containers `docker compose up` / `nerdctl compose up` start carry the project
// and service names, so `ps` and `down` find them again; a project network is an HNS network of the
// nat driver (Windows' default network driver) that `down` removes.

// RunComposeService starts one service container of a compose project, detached, with Run's checks.
func (w *Windows) RunComposeService(o RunOptions, cmd []string, project, service string) (Container, error) {
	c, err := w.RunDetached(o, cmd)
	if err != nil {
		return Container{}, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, x := range w.containers {
		if x.ID == c.ID {
			x.Project, x.Service = project, service
			c = *x
		}
	}
	return c, nil
}

// ProjectContainers lists the containers of a compose project on an engine (running or exited).
func (w *Windows) ProjectContainers(engine, project string) []Container {
	return slices.DeleteFunc(w.Containers(), func(c Container) bool { return c.Engine != engine || c.Project != project })
}

// ProjectNetworkUnsupported reports whether HNS refuses a second NAT network beside the default one:
// Windows Server 2016 (build 14393) does (docker/compose#4024; the seed story of this project).
func (m *Machine) ProjectNetworkUnsupported() bool { return m.Config().Build <= 14393 }

// HNSParameterIncorrect is HNS's answer to a network it cannot create, as moby reports it.
const HNSParameterIncorrect = "HNS failed with error : The parameter is incorrect. "

// What the clients and daemons answer, encoded here on their own (winsim cross-checks internal/compat):
// the highest Engine API each Docker release line serves (Docker's API version matrix), and the lowest
// API each Compose release negotiates down to (moby/moby/client MinAPIVersion in the client each
// Compose tag's go.mod names: v5.1.0 1.44, v5.1.1 and later 1.40; earlier Compose has no floor).
var dockerAPILines = []struct {
	major, minor int
	api          string
}{
	{17, 6, "1.30"}, {17, 7, "1.31"}, {17, 9, "1.32"}, {17, 10, "1.33"}, {17, 11, "1.34"}, {17, 12, "1.35"}, {18, 2, "1.36"},
	{18, 3, "1.37"}, {18, 6, "1.38"}, {18, 9, "1.39"}, {19, 3, "1.40"}, {20, 10, "1.41"}, {23, 0, "1.42"}, {24, 0, "1.43"},
	{25, 0, "1.44"}, {26, 0, "1.45"}, {27, 0, "1.46"}, {27, 2, "1.47"}, {28, 0, "1.48"}, {28, 1, "1.49"}, {28, 2, "1.50"},
	{28, 3, "1.51"}, {29, 0, "1.52"}, {29, 2, "1.53"},
}

func majorMinor(v string) (int, int, bool) {
	var a, b, c int
	_, err := fmt.Sscanf(v, "%d.%d.%d", &a, &b, &c)
	return a, b, err == nil
}

// DockerAPI is the highest Engine API a Docker version serves ("" when unknown).
func DockerAPI(version string) string {
	a, b, ok := majorMinor(version)
	api := ""
	for _, l := range dockerAPILines {
		if ok && (a > l.major || a == l.major && b >= l.minor) {
			api = l.api
		}
	}
	return api
}

// ComposeAPIFloor is the lowest Engine API Compose <version> negotiates down to ("" = none of its own).
func ComposeAPIFloor(version string) string {
	var a, b, c int
	if _, err := fmt.Sscanf(version, "%d.%d.%d", &a, &b, &c); err != nil || a < 5 || a == 5 && b == 0 {
		return ""
	}
	if a == 5 && b == 1 && c == 0 {
		return "1.44"
	}
	return "1.40"
}

// APIBelow reports whether Engine API a is older than b ("1.9" < "1.40").
func APIBelow(a, b string) bool {
	var a1, a2, b1, b2 int
	if _, err := fmt.Sscanf(a, "%d.%d", &a1, &a2); err != nil {
		return false
	}
	if _, err := fmt.Sscanf(b, "%d.%d", &b1, &b2); err != nil {
		return false
	}
	return a1 < b1 || a1 == b1 && a2 < b2
}
