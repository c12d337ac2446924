package pshost

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// The in-box HostNetworkingService module's network cmdlets (MicrosoftDocs/windows-powershell-docs
// docset/winserver2025-ps/HostNetworkingService: Get-HnsNetwork.md, `Get-HnsNetwork [[-Id] <String>]
// [-Detailed]`; Remove-HnsNetwork.md, `Remove-HnsNetwork [-InputObjects] <Object[]>`, by value and by
// property name). The module has no New-HnsNetwork on any release (that is microsoft/SDN's hns.psm1).
//
// The pages document no output shape (System.Object). inferred: the objects are the HNS v1 JSON
// converted to [pscustomobject] (the shape microsoft/SDN's hns.psm1 returns: ID, Name, Type, Subnets,
// ...), which install-containerd.ps1 reads; winsim keeps no subnet for a network, so Subnets is empty.
// HNS's failure for an ID it does not have is "Element not found." (0x80070490), thrown by the
// module (inferred).

const hnsModule = "HostNetworkingService"

func (h *host) hnsCmdlets() []*engine.Cmdlet {
	return []*engine.Cmdlet{
		{Name: "Get-HnsNetwork", Module: hnsModule, Params: []engine.Param{
			{Name: "Id", Type: "string", Position: 0}, {Name: "Detailed", Type: "switch", Position: -1}},
			Process: h.getHnsNetwork},
		{Name: "Remove-HnsNetwork", Module: hnsModule, Params: []engine.Param{
			{Name: "InputObjects", Type: "object[]", Position: 0, Mandatory: true, ValueFromPipeline: true, ValueFromPipelineByPropertyName: true}},
			Process: h.removeHnsNetwork},
	}
}

// hnsID is a network's GUID, stable for its name (HNS makes a random one at creation; winsim keeps
// none, so it derives one).
func hnsID(name string) string {
	s := sha256.Sum256([]byte("winsim-hns:" + strings.ToLower(name)))
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", s[0:4], s[4:6], s[6:8], s[8:10], s[10:16]))
}

func hnsNetworkObject(name, typ string) *value.PSObject {
	o := value.NewPSObject()
	o.Set("ActivityId", hnsID("activity:"+name))
	o.Set("CurrentEndpointCount", int32(0))
	o.Set("Extensions", value.Array{})
	o.Set("ID", hnsID(name))
	o.Set("LayeredOn", "")
	o.Set("Name", name)
	o.Set("Policies", value.Array{})
	o.Set("State", int32(1))
	o.Set("Subnets", value.Array{})
	o.Set("TotalEndpoints", int32(0))
	o.Set("Type", typ)
	o.Set("Version", int64(38654705669))
	return o
}

func hnsNotFound() error {
	msg := "HNS failed with error : Element not found. "
	// A script module's `throw 'text'`: RuntimeException, the text as the error id.
	return engine.NewError("System.Management.Automation.RuntimeException", msg, msg, "OperationStopped", nil)
}

func (h *host) getHnsNetwork(c *engine.Call) error {
	nets := h.m.Networks()
	id := str(c, "Id")
	found := false
	for _, name := range sortedNames(boolKeys(nets)) {
		if id != "" && !strings.EqualFold(strings.Trim(id, "{}"), hnsID(name)) {
			continue
		}
		found = true
		c.Out(hnsNetworkObject(name, nets[name]))
	}
	if id != "" && !found {
		return hnsNotFound()
	}
	return nil
}

func (h *host) removeHnsNetwork(c *engine.Call) error {
	v := c.Bound["InputObjects"]
	if c.HasInput {
		v = c.Input
	}
	items := listOf(v)
	for _, it := range items {
		obj, ok := it.(value.Object)
		if !ok {
			return notModelled("Remove-HnsNetwork of a %s (it takes the objects Get-HnsNetwork returns)", value.TypeName(it))
		}
		idv, _ := obj.Property("ID")
		id := value.ToString(idv)
		removed := false
		for name := range h.m.Networks() {
			if strings.EqualFold(hnsID(name), strings.Trim(id, "{}")) {
				removed = h.m.RemoveNetwork(name)
			}
		}
		if !removed {
			return hnsNotFound()
		}
	}
	return nil
}
