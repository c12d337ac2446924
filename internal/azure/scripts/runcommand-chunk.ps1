param([string]$WcPath, [long]$WcOffset, [string]$WcChunk)
# wincontainers:runcommand-chunk/1
# Writes one chunk of a staged library script at its offset (so a retried chunk overwrites itself),
# for scripts over the Run Command inline limit (internal/azure/runcommand.go). The chunk is base64
# script text, not a parameter of the step: those travel only as the protected parameter of the run.
$ErrorActionPreference = 'Stop'
if ($WcPath -notmatch '^C:\\Windows\\Temp\\wincontainers-rc-[0-9a-f]{16}\.ps1$') {
    [Console]::Error.WriteLine('wincontainers: the staging path is not one wincontainers writes'); exit 2
}
$b = [Convert]::FromBase64String($WcChunk)
$f = New-Object IO.FileStream($WcPath, [IO.FileMode]::OpenOrCreate, [IO.FileAccess]::Write)
try {
    $f.SetLength($WcOffset)
    [void]$f.Seek($WcOffset, [IO.SeekOrigin]::Begin)
    $f.Write($b, 0, $b.Length)
} finally {
    $f.Dispose()
}
[Console]::Out.WriteLine('##wincontainers:result {"bytes":' + ($WcOffset + $b.Length) + '}')
exit 0
