# wincontainers:script finish-upload/1
# wincontainers:idempotent
# Completes an upload made by a transport that can only write files (Packer's communicator, whose WinRM
# upload is winrmcp): the file was written to <path>.wincontainers-partial; its size and SHA-256 are
# checked and it is moved to path, or it is deleted and the script fails, so a short or changed upload
# never appears at the target. Run again after success, it finds the file in place and succeeds.
# Windows PowerShell 5.1.
# Parameters and result: steps.FinishUpload and steps.UploadResult (internal/steps/scripts.go).
# wincontainers:include errors hash replace
$p = Get-WcParams
$target = [string]$p.path
$want = ([string]$p.sha256).ToLowerInvariant()
$size = [int64]$p.size
$partial = $target + '.wincontainers-partial'
if (-not (Test-Path -LiteralPath $partial -PathType Leaf)) {
    if ((Test-Path -LiteralPath $target -PathType Leaf) -and ((Get-Sha256 $target) -eq $want)) {
        Write-WcResult @{ path = $target; sha256 = $want; bytes = (Get-Item -LiteralPath $target).Length }
        exit 0
    }
    Exit-WcError 'upload_missing' ('no uploaded file at {0}' -f $partial) 'the upload did not reach the host; send the file again'
}
$bytes = (Get-Item -LiteralPath $partial).Length
$got = Get-Sha256 $partial
if ($got -ne $want -or ($size -gt 0 -and $bytes -ne $size)) {
    Remove-Item -LiteralPath $partial -Force -ErrorAction SilentlyContinue
    Exit-WcError 'checksum_mismatch' ('received {0} bytes with SHA-256 {1}; expected {2} bytes with SHA-256 {3}' -f $bytes, $got, $size, $want) 'the transfer was corrupted or truncated; send the file again'
}
Move-WcReplace $partial $target
Write-WcResult @{ path = $target; sha256 = $got; bytes = $bytes }
exit 0
