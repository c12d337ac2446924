package winrm

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

// TestNTLMAgainstWinsim: our client with Auth = ntlm (masterzen's ClientNTLM) runs the library's probe and
// facts scripts on a full winsim host over HTTPS with CA verification, in each form of the local user's
// name, against winsim --auth basic (Basic and Negotiate) and --auth ntlm (Negotiate only, where a Basic
// client is refused). Wrong passwords and the reject_auth fault end in the explained 401.
func TestNTLMAgainstWinsim(t *testing.T) {
	ctx := context.Background()
	for _, service := range []string{"basic", "ntlm"} {
		t.Run("service="+service, func(t *testing.T) {
			h := winsimtest.Start(t, winsim.Options{Profile: "ws2022", User: user, Password: password, HTTPS: true,
				StateDir: t.TempDir(), Auth: service, ComputerName: "WIN-NTLM01"})
			connect := func(name, pass, auth string) *runner.ScriptRunner {
				t.Helper()
				c, err := New(Options{Host: h.Addr, Port: h.Port, CACert: h.CA, User: name, Password: pass, Auth: auth, OperationTimeout: 2 * time.Second})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = c.Close() })
				return &runner.ScriptRunner{Exec: c, Library: powershell.MustLoad()}
			}
			for _, name := range []string{user, `.\` + user, `WIN-NTLM01\` + user, strings.ToLower(user)} {
				r := connect(name, password, AuthNTLM)
				p, err := runner.Probe(ctx, r)
				if err != nil {
					t.Fatalf("%s: probe: %v", name, err)
				}
				if p.ComputerName != "WIN-NTLM01" || p.BootID != h.Sim.Host.BootID() || p.OSBuild != 20348 {
					t.Errorf("%s: probe %+v", name, p)
				}
				out, err := r.Run(ctx, "facts", nil, nil)
				var facts map[string]any
				if err != nil || json.Unmarshal(out.Result, &facts) != nil || len(facts) == 0 {
					t.Errorf("%s: facts: %v %s", name, err, out.Result)
				}
			}
			st := h.Sim.Snapshot()
			if st.Requests.AuthChallenges == 0 || st.Requests.Total == 0 || st.Requests.AuthChallenges%2 != 0 {
				t.Errorf("requests: %+v", st.Requests)
			}
			t.Logf("4 users x (probe + facts): %d SOAP requests, %d 401s (two per handshake)", st.Requests.Total, st.Requests.AuthChallenges)

			_, err := runner.Probe(ctx, connect(user, password, AuthBasic))
			if service == "basic" && err != nil {
				t.Errorf("Basic on --auth basic: %v", err)
			}
			if service == "ntlm" && (err == nil || !strings.Contains(err.Error(), "rejected the credentials")) {
				t.Errorf("Basic on --auth ntlm: want the 401 explained, got %v", err)
			}

			_, err = runner.Probe(ctx, connect(user, "not-the-password", AuthNTLM))
			if err == nil || !strings.Contains(err.Error(), "rejected the credentials") || runner.IsRetryable(err) {
				t.Errorf("wrong password: %v", err)
			}

			// reject_auth: an NTLM client whose connection is already authenticated is refused too.
			r := connect(user, password, AuthNTLM)
			if _, err := runner.Probe(ctx, r); err != nil {
				t.Fatal(err)
			}
			if err := h.Sim.Inject(winsim.Fault{Kind: "reject_auth"}); err != nil {
				t.Fatal(err)
			}
			if _, err := runner.Probe(ctx, r); err == nil || !strings.Contains(err.Error(), "401") {
				t.Errorf("reject_auth: %v", err)
			}
			if err := h.Sim.Inject(winsim.Fault{Kind: "allow_auth"}); err != nil {
				t.Fatal(err)
			}
			if _, err := runner.Probe(ctx, r); err != nil {
				t.Errorf("after allow_auth: %v", err)
			}
		})
	}
}
