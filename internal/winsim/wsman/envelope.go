// Package wsman is winsim's WS-Management / WinRS server: SOAP envelopes as real Windows writes them
// (docs/knowledge/winrm.md), shells and commands with streamed output, OperationTimeout
// long-polls, Signal and Delete, and Windows' faults. What a command does is up to a Handler, the
// simulated host.
package wsman

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// Namespaces (MS-WSMV 2.2.1), with the prefixes Windows uses in responses.
const (
	nsSOAP   = "http://www.w3.org/2003/05/soap-envelope"
	nsAddr   = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
	nsXfer   = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
	nsWSMan  = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
	nsMSWSM  = "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"
	nsShell  = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
	nsFault  = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"
	shellURI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
)

// Actions (MS-WSMV 3.1.4).
const (
	actionCreate   = nsXfer + "/Create"
	actionDelete   = nsXfer + "/Delete"
	actionCommand  = nsShell + "/Command"
	actionSend     = nsShell + "/Send"
	actionReceive  = nsShell + "/Receive"
	actionSignal   = nsShell + "/Signal"
	actionFault    = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
	stateRunning   = nsShell + "/CommandState/Running"
	stateDone      = nsShell + "/CommandState/Done"
	signalTerm     = nsShell + "/signal/terminate"
	anonymousRole  = nsAddr + "/role/anonymous"
	contentTypeXML = "application/soap+xml;charset=UTF-8"
)

// request is a parsed envelope; parsing is namespace-aware, so any prefixes work.
type request struct {
	Header struct {
		Action           string `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing Action"`
		MessageID        string `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing MessageID"`
		ResourceURI      string `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd ResourceURI"`
		OperationTimeout string `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd OperationTimeout"`
		MaxEnvelopeSize  string `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd MaxEnvelopeSize"`
		Selectors        []struct {
			Name  string `xml:"Name,attr"`
			Value string `xml:",chardata"`
		} `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd SelectorSet>Selector"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Header"`
	Body struct {
		CommandLine *struct {
			CommandID string   `xml:"CommandId,attr"`
			Command   string   `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Command"`
			Arguments []string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Arguments"`
		} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell CommandLine"`
		Send *struct {
			Streams []struct {
				Name      string `xml:"Name,attr"`
				CommandID string `xml:"CommandId,attr"`
				End       string `xml:"End,attr"`
				Data      string `xml:",chardata"`
			} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Stream"`
		} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Send"`
		Receive *struct {
			Desired struct {
				CommandID string `xml:"CommandId,attr"`
				Streams   string `xml:",chardata"`
			} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell DesiredStream"`
		} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Receive"`
		Signal *struct {
			CommandID string `xml:"CommandId,attr"`
			Code      string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Code"`
		} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Signal"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Body"`
}

func parseRequest(b []byte) (*request, error) {
	var r request
	if err := xml.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("parsing the SOAP envelope: %w", err)
	}
	if r.Header.Action == "" {
		return nil, fmt.Errorf("the envelope has no wsa:Action")
	}
	return &r, nil
}

func (r *request) selector(name string) string {
	for _, s := range r.Header.Selectors {
		if s.Name == name {
			return strings.TrimSpace(s.Value)
		}
	}
	return ""
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// envelope writes a response with the headers every client checks: Action, MessageID and RelatesTo.
func envelope(action, messageID, relatesTo, body string) []byte {
	return []byte(`<s:Envelope xml:lang="en-US" xmlns:s="` + nsSOAP + `" xmlns:a="` + nsAddr + `" xmlns:x="` + nsXfer +
		`" xmlns:w="` + nsWSMan + `" xmlns:rsp="` + nsShell + `" xmlns:p="` + nsMSWSM + `">` +
		`<s:Header><a:Action>` + action + `</a:Action><a:MessageID>` + messageID + `</a:MessageID>` +
		`<a:To>` + anonymousRole + `</a:To><a:RelatesTo>` + esc(relatesTo) + `</a:RelatesTo></s:Header>` +
		`<s:Body>` + body + `</s:Body></s:Envelope>`)
}

// Fault is a WS-Management fault: HTTP 500 with a SOAP body (docs/knowledge/winrm.md#fault-envelope).
type Fault struct {
	Receiver bool   // s:Receiver, else s:Sender
	Subcode  string // e.g. "w:TimedOut"
	Code     uint32 // WSManFault Code
	Message  string // f:Message
	// Reason is s:Reason/s:Text when Windows writes a different text there than in f:Message ("" = Message).
	Reason string
	Detail string // optional w:FaultDetail URI
}

func (f *Fault) Error() string { return fmt.Sprintf("%s (%d): %s", f.Subcode, f.Code, f.Message) }

func (f *Fault) body(machine string) string {
	who := "s:Sender"
	if f.Receiver {
		who = "s:Receiver"
	}
	reason := f.Reason
	if reason == "" {
		reason = f.Message
	}
	detail := ""
	if f.Detail != "" {
		detail = `<w:FaultDetail>` + f.Detail + `</w:FaultDetail>`
	}
	return `<s:Fault><s:Code><s:Value>` + who + `</s:Value><s:Subcode><s:Value>` + f.Subcode + `</s:Value></s:Subcode></s:Code>` +
		`<s:Reason><s:Text xml:lang="en-US">` + esc(reason) + `</s:Text></s:Reason><s:Detail>` + detail +
		`<f:WSManFault xmlns:f="` + nsFault + `" Code="` + fmt.Sprint(f.Code) + `" Machine="` + esc(machine) + `"><f:Message>` +
		esc(f.Message) + `</f:Message></f:WSManFault></s:Detail></s:Fault>`
}

// Windows' faults (docs/knowledge/winrm.md#fault-catalogue).
func faultTimedOut() *Fault {
	return &Fault{Receiver: true, Subcode: "w:TimedOut", Code: 2150858793,
		Message: "The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  "}
}

func faultNoCommand() *Fault {
	return &Fault{Subcode: "w:InvalidSelectors", Code: 2150858843, Detail: "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors",
		Message: "The Windows Remote Shell received a request to perform an operation on a command identifier that does not exist. " +
			"Either the command has completed execution or the client specified an invalid command identifier. "}
}

func faultNoShell(id string) *Fault {
	return &Fault{Subcode: "w:InvalidSelectors", Code: 2150858843, Detail: "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors",
		Message: "The request for the Windows Remote Shell with ShellId " + id + " failed because the shell was not found on the server. " +
			"Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the server. " +
			"Provide the correct ShellId or create a new shell and retry the operation. "}
}

func faultInvalid(msg string) *Fault {
	return &Fault{Subcode: "w:InvalidValue", Code: 87, Message: "The parameter is incorrect. " + msg}
}

func faultPipeEnded() *Fault {
	return &Fault{Receiver: true, Subcode: "w:InternalError", Code: 232, Message: "The pipe is being closed. "}
}

// InternalError is the w:InternalError fault with WSManFault code 2147500037 (E_FAIL).
func InternalError(msg string) *Fault {
	return &Fault{Receiver: true, Subcode: "w:InternalError", Code: 2147500037, Message: msg}
}
