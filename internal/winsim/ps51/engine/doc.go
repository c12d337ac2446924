// Package engine is the third layer of winsim's Windows PowerShell 5.1 engine (issue 17): the
// interpreter. It evaluates the syntax tree of package syntax with the values and operators of package
// value, so that every library script (internal/powershell/scripts, both bootstraps, the Azure Run
// Command wrappers) runs byte for byte with 5.1's semantics against a host (winsim's machine model, or
// a test) that provides cmdlets, native programs and .NET types through the contract in api.go.
//
// # What is modelled
//
// Sources are Microsoft's Windows PowerShell 5.1 documentation (MicrosoftDocs/PowerShell-Docs,
// reference/5.1/Microsoft.PowerShell.Core/About/about_*.md and the cmdlet pages), the PowerShell
// language specification, and .NET Framework 4.x's reference documentation; where they are silent the
// code says "inferred:" and why. The conformance corpus (internal/winsim/ps51/corpus) pins the results.
//
//   - Sessions (session.go): Run is powershell.exe -NoProfile -NonInteractive -EncodedCommand: output
//     as lines on Stdout (5.1's table/list formatting of objects is not modelled: an object is written
//     as its ToString), an uncaught error in 5.1's error view on Stderr with exit code 1, exit N, and
//     otherwise 0 or 1 by $? (about_PowerShell_exe).
//   - Scopes (scope.go): global (also the script scope under -Command), a local scope per function and
//     & { } call, dot-sourcing, $script:/$global:/$local:/$env:, dynamic lookup, compound assignment
//     reading only the local scope (about_Scopes, about_Assignment_Operators).
//   - Statements and expressions (eval_stmt.go, eval_expr.go, eval_ops.go): every node of the syntax
//     tree; assignment collecting pipeline output (nothing is $null, one object itself, more an
//     object[]); AutomationNull (a command's empty output) kept apart from $null in pipelines; the loops
//     with break/continue (which, as in 5.1, cross function and script block boundaries to the nearest
//     loop), $foreach, try/catch/finally with typed catches over the exception and its inner exceptions,
//     throw and rethrow, return, exit.
//   - Errors (errors.go, errview.go, pipeline.go): terminating errors end their statement, a script
//     with throw, or everything under $ErrorActionPreference Stop; a try in any caller catches them.
//     Non-terminating errors follow the effective ErrorAction (Stop makes them terminating with the
//     original record, Continue writes the error view, SilentlyContinue keeps them in $Error, Ignore
//     drops them); $? is $false after a command that reported an error.
//   - The pipeline (pipeline.go, cmdlet_call.go, binding.go): streaming elements (begin, process per
//     object, end), enumeration of collections one level, redirections per element (n>&1, n>$null, *>,
//     > file through Config.WriteFile), parameter binding for functions (named, prefix, switch,
//     positional, $args, typed defaults) and for cmdlets (sets, aliases, positions, mandatory, pipeline
//     by value and by property name, the common parameters), with 5.1's binding error texts.
//   - Natives (natives.go): 5.1's command-line quoting and the C runtime's argument parsing, stdout as
//     lines, stderr as RemoteException error records when it is redirected (so that under Stop the
//     first stderr line ends the pipeline, PowerShell/PowerShell#3996) and straight to Stderr when not,
//     $LASTEXITCODE and $?.
//   - Members (members.go): properties, methods, indexes, member-access and method enumeration over
//     collections, hashtable keys before properties, [pscustomobject] notes, host objects (value.Object,
//     Invoker, Setter). A member missing from an object is $null (a method an error) only when the
//     object's .NET type really lacks it: each engine type lists its .NET members, and one it has but
//     the engine does not implement fails with "winsim's PowerShell does not implement ...".
//   - Types (types*.go): the accelerators and the pure .NET types the library uses ([string], [int],
//     [Convert], [Text.Encoding], [BitConverter], [Math], [regex], [guid], [IO.Path], [uri], [version],
//     [TimeSpan], [datetime], [Net.IPAddress], [ref], [Environment] (process target), [Console],
//     [Net.ServicePointManager], SHA256, HMACSHA256, Aes, RNGCryptoServiceProvider, MemoryStream,
//     GZipStream, List[T], ArrayList, StringBuilder, the exceptions, common enums), script blocks as
//     MatchEvaluator delegates, [ScriptBlock]::Create.
//   - Cmdlets (cmdlets_*.go): ForEach-Object, Where-Object, Select-Object, Sort-Object, Measure-Object,
//     Out-Null, Out-String, Out-Host, Write-Output/Error/Warning/Verbose/Debug/Information/Host/Progress,
//     ConvertTo-Json, ConvertFrom-Json, New-Object, Get-Date, Start-Sleep (Config.Sleep), New-TimeSpan,
//     Get-Command, Import-Module (Config.Modules), Invoke-Expression, the variable cmdlets, Get-Culture,
//     Join-Path and Split-Path (Windows paths as strings: provider resolution is not modelled).
//
// # What is not modelled
//
// Anything outside the parser's subset (syntax/SUBSET.md); advanced functions ([CmdletBinding()],
// begin/process/end); strict mode; 5.1's formatting of objects (tables, lists, Format-*); the
// providers (Join-Path -Resolve, drive checks); script files (.ps1) as commands; jobs, remoting,
// classes; .NET's culture-sensitive string collation beyond what package value models; the PSObject
// wrapping of arrays written as one object (ConvertTo-Json's {"value":[...],"Count":n}); a
// [hashtable]'s .NET hash order (insertion order instead); parsing dates beyond ISO 8601 and M/d/yyyy.
// Each of these fails loudly when a script reaches it, with "winsim's PowerShell does not implement"
// and what it is; such an error is not a PowerShell error (try/catch does not catch it) and Fault
// reports it after Run.
//
// host_inventory.go lists what the library needs from the host (cmdlets that touch the machine,
// [IO.File], the registry, ...); TestLibraryParity keeps the list and the library in step.
package engine
