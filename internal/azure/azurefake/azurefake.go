// Package azurefake is an Azure VM served in process by the armcompute fakes (armcompute/v8/fake)
// whose Run Command handler runs the scripts it is given on a winsim host. Tests of internal/azure and
// of the Terraform front door share it. Test support only: it is never linked into a shipped binary.
package azurefake

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
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8/fake"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

// VM is an Azure VM served by the armcompute fakes whose Run Command extension executes the
// scripts it is given on an in-process winsim host: it does what the VM's Run Command handler and
// Windows PowerShell would do with the wrapper (scripts/runcommand.ps1) — take the inlined or staged
// body and the protected WcParams, run them (here through winsim's stdin bootstrap, winsim's only
// entry point), print the held-back result line last (compressed when long, as Write-WcResult in the
// wrapper does) — and keeps only the last 4096 bytes of output, as Azure does.
type VM struct {
	t testing.TB
	// Sim is the simulated Windows machine behind the VM; Lib the script library it runs.
	Sim *winsim.Sim
	Lib *powershell.Library
	// Size and Security are what VirtualMachinesClient.Get reports (hardwareProfile.vmSize,
	// securityProfile.securityType). Default Standard_D4s_v5 with Trusted Launch.
	Size     string
	Security armcompute.SecurityTypes

	mu sync.Mutex
	// What happened, for assertions: staged chunks by path, live run commands by name, the names
	// created and deleted in order, and restarts through the API. Read them after the calls returned.
	Staged   map[string][]byte
	Commands map[string]armcompute.VirtualMachineRunCommand
	Created  []string
	Deleted  []string
	Restarts int
	// deleted is set by Delete: the VM no longer exists in Azure.
	deleted bool
	// Hooks for failures; nil means normal behaviour.
	RefuseCreate func(name string) (int, string)              // status, code: the PUT is refused
	FailCreate   func(name string) bool                       // the LRO ends Failed
	MutateOutput func(name, out string) string                // what Azure reports as output
	FailRestart  bool                                         // the restart LRO ends Failed
	Seen         func(rc armcompute.VirtualMachineRunCommand) // every PUT body
}

// The Run Command protocol of internal/azure (runcommand.go), repeated here so that internal/azure's
// own tests can use this package without an import cycle; internal/azure's tests check they agree.
const (
	WrapperMarker    = "# wincontainers:runcommand/1"
	ChunkMarker      = "# wincontainers:runcommand-chunk/1"
	BodyMarker       = "# wincontainers:body\n"
	BodyEndMarker    = "# wincontainers:body-end\n"
	ResultGzipPrefix = "##wincontainers:result-gzip "
	OutputLimit      = 4096
)

const (
	wrapperMarker    = WrapperMarker
	chunkMarker      = ChunkMarker
	bodyMarker       = BodyMarker
	bodyEndMarker    = BodyEndMarker
	resultGzipPrefix = ResultGzipPrefix
	outputLimit      = OutputLimit
)

// New starts the simulated machine (user Administrator; restarts take 150 ms unless o says).
func New(t testing.TB, o winsim.Options) *VM {
	t.Helper()
	o.User, o.Password = "Administrator", "Fake-VM-P@ss"
	if o.RebootTime == 0 {
		o.RebootTime = 150 * time.Millisecond
	}
	sim, err := winsim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return &VM{t: t, Sim: sim, Lib: powershell.MustLoad(), Size: "Standard_D4s_v5", Security: armcompute.SecurityTypesTrustedLaunch,
		Staged: map[string][]byte{}, Commands: map[string]armcompute.VirtualMachineRunCommand{}}
}

// Delete deletes the VM in Azure, as someone would in the portal: from then on ARM answers every call
// about it with 404, ResourceNotFound for the VM itself and ParentResourceNotFound for its run commands.
// The simulated machine stays readable (Sim) for assertions.
func (v *VM) Delete() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.deleted = true
}

// gone reports whether Delete was called; errResp is then set to ARM's 404 with code.
func (v *VM) gone(errResp *azfake.ErrorResponder, code string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.deleted {
		errResp.SetResponseError(http.StatusNotFound, code)
	}
	return v.deleted
}

// Param returns the value of the named run command parameter, or "".
func Param(ps []*armcompute.RunCommandInputParameter, name string) string {
	for _, p := range ps {
		if p != nil && deref(p.Name) == name {
			return deref(p.Value)
		}
	}
	return ""
}

// exec runs one run command's script and returns its exit code, output and error streams.
func (v *VM) exec(ctx context.Context, p *armcompute.VirtualMachineRunCommandProperties) (int, string, string) {
	text := deref(p.Source.Script)
	switch {
	case strings.Contains(text, chunkMarker):
		path, chunk := Param(p.Parameters, "WcPath"), Param(p.Parameters, "WcChunk")
		off, _ := strconv.Atoi(Param(p.Parameters, "WcOffset"))
		b, err := base64.StdEncoding.DecodeString(chunk)
		if err != nil {
			return 1, "", "invalid base64"
		}
		v.mu.Lock()
		cur := v.Staged[path]
		if len(cur) > off {
			cur = cur[:off]
		}
		v.Staged[path] = append(cur, b...)
		n := len(v.Staged[path])
		v.mu.Unlock()
		return 0, fmt.Sprintf("##wincontainers:result {\"bytes\":%d}\r\n", n), ""
	case strings.Contains(text, wrapperMarker):
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
		path := Param(p.Parameters, "WcStaged")
		v.mu.Lock()
		b, ok := v.Staged[path]
		delete(v.Staged, path)
		v.mu.Unlock()
		sum := sha256.Sum256(b)
		if !ok || hex.EncodeToString(sum[:]) != Param(p.Parameters, "WcStagedSha256") {
			return 2, "", "wincontainers: the staged script was changed or truncated"
		}
		body = string(b)
	}
	if Param(p.Parameters, "WcParams") != "" || strings.Contains(text, Param(p.ProtectedParameters, "WcParams")+"'") {
		v.t.Errorf("the parameters are not only a protected parameter")
	}
	frame := "$WcParams = '" + Param(p.ProtectedParameters, "WcParams") + "'\n" + body
	stdin := fmt.Sprintf("%s %d\n%s", powershell.StdinHeader, len(frame), frame)
	var stdout, stderr bytes.Buffer
	code := v.Sim.Host.Run(ctx, powershell.CommandLine(v.Lib.Bootstrap()), strings.NewReader(stdin), &stdout, &stderr)
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
		result = resultGzipPrefix + base64.StdEncoding.EncodeToString(z.Bytes())
	}
	if result != "" {
		kept = append(kept, result)
	}
	return int(int32(code)), strings.Join(kept, "\r\n") + "\r\n", stderr.String()
}

func tail(s string) string {
	if len(s) > outputLimit {
		return s[len(s)-outputLimit:]
	}
	return s
}

func (v *VM) runCommandsServer() fake.VirtualMachineRunCommandsServer {
	return fake.VirtualMachineRunCommandsServer{
		BeginCreateOrUpdate: func(ctx context.Context, rg, vm, name string, rc armcompute.VirtualMachineRunCommand,
			_ *armcompute.VirtualMachineRunCommandsClientBeginCreateOrUpdateOptions,
		) (resp azfake.PollerResponder[armcompute.VirtualMachineRunCommandsClientCreateOrUpdateResponse], errResp azfake.ErrorResponder) {
			if v.gone(&errResp, "ParentResourceNotFound") {
				return
			}
			if v.Seen != nil {
				v.Seen(rc)
			}
			if v.RefuseCreate != nil {
				if status, code := v.RefuseCreate(name); status != 0 {
					errResp.SetResponseError(status, code)
					return
				}
			}
			if !v.Sim.Host.Up() {
				errResp.SetResponseError(http.StatusConflict, "VMAgentStatusCommunicationError")
				return
			}
			v.mu.Lock()
			v.Created = append(v.Created, name)
			v.mu.Unlock()
			if v.FailCreate != nil && v.FailCreate(name) {
				resp.AddNonTerminalResponse(http.StatusCreated, nil)
				resp.SetTerminalError(http.StatusInternalServerError, "VMExtensionProvisioningError")
				return
			}
			code, out, serr := v.exec(ctx, rc.Properties)
			if v.MutateOutput != nil {
				out = v.MutateOutput(name, out)
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
			v.Commands[name] = stored
			v.mu.Unlock()
			resp.AddNonTerminalResponse(http.StatusCreated, nil)
			resp.SetTerminalResponse(http.StatusOK, armcompute.VirtualMachineRunCommandsClientCreateOrUpdateResponse{VirtualMachineRunCommand: withoutInstanceView(stored)}, nil)
			return
		},
		GetByVirtualMachine: func(_ context.Context, rg, vm, name string, o *armcompute.VirtualMachineRunCommandsClientGetByVirtualMachineOptions,
		) (resp azfake.Responder[armcompute.VirtualMachineRunCommandsClientGetByVirtualMachineResponse], errResp azfake.ErrorResponder) {
			if v.gone(&errResp, "ParentResourceNotFound") {
				return
			}
			v.mu.Lock()
			rc, ok := v.Commands[name]
			v.mu.Unlock()
			if !ok {
				errResp.SetResponseError(http.StatusNotFound, "NotFound")
				return
			}
			if o == nil || deref(o.Expand) != "instanceView" {
				rc = withoutInstanceView(rc)
			}
			resp.SetResponse(http.StatusOK, armcompute.VirtualMachineRunCommandsClientGetByVirtualMachineResponse{VirtualMachineRunCommand: rc}, nil)
			return
		},
		BeginDelete: func(_ context.Context, rg, vm, name string, _ *armcompute.VirtualMachineRunCommandsClientBeginDeleteOptions,
		) (resp azfake.PollerResponder[armcompute.VirtualMachineRunCommandsClientDeleteResponse], errResp azfake.ErrorResponder) {
			if v.gone(&errResp, "ParentResourceNotFound") {
				return
			}
			v.mu.Lock()
			delete(v.Commands, name)
			v.Deleted = append(v.Deleted, name)
			v.mu.Unlock()
			resp.AddNonTerminalResponse(http.StatusAccepted, nil)
			resp.SetTerminalResponse(http.StatusOK, armcompute.VirtualMachineRunCommandsClientDeleteResponse{}, nil)
			return
		},
	}
}

func (v *VM) virtualMachinesServer() fake.VirtualMachinesServer {
	return fake.VirtualMachinesServer{
		Get: func(_ context.Context, rg, vm string, _ *armcompute.VirtualMachinesClientGetOptions,
		) (resp azfake.Responder[armcompute.VirtualMachinesClientGetResponse], errResp azfake.ErrorResponder) {
			if v.gone(&errResp, "ResourceNotFound") {
				return
			}
			resp.SetResponse(http.StatusOK, armcompute.VirtualMachinesClientGetResponse{VirtualMachine: armcompute.VirtualMachine{
				Name: to.Ptr(vm), Location: to.Ptr("westeurope"),
				Properties: &armcompute.VirtualMachineProperties{
					HardwareProfile: &armcompute.HardwareProfile{VMSize: to.Ptr(armcompute.VirtualMachineSizeTypes(v.Size))},
					SecurityProfile: &armcompute.SecurityProfile{SecurityType: to.Ptr(v.Security)},
				}}}, nil)
			return
		},
		BeginRestart: func(_ context.Context, rg, vm string, _ *armcompute.VirtualMachinesClientBeginRestartOptions,
		) (resp azfake.PollerResponder[armcompute.VirtualMachinesClientRestartResponse], errResp azfake.ErrorResponder) {
			if v.gone(&errResp, "ResourceNotFound") {
				return
			}
			v.mu.Lock()
			v.Restarts++
			v.mu.Unlock()
			resp.AddNonTerminalResponse(http.StatusAccepted, nil)
			if v.FailRestart {
				resp.SetTerminalError(http.StatusConflict, "OperationNotAllowed")
				return
			}
			v.Sim.Host.Reboot(0)
			resp.AddNonTerminalResponse(http.StatusAccepted, nil)
			resp.SetTerminalResponse(http.StatusOK, armcompute.VirtualMachinesClientRestartResponse{}, nil)
			return
		},
		InstanceView: func(_ context.Context, rg, vm string, _ *armcompute.VirtualMachinesClientInstanceViewOptions,
		) (resp azfake.Responder[armcompute.VirtualMachinesClientInstanceViewResponse], errResp azfake.ErrorResponder) {
			if v.gone(&errResp, "ResourceNotFound") {
				return
			}
			status := armcompute.InstanceViewStatus{Code: to.Ptr("ProvisioningState/Unavailable"), DisplayStatus: to.Ptr("Not Ready"),
				Level: to.Ptr(armcompute.StatusLevelTypesWarning)}
			if v.Sim.Host.Up() {
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

// Transport serves the whole armcompute ClientFactory (virtual machines and run commands) from this VM.
func (v *VM) Transport() policy.Transporter {
	return fake.NewServerFactoryTransport(&fake.ServerFactory{
		VirtualMachineRunCommandsServer: v.runCommandsServer(), VirtualMachinesServer: v.virtualMachinesServer()})
}

// WithEntra returns a transport that sends SDK calls (requests that carry an API name) to the fakes and
// everything else — Microsoft Entra discovery and token requests of a real credential — to entra, for
// example an azuretest.Server's client. Front-door tests use it so that the provider's own credential
// chain runs.
func (v *VM) WithEntra(entra policy.Transporter) policy.Transporter {
	return router{sdk: v.Transport(), entra: entra}
}

type router struct{ sdk, entra policy.Transporter }

func (r router) Do(req *http.Request) (*http.Response, error) {
	if name, _ := req.Context().Value(runtime.CtxAPINameKey{}).(string); name != "" {
		return r.sdk.Do(req) //nolint:wrapcheck // a transport passes its errors through
	}
	return r.entra.Do(req) //nolint:wrapcheck // a transport passes its errors through
}

// Clients returns armcompute clients whose transport is the fakes.
func (v *VM) Clients() (*armcompute.VirtualMachineRunCommandsClient, *armcompute.VirtualMachinesClient, error) {
	opts := &arm.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: v.Transport(), Retry: policy.RetryOptions{MaxRetries: -1}}}
	cred := &azfake.TokenCredential{}
	rc, err := armcompute.NewVirtualMachineRunCommandsClient("sub", cred, opts)
	if err != nil {
		return nil, nil, err //nolint:wrapcheck // test support
	}
	vm, err := armcompute.NewVirtualMachinesClient("sub", cred, opts)
	if err != nil {
		return nil, nil, err //nolint:wrapcheck // test support
	}
	return rc, vm, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// withoutInstanceView is a run command as ARM returns it unless $expand=instanceView asks for its
// outcome: the same properties without the instance view (the stored command keeps it).
func withoutInstanceView(rc armcompute.VirtualMachineRunCommand) armcompute.VirtualMachineRunCommand {
	p := *rc.Properties
	p.InstanceView = nil
	rc.Properties = &p
	return rc
}
