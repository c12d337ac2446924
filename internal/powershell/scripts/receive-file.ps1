# wincontainers:script receive-file/1
# wincontainers:idempotent
# Receives a file streamed on stdin after the script: base64 text lines, then end of input. Writes it
# to a temporary file beside the target, verifies its SHA-256, then moves it into place, so a failed or
# interrupted transfer never leaves a partial file at the target path. Windows PowerShell 5.1.
# Parameters: { "path": "C:\\...", "sha256": "<64 hex>", "size": <bytes> }
# wincontainers:include replace
$p = Get-WcParams
$target = [string]$p.path
$want = ([string]$p.sha256).ToLowerInvariant()
$size = [int64]$p.size
$dir = Split-Path -Parent $target
if (-not (Test-Path -LiteralPath $dir)) { New-Item -ItemType Directory -Path $dir -Force | Out-Null }
$tmp = $target + '.wincontainers-partial'
$stream = [System.IO.File]::Open($tmp, [System.IO.FileMode]::Create, [System.IO.FileAccess]::Write)
$sha = [System.Security.Cryptography.SHA256]::Create()
$written = [int64]0
$lastReport = [int64]0
try {
    while ($true) {
        $line = [Console]::In.ReadLine()
        if ($null -eq $line) { break }
        if ($line.Length -eq 0) { continue }
        try {
            $bytes = [Convert]::FromBase64String($line)
        } catch {
            $stream.Dispose()
            Remove-Item -LiteralPath $tmp -Force -ErrorAction SilentlyContinue
            Write-WcResult @{ error = @{ code = 'bad_input'; message = $_.Exception.Message; remedy = 'send the file again' } }
            exit 1
        }
        $stream.Write($bytes, 0, $bytes.Length)
        [void]$sha.TransformBlock($bytes, 0, $bytes.Length, $null, 0)
        $written += $bytes.Length
        if ($size -gt 0 -and ($written - $lastReport) -ge 4194304) {
            $lastReport = $written
            Write-WcProgress -Step 'receive-file' -Message ('{0} of {1} bytes' -f $written, $size) -Percent ([int](100 * $written / $size))
        }
    }
} finally {
    $stream.Dispose()
}
[void]$sha.TransformFinalBlock((New-Object byte[] 0), 0, 0)
$got = ([BitConverter]::ToString($sha.Hash) -replace '-', '').ToLowerInvariant()
if ($got -ne $want -or ($size -gt 0 -and $written -ne $size)) {
    Remove-Item -LiteralPath $tmp -Force -ErrorAction SilentlyContinue
    Write-WcResult @{ error = @{ code = 'checksum_mismatch'; message = ('received {0} bytes with SHA-256 {1}; expected {2} bytes with SHA-256 {3}' -f $written, $got, $size, $want); remedy = 'the transfer was corrupted or truncated; send the file again' } }
    exit 1
}
Move-WcReplace $tmp $target
Write-WcResult @{ path = $target; sha256 = $got; bytes = $written }
exit 0
