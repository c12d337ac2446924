package azure

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
)

// The Run Command wrapper scripts (scripts/runcommand.ps1, scripts/runcommand-chunk.ps1).
var (
	//go:embed scripts/runcommand.ps1
	wrapperScript string
	//go:embed scripts/runcommand-chunk.ps1
	chunkScript string
)

// Markers in the wrapper and the output.
const (
	wrapperMarker      = "# wincontainers:runcommand/1"
	chunkMarker        = "# wincontainers:runcommand-chunk/1"
	bodyMarker         = "# wincontainers:body\n"
	bodyEndMarker      = "# wincontainers:body-end\n"
	resultGzipPrefix   = "##wincontainers:result-gzip "
	stagedPathTemplate = `C:\Windows\Temp\wincontainers-rc-%s.ps1`
)

// outputLimit is what Run Command keeps of a script's output: the last 4,096 bytes
// (instanceView.output, docs/knowledge/azure.md#run-command-limits).
const outputLimit = 4096

// defaultMaxInlineScript is the largest wrapper-plus-script sent inline as source.script. Azure
// documents no maximum; the only claim found is that inline scripts over 4 KiB are rejected
// (docs/knowledge/azure.md#run-command-limits, unverified), so the default keeps under it and larger scripts are staged in chunks.
// Raise it (RunCommandRunner.MaxInlineScript) once a larger size is measured on a live VM: each chunk
// is one more run command, about 20 s.
const defaultMaxInlineScript = 4096

// defaultChunkSize is the script bytes per staging chunk (its base64, 4/3 larger, is a parameter).
const defaultChunkSize = 2400

// VMClients are the two armcompute clients the runner uses; the fields are the SDK's own types so the
// armcompute fakes can serve them.
type VMClients struct {
	RunCommands     *armcompute.VirtualMachineRunCommandsClient
	VirtualMachines *armcompute.VirtualMachinesClient
}

// RunCommandRunner implements runner.Runner and runner.Rebooter over Azure managed (v2) Run Command:
// each script run is a new run command resource with a unique name, created synchronously
// (asyncExecution false), read back with its instance view (execution state, exit code, the last 4 KB
// of output and error), then deleted. The library script travels in the wrapper scripts/runcommand.ps1;
// its parameters only as the protected parameter WcParams. Progress lines are delivered after the run,
// from the output that survived: Run Command does not stream.
type RunCommandRunner struct {
	Clients       VMClients
	ResourceGroup string
	VMName        string
	// Location is the VM's region, required on a run command; empty means read it from the VM once.
	Location string
	Library  *powershell.Library
	// Timeout is the run command's timeoutInSeconds (default 1 h); the script is killed after it.
	Timeout time.Duration
	// PollFrequency is the pause between polls of long-running operations and of the instance view
	// (default 5 s; Azure's default of 30 s is too slow for short steps).
	PollFrequency time.Duration
	// MaxInlineScript and ChunkSize: see defaultMaxInlineScript and defaultChunkSize.
	MaxInlineScript int
	ChunkSize       int
	// RebootOptions bound a reboot (Timeout, PollInterval, ReadyProbes, Now, Sleep, OnEvent are used).
	RebootOptions runner.RebootOptions
	// OnEvent receives readable lines about what the runner does (deletions that failed, reboots).
	OnEvent func(string)
	// NewName returns a run command name; default wincontainers-<script>-<16 hex>. Tests replace it.
	NewName func(script string) string
}

var (
	_ runner.Runner   = (*RunCommandRunner)(nil)
	_ runner.Rebooter = (*RunCommandRunner)(nil)
)

func (r *RunCommandRunner) event(s string) {
	if r.OnEvent != nil {
		r.OnEvent(s)
	}
}

func (r *RunCommandRunner) pollFreq() time.Duration {
	if r.PollFrequency > 0 {
		return r.PollFrequency
	}
	return 5 * time.Second
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (r *RunCommandRunner) name(script string) string {
	if r.NewName != nil {
		return r.NewName(script)
	}
	return "wincontainers-" + script + "-" + randomHex(8)
}

// WrapperScript returns the run command script for a library script: the wrapper with the body inlined.
func WrapperScript(body string) string {
	return strings.Replace(wrapperScript, bodyMarker, bodyMarker+strings.TrimRight(body, "\n")+"\n", 1)
}

// Run implements runner.Runner.
func (r *RunCommandRunner) Run(ctx context.Context, script string, params any, onProgress func(powershell.Progress)) (powershell.Outcome, error) {
	s, err := r.Library.Script(script)
	if err != nil {
		return powershell.Outcome{}, fmt.Errorf("run command: %w", err)
	}
	enc, err := powershell.EncodeParams(params)
	if err != nil {
		return powershell.Outcome{}, fmt.Errorf("run command: %w", err)
	}
	location, err := r.location(ctx)
	if err != nil {
		return powershell.Outcome{}, err
	}
	protected := []*armcompute.RunCommandInputParameter{{Name: to.Ptr("WcParams"), Value: to.Ptr(enc)}}
	var plain []*armcompute.RunCommandInputParameter
	text := WrapperScript(s.Body)
	limit := r.MaxInlineScript
	if limit <= 0 {
		limit = defaultMaxInlineScript
	}
	if len(text) > limit {
		path, sum, err := r.stage(ctx, location, script, []byte(s.Body))
		if err != nil {
			return powershell.Outcome{}, err
		}
		text = wrapperScript
		plain = []*armcompute.RunCommandInputParameter{
			{Name: to.Ptr("WcStaged"), Value: to.Ptr(path)},
			{Name: to.Ptr("WcStagedSha256"), Value: to.Ptr(sum)},
		}
	}
	iv, err := r.execute(ctx, location, script, text, plain, protected)
	if err != nil {
		return powershell.Outcome{}, err
	}
	return interpretRunCommand(script, iv, onProgress)
}

// stage writes a script body too large to inline to a fresh path on the VM, chunk by chunk, and
// returns the path and the body's SHA-256, which the wrapper checks before it runs the file.
func (r *RunCommandRunner) stage(ctx context.Context, location, script string, body []byte) (string, string, error) {
	size := r.ChunkSize
	if size <= 0 {
		size = defaultChunkSize
	}
	path := fmt.Sprintf(stagedPathTemplate, randomHex(8))
	for off := 0; off < len(body); off += size {
		end := min(off+size, len(body))
		params := []*armcompute.RunCommandInputParameter{
			{Name: to.Ptr("WcPath"), Value: to.Ptr(path)},
			{Name: to.Ptr("WcOffset"), Value: to.Ptr(strconv.Itoa(off))},
			{Name: to.Ptr("WcChunk"), Value: to.Ptr(base64.StdEncoding.EncodeToString(body[off:end]))},
		}
		iv, err := r.execute(ctx, location, script+"-chunk", chunkScript, params, nil)
		if err != nil {
			return "", "", fmt.Errorf("staging script %s (bytes %d-%d of %d): %w", script, off, end, len(body), err)
		}
		if _, err := interpretRunCommand(script+" (staging)", iv, nil); err != nil {
			return "", "", fmt.Errorf("staging script %s (bytes %d-%d of %d): %w", script, off, end, len(body), err)
		}
	}
	sum := sha256.Sum256(body)
	return path, hex.EncodeToString(sum[:]), nil
}

// location returns the VM's region, reading it once when it was not given.
func (r *RunCommandRunner) location(ctx context.Context) (string, error) {
	if r.Location != "" {
		return r.Location, nil
	}
	vm, err := r.Clients.VirtualMachines.Get(ctx, r.ResourceGroup, r.VMName, nil)
	if err != nil {
		return "", transportError("reading VM "+r.VMName, err, true)
	}
	if vm.Location == nil || *vm.Location == "" {
		return "", &runner.TransportError{Op: "reading VM " + r.VMName, Err: errors.New("the VM has no location")}
	}
	r.Location = *vm.Location
	return r.Location, nil
}

// execute creates one run command, waits for it, reads its instance view and deletes it.
func (r *RunCommandRunner) execute(ctx context.Context, location, script, text string, plain, protected []*armcompute.RunCommandInputParameter) (*armcompute.VirtualMachineRunCommandInstanceView, error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = time.Hour
	}
	name := r.name(script)
	op := fmt.Sprintf("run command %s (script %s) on VM %s", name, script, r.VMName)
	rc := armcompute.VirtualMachineRunCommand{
		Location: to.Ptr(location),
		Properties: &armcompute.VirtualMachineRunCommandProperties{
			Source:                          &armcompute.VirtualMachineRunCommandScriptSource{Script: to.Ptr(text)},
			Parameters:                      plain,
			ProtectedParameters:             protected,
			AsyncExecution:                  to.Ptr(false),
			TreatFailureAsDeploymentFailure: to.Ptr(false),
			TimeoutInSeconds:                to.Ptr(int32(timeout / time.Second)),
		},
	}
	poller, err := r.Clients.RunCommands.BeginCreateOrUpdate(ctx, r.ResourceGroup, r.VMName, name, rc, nil)
	if err != nil {
		// Refused before it was accepted: nothing ran, so a retry is safe when the refusal is transient.
		return nil, transportError(op, err, true)
	}
	defer r.delete(ctx, name)
	if _, err := poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: r.pollFreq()}); err != nil {
		// Accepted, then failed or lost: the script may have run, so this is not retryable.
		return nil, transportError(op, err, false)
	}
	for {
		got, err := r.Clients.RunCommands.GetByVirtualMachine(ctx, r.ResourceGroup, r.VMName, name,
			&armcompute.VirtualMachineRunCommandsClientGetByVirtualMachineOptions{Expand: to.Ptr("instanceView")})
		if err != nil {
			return nil, transportError(op+": reading its instance view", err, false)
		}
		var iv *armcompute.VirtualMachineRunCommandInstanceView
		if got.Properties != nil {
			iv = got.Properties.InstanceView
		}
		if iv == nil || iv.ExecutionState == nil {
			return nil, &runner.TransportError{Op: op, Err: errors.New("the run command has no instance view")}
		}
		switch *iv.ExecutionState {
		case armcompute.ExecutionStateSucceeded, armcompute.ExecutionStateFailed:
			return iv, nil
		case armcompute.ExecutionStateTimedOut:
			return nil, &runner.TransportError{Op: op, Err: fmt.Errorf("the script ran longer than its timeout of %s and was stopped: %s", timeout, deref(iv.ExecutionMessage))}
		case armcompute.ExecutionStateCanceled:
			return nil, &runner.TransportError{Op: op, Err: fmt.Errorf("the run command was canceled: %s", deref(iv.ExecutionMessage))}
		}
		// Pending, Running or Unknown after a synchronous create: the platform reported completion early
		// (azure-cli#28172); poll until the state settles or the context ends.
		select {
		case <-ctx.Done():
			return nil, &runner.TransportError{Op: op, Err: fmt.Errorf("waiting for execution state %s to end: %w", *iv.ExecutionState, ctx.Err())}
		case <-time.After(r.pollFreq()):
		}
	}
}

// delete removes a finished run command (a leftover one keeps the VM model large and can confuse a
// later PUT). It runs even when ctx was cancelled; a failure is reported, not returned.
func (r *RunCommandRunner) delete(ctx context.Context, name string) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Minute)
	defer cancel()
	p, err := r.Clients.RunCommands.BeginDelete(dctx, r.ResourceGroup, r.VMName, name, nil)
	if err == nil {
		_, err = p.PollUntilDone(dctx, &runtime.PollUntilDoneOptions{Frequency: r.pollFreq()})
	}
	if err != nil {
		r.event(fmt.Sprintf("run command %s on VM %s was not deleted: %v", name, r.VMName, err))
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// transportError wraps an Azure error as a runner.TransportError. It is retryable only when the caller
// knows the request had no effect (mayRetry) and the status is transient: 408, 409 (another operation
// on the VM, or the agent busy), 429 and 5xx, or no response at all.
func transportError(op string, err error, mayRetry bool) error {
	retry := false
	var re *azcore.ResponseError
	switch {
	case errors.As(err, &re):
		retry = re.StatusCode == http.StatusRequestTimeout || re.StatusCode == http.StatusConflict ||
			re.StatusCode == http.StatusTooManyRequests || re.StatusCode >= 500
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
	default:
		retry = true
	}
	return &runner.TransportError{Op: op, Retryable: mayRetry && retry, Err: err}
}

// ErrOutputCut is returned (wrapped) when Run Command's 4 KB output tail lost the result line.
var ErrOutputCut = errors.New("the script's output was cut to its last 4096 bytes by Run Command and the result line did not survive")

// interpretRunCommand applies the script protocol to a run command's instance view: the exit code as
// WinRM's, the output's result line (which the wrapper prints last, compressed when long), the error
// stream as stderr.
func interpretRunCommand(script string, iv *armcompute.VirtualMachineRunCommandInstanceView, onProgress func(powershell.Progress)) (powershell.Outcome, error) {
	cut := len(deref(iv.Output)) >= outputLimit
	out := strings.ReplaceAll(deref(iv.Output), "\r\n", "\n")
	if cut {
		// The first line may be the end of a longer one: drop it rather than misread it.
		if i := strings.IndexByte(out, '\n'); i >= 0 {
			out = out[i+1:]
		} else {
			out = ""
		}
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	last := lines[len(lines)-1]
	hasResult := strings.HasPrefix(last, powershell.ResultPrefix) || strings.HasPrefix(last, resultGzipPrefix)
	if strings.HasPrefix(last, resultGzipPrefix) {
		plain, err := gunzipResult(strings.TrimSpace(last[len(resultGzipPrefix):]))
		if err != nil {
			return powershell.Outcome{}, fmt.Errorf("script %s: %w: compressed result line: %w", script, powershell.ErrProtocol, err)
		}
		lines[len(lines)-1] = powershell.ResultPrefix + plain
	}
	code := 0
	if iv.ExitCode != nil {
		code = int(*iv.ExitCode)
	} else if *iv.ExecutionState == armcompute.ExecutionStateFailed {
		code = 1
	}
	if cut && !hasResult && (code == 0 || code == powershell.ExitRebootRequired) {
		return powershell.Outcome{ExitCode: code}, fmt.Errorf("script %s exited %d: %w (last line kept: %.120q)", script, code, ErrOutputCut, last)
	}
	p := powershell.NewOutputParser(onProgress)
	_, _ = io.WriteString(p, strings.Join(lines, "\n")+"\n")
	o, err := powershell.Interpret(script, code, p, deref(iv.Error))
	if err != nil && iv.ExecutionMessage != nil && *iv.ExecutionMessage != "" && len(o.Log) == 0 && o.Stderr.Errors == nil {
		err = fmt.Errorf("%w (Run Command: %s)", err, *iv.ExecutionMessage)
	}
	return o, err
}

func gunzipResult(b64 string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", fmt.Errorf("base64: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return "", fmt.Errorf("gzip: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(zr, 16<<20))
	if err != nil {
		return "", fmt.Errorf("gzip: %w", err)
	}
	return string(b), nil
}
