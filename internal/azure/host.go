package azure

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
)

// VM names one Azure virtual machine and how to reach its Resource Manager API.
type VM struct {
	Auth Auth // SubscriptionID here (or from ARM_SUBSCRIPTION_ID) selects the subscription
	// Transport, when not nil, replaces the HTTP client (tests and proxies).
	Transport     policy.Transporter
	ResourceGroup string
	Name          string
	// PollFrequency, RebootOptions and OnEvent tune the RunCommandRunner (zero values: its defaults).
	PollFrequency time.Duration
	RebootOptions runner.RebootOptions
	OnEvent       func(string)
}

// Check says, without a network call, whether v can be connected to: a subscription, a resource group,
// a VM name and a valid cloud. The message names the setting to add.
func (v VM) Check() error {
	var missing []string
	if v.Auth.SubscriptionID == "" {
		missing = append(missing, "a subscription ID (azure.subscription_id on the resource, subscription_id in the provider's azure block, or ARM_SUBSCRIPTION_ID)")
	}
	if v.ResourceGroup == "" {
		missing = append(missing, "the resource group")
	}
	if v.Name == "" {
		missing = append(missing, "the VM name")
	}
	if len(missing) > 0 {
		return fmt.Errorf("the Azure connection needs %s", strings.Join(missing, " and "))
	}
	if _, err := v.Auth.Cloud(); err != nil {
		return err
	}
	return nil
}

// newVMClients connects the two armcompute clients the runner uses.
func newVMClients(a Auth, transport policy.Transporter) (VMClients, error) {
	c, err := a.Cloud()
	if err != nil {
		return VMClients{}, err
	}
	opts := azcore.ClientOptions{Cloud: c, Transport: transport}
	cred, err := a.Credential(opts)
	if err != nil {
		return VMClients{}, err
	}
	f, err := armcompute.NewClientFactory(a.SubscriptionID, cred, &arm.ClientOptions{ClientOptions: opts, DisableRPRegistration: true})
	if err != nil {
		return VMClients{}, fmt.Errorf("azure: %w", err)
	}
	return VMClients{RunCommands: f.NewVirtualMachineRunCommandsClient(), VirtualMachines: f.NewVirtualMachinesClient()}, nil
}

// Conn is the connection to an Azure VM, an executor.Conn: scripts through managed Run Command (retried when
// idempotent and the failure left nothing behind), restarts through the API. It has no Uploader:
// Run Command cannot push a file, so engine.archive is refused; use engine.url with a blob URL.
type Conn struct {
	executor.ScriptConn
	Runner *RunCommandRunner
}

// Open builds the Conn. It does not contact Azure: the first script does (credentials are fetched then).
func Open(v VM) (*Conn, error) {
	if err := v.Check(); err != nil {
		return nil, err
	}
	lib, err := powershell.Load()
	if err != nil {
		return nil, fmt.Errorf("loading the script library: %w", err)
	}
	clients, err := newVMClients(v.Auth, v.Transport)
	if err != nil {
		return nil, err
	}
	rc := &RunCommandRunner{Clients: clients, ResourceGroup: v.ResourceGroup, VMName: v.Name, Library: lib,
		PollFrequency: v.PollFrequency, RebootOptions: v.RebootOptions, OnEvent: v.OnEvent}
	return &Conn{ScriptConn: executor.ScriptConn{Runner: rc, Rebooter: rc}, Runner: rc}, nil
}

// Preflight runs preflightNested for this VM: its size and security type from the API and the
// guest's virtualization facts and build from f.
func (c *Conn) Preflight(ctx context.Context, f facts.Facts, override bool) (NestedPreflight, error) {
	size, sec, err := c.Runner.VMSizeAndSecurity(ctx)
	if err != nil {
		return NestedPreflight{}, err
	}
	v := f.Virtualization
	return preflightNested(size, sec, &v, f.OS.Build, override), nil
}

// ImportPrefix starts an import ID that names an Azure VM: azure:<resource group>/<vm name>.
const ImportPrefix = "azure:"

// Resource group names: 1-90 of letters, digits, _ - . ( ), not ending in a period. VM names: 1-64
// (Windows computer names are shorter, but the resource may be longer) of letters, digits, _ - .
var (
	resourceGroupName = regexp.MustCompile(`^[\p{L}\p{N}_\-.()]{0,89}[\p{L}\p{N}_\-()]$`)
	vmName            = regexp.MustCompile(`^[A-Za-z0-9_\-.]{1,64}$`)
)

// ParseImportID parses azure:<resource group>/<vm name>. ok is false when id does not start with
// ImportPrefix (it is then a WinRM address).
func ParseImportID(id string) (resourceGroup, name string, ok bool, err error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(id), ImportPrefix)
	if !ok {
		return "", "", false, nil
	}
	rg, n, found := strings.Cut(rest, "/")
	if !found || strings.Contains(n, "/") {
		return "", "", true, errors.New("an Azure import ID is azure:<resource group>/<vm name>, for example azure:lab-rg/ctr-host-1")
	}
	if !resourceGroupName.MatchString(rg) {
		return "", "", true, fmt.Errorf("%q is not a resource group name (1-90 letters, digits, _ - . ( ), not ending in a period)", rg)
	}
	if !vmName.MatchString(n) {
		return "", "", true, fmt.Errorf("%q is not a VM name (1-64 letters, digits, _ - .)", n)
	}
	return rg, n, true, nil
}
