package crosscheck

import (
	"slices"
	"testing"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/winsim/profile"
)

// Every winsim profile must agree with the knowledge base on build, channel, reported product name,
// display version, editions and installation options.
func TestProfilesAgreeWithCompat(t *testing.T) {
	for _, p := range profile.All() {
		r, ok := compat.LookupRelease(p.Name)
		if !ok {
			t.Errorf("%s: no release in internal/compat", p.Name)
			continue
		}
		editions := make([]string, len(r.Editions))
		for i, e := range r.Editions {
			editions[i] = string(e)
		}
		installs := make([]string, len(r.Installations))
		for i, in := range r.Installations {
			installs[i] = string(in)
		}
		if r.Kind == compat.Client {
			installs = []string{"desktop"}
		}
		if p.Build != r.Build || p.Channel != string(r.Channel) || p.ProductName != r.ProductName || p.DisplayVersion != r.DisplayVersion ||
			!slices.Equal(p.Editions, editions) || !slices.Equal(p.Installations, installs) || p.Client != (r.Kind == compat.Client) {
			t.Errorf("%s disagrees:\n winsim %+v\n compat %+v", p.Name, p, r)
		}
	}
	// Every server release the design lists has a winsim profile.
	for _, name := range compat.ServerReleaseNames() {
		r, _ := compat.LookupRelease(name)
		if _, err := profile.Lookup(r.Profile); err != nil {
			t.Errorf("release %s has no winsim profile %s", name, r.Profile)
		}
	}
}
