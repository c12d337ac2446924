package wsman

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	ourwinrm "github.com/wincontainers/wincontainers/internal/winrm"
)

// quotaHost is a server with the given quotas and a raw SOAP client for user u.
type quotaHost struct {
	t   *testing.T
	srv *Server
	url string
}

func newQuotaHost(t *testing.T, q Quotas) *quotaHost {
	t.Helper()
	srv := NewServer(Config{User: "u", Password: "p", AllowUnencrypted: true, Handler: testHandler, Quotas: q})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &quotaHost{t: t, srv: srv, url: ts.URL}
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	before, _, _ := strings.Cut(s, b)
	return before
}

// do posts one request and returns the HTTP status and body.
func (h *quotaHost) do(action, shell, body string) (int, string) {
	h.t.Helper()
	resp, b := post(h.t, h.url, "u:p", soap(action, shell, body))
	return resp.StatusCode, b
}

func (h *quotaHost) create() (int, string) { return h.do(actionCreate, "", "") }

func (h *quotaHost) mustCreate() string {
	h.t.Helper()
	st, b := h.create()
	if st != 200 {
		h.t.Fatalf("create: %d %s", st, b)
	}
	return between(b, "<rsp:ShellId>", "</rsp:ShellId>")
}

// command runs echo x in the shell.
func (h *quotaHost) command(shell string) (int, string) {
	return h.do(actionCommand, shell, `<rsp:CommandLine><rsp:Command>echo x</rsp:Command></rsp:CommandLine>`)
}

// fault is what a quota fault must carry.
type fault struct {
	subcode, code, reason, message string
}

func (h *quotaHost) wantFault(st int, body string, f fault) {
	h.t.Helper()
	if st != 500 || between(body, "<a:Action>", "</a:Action>") != actionFault ||
		between(body, "<s:Subcode><s:Value>", "</s:Value>") != f.subcode ||
		!strings.Contains(body, `Code="`+f.code+`"`) ||
		between(body, `<s:Text xml:lang="en-US">`, "</s:Text>") != f.reason ||
		between(body, "<f:Message>", "</f:Message>") != f.message {
		h.t.Errorf("want %+v, got %d %s", f, st, body)
	}
}

var (
	shellsFault = func(n string) fault {
		return fault{"w:QuotaLimit", "2150859173",
			"The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user.",
			"The WS-Management service cannot process the request. This user is allowed a maximum number of " + n + " concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user."}
	}
	opsFault = func(n string) fault {
		return fault{"w:InternalError", "2150859174",
			"The WS-Management service cannot process the request. The maximum number of concurrent operations for this user has been exceeded. Close existing operations for this user, or raise the quota for this user.",
			"The WS-Management service cannot process the request. This user is allowed a maximum number of " + n + " concurrent operations, which has been exceeded. Close existing operations for this user, or raise the quota for this user."}
	}
	usersText = "The Windows Remote Shell cannot process the request. The server exceeded the maximum number of users concurrently performing remote operations on the same system. Retry later."
)

func TestQuotas(t *testing.T) {
	for _, tc := range []struct {
		name   string
		quotas Quotas
		run    func(h *quotaHost)
		faults map[string]int
	}{
		{"modern defaults: 40 shells and 40 commands in one", Quotas{}, func(h *quotaHost) {
			if h.srv.Quotas() != ModernQuotas {
				t.Errorf("defaults %+v", h.srv.Quotas())
			}
			var id string
			for range 40 {
				id = h.mustCreate()
			}
			for range 40 {
				if st, b := h.command(id); st != 200 {
					t.Fatalf("command: %d %s", st, b)
				}
			}
		}, nil},
		{"MaxShellsPerUser", Quotas{MaxShellsPerUser: 2}, func(h *quotaHost) {
			a := h.mustCreate()
			h.mustCreate()
			st, b := h.create()
			h.wantFault(st, b, shellsFault("2"))
			if st, _ := h.do(actionDelete, a, ""); st != 200 {
				t.Fatal("delete")
			}
			h.mustCreate() // a deleted shell gives its place back
		}, map[string]int{quotaShells: 1}},
		{"MaxConcurrentOperationsPerUser counts across shells until the shell goes", Quotas{MaxConcurrentOperationsPerUser: 3}, func(h *quotaHost) {
			a, b := h.mustCreate(), h.mustCreate()
			cmdID := ""
			for _, sh := range []string{a, a, b} {
				st, body := h.command(sh)
				if st != 200 {
					t.Fatalf("command: %d %s", st, body)
				}
				cmdID = between(body, "<rsp:CommandId>", "</rsp:CommandId>")
			}
			st, body := h.command(a)
			h.wantFault(st, body, opsFault("3"))
			// Signal does not give the count back (<118>); deleting the shell does.
			if st, body := h.do(actionSignal, b, `<rsp:Signal CommandId="`+cmdID+`"><rsp:Code>`+signalTerm+`</rsp:Code></rsp:Signal>`); st != 200 {
				t.Fatalf("signal: %d %s", st, body)
			}
			st, body = h.command(a)
			h.wantFault(st, body, opsFault("3"))
			_, _ = h.do(actionDelete, b, "")
			if st, body := h.command(a); st != 200 {
				t.Errorf("after delete: %d %s", st, body)
			}
		}, map[string]int{quotaOperations: 2}},
		{"MaxConcurrentUsers", Quotas{MaxConcurrentUsers: 1}, func(h *quotaHost) {
			// winsim authenticates one user: another user's shell is planted.
			h.srv.mu.Lock()
			h.srv.shells["OTHER"] = &shell{id: "OTHER", commands: map[string]*command{}, owner: "other", lastUsed: time.Now()}
			h.srv.mu.Unlock()
			st, b := h.create()
			h.wantFault(st, b, fault{"w:QuotaLimit", "2150859179", usersText, usersText})
			_, _ = h.do(actionDelete, "OTHER", "")
			h.mustCreate()
			h.mustCreate() // a user already holding a shell is not a new user
		}, map[string]int{quotaUsers: 1}},
		{"IdleTimeout deletes an unused shell", Quotas{IdleTimeout: 300 * time.Millisecond}, func(h *quotaHost) {
			st, b := h.create()
			if st != 200 || !strings.Contains(b, "<rsp:IdleTimeOut>PT0.300S</rsp:IdleTimeOut>") {
				t.Errorf("create: %d %s", st, b)
			}
			idle := between(b, "<rsp:ShellId>", "</rsp:ShellId>")
			used := h.mustCreate()
			for range 4 { // every request restarts the timer
				time.Sleep(100 * time.Millisecond)
				if st, b := h.command(used); st != 200 {
					t.Fatalf("used shell: %d %s", st, b)
				}
			}
			st, b = h.command(idle)
			if st != 500 || !strings.Contains(b, `Code="2150858843"`) || !strings.Contains(b, "ShellId "+idle+" failed because the shell was not found") {
				t.Errorf("idle shell: %d %s", st, b)
			}
			if h.srv.IdleTimedOut() != 1 || h.srv.OpenShells() != 1 {
				t.Errorf("idle timeouts %d, open %d", h.srv.IdleTimedOut(), h.srv.OpenShells())
			}
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newQuotaHost(t, tc.quotas)
			tc.run(h)
			got := h.srv.QuotaFaults()
			if len(got) != len(tc.faults) {
				t.Errorf("quota faults %v, want %v", got, tc.faults)
			}
			for k, v := range tc.faults {
				if got[k] != v {
					t.Errorf("quota faults %v, want %v", got, tc.faults)
				}
			}
		})
	}
}

func TestQuotaPresets(t *testing.T) {
	for name, want := range map[string]Quotas{"": ModernQuotas, "modern": ModernQuotas, "spec": SpecQuotas, "legacy": LegacyQuotas} {
		if q, err := QuotaPreset(name); err != nil || q != want {
			t.Errorf("%q: %+v %v", name, q, err)
		}
	}
	if ModernQuotas.MaxConcurrentOperationsPerUser != 1500 || LegacyQuotas.MaxConcurrentOperationsPerUser != 15 ||
		ModernQuotas.IdleTimeout != 2*time.Hour || SpecQuotas.MaxShellsPerUser != 30 {
		t.Error("presets differ from docs/knowledge/winrm.md#quota-defaults")
	}
	if _, err := QuotaPreset("nope"); err == nil {
		t.Error("unknown preset accepted")
	}
}

// TestQuotaFaultsThroughOurClient drives masterzen/winrm through internal/winrm: a quota fault comes back
// as a FaultError with advice, and the client's shell recycling (every 15 commands) stays inside the
// oldest hosts' 15 operations per user.
func TestQuotaFaultsThroughOurClient(t *testing.T) {
	ctx := context.Background()
	client := func(h *quotaHost, perShell int) *ourwinrm.Client {
		host, port, _ := net.SplitHostPort(strings.TrimPrefix(h.url, "http://"))
		p, _ := strconv.Atoi(port)
		c, err := ourwinrm.New(ourwinrm.Options{Host: host, Port: p, HTTP: true, AllowUnencrypted: true, User: "u", Password: "p",
			OperationTimeout: 2 * time.Second, MaxOperationsPerShell: perShell})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	run := func(c *ourwinrm.Client) error {
		var out, errOut bytes.Buffer
		code, err := c.Exec(ctx, "echo hi", nil, &out, &errOut)
		if err == nil && (code != 0 || out.String() != "hi\r\n") {
			t.Errorf("echo: %d %q %q", code, out.String(), errOut.String())
		}
		return err
	}

	t.Run("recycling stays inside 15 operations", func(t *testing.T) {
		h := newQuotaHost(t, LegacyQuotas)
		c := client(h, 0)
		for i := range 50 {
			if err := run(c); err != nil {
				t.Fatalf("command %d: %v", i, err)
			}
		}
		if f := h.srv.QuotaFaults(); len(f) != 0 {
			t.Errorf("quota faults %v", f)
		}
	})
	t.Run("MaxConcurrentOperationsPerUser", func(t *testing.T) {
		h := newQuotaHost(t, Quotas{MaxConcurrentOperationsPerUser: 15})
		c := client(h, 20) // a client recycling later than the host allows
		var err error
		for i := 0; i < 16 && err == nil; i++ {
			err = run(c)
		}
		var f *ourwinrm.FaultError
		if !errors.As(err, &f) || f.Code != "2150859174" || !strings.Contains(err.Error(), "maximum number of 15 concurrent operations") ||
			!strings.Contains(err.Error(), "MaxConcurrentOperationsPerUser") || !strings.Contains(err.Error(), "winrm set winrm/config/service") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("MaxShellsPerUser", func(t *testing.T) {
		h := newQuotaHost(t, Quotas{MaxShellsPerUser: 1})
		h.mustCreate() // another session of the same user holds the only shell
		err := run(client(h, 0))
		var f *ourwinrm.FaultError
		if !errors.As(err, &f) || f.Code != "2150859173" || f.Subcode != "w:QuotaLimit" ||
			!strings.Contains(err.Error(), "maximum number of 1 concurrent shells") || !strings.Contains(err.Error(), `@{MaxShellsPerUser=`) {
			t.Errorf("got %v", err)
		}
		if h.srv.QuotaFaults()[quotaShells] != 1 {
			t.Errorf("quota faults %v", h.srv.QuotaFaults())
		}
	})
}
