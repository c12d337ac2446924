# wincontainers:script restart/1
# Schedules a restart a few seconds ahead, so that this command returns (exit 0) before the host goes
# down; the caller then waits for a new boot id. Windows PowerShell 5.1.
# Parameters: { "delay_seconds": 5, "reason": "..." }

# wincontainers:include errors native

$p = Get-WcParams
$delay = 5
# 0 is a delay (restart now), not a missing value: test for $null, since 0 is false in PowerShell.
if ($null -ne $p -and $null -ne $p.delay_seconds) { $delay = [int]$p.delay_seconds }
$reason = 'wincontainers restart'
if ($null -ne $p -and $p.reason) { $reason = [string]$p.reason }
$boot = (Get-CimInstance -ClassName Win32_OperatingSystem).LastBootUpTime.ToUniversalTime()
# /d p:4:1 = planned, application: maintenance (installation). 1190 = a shutdown is already scheduled.
# shutdown.exe writes its 1190 message to stderr: it runs through Invoke-WcNative, where that line is a
# record to read, not (under the bootstrap's Stop) the end of the script.
$r = Invoke-WcNative (Join-Path $env:SystemRoot 'System32\shutdown.exe') @('/r', '/f', '/t', [string]$delay, '/d', 'p:4:1', '/c', $reason)
$code = $r.code
if ($code -ne 0 -and $code -ne 1190) {
    Exit-WcError 'restart_failed' ('shutdown.exe exited {0}: {1}' -f $code, $r.output) 'check that the account may shut the system down (SeShutdownPrivilege)'
}
Write-WcResult @{ scheduled = $true; already_scheduled = ($code -eq 1190); boot_id = [string]$boot.Ticks; delay_seconds = $delay }
exit 0
