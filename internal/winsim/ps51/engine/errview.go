package engine

import (
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Error records as values ($_ in a catch block, $Error, 2>&1 output) and 5.1's error view.

// TypeName implements value.Object.
func (r *ErrorRecord) TypeName() string { return "System.Management.Automation.ErrorRecord" }

// Property implements value.Object.
func (r *ErrorRecord) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "exception":
		return r.Exception, true
	case "fullyqualifiederrorid":
		return r.FullyQualifiedErrorId, true
	case "targetobject":
		return r.TargetObject, true
	case "categoryinfo":
		return &categoryInfo{r}, true
	case "invocationinfo":
		if r.Invocation == nil {
			return nil, true
		}
		return &invocationValue{r.Invocation}, true
	case "errordetails":
		return nil, true
	case "scriptstacktrace":
		return "", true
	case "pipelineiterationinfo":
		return value.Array{}, true
	}
	return nil, false
}

// ToString implements value.Object: an error record converts to its exception's message.
func (r *ErrorRecord) ToString() string { return r.Error() }

func (r *ErrorRecord) class() *class { return errorRecordClass }

var errorRecordClass = &class{name: "System.Management.Automation.ErrorRecord",
	members: "CategoryInfo ErrorDetails Exception FullyQualifiedErrorId InvocationInfo PipelineIterationInfo ScriptStackTrace TargetObject GetObjectData"}

// TypeName implements value.Object: the most derived exception type.
func (e *Exception) TypeName() string {
	if len(e.Types) == 0 {
		return "System.Exception"
	}
	return e.Types[0]
}

// TypeNames implements value.TypeNamesOf: -is [System.Exception] holds for every exception.
func (e *Exception) TypeNames() []string { return e.Types }

// Property implements value.Object.
func (e *Exception) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "message":
		return e.Message, true
	case "innerexception":
		if e.Inner == nil {
			return nil, true
		}
		return e.Inner, true
	case "hresult":
		return int32(-2146233087), true
	case "source", "stacktrace", "helplink":
		return nil, true
	case "data":
		return value.NewHashtable(), true
	case "errorrecord":
		if e.record != nil {
			return e.record, true
		}
	case "wasthrownfromthrowstatement":
		return false, true
	}
	return nil, false
}

// ToString implements value.Object: .NET's Exception.ToString() starts "Type: message"; the stack
// trace that follows on Windows is not modelled.
func (e *Exception) ToString() string {
	if e.Message == "" {
		return e.TypeName()
	}
	return e.TypeName() + ": " + e.Message
}

func (e *Exception) class() *class { return exceptionClass }

var exceptionClass = &class{name: "System.Exception",
	members: "Data HelpLink HResult InnerException Message Source StackTrace TargetSite ErrorRecord WasThrownFromThrowStatement GetBaseException GetObjectData",
	methods: map[string]method{
		"getbaseexception": func(_ *Session, self any, _ []any) (any, error) {
			e := as[*Exception](self)
			for e.Inner != nil {
				e = e.Inner
			}
			return e, nil
		},
	}}

// categoryInfo is $_.CategoryInfo.
type categoryInfo struct{ r *ErrorRecord }

func (c *categoryInfo) TypeName() string { return "System.Management.Automation.ErrorCategoryInfo" }
func (c *categoryInfo) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "category":
		return c.category(), true
	case "activity":
		return c.r.Activity, true
	case "reason":
		return c.reason(), true
	case "targetname":
		return c.targetName(), true
	case "targettype":
		return c.targetType(), true
	}
	return nil, false
}
func (c *categoryInfo) class() *class { return categoryInfoClass }

var categoryInfoClass = &class{name: "System.Management.Automation.ErrorCategoryInfo",
	members: "Activity Category Reason TargetName TargetType GetMessage"}

func (c *categoryInfo) category() string {
	if c.r.Category == "" {
		return "NotSpecified"
	}
	return c.r.Category
}
func (c *categoryInfo) reason() string {
	if c.r.Exception == nil {
		return ""
	}
	return shortTypeName(c.r.Exception.TypeName())
}
func (c *categoryInfo) targetName() string {
	if c.r.TargetObject == nil {
		return ""
	}
	return value.ToString(c.r.TargetObject)
}
func (c *categoryInfo) targetType() string {
	if c.r.TargetObject == nil {
		return ""
	}
	return shortTypeName(value.TypeName(c.r.TargetObject))
}

// ToString is 5.1's "Category: (TargetName:TargetType) [Activity], Reason".
func (c *categoryInfo) ToString() string {
	return fmt.Sprintf("%s: (%s:%s) [%s], %s", c.category(), c.targetName(), c.targetType(), c.r.Activity, c.reason())
}

// invocationValue is $_.InvocationInfo.
type invocationValue struct{ i *InvocationInfo }

func (v *invocationValue) TypeName() string { return "System.Management.Automation.InvocationInfo" }
func (v *invocationValue) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "scriptlinenumber":
		return int32(v.i.Line), true //nolint:gosec // line numbers are small
	case "offsetinline":
		return int32(v.i.Column), true //nolint:gosec // columns are small
	case "line":
		return v.i.LineText, true
	case "positionmessage":
		return positionMessage(v.i), true
	case "invocationname":
		return v.i.Command, true
	case "scriptname", "pscommandpath", "psscriptroot":
		return "", true
	}
	return nil, false
}
func (v *invocationValue) ToString() string { return v.TypeName() }
func (v *invocationValue) class() *class    { return invocationClass }

var invocationClass = &class{name: "System.Management.Automation.InvocationInfo",
	members: "BoundParameters CommandOrigin DisplayScriptPosition ExpectingInput HistoryId InvocationName Line MyCommand OffsetInLine PipelineLength PipelinePosition PositionMessage PSCommandPath PSScriptRoot ScriptLineNumber ScriptName UnboundArguments"}

// positionMessage is "At line:L char:C", the line, and a tilde underline from the column to the end of
// the line's text. inferred: 5.1 underlines the failing extent; the engine knows only where it starts
// and underlines to the end of the line.
func positionMessage(i *InvocationInfo) string {
	if i == nil || i.Line == 0 {
		return ""
	}
	line := strings.TrimRight(i.LineText, " \t\r\n")
	col := i.Column
	if col < 1 {
		col = 1
	}
	var b strings.Builder
	fmt.Fprintf(&b, "At line:%d char:%d\r\n+ %s\r\n+ ", i.Line, col, line)
	r := []rune(line)
	n := len(r) - (col - 1)
	if n < 1 {
		n = 1
	}
	b.WriteString(strings.Repeat(" ", min(col-1, len(r))))
	b.WriteString(strings.Repeat("~", n))
	return b.String()
}

// errorView is Windows PowerShell 5.1's NormalView of an error record, as the console host writes it:
//
//	Command : message
//	At line:1 char:1
//	+ text
//	+ ~~~~
//	    + CategoryInfo          : Category: (target:Type) [Command], Reason
//	    + FullyQualifiedErrorId : Id
//
// (about_Preference_Variables, $ErrorView NormalView). The command prefix is there for errors a
// command reported (and for a command that was not found), not for script statements (throw, an
// expression's exception).
func errorView(r *ErrorRecord) string {
	var b strings.Builder
	msg := r.Error()
	if r.Invocation != nil && r.Invocation.Command != "" {
		b.WriteString(r.Invocation.Command + " : ")
	}
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(msg, "\r\n", "\n"), "\n", "\r\n"))
	b.WriteString("\r\n")
	if pm := positionMessage(r.Invocation); pm != "" {
		b.WriteString(pm + "\r\n")
	}
	ci := &categoryInfo{r}
	b.WriteString("    + CategoryInfo          : " + ci.ToString() + "\r\n")
	b.WriteString("    + FullyQualifiedErrorId : " + r.FullyQualifiedErrorId + "\r\n")
	b.WriteString(" \r\n")
	return b.String()
}
