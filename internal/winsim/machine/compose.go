package machine

import "slices"

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
