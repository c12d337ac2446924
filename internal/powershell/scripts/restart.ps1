# wincontainers:script restart/1
# Schedules a restart a few seconds ahead, so that this command returns (exit 0) before the host goes
# down; the caller then waits for a new boot id. Windows PowerShell 5.1.
# Parameters: { "delay_seconds": 5, "reason": "..." }
$p = Get-WcParams
$delay = 5
if ($null -ne $p -and $p.delay_seconds) { $delay = [int]$p.delay_seconds }
$reason = 'wincontainers restart'
if ($null -ne $p -and $p.reason) { $reason = [string]$p.reason }
$boot = (Get-CimInstance -ClassName Win32_OperatingSystem).LastBootUpTime.ToUniversalTime()
# /d p:4:1 = planned, application: maintenance (installation). 1190 = a shutdown is already scheduled.
$out = & shutdown.exe /r /f /t $delay /d p:4:1 /c $reason 2>&1 | Out-String
$code = $LASTEXITCODE
if ($code -ne 0 -and $code -ne 1190) {
    Write-WcResult @{ error = @{ code = 'restart_failed'; message = ('shutdown.exe exited {0}: {1}' -f $code, $out.Trim()); remedy = 'check that the account may shut the system down (SeShutdownPrivilege)' } }
    exit 1
}
Write-WcResult @{ scheduled = $true; already_scheduled = ($code -eq 1190); boot_id = [string]$boot.Ticks; delay_seconds = $delay }
exit 0
