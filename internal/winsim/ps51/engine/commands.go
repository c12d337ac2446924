package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/syntax"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Command discovery and invocation (about_Command_Precedence: alias, function, cmdlet, then an
// application; about_Operators for & and .; about_Functions; about_Script_Blocks).

// aliases are Windows PowerShell 5.1's built-in aliases (Get-Alias on a fresh 5.1 session) for the
// commands the engine or a host might provide. `sc` is Set-Content and `curl`/`wget` are
// Invoke-WebRequest in 5.1, so a script must write sc.exe to run the service tool.
var aliases = map[string]string{
	"%": "ForEach-Object", "?": "Where-Object", "foreach": "ForEach-Object", "where": "Where-Object",
	"ac": "Add-Content", "cat": "Get-Content", "cd": "Set-Location", "chdir": "Set-Location",
	"clc": "Clear-Content", "clear": "Clear-Host", "cli": "Clear-Item", "clp": "Clear-ItemProperty",
	"cls": "Clear-Host", "clv": "Clear-Variable", "compare": "Compare-Object", "copy": "Copy-Item",
	"cp": "Copy-Item", "cpi": "Copy-Item", "cpp": "Copy-ItemProperty", "curl": "Invoke-WebRequest",
	"cvpa": "Convert-Path", "del": "Remove-Item", "diff": "Compare-Object", "dir": "Get-ChildItem",
	"echo": "Write-Output", "epcsv": "Export-Csv", "erase": "Remove-Item", "fc": "Format-Custom",
	"fl": "Format-List", "ft": "Format-Table", "fw": "Format-Wide", "gal": "Get-Alias",
	"gc": "Get-Content", "gci": "Get-ChildItem", "gcm": "Get-Command", "gdr": "Get-PSDrive",
	"gi": "Get-Item", "gl": "Get-Location", "gm": "Get-Member", "gmo": "Get-Module",
	"gp": "Get-ItemProperty", "gps": "Get-Process", "gpv": "Get-ItemPropertyValue", "group": "Group-Object",
	"gsv": "Get-Service", "gu": "Get-Unique", "gv": "Get-Variable", "gwmi": "Get-WmiObject",
	"icm": "Invoke-Command", "iex": "Invoke-Expression", "ii": "Invoke-Item", "ipcsv": "Import-Csv",
	"ipmo": "Import-Module", "irm": "Invoke-RestMethod", "iwr": "Invoke-WebRequest", "kill": "Stop-Process",
	"ls": "Get-ChildItem", "md": "mkdir", "measure": "Measure-Object", "mi": "Move-Item", "move": "Move-Item",
	"mp": "Move-ItemProperty", "mv": "Move-Item", "nal": "New-Alias", "ni": "New-Item", "nv": "New-Variable",
	"oh": "Out-Host", "popd": "Pop-Location", "ps": "Get-Process", "pushd": "Push-Location",
	"pwd": "Get-Location", "rd": "Remove-Item", "ren": "Rename-Item", "ri": "Remove-Item", "rm": "Remove-Item",
	"rmdir": "Remove-Item", "rni": "Rename-Item", "rnp": "Rename-ItemProperty", "rp": "Remove-ItemProperty",
	"rv": "Remove-Variable", "rvpa": "Resolve-Path", "sal": "Set-Alias", "saps": "Start-Process",
	"sasv": "Start-Service", "sc": "Set-Content", "select": "Select-Object", "set": "Set-Variable",
	"si": "Set-Item", "sl": "Set-Location", "sleep": "Start-Sleep", "sls": "Select-String",
	"sort": "Sort-Object", "sp": "Set-ItemProperty", "spps": "Stop-Process", "spsv": "Stop-Service",
	"start": "Start-Process", "sv": "Set-Variable", "tee": "Tee-Object", "type": "Get-Content",
	"wget": "Invoke-WebRequest", "write": "Write-Output",
}

// knownCmdlets are Windows PowerShell 5.1 commands that exist on Windows but that neither the engine
// nor the host provides: calling one fails as not implemented rather than as "not recognized".
var knownCmdlets = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range aliases {
		m[strings.ToLower(t)] = true
	}
	for _, n := range strings.Fields(`Add-Member Add-Type Clear-Variable Compare-Object ConvertTo-Csv ConvertFrom-Csv
		ConvertTo-SecureString ConvertFrom-SecureString Export-Clixml Import-Clixml Format-Hex Get-Acl Set-Acl
		Get-Culture Get-FileHash Get-Host Get-Random Get-UICulture Group-Object Invoke-Expression New-Guid
		New-Variable Out-File Read-Host Remove-Variable Select-String Set-StrictMode Set-Variable Sort-Object
		Tee-Object Test-Path Get-Item Get-ItemProperty New-Item New-ItemProperty Set-ItemProperty Remove-Item
		Copy-Item Move-Item Rename-Item Get-ChildItem Get-Content Set-Content Add-Content Get-Service
		Start-Service Stop-Service Restart-Service Set-Service New-Service Get-Process Start-Process Stop-Process
		Wait-Process Get-CimInstance Invoke-CimMethod Get-WmiObject Get-WinEvent Get-EventLog Write-EventLog
		Invoke-WebRequest Invoke-RestMethod Expand-Archive Compress-Archive Get-WindowsFeature
		Install-WindowsFeature Uninstall-WindowsFeature Get-WindowsOptionalFeature Enable-WindowsOptionalFeature
		Disable-WindowsOptionalFeature Restart-Computer Stop-Computer Get-NetFirewallRule New-NetFirewallRule
		Remove-NetFirewallRule New-SelfSignedCertificate Get-WSManInstance New-WSManInstance Set-WSManInstance
		Remove-WSManInstance Get-Module Remove-Module Get-Variable Get-Member Get-Alias Resolve-Path
		Convert-Path Push-Location Pop-Location Set-Location Get-Location Get-PSDrive New-PSDrive
		Test-Connection Test-NetConnection Get-NetAdapter Get-NetIPAddress Get-Disk Get-Volume Get-PSProvider
		Wait-Job Start-Job Receive-Job Get-Job Invoke-Command Out-Host Out-Default Format-Table Format-List
		Write-Information Write-Debug Get-Credential Get-ExecutionPolicy Set-ExecutionPolicy Unblock-File
		Get-HotFix Get-ComputerInfo Get-TimeZone Rename-Computer Add-Computer Get-LocalUser New-LocalUser`) {
		m[strings.ToLower(n)] = true
	}
	return m
}()

// argument is one evaluated command argument.
type argument struct {
	name     string // the parameter name (without -) for -Name and -Name:value
	param    bool
	colon    bool // -Name:value
	value    any
	arrayLit bool // written as a comma list (a native gets it joined with commas)
	splat    bool
	node     syntax.Node
}

func (s *Session) evalArgs(list []syntax.CommandElement) ([]argument, error) {
	out := make([]argument, 0, len(list))
	for _, ce := range list {
		switch x := ce.(type) {
		case *syntax.CommandParameter:
			a := argument{name: x.Name, param: true, node: x}
			if x.Arg != nil {
				v, err := s.eval(x.Arg)
				if err != nil {
					return nil, err
				}
				a.colon, a.value = true, v
				_, a.arrayLit = x.Arg.(*syntax.ArrayLit)
			}
			out = append(out, a)
		case *syntax.Variable:
			if x.Splat {
				v, err := s.evalVariable(&syntax.Variable{Scope: x.Scope, Name: x.Name})
				if err != nil {
					return nil, err
				}
				out = append(out, splat(v, x)...)
				continue
			}
			v, err := s.eval(x)
			if err != nil {
				return nil, err
			}
			out = append(out, argument{value: v, node: x})
		case syntax.Expr:
			v, err := s.eval(x)
			if err != nil {
				return nil, err
			}
			_, lit := x.(*syntax.ArrayLit)
			out = append(out, argument{value: v, arrayLit: lit, node: x})
		}
	}
	return out, nil
}

// splat expands @name: a hashtable's entries are named arguments, a collection's elements positional
// ones (about_Splatting).
func splat(v any, node syntax.Node) []argument {
	switch x := v.(type) {
	case nil:
		return nil
	case *value.Hashtable:
		var out []argument
		for _, k := range x.Keys() {
			val, _ := x.Get(k)
			out = append(out, argument{name: value.ToString(k), param: true, colon: true, value: val, splat: true, node: node})
		}
		return out
	}
	var out []argument
	for _, it := range enumerate(v) {
		out = append(out, argument{value: it, splat: true, node: node})
	}
	return out
}

func (s *Session) buildElement(pe syntax.PipelineElement) (*element, error) {
	el := &element{pos: pe.Position(), src: s.src}
	switch x := pe.(type) {
	case *syntax.CommandExpr:
		el.process = func(_ any, has bool) error {
			if has {
				return nil
			}
			if u, ok := x.Expr.(*syntax.Unary); ok && (u.Op == "++" || u.Op == "--") {
				// about_Assignment_Operators: an increment or decrement used as a statement writes
				// nothing; in parentheses it writes its value.
				_, err := s.eval(u)
				return err
			}
			items, err := s.evalPipelineInput(x.Expr)
			if err != nil {
				return err
			}
			for _, it := range items {
				if err := s.st.out(it); err != nil {
					return err
				}
			}
			return nil
		}
		return el, nil
	case *syntax.Command:
		return s.buildCommand(el, x)
	}
	return nil, s.notImplAt(pe, "the pipeline element %T", pe)
}

func (s *Session) buildCommand(el *element, x *syntax.Command) (*element, error) {
	s.pos = x.Pos
	var target any
	if lit, ok := x.Name.(*syntax.StringLit); ok && x.Invocation == "" {
		target = lit.Value
	} else {
		v, err := s.eval(x.Name)
		if err != nil {
			return nil, err
		}
		target = v
	}
	args, err := s.evalArgs(x.Args)
	if err != nil {
		return nil, err
	}
	s.pos = x.Pos
	dot := x.Invocation == "."
	switch t := target.(type) {
	case *scriptBlock:
		el.name = ""
		return s.scriptElement(el, t.asFunction(), args, dot), nil
	case *commandInfo:
		return s.commandElement(el, t, t.name, args, dot, x)
	case string:
		ci, err := s.resolveCommand(t)
		if err != nil {
			return nil, err
		}
		return s.commandElement(el, ci, t, args, dot, x)
	}
	rec := newRecord("System.Management.Automation.RuntimeException",
		"The expression after '"+x.Invocation+"' in a pipeline element produced an object that was not valid. It must result in a command name, a script block, or a CommandInfo object.",
		"BadExpression", "InvalidOperation", nil)
	s.stamp(rec)
	return nil, &psError{rec: rec}
}

func (s *Session) commandElement(el *element, ci *commandInfo, invoked string, args []argument, dot bool, x *syntax.Command) (*element, error) {
	el.name = invoked
	switch {
	case ci.fn != nil:
		return s.scriptElement(el, ci.fn, args, dot), nil
	case ci.cmdlet != nil:
		el.name = ci.cmdlet.Name
		if dot {
			return nil, s.notImplAt(x, "dot-sourcing the cmdlet %s", ci.cmdlet.Name)
		}
		return s.cmdletElement(el, ci.cmdlet, args)
	case ci.path != "":
		return s.nativeElement(el, ci.path, args, x)
	}
	return nil, s.notImplAt(x, "the command %s", invoked)
}

// commandInfo is what Get-Command returns and what a name resolves to.
type commandInfo struct {
	name   string
	fn     *function
	cmdlet *Cmdlet
	path   string
}

func (c *commandInfo) TypeName() string {
	switch {
	case c.fn != nil:
		return "System.Management.Automation.FunctionInfo"
	case c.cmdlet != nil:
		return "System.Management.Automation.CmdletInfo"
	}
	return "System.Management.Automation.ApplicationInfo"
}

func (c *commandInfo) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "name":
		if c.path != "" {
			return c.path[strings.LastIndexAny(c.path, `\/`)+1:], true
		}
		return c.name, true
	case "commandtype":
		switch {
		case c.fn != nil:
			return "Function", true
		case c.cmdlet != nil:
			return "Cmdlet", true
		}
		return "Application", true
	case "source", "modulename":
		if c.cmdlet != nil {
			return c.cmdlet.Module, true
		}
		if c.path != "" && strings.EqualFold(name, "source") {
			return c.path, true
		}
		return "", true
	case "path", "definition":
		if c.path != "" {
			return c.path, true
		}
		if c.fn != nil && strings.EqualFold(name, "definition") {
			return "", true
		}
		if c.cmdlet != nil && strings.EqualFold(name, "definition") {
			return c.cmdlet.Name, true
		}
		return nil, true
	}
	return nil, false
}

func (c *commandInfo) ToString() string {
	if v, _ := c.Property("Name"); v != nil {
		return value.ToString(v)
	}
	return c.name
}

func (c *commandInfo) class() *class { return commandInfoClass }

var commandInfoClass = &class{name: "System.Management.Automation.CommandInfo",
	members: "CommandType Definition Module ModuleName Name Noun OutputType Parameters ParameterSets RemotingCapability Source Verb Version Visibility HelpUri Path FileVersionInfo Extension ScriptBlock DLL ImplementingType ResolveParameter"}

// lookupCommand resolves a name to a command: alias, function, cmdlet, application; nil when there
// is none.
func (s *Session) lookupCommand(name string) (*commandInfo, error) {
	n := name
	if target, ok := aliases[strings.ToLower(n)]; ok {
		n = target
	}
	if i := strings.IndexByte(n, '\\'); i > 0 && !strings.ContainsAny(n[:i], ":.") {
		if s.modules[strings.ToLower(n[:i])] || strings.HasPrefix(strings.ToLower(n[:i]), "microsoft.powershell.") {
			n = n[i+1:]
		}
	}
	if f := s.cur.lookupFunc(n); f != nil {
		return &commandInfo{name: f.name, fn: f}, nil
	}
	if c, ok := s.commands[strings.ToLower(n)]; ok {
		return &commandInfo{name: c.Name, cmdlet: c}, nil
	}
	if n != name {
		return nil, notImpl("the command %s (alias %s)", n, name)
	}
	if knownCmdlets[strings.ToLower(name)] {
		return nil, notImpl("the cmdlet %s", name)
	}
	if strings.HasSuffix(strings.ToLower(name), ".ps1") {
		return nil, notImpl("running the script file %s", name)
	}
	if s.cfg.Natives != nil {
		if p, ok := s.cfg.Natives.Resolve(name, s.Env()); ok {
			if strings.HasSuffix(strings.ToLower(p), ".ps1") {
				return nil, notImpl("running the script file %s", p)
			}
			return &commandInfo{name: name, path: p}, nil
		}
	}
	return nil, nil
}

// resolveCommand is lookupCommand with 5.1's error for a name that resolves to nothing: a
// CommandNotFoundException, which terminates the statement (about_Command_Precedence; inferred from
// 5.1: the pipeline is not started).
func (s *Session) resolveCommand(name string) (*commandInfo, error) {
	ci, err := s.lookupCommand(name)
	if err != nil {
		var ni *NotImplementedError
		if errors.As(err, &ni) {
			ni.Pos = s.posString()
		}
		return nil, err
	}
	if ci == nil {
		rec := commandNotFound(name)
		s.stamp(rec)
		rec.Invocation.Command = name
		return nil, &psError{rec: rec}
	}
	return ci, nil
}

func commandNotFound(name string) *ErrorRecord {
	return newRecord("System.Management.Automation.CommandNotFoundException", fmt.Sprintf(
		"The term '%s' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.", name),
		"CommandNotFoundException", "ObjectNotFound", name)
}

// scriptBlock is a script block value: { ... } or [ScriptBlock]::Create(text).
type scriptBlock struct {
	ast  *syntax.ScriptBlock
	src  *source
	text string
}

func (b *scriptBlock) asFunction() *function {
	f := &function{body: b.ast, src: b.src}
	if b.ast.Params != nil {
		f.params = b.ast.Params.Params
	}
	return f
}

// TypeName implements value.Object.
func (b *scriptBlock) TypeName() string { return "System.Management.Automation.ScriptBlock" }

// Property implements value.Object.
func (b *scriptBlock) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "isfilter":
		return false, true
	case "isconfiguration":
		return false, true
	}
	return nil, false
}

// ToString implements value.Object: the text of the block, without its braces (about_Script_Blocks).
func (b *scriptBlock) ToString() string {
	if b.text != "" || b.ast.End.Offset == 0 {
		return b.text
	}
	t := b.src.between(b.ast.Pos, b.ast.End)
	if len(t) >= 2 {
		return t[1 : len(t)-1]
	}
	return t
}

func (b *scriptBlock) class() *class { return scriptBlockClass }

var scriptBlockClass = &class{name: "System.Management.Automation.ScriptBlock",
	members: "Ast Attributes DebuggerHidden File Id IsConfiguration IsFilter Module StartPosition Invoke InvokeReturnAsIs InvokeWithContext GetNewClosure GetPowerShell GetSteppablePipeline CheckRestrictedLanguage",
	methods: map[string]method{
		"invoke": func(s *Session, self any, args []any) (any, error) {
			out, err := cb(s).Invoke(self, args...)
			if err != nil {
				return nil, err
			}
			return value.Array(out), nil
		},
	}}

func (s *Session) scriptElement(el *element, fn *function, args []argument, dot bool) *element {
	var input []any
	el.process = func(in any, has bool) error {
		if has {
			input = append(input, in)
		}
		return nil
	}
	el.end = func() error {
		return s.invokeFunction(fn, args, input, dot, nil, false)
	}
	return el
}

// invokeFunction runs a function or script block: a new scope (not when dot-sourced), parameters
// bound, $args and $input set, the body run; return ends it (about_Functions, about_Return).
func (s *Session) invokeFunction(fn *function, args []argument, input []any, dot bool, dollarUnder any, hasDU bool) error {
	if s.depth >= maxCallDepth {
		rec := newRecord("System.Management.Automation.ScriptCallDepthException", "The script failed due to call depth overflow.", "CallDepthOverflow", "InvalidOperation", nil)
		s.stamp(rec)
		return &psError{rec: rec, scriptTerminating: true}
	}
	s.depth++
	savedScope, savedSrc := s.cur, s.src
	if !dot {
		s.cur = newScope(s.cur)
	}
	defer func() {
		s.depth--
		s.cur, s.src = savedScope, savedSrc
	}()
	s.src = fn.src
	if err := s.bindFunction(fn, args); err != nil {
		return err
	}
	if input != nil || !dot {
		in := s.cur.local("input")
		in.value = value.Array(append([]any{}, input...))
	}
	if hasDU {
		u := s.cur.local("_")
		u.value, u.autoNull = dollarUnder, false
	}
	if !dot {
		s.cur.local("MyInvocation").value = &myInvocation{fn: fn}
	}
	err := s.execStmts(fn.body.Statements)
	var rf *returnFlow
	if errors.As(err, &rf) {
		return nil
	}
	return err
}

// Invoke runs a script block as `& $sb @args` does, in a new child scope, and returns its output.
func (s *Session) Invoke(sb any, args ...any) ([]any, error) {
	b, ok := sb.(*scriptBlock)
	if !ok {
		return nil, notImpl("invoking a %s as a script block", value.TypeName(sb))
	}
	var out []any
	list := make([]argument, len(args))
	for i, a := range args {
		list[i] = argument{value: a}
	}
	err := s.withOut(func(v any) error { out = append(out, v); return nil }, func() error {
		return s.invokeFunction(b.asFunction(), list, nil, false, nil, false)
	})
	return out, err
}

// InvokeWithInput runs a script block as ForEach-Object and Where-Object do: in the current scope,
// with $_ set to input, its output written to out (the current success stream when nil). return ends
// the block (about_ForEach-Object; inferred: the block is dot-sourced into the caller's scope, so its
// variables persist, as 5.1 does).
func (s *Session) InvokeWithInput(sb any, input any, out func(any) error) error {
	b, ok := sb.(*scriptBlock)
	if !ok {
		return notImpl("invoking a %s as a script block", value.TypeName(sb))
	}
	under := s.cur.local("_")
	saved, savedAuto := under.value, under.autoNull
	under.value, under.autoNull = input, false
	defer func() { under.value, under.autoNull = saved, savedAuto }()
	savedSrc := s.src
	defer func() { s.src = savedSrc }()
	s.src = b.src
	run := func() error {
		if s.depth >= maxCallDepth {
			return &psError{rec: newRecord("System.Management.Automation.ScriptCallDepthException", "The script failed due to call depth overflow.", "CallDepthOverflow", "InvalidOperation", nil), scriptTerminating: true}
		}
		s.depth++
		defer func() { s.depth-- }()
		if b.ast.Params != nil {
			if err := s.bindFunction(b.asFunction(), []argument{{value: input}}); err != nil {
				return err
			}
		}
		err := s.execStmts(b.ast.Statements)
		var rf *returnFlow
		if errors.As(err, &rf) {
			return nil
		}
		return err
	}
	if out == nil {
		return run()
	}
	return s.withOut(out, run)
}

// myInvocation is $MyInvocation inside a function or script block.
type myInvocation struct{ fn *function }

func (m *myInvocation) TypeName() string { return "System.Management.Automation.InvocationInfo" }
func (m *myInvocation) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "mycommand":
		return &commandInfo{name: m.fn.name, fn: m.fn}, true
	case "invocationname":
		return m.fn.name, true
	case "scriptname", "pscommandpath", "psscriptroot":
		return "", true
	}
	return nil, false
}
func (m *myInvocation) ToString() string { return m.TypeName() }
func (m *myInvocation) class() *class    { return invocationClass }
