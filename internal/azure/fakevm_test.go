package azure

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8/fake"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

// fakeVM is an Azure VM served by the armcompute fakes whose Run Command extension executes the
// scripts it is given on an in-process winsim host: it does what the VM's Run Command handler and
// Windows PowerShell would do with the wrapper (scripts/runcommand.ps1) — take the inlined or staged
// body and the protected WcParams, run them (here through winsim's stdin bootstrap, winsim's only
// entry point), print the held-back result line last (compressed when long, as Write-WcResult in the
// wrapper does) — and keeps only the last 4096 bytes of output, as Azure does.
type fakeVM struct {
	t    testing.TB
	sim  *winsim.Sim
	lib  *powershell.Library
	size string
	sec  armcompute.SecurityTypes

	mu       sync.Mutex
	staged   map[string][]byte
	commands map[string]armcompute.VirtualMachineRunCommand
	created  []string
	deleted  []string
	restarts int
	// Hooks for failures; nil means normal behaviour.
	refuseCreate func(name string) (int, string)              // status, code: the PUT is refused
	failCreate   func(name string) bool                       // the LRO ends Failed
	mutateOutput func(name, out string) string                // what Azure reports as output
	failRestart  bool                                         // the restart LRO ends Failed
	seen         func(rc armcompute.VirtualMachineRunCommand) // every PUT body
}

func newFakeVM(t testing.TB, o winsim.Options) *fakeVM {
	t.Helper()
	o.User, o.Password = "Administrator", "Fake-VM-P@ss"
	if o.RebootTime == 0 {
		o.RebootTime = 150 * time.Millisecond
	}
	sim, err := winsim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return &fakeVM{t: t, sim: sim, lib: powershell.MustLoad(), size: "Standard_D4s_v5", sec: armcompute.SecurityTypesTrustedLaunch,
		staged: map[string][]byte{}, commands: map[string]armcompute.VirtualMachineRunCommand{}}
}

func param(ps []*armcompute.RunCommandInputParameter, name string) string {
	for _, p := range ps {
		if p != nil && deref(p.Name) == name {
			return deref(p.Value)
		}
	}
	return ""
}

// exec runs one run command's script and returns its exit code, output and error streams.
func (v *fakeVM) exec(ctx context.Context, p *armcompute.VirtualMachineRunCommandProperties) (int, string, string) {
	text := deref(p.Source.Script)
	switch {
	case strings.Contains(text, ChunkMarker):
		path, chunk := param(p.Parameters, "WcPath"), param(p.Parameters, "WcChunk")
		off, _ := strconv.Atoi(param(p.Parameters, "WcOffset"))
		b, err := base64.StdEncoding.DecodeString(chunk)
		if err != nil {
			return 1, "", "invalid base64"
		}
		v.mu.Lock()
		cur := v.staged[path]
		if len(cur) > off {
			cur = cur[:off]
		}
		v.staged[path] = append(cur, b...)
		n := len(v.staged[path])
		v.mu.Unlock()
		return 0, fmt.Sprintf("##wincontainers:result {\"bytes\":%d}\r\n", n), ""
	case strings.Contains(text, WrapperMarker):
	default:
		return 1, "", "not a wincontainers script"
	}
	var body string
	if i := strings.Index(text, bodyMarker); i >= 0 {
		rest := text[i+len(bodyMarker):]
		if j := strings.Index(rest, bodyEndMarker); j >= 0 {
			body = rest[:j]
		}
	}
	if body == "" {
		path := param(p.Parameters, "WcStaged")
		v.mu.Lock()
		b, ok := v.staged[path]
		delete(v.staged, path)
		v.mu.Unlock()
		sum := sha256.Sum256(b)
		if !ok || hex.EncodeToString(sum[:]) != param(p.Parameters, "WcStagedSha256") {
			return 2, "", "wincontainers: the staged script was changed or truncated"
		}
		body = string(b)
	}
	if param(p.Parameters, "WcParams") != "" || strings.Contains(text, param(p.ProtectedParameters, "WcParams")+"'") {
		v.t.Errorf("the parameters are not only a protected parameter")
	}
	frame := "$WcParams = '" + param(p.ProtectedParameters, "WcParams") + "'\n" + body
	stdin := fmt.Sprintf("%s %d\n%s", powershell.StdinHeader, len(frame), frame)
	var stdout, stderr bytes.Buffer
	code := v.sim.Host.Run(ctx, powershell.CommandLine(v.lib.Bootstrap()), strings.NewReader(stdin), &stdout, &stderr)
	// The wrapper's finally block: the result line last, compressed when long.
	var kept []string
	var result string
	for _, l := range strings.Split(strings.ReplaceAll(stdout.String(), "\r\n", "\n"), "\n") {
		if strings.HasPrefix(l, powershell.ResultPrefix) {
			result = l
			continue
		}
		if l != "" {
			kept = append(kept, l)
		}
	}
	if json := strings.TrimPrefix(result, powershell.ResultPrefix); len(json) > 1024 {
		var z bytes.Buffer
		w := gzip.NewWriter(&z)
		_, _ = w.Write([]byte(json))
		_ = w.Close()
		result = ResultGzipPrefix + base64.StdEncoding.EncodeToString(z.Bytes())
	}
	if result != "" {
		kept = append(kept, result)
	}
	return int(int32(code)), strings.Join(kept, "\r\n") + "\r\n", stderr.String()
}

func tail(s string) string {
	if len(s) > OutputLimit {
		return s[len(s)-OutputLimit:]
	}
	return s
}

func (v *fakeVM) runCommandsServer() fake.VirtualMachineRunCommandsServer {
	return fake.VirtualMachineRunCommandsServer{
		BeginCreateOrUpdate: func(ctx context.Context, rg, vm, name string, rc armcompute.VirtualMachineRunCommand,
			_ *armcompute.VirtualMachineRunCommandsClientBeginCreateOrUpdateOptions,
		) (resp azfake.PollerResponder[armcompute.VirtualMachineRunCommandsClientCreateOrUpdateResponse], errResp azfake.ErrorResponder) {
			if v.seen != nil {
				v.seen(rc)
			}
			if v.refuseCreate != nil {
				if status, code := v.refuseCreate(name); status != 0 {
					errResp.SetResponseError(status, code)
					return
				}
			}
			if !v.sim.Host.Up() {
				errResp.SetResponseError(http.StatusConflict, "VMAgentStatusCommunicationError")
				return
			}
			v.mu.Lock()
			v.created = append(v.created, name)
			v.mu.Unlock()
			if v.failCreate != nil && v.failCreate(name) {
				resp.AddNonTerminalResponse(http.StatusCreated, nil)
				resp.SetTerminalError(http.StatusInternalServerError, "VMExtensionProvisioningError")
				return
			}
			code, out, serr := v.exec(ctx, rc.Properties)
			if v.mutateOutput != nil {
				out = v.mutateOutput(name, out)
			}
			state := armcompute.ExecutionStateSucceeded
			if code != 0 {
				state = armcompute.ExecutionStateFailed
			}
			stored := rc
			props := *rc.Properties
			props.ProtectedParameters = nil // never returned by Azure
			props.ProvisioningState = to.Ptr("Succeeded")
			props.InstanceView = &armcompute.VirtualMachineRunCommandInstanceView{ExecutionState: &state,
				ExitCode: to.Ptr(int32(code)), Output: to.Ptr(tail(out)), Error: to.Ptr(tail(serr))}
			stored.Properties, stored.Name = &props, to.Ptr(name)
			v.mu.Lock()
			v.commands[name] = stored
			v.mu.Unlock()
			resp.AddNonTerminalResponse(http.StatusCreated, nil)
			noView := stored
			p2 := props
			p2.InstanceView = nil
			noView.Properties = &p2
			resp.SetTerminalResponse(http.StatusOK, armcompute.VirtualMachineRunCommandsClientCreateOrUpdateResponse{VirtualMachineRunCommand: noView}, nil)
			return
		},
		GetByVirtualMachine: func(_ context.Context, rg, vm, name string, o *armcompute.VirtualMachineRunCommandsClientGetByVirtualMachineOptions,
		) (resp azfake.Responder[armcompute.VirtualMachineRunCommandsClientGetByVirtualMachineResponse], errResp azfake.ErrorResponder) {
			v.mu.Lock()
			rc, ok := v.commands[name]
			v.mu.Unlock()
			if !ok {
				errResp.SetResponseError(http.StatusNotFound, "NotFound")
				return
			}
			if o == nil || deref(o.Expand) != "instanceView" {
				p := *rc.Properties
				p.InstanceView = nil
				rc.Properties = &p
			}
			resp.SetResponse(http.StatusOK, armcompute.VirtualMachineRunCommandsClientGetByVirtualMachineResponse{VirtualMachineRunCommand: rc}, nil)
			return
		},
		BeginDelete: func(_ context.Context, rg, vm, name string, _ *armcompute.VirtualMachineRunCommandsClientBeginDeleteOptions,
		) (resp azfake.PollerResponder[armcompute.VirtualMachineRunCommandsClientDeleteResponse], errResp azfake.ErrorResponder) {
			v.mu.Lock()
			delete(v.commands, name)
			v.deleted = append(v.deleted, name)
			v.mu.Unlock()
			resp.AddNonTerminalResponse(http.StatusAccepted, nil)
			resp.SetTerminalResponse(http.StatusOK, armcompute.VirtualMachineRunCommandsClientDeleteResponse{}, nil)
			return
		},
	}
}

func (v *fakeVM) virtualMachinesServer() fake.VirtualMachinesServer {
	return fake.VirtualMachinesServer{
		Get: func(_ context.Context, rg, vm string, _ *armcompute.VirtualMachinesClientGetOptions,
		) (resp azfake.Responder[armcompute.VirtualMachinesClientGetResponse], errResp azfake.ErrorResponder) {
			resp.SetResponse(http.StatusOK, armcompute.VirtualMachinesClientGetResponse{VirtualMachine: armcompute.VirtualMachine{
				Name: to.Ptr(vm), Location: to.Ptr("westeurope"),
				Properties: &armcompute.VirtualMachineProperties{
					HardwareProfile: &armcompute.HardwareProfile{VMSize: to.Ptr(armcompute.VirtualMachineSizeTypes(v.size))},
					SecurityProfile: &armcompute.SecurityProfile{SecurityType: to.Ptr(v.sec)},
				}}}, nil)
			return
		},
		BeginRestart: func(_ context.Context, rg, vm string, _ *armcompute.VirtualMachinesClientBeginRestartOptions,
		) (resp azfake.PollerResponder[armcompute.VirtualMachinesClientRestartResponse], errResp azfake.ErrorResponder) {
			v.mu.Lock()
			v.restarts++
			v.mu.Unlock()
			resp.AddNonTerminalResponse(http.StatusAccepted, nil)
			if v.failRestart {
				resp.SetTerminalError(http.StatusConflict, "OperationNotAllowed")
				return
			}
			v.sim.Host.Reboot(0)
			resp.AddNonTerminalResponse(http.StatusAccepted, nil)
			resp.SetTerminalResponse(http.StatusOK, armcompute.VirtualMachinesClientRestartResponse{}, nil)
			return
		},
		InstanceView: func(_ context.Context, rg, vm string, _ *armcompute.VirtualMachinesClientInstanceViewOptions,
		) (resp azfake.Responder[armcompute.VirtualMachinesClientInstanceViewResponse], errResp azfake.ErrorResponder) {
			status := armcompute.InstanceViewStatus{Code: to.Ptr("ProvisioningState/Unavailable"), DisplayStatus: to.Ptr("Not Ready"),
				Level: to.Ptr(armcompute.StatusLevelTypesWarning)}
			if v.sim.Host.Up() {
				status = armcompute.InstanceViewStatus{Code: to.Ptr("ProvisioningState/succeeded"), DisplayStatus: to.Ptr("Ready"),
					Level: to.Ptr(armcompute.StatusLevelTypesInfo)}
			}
			resp.SetResponse(http.StatusOK, armcompute.VirtualMachinesClientInstanceViewResponse{VirtualMachineInstanceView: armcompute.VirtualMachineInstanceView{
				VMAgent: &armcompute.VirtualMachineAgentInstanceView{VMAgentVersion: to.Ptr("2.7.41491.1176"), Statuses: []*armcompute.InstanceViewStatus{&status}},
			}}, nil)
			return
		},
	}
}

// clients returns armcompute clients whose transport is the fakes.
func (v *fakeVM) clients(t testing.TB) VMClients {
	t.Helper()
	rcs, vms := v.runCommandsServer(), v.virtualMachinesServer()
	tr := fake.NewServerFactoryTransport(&fake.ServerFactory{VirtualMachineRunCommandsServer: rcs, VirtualMachinesServer: vms})
	opts := &arm.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: tr, Retry: policy.RetryOptions{MaxRetries: -1}}}
	cred := &azfake.TokenCredential{}
	rc, err := armcompute.NewVirtualMachineRunCommandsClient("sub", cred, opts)
	if err != nil {
		t.Fatal(err)
	}
	vm, err := armcompute.NewVirtualMachinesClient("sub", cred, opts)
	if err != nil {
		t.Fatal(err)
	}
	return VMClients{RunCommands: rc, VirtualMachines: vm}
}

// runner returns a RunCommandRunner for the fake VM with test-speed polling.
func (v *fakeVM) runner(t testing.TB) *RunCommandRunner {
	return &RunCommandRunner{Clients: v.clients(t), ResourceGroup: "rg", VMName: "vm1", Library: v.lib,
		PollFrequency: time.Millisecond, MaxInlineScript: 1 << 20}
}
