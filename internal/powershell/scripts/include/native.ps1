# include native (scripts/include/native.ps1, shared by the step scripts)
# Runs a native program; returns its exit code and its output (stdout and stderr) as text. A local
# ErrorActionPreference of Continue keeps 5.1 from turning the first stderr line into a thrown error.
function Invoke-WcNative([string]$FilePath, [string[]]$ArgumentList) {
    $ErrorActionPreference = 'Continue'
    $global:LASTEXITCODE = -1
    try {
        $out = & $FilePath @ArgumentList 2>&1 | ForEach-Object { [string]$_ } | Out-String
    } catch {
        return @{ code = -1; output = ('{0}: {1}' -f $FilePath, $_.Exception.Message) }
    }
    return @{ code = $LASTEXITCODE; output = ([string]$out).Trim() }
}
