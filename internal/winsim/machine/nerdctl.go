package machine

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// NativeResult is what a native program printed and returned: stdout and stderr apart, as a program
// run with its streams redirected shows them.
type NativeResult struct {
	Stdout, Stderr string
	ExitCode       int
}

// NerdctlVersion is `nerdctl --address \\.\pipe\containerd-containerd version --format '{{json .}}'` on
// Windows (containerd/nerdctl cmd/nerdctl/version.go and pkg/infoutil/infoutil.go, v1.7 to v2.2). The JSON
// is stdout; stderr always has logrus's warnings that buildctl and runc cannot be run (neither exists on
// Windows), in the TextFormatter layout (never coloured on Windows). When containerd does not answer, the
// client part is still printed and nerdctl exits 1 with a fatal line.
func (m *Machine) NerdctlVersion() NativeResult {
	m.mu.Lock()
	defer m.mu.Unlock()
	nerd, ok := m.files[strings.ToLower(Nerdctl)]
	if !ok {
		return NativeResult{Stderr: fmt.Sprintf("& : The term '%s' is not recognized as the name of a cmdlet, function, script file, or operable program.", Nerdctl), ExitCode: 1}
	}
	ts := m.cfg.Clock().UTC().Format(time.RFC3339)
	legacy := strings.HasPrefix(nerd.Version, "1.") || strings.HasPrefix(nerd.Version, "0.")
	// logrus's TextFormatter quotes a value that has characters outside [A-Za-z0-9-._/@^+] with %q.
	warn := func(tool string) string {
		cause := fmt.Sprintf(`exec: %q: executable file not found in %%PATH%%`, tool)
		if legacy {
			// v1.7: log.L.Warnf("unable to determine %s version: %s", ...)
			return fmt.Sprintf("time=%q level=warning msg=%q", ts, fmt.Sprintf("unable to determine %s version: %s", tool, cause))
		}
		// v2: log.L.WithError(err).Warnf("unable to determine %s version")
		return fmt.Sprintf("time=%q level=warning msg=%q error=%q", ts, fmt.Sprintf("unable to determine %s version", tool), cause)
	}
	type component struct {
		Name    string            `json:"Name"`
		Version string            `json:"Version"`
		Details map[string]string `json:"Details,omitempty"`
	}
	type server struct {
		Components []component `json:"Components"`
	}
	doc := struct {
		Client struct {
			Version, GitCommit, GoVersion, Os, Arch string
			Components                              []component
		}
		Server *server
	}{}
	doc.Client.Version, doc.Client.GitCommit, doc.Client.GoVersion = "v"+nerd.Version, nerd.SHA256[:40], "go1.24.6"
	doc.Client.Os, doc.Client.Arch = "windows", "amd64"
	doc.Client.Components = []component{{Name: "buildctl"}}
	stderr := []string{warn("buildctl")}
	st, svc := m.engines["containerd"], m.services["containerd"]
	if st == nil || svc == nil || svc.State != Running {
		out, _ := json.Marshal(doc)
		stderr = append(stderr, fmt.Sprintf("time=%q level=fatal msg=%q", ts,
			`cannot access containerd socket "\\.\pipe\containerd-containerd": open \\.\pipe\containerd-containerd: The system cannot find the file specified.`))
		return NativeResult{Stdout: string(out) + "\r\n", Stderr: strings.Join(stderr, "\r\n") + "\r\n", ExitCode: 1}
	}
	ctr := m.files[strings.ToLower(Containerd)]
	doc.Server = &server{Components: []component{
		{Name: "containerd", Version: "v" + ctr.Version, Details: map[string]string{"GitCommit": ctr.SHA256[:40]}},
		{Name: "runc"},
	}}
	stderr = append(stderr, warn("runc"))
	out, _ := json.Marshal(doc)
	return NativeResult{Stdout: string(out) + "\r\n", Stderr: strings.Join(stderr, "\r\n") + "\r\n"}
}
