# include hash (scripts/include/hash.ps1, shared by the step scripts)

function Get-Sha256([string]$Path) {
    return (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash.ToLowerInvariant()
}

# True when $Target exists and has the same content as $Source.
function Test-WcSameFile([string]$Source, [string]$Target) {
    if (-not (Test-Path -LiteralPath $Target -PathType Leaf)) { return $false }
    $a = Get-Sha256 $Source
    $b = Get-Sha256 $Target
    return ($a -eq $b)
}
