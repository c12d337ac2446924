package value

import (
	"errors"
	"fmt"
)

// RuntimeError is an error PowerShell raises while evaluating: Message is what the script sees as
// $_.Exception.Message; ID names the .NET exception or PowerShell error id (for the interpreter's
// ErrorRecord); Err is the cause, if any.
type RuntimeError struct {
	ID      string
	Message string
	Err     error
}

func (e *RuntimeError) Error() string { return e.Message }

// Unwrap gives the cause.
func (e *RuntimeError) Unwrap() error { return e.Err }

// ConversionError is a failed conversion. Its message is 5.1's
//
//	Cannot convert value "abc" to type "System.Int32". Error: "Input string was not in a correct format."
//
// (PSInvalidCastException, ExtendedTypeSystem InvalidCastExceptionWithInnerException), or, for values
// that are not strings or numbers,
//
//	Cannot convert the "System.Object[]" value of type "System.Object[]" to type "System.Int32".
//
// inferred: both texts are 5.1's as widely reported in Windows PowerShell sessions; the docs do not
// quote them.
type ConversionError struct {
	Value  string // the value's string form ("abc"), or the value's ToString for the second form
	Source string // the value's type when the second form applies; "" for the first
	Target string // the target type's full name
	Reason string // the inner message; "" for the second form
	Err    error
}

func (e *ConversionError) Error() string {
	if e.Source != "" {
		return fmt.Sprintf("Cannot convert the \"%s\" value of type \"%s\" to type \"%s\".", e.Value, e.Source, e.Target)
	}
	return fmt.Sprintf("Cannot convert value \"%s\" to type \"%s\". Error: \"%s\"", e.Value, e.Target, e.Reason)
}

// Unwrap gives the cause.
func (e *ConversionError) Unwrap() error { return e.Err }

// NotModelledError reports a construct this model does not implement (a .NET regex lookbehind, a
// format specifier). It is never what Windows would say: it stops a simulation loudly rather than let
// it diverge quietly.
type NotModelledError struct {
	What string
}

func (e *NotModelledError) Error() string { return "ps51/value: not modelled: " + e.What }

// IsNotModelled reports whether err is, or wraps, a NotModelledError.
func IsNotModelled(err error) bool {
	var n *NotModelledError
	return errors.As(err, &n)
}

// Message is the text a script sees as $_.Exception.Message for an error from this package.
func Message(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

const (
	msgFormat   = "Input string was not in a correct format."
	msgDivZero  = "Attempted to divide by zero."
	msgOverflow = "Value was either too large or too small for %s."
)

func overflowReason(target string) string {
	switch target {
	case "System.Int32":
		return fmt.Sprintf(msgOverflow, "an Int32")
	case "System.Int64":
		return fmt.Sprintf(msgOverflow, "an Int64")
	case "System.Byte":
		return "Value was either too large or too small for an unsigned byte."
	case "System.Char":
		return "Value was either too large or too small for a character."
	case "System.Decimal":
		return fmt.Sprintf(msgOverflow, "a Decimal")
	}
	return fmt.Sprintf(msgOverflow, "a "+target)
}
