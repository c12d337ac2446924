package pshost

import (
	"errors"
	"net/url"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// ieDomText is WebCmdletStrings.IEDomNotSupported, what 5.1's Invoke-WebRequest throws when it would
// parse a response with Internet Explorer's engine and cannot (Invoke-WebRequest.md -UseBasicParsing:
// "required when Internet Explorer is not installed on the computers, such as on a Server Core
// installation").
const ieDomText = "The response content cannot be parsed because the Internet Explorer engine is not available, or Internet Explorer's first-launch configuration is not complete. Specify the UseBasicParsing parameter and try again."

// Invoke-WebRequest (reference/5.1/Microsoft.PowerShell.Utility/Invoke-WebRequest.md) with -OutFile
// saves the response body through the machine's internet (machine.Download: offline hosts, failing
// and truncated downloads). Failures are 5.1's WebException texts ("The remote server returned an
// error: (404) Not Found.", "The remote name could not be resolved: 'host'", ...), id
// WebCmdletWebResponseException. The file's folder must exist.
//
// Writing the response to the pipeline (no -OutFile, or -PassThru) is not modelled, except for the
// refusal 5.1 makes first: without -UseBasicParsing it verifies Internet Explorer's engine
// (WebRequestPSCmdlet.VerifyInternetExplorerAvailable: IE's first-run customisation disabled by
// DisableFirstRunCustomize > 0 under HKLM\Software\Policies\Microsoft\Internet Explorer\Main or
// HKLM\Software\Microsoft\Internet Explorer\Main (the HKCU places and RunOnce values are not modelled),
// then the mshtml COM object, which Server Core lacks) and throws NotSupportedException with ieDomText.
// inferred: winsim raises it without making the request (5.1 checks after the response arrives).
// Other parameters are declared and not modelled.
func (h *fsHost) invokeWebRequest() *engine.Cmdlet {
	const cmd = "InvokeWebRequestCommand"
	unmodelled := []string{"Method", "Headers", "Body", "ContentType", "UserAgent", "TimeoutSec", "Proxy", "ProxyCredential",
		"ProxyUseDefaultCredentials", "Credential", "UseDefaultCredentials", "CertificateThumbprint", "Certificate",
		"MaximumRedirection", "WebSession", "SessionVariable", "DisableKeepAlive", "InFile", "TransferEncoding"}
	params := []engine.Param{{Name: "Uri", Type: "object", Position: 0, Mandatory: true},
		{Name: "UseBasicParsing", Type: "switch", Position: -1}, {Name: "OutFile", Type: "string", Position: -1},
		{Name: "PassThru", Type: "switch", Position: -1}}
	for _, n := range unmodelled {
		params = append(params, engine.Param{Name: n, Type: "object", Position: -1})
	}
	return &engine.Cmdlet{Name: "Invoke-WebRequest", Module: "Microsoft.PowerShell.Utility", Params: params,
		Process: func(c *engine.Call) error {
			for _, n := range unmodelled {
				if has(c, n) {
					return notImpl("Invoke-WebRequest -%s", n)
				}
			}
			raw := str(c, "Uri")
			u, err := url.Parse(raw)
			if err != nil || raw == "" {
				// inferred: the [Uri] conversion's binding error.
				return engine.NewError("System.Management.Automation.ParameterBindingException",
					"Cannot bind parameter 'Uri'. Cannot convert value \""+raw+"\" to type \"System.Uri\". Error: \"Invalid URI: The format of the URI could not be determined.\"",
					errorID("CannotConvertArgumentNoMessage", cmd), "InvalidArgument", nil)
			}
			if !u.IsAbs() {
				raw = "http://" + raw // WebRequestPSCmdlet.CheckProtocol
			}
			out := str(c, "OutFile")
			if out == "" || flag(c, "PassThru") {
				if !flag(c, "UseBasicParsing") && !h.ieReady() {
					return engine.NewError("System.NotSupportedException", ieDomText, errorID("System.NotSupportedException", cmd), "NotSpecified", nil)
				}
				return notImpl("Invoke-WebRequest writing the response to the pipeline (use -OutFile)")
			}
			dst, err := h.resolve(out)
			if err != nil {
				return err
			}
			if dst.kind != provFileSystem {
				return notImpl("Invoke-WebRequest -OutFile to a %s path", dst.kind)
			}
			if p, ok := h.m.Stat(parentPath(provFileSystem, dst.path)); !ok || !p.Dir || !dst.driveOK {
				t, msg := dotnetError(machine.ErrNoParent, dst.path)
				return engine.NewError(t, msg, errorID(t, cmd), "NotSpecified", nil)
			}
			if e, ok := h.m.Stat(dst.path); ok && e.Dir {
				t, msg := dotnetError(machine.ErrIsDir, dst.path)
				return engine.NewError(t, msg, errorID(t, cmd), "NotSpecified", nil)
			}
			if h.m.InUse(dst.path) || h.openForWrite(dst.path) {
				t, msg := dotnetError(errInUse, dst.path)
				return engine.NewError(t, msg, errorID(t, cmd), "NotSpecified", nil)
			}
			if _, err := h.m.Download(raw, dst.path); err != nil {
				return downloadError(err, cmd)
			}
			return nil
		}}
}

// downloadError is the error record of a failed download: a WebException, or an IOException for a
// full disk.
func downloadError(err error, cmd string) error {
	var de *machine.DownloadError
	if !errors.As(err, &de) {
		return err
	}
	if de.Message == machine.DiskFullText {
		return engine.NewError("System.IO.IOException", de.Message, errorID("System.IO.IOException", cmd), "NotSpecified", nil)
	}
	if strings.HasPrefix(de.Message, "Invalid URI") {
		return engine.NewError("System.UriFormatException", "Invalid URI: The format of the URI could not be determined.", errorID("System.UriFormatException", cmd), "NotSpecified", nil)
	}
	return engine.NewError("System.Net.WebException", de.Message, errorID("WebCmdletWebResponseException", cmd), "InvalidOperation", nil)
}

// ieReady is VerifyInternetExplorerAvailable's verdict on this machine.
func (h *fsHost) ieReady() bool {
	if h.m.Release().InstallationType == "Server Core" {
		return false
	}
	for _, key := range []string{`SOFTWARE\Policies\Microsoft\Internet Explorer\Main`, `SOFTWARE\Microsoft\Internet Explorer\Main`} {
		v, _, ok := h.m.RegGetValue(key, "DisableFirstRunCustomize")
		if !ok {
			continue
		}
		n, err := value.ToInt64(regValueToPS(v, true, nil))
		if err == nil && n > 0 {
			return true
		}
	}
	return false
}
