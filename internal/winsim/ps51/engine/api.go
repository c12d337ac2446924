package engine

import (
	"context"
	"errors"
	"io"
	"time"
)

// This file is the engine's contract with the host it runs on (winsim's machine model, or a test): the
// session's configuration, the cmdlets a host adds, the native programs it runs, the .NET types it
// provides, and the error records all of them raise. Additions are welcome; changes that break a host's
// code are not.

// Config is what a session runs with.
type Config struct {
	// Context bounds every remote-looking call (natives, Start-Sleep); a cancelled context stops the
	// script with a terminating error.
	Context context.Context
	// Commands are the host's cmdlets, beside the engine's own (Where-Object, ForEach-Object, ...). A
	// host cmdlet with the name of an engine cmdlet replaces it.
	Commands []*Cmdlet
	// Natives runs applications: any command name that is not an alias, function or cmdlet, and any
	// path, is resolved through it.
	Natives NativeRunner
	// Types are the host's .NET types ([IO.File], [Microsoft.Win32.Registry], ...), beside the engine's
	// own ([string], [Convert], [regex], ...). A host type replaces an engine type of the same FullName.
	Types []*Type
	// Stdin is [Console]::In. Stdout is [Console]::Out and where the script's top-level output is written;
	// Stderr is [Console]::Error, where a native program's stderr goes when it is not redirected, and
	// where an uncaught error is reported.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Env is the process environment ($env:NAME), case-insensitive names. The session changes its own copy.
	Env map[string]string
	// Variables are global variables set before the script runs (beside the automatic ones).
	Variables map[string]any
	// Clock is Get-Date's and [DateTime]::Now's time; Sleep is Start-Sleep (it returns early with the
	// context's error).
	Clock func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// WriteFile receives a redirection to a file (> file, >> file, 2> file): the path as written, the
	// text Out-File would write (one line per object, each ending "\r\n"; 5.1 writes it UTF-16LE with a
	// BOM, Out-File's default encoding) and whether to append. nil: a redirection to a file fails as not
	// implemented.
	WriteFile func(path, text string, appendTo bool) error
	// Modules are the modules installed on the host beside those its Commands name
	// (Cmdlet.Module): Import-Module of any other module fails as 5.1 does when no module file exists.
	Modules []string
	// MaxSteps bounds the statements one Run evaluates (0: a default of a few million), so that a script
	// waiting for a state that never comes stops with an error naming the limit instead of hanging a test.
	MaxSteps int
}

// Cmdlet is a compiled command the host provides, with 5.1's parameter metadata: the engine binds
// arguments and pipeline input to Params (named, unique prefix, positional, switch, by value and by
// property name, with conversion to Type) and adds the common parameters (-ErrorAction,
// -ErrorVariable, -WarningAction, -Verbose, -Debug, -OutVariable).
type Cmdlet struct {
	// Name is Verb-Noun, as Get-Command lists it; Module the module it belongs to
	// ("Microsoft.PowerShell.Management", "ServerManager", ...).
	Name   string
	Module string
	Params []Param
	// Begin runs once before any input, Process once per pipeline input object (once with a nil input
	// and HasInput false when the command receives no pipeline input), End once after. Any may be nil.
	// A returned error is terminating: return an *ErrorRecord (NewError) to give it 5.1's exception type
	// and error id; any other error becomes a RuntimeException with its text.
	Begin   func(c *Call) error
	Process func(c *Call) error
	End     func(c *Call) error
}

// Param is one parameter of a Cmdlet.
type Param struct {
	Name    string
	Aliases []string
	// Type is the .NET type the argument converts to, by the engine's type names: "string", "string[]",
	// "int", "int64", "bool", "switch", "object", "object[]", "scriptblock", "hashtable", "datetime",
	// "char", "byte[]", or a host type's FullName. "" means object.
	Type string
	// Position is the 0-based positional slot; -1 for named-only.
	Position  int
	Mandatory bool
	// ValueFromPipeline binds each input object; ValueFromPipelineByPropertyName binds the input's
	// property of the parameter's name (or an alias).
	ValueFromPipeline               bool
	ValueFromPipelineByPropertyName bool
	// ValueFromRemainingArguments collects the positional arguments no other parameter takes
	// (Write-Host a b c) into an object[].
	ValueFromRemainingArguments bool
	// Set restricts the parameter to one parameter set ("" = all sets). A call that binds parameters of
	// two different sets fails with 5.1's "Parameter set cannot be resolved using the specified named
	// parameters." error.
	Set string
}

// Call is one invocation of a Cmdlet: its bound arguments and its output.
type Call struct {
	// Bound holds the bound parameters by their declared Name (after conversion); a switch is a bool.
	Bound map[string]any
	// Input is the current pipeline input in Process (nil and HasInput false when there is none).
	Input    any
	HasInput bool
	// Session is the session the command runs in (variables, script block invocation, the host).
	Session *Session
	// Out receives the command's output objects (one each; an array is one object unless the cmdlet
	// enumerates it itself). Err records a non-terminating error, which the engine handles by the
	// effective ErrorAction (Stop makes it terminating at once, as 5.1 does).
	Out func(v any)
	Err func(rec *ErrorRecord) error
	// Warn writes a warning (Write-Warning's "WARNING: " line) by the effective WarningAction; an
	// error means the warning was made terminating (-WarningAction Stop).
	Warn func(msg string) error
	// State carries a cmdlet's own data from Begin to Process to End.
	State any
}

// NativeRunner resolves and runs applications (.exe files) on the host.
type NativeRunner interface {
	// Resolve finds an application by the name or path a script used: a path (absolute, or relative to
	// the current location), or a name looked up along $env:Path with $env:PATHEXT's extensions. It
	// returns the full path, or ok false when there is none.
	Resolve(name string, env map[string]string) (path string, ok bool)
	// Run runs the application with the arguments as the program receives them (after PowerShell's
	// quoting) and returns what it printed, as text, and its exit code.
	Run(ctx context.Context, path string, args []string, stdin io.Reader) NativeResult
}

// NativeResult is what an application printed and returned. Stdout and Stderr are the decoded text
// (lines end with "\r\n" or "\n"); PowerShell splits them into lines.
type NativeResult struct {
	Stdout, Stderr string
	ExitCode       int
	// Lines, when set, are the program's stdout and stderr lines in the order it wrote them (what a
	// merged 2>&1 sees); otherwise the engine takes Stdout's lines, then Stderr's.
	Lines []NativeLine
}

// NativeLine is one line a program wrote, without its line end.
type NativeLine struct {
	Text   string
	Stderr bool
}

// Type is a .NET type a host provides: its static members, constructors and conversions. The engine's
// own types (string, int, arrays, hashtables, [Convert], [regex], ...) are built in.
type Type struct {
	// FullName is the type's full name ("System.IO.File"). Scripts may write it without "System." (PowerShell
	// tries the name, then "System." + the name) or by an accelerator listed in Accelerators.
	FullName     string
	Accelerators []string
	// Static members, by name (case-insensitive). A method receives the evaluated arguments; it returns
	// the result, or an error: an *ErrorRecord for a .NET exception (the engine wraps it as 5.1 does:
	// Exception calling "Name" with "N" argument(s): "message"), any other error likewise.
	StaticMethods    map[string]func(s *Session, args []any) (any, error)
	StaticProperties map[string]func(s *Session) (any, error)
	// SetStatic sets a static property ([Net.ServicePointManager]::SecurityProtocol = ...); nil when none
	// can be set.
	SetStatic map[string]func(s *Session, v any) error
	// New is the constructor (New-Object T args, [T]::new(args)); nil when the type has none.
	New func(s *Session, args []any) (any, error)
	// ConvertFrom converts a value to this type for a cast [T]$v or a parameter of this type; nil when
	// only the engine's default conversions apply.
	ConvertFrom func(s *Session, v any) (any, error)
}

// Invoker is implemented by host objects that have methods ($svc.Refresh(), $key.GetValue(...)). The
// engine calls it for a method that is not one of its own members of the value's type.
type Invoker interface {
	InvokeMethod(s *Session, name string, args []any) (any, error)
}

// ErrNoMethod is what an Invoker returns (errors.Is) for a method its object does not have; the engine
// then reports 5.1's "Method invocation failed because [T] does not contain a method named 'M'.", or
// fails loudly when DotNetMembers names the method.
var ErrNoMethod = errors.New("no such method")

// DotNetMembers is implemented by host objects that name the members of their .NET type. A member
// named here that Property does not return (or InvokeMethod does not know) fails loudly as not
// implemented, instead of reading as $null as a member the type lacks does in 5.1.
type DotNetMembers interface {
	DotNetMembers() []string
}

// Setter is implemented by host objects whose properties a script may assign.
type Setter interface {
	SetProperty(name string, v any) error
}

// ErrorRecord is PowerShell's error record: what $_ is in a catch block and what $Error holds.
type ErrorRecord struct {
	Exception *Exception
	// FullyQualifiedErrorId is 5.1's id, e.g. "PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand".
	FullyQualifiedErrorId string
	// Category is the ErrorCategory name ("ObjectNotFound", "InvalidOperation", "NotSpecified", ...).
	Category     string
	TargetObject any
	// Invocation is where the error happened ($_.InvocationInfo); the engine fills it in when the record
	// is raised, so a host leaves it nil.
	Invocation *InvocationInfo
	// Activity is CategoryInfo's Activity: the command that reported the error ("" for a script
	// statement); the engine fills it in.
	Activity string
	// stopped marks a non-terminating error that an ActionPreference of Stop made terminating.
	stopped bool
}

// InvocationInfo is the position an error record points at: the command (or "" for a statement of
// the script itself), its line and column (1-based) and the text of that line, as 5.1's error view
// prints them ("At line:L char:C").
type InvocationInfo struct {
	Command  string
	Line     int
	Column   int
	LineText string
}

// Exception is a .NET exception: its message and its type with the base types (most derived first),
// which a typed catch matches ("System.Management.Automation.ItemNotFoundException",
// "System.Management.Automation.SessionStateException", "System.Management.Automation.RuntimeException",
// "System.SystemException", "System.Exception").
type Exception struct {
	Message string
	Types   []string
	Inner   *Exception
	// record is the error record a RuntimeException carries ($_.Exception.ErrorRecord).
	record *ErrorRecord
}

// NewError is an error record with a message, an exception type (its base types are filled in for the
// exception types the engine knows), an error id and a category.
func NewError(exceptionType, message, errorID, category string, target any) *ErrorRecord {
	return &ErrorRecord{Exception: &Exception{Message: message, Types: exceptionTypes(exceptionType)},
		FullyQualifiedErrorId: errorID, Category: category, TargetObject: target}
}

func (r *ErrorRecord) Error() string {
	if r == nil || r.Exception == nil {
		return "error"
	}
	return r.Exception.Message
}
