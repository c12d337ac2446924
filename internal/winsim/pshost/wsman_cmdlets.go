package pshost

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Microsoft.WSMan.Management's instance cmdlets on the listener resource (MicrosoftDocs/PowerShell-Docs
// reference/5.1/Microsoft.WSMan.Management: Get-WSManInstance.md, New-WSManInstance.md,
// Set-WSManInstance.md, Remove-WSManInstance.md): -ResourceURI winrm/config/listener with -SelectorSet
// @{Address=...; Transport=...} and -ValueSet. Other resources are not modelled.
//
// The objects are System.Xml.XmlElement nodes whose properties are the resource's elements, every value
// a string (Port "5986", Enabled "true"). A WS-Management fault is a non-terminating error whose
// message is the fault's XML (InvalidOperationException, WsManError; inferred: the layout as 5.1 shows
// it, Machine="localhost" for the local computer).

const (
	wsmanModule  = "Microsoft.WSMan.Management"
	faultNS      = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"
	listenerType = "System.Xml.XmlElement"
)

func (h *host) wsmanCmdlets() []*engine.Cmdlet {
	params := func(extra ...engine.Param) []engine.Param {
		return append([]engine.Param{
			{Name: "ResourceURI", Aliases: []string{"RURI"}, Type: "string", Position: 0, Mandatory: true},
			{Name: "SelectorSet", Type: "hashtable", Position: 1},
			{Name: "ComputerName", Aliases: []string{"CN"}, Type: "string", Position: -1},
			{Name: "ConnectionURI", Type: "string", Position: -1},
			{Name: "Authentication", Type: "string", Position: -1}, {Name: "Credential", Type: "object", Position: -1},
			{Name: "Port", Type: "int", Position: -1}, {Name: "UseSSL", Type: "switch", Position: -1},
			{Name: "OptionSet", Type: "hashtable", Position: -1}, {Name: "SessionOption", Type: "object", Position: -1},
			{Name: "ApplicationName", Type: "string", Position: -1}, {Name: "CertificateThumbprint", Type: "string", Position: -1},
		}, extra...)
	}
	valueSet := engine.Param{Name: "ValueSet", Type: "hashtable", Position: -1}
	return []*engine.Cmdlet{
		{Name: "Get-WSManInstance", Module: wsmanModule, Params: params(engine.Param{Name: "Enumerate", Type: "switch", Position: -1},
			engine.Param{Name: "Fragment", Type: "string", Position: -1}, engine.Param{Name: "Dialect", Type: "string", Position: -1},
			engine.Param{Name: "Filter", Type: "string", Position: -1}),
			Process: func(c *engine.Call) error { return h.wsman(c, "Get-WSManInstance") }},
		{Name: "New-WSManInstance", Module: wsmanModule, Params: params(valueSet, engine.Param{Name: "FilePath", Type: "string", Position: -1}),
			Process: func(c *engine.Call) error { return h.wsman(c, "New-WSManInstance") }},
		{Name: "Set-WSManInstance", Module: wsmanModule, Params: params(valueSet, engine.Param{Name: "FilePath", Type: "string", Position: -1},
			engine.Param{Name: "Fragment", Type: "string", Position: -1}, engine.Param{Name: "Dialect", Type: "string", Position: -1}),
			Process: func(c *engine.Call) error { return h.wsman(c, "Set-WSManInstance") }},
		{Name: "Remove-WSManInstance", Module: wsmanModule, Params: params(),
			Process: func(c *engine.Call) error { return h.wsman(c, "Remove-WSManInstance") }},
	}
}

// isListenerURI accepts the listener resource's short and full forms.
func isListenerURI(uri string) bool {
	u := strings.ToLower(strings.TrimRight(uri, "/"))
	return u == "winrm/config/listener" || u == "http://schemas.microsoft.com/wbem/wsman/1/config/listener"
}

func (h *host) listenerObject(l machine.Listener) *object {
	o := newObject(listenerType, "System.Xml.XmlLinkedNode", "System.Xml.XmlNode", "System.Object")
	o.set("cfg", "http://schemas.microsoft.com/wbem/wsman/1/config/listener").
		set("xsi", "http://www.w3.org/2001/XMLSchema-instance").
		set("lang", "en-US").
		set("Address", l.Address).
		set("Transport", l.Transport).
		set("Port", strconv.Itoa(l.Port)).
		set("Hostname", l.Hostname).
		set("Enabled", strconv.FormatBool(l.Enabled)).
		set("URLPrefix", l.URLPrefix).
		set("CertificateThumbprint", l.CertificateThumbprint).
		// inferred: the addresses a listener on * listens on (the loopback ones; winsim models no NICs here).
		set("ListeningOn", value.Array{"127.0.0.1", "::1"})
	o.str = func() string { return "Listener" }
	return o
}

// wsmanFault is the error record of a WinRM fault, its XML as the message.
func (h *host) wsmanFault(cmd string, err error) *engine.ErrorRecord {
	var we *machine.WinRMError
	if !errors.As(err, &we) {
		return newError("System.InvalidOperationException", err.Error(), "WsManError", "Microsoft.WSMan.Management."+strings.ReplaceAll(cmd, "-", "")+"Command", "InvalidOperation", nil)
	}
	inner := fmt.Sprintf(`<f:Message>%s</f:Message>`, we.Message)
	if we.Provider {
		inner = fmt.Sprintf(`<f:Message><f:ProviderFault provider="Config provider" path="%%systemroot%%\system32\WsmSvc.dll"><f:WSManFault xmlns:f="%s" Code="%d" Machine="%s"><f:Message>%s</f:Message></f:WSManFault></f:ProviderFault></f:Message>`,
			faultNS, we.Code, h.w.OS().ComputerName, we.Message)
	}
	msg := fmt.Sprintf(`<f:WSManFault xmlns:f="%s" Code="%d" Machine="localhost">%s</f:WSManFault>`, faultNS, we.Code, inner)
	return newError("System.InvalidOperationException", msg, "WsManError", "Microsoft.WSMan.Management."+strings.ReplaceAll(cmd, "-", "")+"Command", "InvalidOperation", nil)
}

func (h *host) wsman(c *engine.Call, cmd string) error {
	if err := refuseBound(c, cmd, "ComputerName", "ConnectionURI", "Authentication", "Credential", "Port", "UseSSL", "OptionSet",
		"SessionOption", "ApplicationName", "CertificateThumbprint", "FilePath", "Fragment", "Dialect", "Filter"); err != nil {
		return err
	}
	uri := str(c, "ResourceURI")
	if !isListenerURI(uri) {
		return notModelled("the WS-Management resource %s (only winrm/config/listener)", uri)
	}
	if flag(c, "Enumerate") {
		for _, l := range h.w.Listeners() {
			c.Out(h.listenerObject(l))
		}
		return nil
	}
	sel, _, err := hashtable(c, "SelectorSet")
	if err != nil {
		return err
	}
	address, transport := value.ToString(sel["ADDRESS"]), value.ToString(sel["TRANSPORT"])
	if address == "" || transport == "" || len(sel) != 2 {
		return notModelled("%s of a listener without exactly the Address and Transport selectors", cmd)
	}
	vals, keys, err := hashtable(c, "ValueSet")
	if err != nil {
		return err
	}
	l := machine.Listener{Address: address, Transport: transport}
	for _, k := range keys {
		v := value.ToString(vals[strings.ToUpper(k)])
		switch strings.ToLower(k) {
		case "hostname":
			l.Hostname = v
		case "certificatethumbprint":
			l.CertificateThumbprint = v
		case "port":
			p, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return c.Err(h.wsmanFault(cmd, &machine.WinRMError{Code: 2147942487, Message: "The parameter is incorrect. ", Provider: true})) //nolint:wrapcheck // the engine's ErrorAction decision
			}
			l.Port = p
		case "urlprefix":
			l.URLPrefix = v
		default:
			return notModelled("%s -ValueSet key %s", cmd, k)
		}
	}
	var out *machine.Listener
	switch cmd {
	case "Get-WSManInstance":
		got, gerr := h.w.Listener(address, transport)
		err, out = gerr, &got
	case "New-WSManInstance":
		err = h.w.CreateListener(l)
	case "Set-WSManInstance":
		got, serr := h.w.SetListener(l)
		err, out = serr, &got
	case "Remove-WSManInstance":
		err = h.w.RemoveListener(address, transport)
	}
	if err != nil {
		return c.Err(h.wsmanFault(cmd, err)) //nolint:wrapcheck // the engine's ErrorAction decision
	}
	switch {
	case cmd == "New-WSManInstance":
		// The new resource's endpoint reference (inferred: its shape).
		epr := newObject(listenerType, "System.Xml.XmlLinkedNode", "System.Xml.XmlNode", "System.Object")
		epr.set("Address", "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous").
			set("ResourceURI", "http://schemas.microsoft.com/wbem/wsman/1/config/listener").
			set("SelectorSet", fmt.Sprintf("Address=%s+Transport=%s", address, strings.ToUpper(transport)))
		epr.str = func() string { return "ResourceCreated" }
		c.Out(epr)
	case out != nil:
		c.Out(h.listenerObject(*out))
	}
	return nil
}
