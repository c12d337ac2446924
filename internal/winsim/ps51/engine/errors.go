package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Errors and flow control. A terminating error travels up the Go call stack as a *psError; break,
// continue, return and exit as their own error types; none of them is ever a Go panic except across a
// host cmdlet's Out callback (pipeline.go).

// notImplPrefix starts every message about something the engine does not model.
const notImplPrefix = "winsim's PowerShell does not implement "

// NotImplementedError is a construct, member, type or parameter the engine does not model. It is not a
// PowerShell error: try/catch does not catch it, and it ends Run at once (Session.Fault reports it).
type NotImplementedError struct {
	What string
	Pos  string
}

func (e *NotImplementedError) Error() string {
	if e.Pos != "" {
		return notImplPrefix + e.What + " (" + e.Pos + ")"
	}
	return notImplPrefix + e.What
}

func notImpl(format string, args ...any) error {
	return &NotImplementedError{What: fmt.Sprintf(format, args...)}
}

// isNotImplemented reports whether err is, or wraps, a NotImplementedError.
func isNotImplemented(err error) bool {
	var n *NotImplementedError
	return errors.As(err, &n)
}

// limitError ends a run that exceeded a bound (steps, call depth guard of the Go stack, a cancelled
// context). Like NotImplementedError it is not catchable.
type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }

// psError is a terminating error in flight: the error record and how it travels.
type psError struct {
	rec *ErrorRecord
	// scriptTerminating errors (throw, an ActionPreference of Stop) pass statement boundaries; other
	// terminating errors end only the statement they occur in, unless a try is active or the
	// ErrorActionPreference is Stop (about_Try_Catch_Finally; about_Preference_Variables).
	scriptTerminating bool
	fromThrow         bool
}

func (e *psError) Error() string { return e.rec.Error() }

// Flow control.
type (
	breakFlow    struct{}
	continueFlow struct{}
	returnFlow   struct{}
	exitFlow     struct{ code int }
)

func (*breakFlow) Error() string    { return "break outside a loop" }
func (*continueFlow) Error() string { return "continue outside a loop" }
func (*returnFlow) Error() string   { return "return" }
func (e *exitFlow) Error() string   { return fmt.Sprintf("exit %d", e.code) }

// exceptionBases lists, for the .NET exception types the engine and the library meet, the base type.
var exceptionBases = map[string]string{
	"System.Exception":                                                     "",
	"System.SystemException":                                               "System.Exception",
	"System.ApplicationException":                                          "System.Exception",
	"System.Management.Automation.RuntimeException":                        "System.SystemException",
	"System.Management.Automation.ActionPreferenceStopException":           "System.Management.Automation.RuntimeException",
	"System.Management.Automation.MethodException":                         "System.Management.Automation.RuntimeException",
	"System.Management.Automation.MethodInvocationException":               "System.Management.Automation.MethodException",
	"System.Management.Automation.CommandNotFoundException":                "System.Management.Automation.RuntimeException",
	"System.Management.Automation.ParameterBindingException":               "System.Management.Automation.RuntimeException",
	"System.Management.Automation.SessionStateException":                   "System.Management.Automation.RuntimeException",
	"System.Management.Automation.ItemNotFoundException":                   "System.Management.Automation.SessionStateException",
	"System.Management.Automation.DriveNotFoundException":                  "System.Management.Automation.SessionStateException",
	"System.Management.Automation.ProviderNotFoundException":               "System.Management.Automation.SessionStateException",
	"System.Management.Automation.SessionStateUnauthorizedAccessException": "System.Management.Automation.SessionStateException",
	"System.Management.Automation.RemoteException":                         "System.Management.Automation.RuntimeException",
	"System.Management.Automation.PipelineStoppedException":                "System.Management.Automation.RuntimeException",
	"System.Management.Automation.ParseException":                          "System.Management.Automation.RuntimeException",
	"System.Management.Automation.PSInvalidCastException":                  "System.InvalidCastException",
	"System.Management.Automation.PSArgumentException":                     "System.ArgumentException",
	"System.Management.Automation.PSArgumentNullException":                 "System.ArgumentNullException",
	"System.Management.Automation.PSArgumentOutOfRangeException":           "System.ArgumentOutOfRangeException",
	"System.Management.Automation.PSInvalidOperationException":             "System.InvalidOperationException",
	"System.Management.Automation.PSNotSupportedException":                 "System.NotSupportedException",
	"System.Management.Automation.PSNotImplementedException":               "System.NotImplementedException",
	"System.Management.Automation.ExtendedTypeSystemException":             "System.Management.Automation.RuntimeException",
	"System.Management.Automation.GetValueInvocationException":             "System.Management.Automation.ExtendedTypeSystemException",
	"System.Management.Automation.SetValueInvocationException":             "System.Management.Automation.ExtendedTypeSystemException",
	"System.Management.Automation.PropertyNotFoundException":               "System.Management.Automation.ExtendedTypeSystemException",
	"System.Management.Automation.ScriptCallDepthException":                "System.SystemException",
	"System.Management.Automation.MetadataException":                       "System.Management.Automation.RuntimeException",
	"System.Management.Automation.ValidationMetadataException":             "System.Management.Automation.MetadataException",
	"System.Management.Automation.PSSecurityException":                     "System.Management.Automation.RuntimeException",
	"System.Management.Automation.WildcardPatternException":                "System.Management.Automation.RuntimeException",
	"System.Management.Automation.ParentContainsErrorRecordException":      "System.SystemException",
	"Microsoft.PowerShell.Commands.WriteErrorException":                    "System.SystemException",
	"Microsoft.PowerShell.Commands.ServiceCommandException":                "System.SystemException",
	"Microsoft.Management.Infrastructure.CimException":                     "System.SystemException",
	"System.ArgumentException":                                             "System.SystemException",
	"System.ArgumentNullException":                                         "System.ArgumentException",
	"System.ArgumentOutOfRangeException":                                   "System.ArgumentException",
	"System.InvalidCastException":                                          "System.SystemException",
	"System.InvalidOperationException":                                     "System.SystemException",
	"System.ObjectDisposedException":                                       "System.InvalidOperationException",
	"System.FormatException":                                               "System.SystemException",
	"System.UriFormatException":                                            "System.FormatException",
	"System.NotSupportedException":                                         "System.SystemException",
	"System.NotImplementedException":                                       "System.SystemException",
	"System.IndexOutOfRangeException":                                      "System.SystemException",
	"System.NullReferenceException":                                        "System.SystemException",
	"System.ArithmeticException":                                           "System.SystemException",
	"System.DivideByZeroException":                                         "System.ArithmeticException",
	"System.OverflowException":                                             "System.ArithmeticException",
	"System.TimeoutException":                                              "System.SystemException",
	"System.UnauthorizedAccessException":                                   "System.SystemException",
	"System.Collections.Generic.KeyNotFoundException":                      "System.SystemException",
	"System.IO.IOException":                                                "System.SystemException",
	"System.IO.FileNotFoundException":                                      "System.IO.IOException",
	"System.IO.DirectoryNotFoundException":                                 "System.IO.IOException",
	"System.IO.PathTooLongException":                                       "System.IO.IOException",
	"System.IO.EndOfStreamException":                                       "System.IO.IOException",
	"System.IO.InvalidDataException":                                       "System.SystemException",
	"System.Net.WebException":                                              "System.InvalidOperationException",
	"System.Net.Sockets.SocketException":                                   "System.ComponentModel.Win32Exception",
	"System.ComponentModel.Win32Exception":                                 "System.Runtime.InteropServices.ExternalException",
	"System.Runtime.InteropServices.ExternalException":                     "System.SystemException",
	"System.Runtime.InteropServices.COMException":                          "System.Runtime.InteropServices.ExternalException",
	"System.Security.SecurityException":                                    "System.SystemException",
	"System.Security.Cryptography.CryptographicException":                  "System.SystemException",
	"System.Threading.ThreadAbortException":                                "System.SystemException",
	"System.OperationCanceledException":                                    "System.SystemException",
	"System.Management.Automation.Remoting.PSRemotingTransportException":   "System.Management.Automation.RuntimeException",
	"Microsoft.PowerShell.Commands.HttpResponseException":                  "System.Net.Http.HttpRequestException",
	"System.Net.Http.HttpRequestException":                                 "System.Exception",
}

// exceptionTypes is the type chain of an exception type, most derived first. A short name
// ("RuntimeException") is completed from the table; an unknown type is given System.Exception as its
// base.
func exceptionTypes(t string) []string {
	t = canonicalExceptionName(t)
	var out []string
	for seen := 0; t != "" && seen < 16; seen++ {
		out = append(out, t)
		base, ok := exceptionBases[t]
		if !ok {
			if t != "System.Exception" {
				out = append(out, "System.Exception")
			}
			break
		}
		t = base
	}
	return out
}

func canonicalExceptionName(t string) string {
	if t == "" {
		return "System.Exception"
	}
	if _, ok := exceptionBases[t]; ok {
		return t
	}
	for full := range exceptionBases {
		if strings.EqualFold(full, t) || strings.EqualFold(full, "System."+t) {
			return full
		}
	}
	for full := range exceptionBases {
		if i := strings.LastIndexByte(full, '.'); i >= 0 && strings.EqualFold(full[i+1:], t) && !strings.Contains(t, ".") {
			return full
		}
	}
	return t
}

// knownExceptionType reports whether a catch clause's type names an exception type the engine knows,
// and gives its full name.
func knownExceptionType(name string) (string, bool) {
	n := strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(name, "["), "]"), "")
	for full := range exceptionBases {
		if strings.EqualFold(full, n) || strings.EqualFold(full, "System."+n) {
			return full, true
		}
	}
	return "", false
}

// shortTypeName is the last dotted part of a type name (CategoryInfo's Reason and TargetType).
func shortTypeName(t string) string {
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		return t[i+1:]
	}
	return t
}

// newRecord makes an error record for an exception type, message, id and category.
func newRecord(exType, msg, id, category string, target any) *ErrorRecord {
	return NewError(exType, msg, id, category, target)
}

// recordFromError turns any Go error from the value layer, a host or the engine into the error record
// a script sees.
func recordFromError(err error) *ErrorRecord {
	var rec *ErrorRecord
	if errors.As(err, &rec) {
		return rec
	}
	var pe *psError
	if errors.As(err, &pe) {
		return pe.rec
	}
	var ce *value.ConversionError
	if errors.As(err, &ce) {
		r := newRecord("System.Management.Automation.PSInvalidCastException", ce.Error(), "InvalidCastConstructorException", "InvalidArgument", nil)
		if ce.Source == "" {
			r.FullyQualifiedErrorId = "InvalidCastParseTargetInvocation"
			if strings.Contains(ce.Reason, "too large or too small") {
				r.FullyQualifiedErrorId = "InvalidCastIConvertible"
			}
		} else {
			r.FullyQualifiedErrorId = "ConvertToFinalInvalidCastException"
		}
		return r
	}
	var re *value.RuntimeError
	if errors.As(err, &re) {
		exType := "System.Management.Automation.RuntimeException"
		if re.Message == "Attempted to divide by zero." {
			// The arithmetic's RuntimeException wraps .NET's DivideByZeroException.
			r := newRecord(exType, re.Message, "RuntimeException", "NotSpecified", nil)
			r.Exception.Inner = &Exception{Message: re.Message, Types: exceptionTypes("System.DivideByZeroException")}
			return r
		}
		if re.ID == "TypeNotFound" {
			return newRecord(exType, re.Message, "TypeNotFound", "InvalidOperation", nil)
		}
		id := re.ID
		if id == "" {
			id = "RuntimeException"
		}
		return newRecord(exType, re.Message, id, "InvalidOperation", nil)
	}
	var je *value.JSONError
	if errors.As(err, &je) {
		return newRecord("System.ArgumentException", je.Error(), "System.ArgumentException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand", "NotSpecified", nil)
	}
	return newRecord("System.Management.Automation.RuntimeException", err.Error(), "RuntimeException", "NotSpecified", nil)
}

// terminating wraps an error from a value operation or a host call as a statement-terminating error,
// keeping engine-internal errors (not implemented, limits, flow) as they are.
func (s *Session) terminating(err error) error {
	if err == nil {
		return nil
	}
	if passThrough(err) {
		return err
	}
	var pe *psError
	if errors.As(err, &pe) {
		return pe
	}
	if value.IsNotModelled(err) {
		return &NotImplementedError{What: strings.TrimPrefix(err.Error(), "ps51/value: not modelled: "), Pos: s.posString()}
	}
	rec := recordFromError(err)
	s.stamp(rec)
	return &psError{rec: rec}
}

// passThrough reports errors that are not PowerShell errors: flow control and engine limits.
func passThrough(err error) bool {
	var (
		b  *breakFlow
		c  *continueFlow
		r  *returnFlow
		x  *exitFlow
		le *limitError
		ni *NotImplementedError
		su *stopUpstream
	)
	return errors.As(err, &b) || errors.As(err, &c) || errors.As(err, &r) || errors.As(err, &x) ||
		errors.As(err, &le) || errors.As(err, &ni) || errors.As(err, &su)
}

// methodError is .NET's exception from a method, as PowerShell wraps it (MethodInvocationException):
// Exception calling "M" with "N" argument(s): "msg".
func methodError(name string, nargs int, err error) error {
	if passThrough(err) || value.IsNotModelled(err) {
		return err
	}
	inner := recordFromError(err)
	msg := fmt.Sprintf("Exception calling \"%s\" with \"%d\" argument(s): \"%s\"", name, nargs, inner.Exception.Message)
	rec := newRecord("System.Management.Automation.MethodInvocationException", msg, inner.Exception.Types[0][strings.LastIndexByte(inner.Exception.Types[0], '.')+1:], "NotSpecified", nil)
	rec.Exception.Inner = inner.Exception
	return rec
}

// dotnetError is a .NET exception raised by an engine member, before PowerShell wraps it.
func dotnetError(exType, msg string) error {
	return newRecord(exType, msg, shortTypeName(exType), "NotSpecified", nil)
}
