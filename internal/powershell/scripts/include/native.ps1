# include native (scripts/include/native.ps1, shared by the step scripts)
# Runs a native program and returns @{ code; stdout; stderr; output }: its exit code, its standard output,
# its standard error, and both in the order they came (for messages). Read values from stdout only:
# engines log warnings on stderr (nerdctl always logs "unable to determine buildctl version").
# Every native program in the library runs through here. Windows PowerShell 5.1 turns each stderr line
# of a native program whose stderr is redirected into an ErrorRecord, and under the bootstrap's
# $ErrorActionPreference = 'Stop' the first one ends the script, `2>$null` included (7.2 changed this;
# internal/powershell/scripts/README.md, "Native programs"). A local ErrorActionPreference of Continue
# keeps the lines as records, told apart from stdout's strings by their type.
function Invoke-WcNative([string]$FilePath, [string[]]$ArgumentList) {
    $ErrorActionPreference = 'Continue'
    $global:LASTEXITCODE = -1
    $outLines = New-Object 'System.Collections.Generic.List[string]'
    $errLines = New-Object 'System.Collections.Generic.List[string]'
    $allLines = New-Object 'System.Collections.Generic.List[string]'
    try {
        & $FilePath @ArgumentList 2>&1 | ForEach-Object {
            $line = [string]$_
            if ($_ -is [System.Management.Automation.ErrorRecord]) { $errLines.Add($line) } else { $outLines.Add($line) }
            $allLines.Add($line)
        }
    } catch {
        $why = ('{0}: {1}' -f $FilePath, $_.Exception.Message)
        return @{ code = -1; stdout = ''; stderr = $why; output = $why }
    }
    return @{ code = $LASTEXITCODE; stdout = ($outLines -join "`r`n").Trim(); stderr = ($errLines -join "`r`n").Trim(); output = ($allLines -join "`r`n").Trim() }
}
