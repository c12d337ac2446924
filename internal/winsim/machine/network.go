package machine

import "maps"

// HNS networks: the Host Network Service keeps them per machine. They are made through HCN by the CNI
// nat plugin (Run) or by dockerd, read with Get-HnsNetwork and removed with Remove-HnsNetwork (the
// in-box HostNetworkingService module, which has no New-HnsNetwork; docs/knowledge/windows.md#installing-containerd).

// CreateNetwork is HNS creating a network of type <typ> named <name> (the CNI nat plugin's
// getOrCreateNetwork); an existing network of that name is kept. It reports whether the network was
// created.
func (m *Machine) CreateNetwork(name, typ string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.networks[name]; ok {
		return false
	}
	m.networks[name] = typ
	return true
}

// RemoveNetwork is Get-HnsNetwork | Where-Object Name -eq <name> | Remove-HnsNetwork; it reports whether
// the network existed.
func (m *Machine) RemoveNetwork(name string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.networks[name]
	delete(m.networks, name)
	return ok
}

// Networks returns the HNS networks, name -> type.
func (m *Machine) Networks() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.networks)
}
