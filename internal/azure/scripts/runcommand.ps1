param([string]$WcParams, [string]$WcStaged, [string]$WcStagedSha256)
# wincontainers:runcommand/1
# The wrapper that runs one library script through Azure Run Command (internal/azure/runcommand.go).
# Run Command has no stdin, so the library script is either inlined between the body markers below or,
# when it is larger than the inline limit, staged in chunks by runcommand-chunk.ps1 and named by
# $WcStaged with its SHA-256. The parameters arrive as the protected parameter WcParams (base64 of
# JSON), never in the script text. Only the last 4 KB of output survive, so the result line is held
# back and printed last, gzip-compressed and base64-encoded when it is long. Windows PowerShell 5.1.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$WcResultLine = $null
function Get-WcParams { if (-not $WcParams) { return $null }; [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($WcParams)) | ConvertFrom-Json }
# The protocol lines are ASCII: powershell.exe writes stdout in the console's OEM code page (437 on an
# English Windows), so any other character is sent as a JSON \u escape (scripts/README.md, "Output").
function ConvertTo-WcAscii([string]$Json) {
    return [regex]::Replace($Json, '[^\x00-\x7e]', { param($c) '\u{0:x4}' -f [int][char]$c.Value })
}
function Write-WcProgress([string]$Step, [string]$Message, [int]$Percent = -1) {
    $p = @{ step = $Step; message = $Message }
    if ($Percent -ge 0) { $p.percent = $Percent }
    [Console]::Out.WriteLine('##wincontainers:progress ' + (ConvertTo-WcAscii ($p | ConvertTo-Json -Compress)))
}
function Write-WcResult($Object) {
    $json = ConvertTo-WcAscii ($Object | ConvertTo-Json -Compress -Depth 8)
    if ($json.Length -le 1024) { $script:WcResultLine = '##wincontainers:result ' + $json; return }
    $ms = New-Object IO.MemoryStream
    $gz = New-Object IO.Compression.GZipStream($ms, [IO.Compression.CompressionMode]::Compress)
    $b = [Text.Encoding]::UTF8.GetBytes($json)
    $gz.Write($b, 0, $b.Length)
    $gz.Dispose()
    $script:WcResultLine = '##wincontainers:result-gzip ' + [Convert]::ToBase64String($ms.ToArray())
}
try {
    if ($WcStaged) {
        if ($WcStaged -notmatch '^C:\\Windows\\Temp\\wincontainers-rc-[0-9a-f]{16}\.ps1$') {
            [Console]::Error.WriteLine('wincontainers: the staged script path is not one wincontainers writes'); exit 2
        }
        $bytes = [IO.File]::ReadAllBytes($WcStaged)
        Remove-Item -LiteralPath $WcStaged -Force
        $sha = [Security.Cryptography.SHA256]::Create()  # SHA256Managed throws under the FIPS policy
        $got = -join ($sha.ComputeHash($bytes) | ForEach-Object { $_.ToString('x2') })
        if ($got -ne $WcStagedSha256) {
            [Console]::Error.WriteLine('wincontainers: the staged script was changed or truncated'); exit 2
        }
        . ([ScriptBlock]::Create([Text.Encoding]::UTF8.GetString($bytes)))
    } else {
# wincontainers:body
# wincontainers:body-end
    }
} finally {
    if ($null -ne $script:WcResultLine) { [Console]::Out.WriteLine($script:WcResultLine) }
}
