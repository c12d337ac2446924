# wincontainers:script configure-daemon/1
# wincontainers:idempotent
# Sets the managed keys in the Docker daemon configuration
# ($env:ProgramData\docker\config\daemon.json) and keeps every other key. An absent file counts as {}.
# A file that is not a JSON object is left alone (error daemon_config_unreadable). The file is written
# as UTF-8 without a byte-order mark, and only when its content changes: the old file is first copied to
# daemon.json.wincontainers-backup, the new one written beside it and moved over it, so a failed write
# (a full disk) leaves the old file whole. Then, if the docker service is running, it is restarted so
# that the engine reads the new configuration; when it does not come back, the previous file is
# restored (or the new one removed when there was none) and docker started again with it, and the step
# fails saying so. Windows PowerShell 5.1.
# Parameters and result: steps.ConfigureDaemon and steps.ConfigureDaemonResult (internal/steps). The
# managed keys are set (a list replaces the file's list whole; a changed data-root takes effect at the
# restart, nothing is moved); every other key is kept as found.

$step = 'configure-daemon'

# wincontainers:include errors replace

# The newest Application event log messages of the docker source since $Since, oldest first.
function Get-WcEngineEvents([datetime]$Since) {
    try {
        $events = @(Get-WinEvent -FilterHashtable @{ LogName = 'Application'; ProviderName = 'docker'; StartTime = $Since } -MaxEvents 5 -ErrorAction SilentlyContinue)
    } catch {
        return ''
    }
    [array]::Reverse($events)
    return (@($events | ForEach-Object { ([string]$_.Message).Trim() }) -join ' | ')
}

$p = Get-WcParams
$engine = [string]$p.engine
if ($engine -and $engine -ne 'docker') {
    Exit-WcError 'invalid_params' ('configure-daemon configures the docker engine, not {0}' -f $engine) 'this is a planner defect; report it'
}
$dir = Join-Path $env:ProgramData 'docker\config'
$path = Join-Path $dir 'daemon.json'

# Read the current configuration.
Write-WcProgress -Step $step -Message ('reading {0}' -f $path)
$exists = Test-Path -LiteralPath $path -PathType Leaf
$current = [ordered]@{}
if ($exists) {
    try {
        $text = [IO.File]::ReadAllText($path)
        if ($text.Trim()) {
            $obj = $text | ConvertFrom-Json
            if ($obj -isnot [Management.Automation.PSCustomObject]) { throw 'the file does not hold a JSON object' }
            foreach ($prop in $obj.PSObject.Properties) { $current[$prop.Name] = $prop.Value }
        }
    } catch {
        Exit-WcError 'daemon_config_unreadable' ('{0} is not readable JSON: {1}' -f $path, $_.Exception.Message) ('fix or delete {0}, then run again; wincontainers does not overwrite it' -f $path)
    }
}

# Merge: every key kept, then the managed keys set.
$merged = [ordered]@{}
foreach ($k in $current.Keys) { $merged[$k] = $current[$k] }
if ($null -ne $p.managed) {
    foreach ($prop in $p.managed.PSObject.Properties) { $merged[$prop.Name] = $prop.Value }
}
$before = $current | ConvertTo-Json -Depth 8
$json = $merged | ConvertTo-Json -Depth 8
$changed = (-not $exists) -or ($before -cne $json)

# Restarts docker and waits until it runs (and still runs a moment later: an engine that exits right
# after it starts counts as failed). Returns '' or what went wrong.
function Restart-WcDocker {
    try {
        Restart-Service -Name docker -Force
        $deadline = (Get-Date).AddSeconds(60)
        while (($status = [string](Get-Service -Name docker).Status) -ne 'Running') {
            # Stopped after Restart-Service returned: dockerd exited (it reads daemon.json at its start);
            # waiting longer cannot bring it back. StartPending is worth the wait.
            if ($status -eq 'Stopped') { throw 'the docker service stopped right after it started' }
            if ((Get-Date) -gt $deadline) { throw ('the docker service is still {0} 60 seconds after the restart' -f $status) }
            Start-Sleep -Seconds 2
        }
        Start-Sleep -Seconds 3
        if ((Get-Service -Name docker).Status -ne 'Running') { throw 'the docker service stopped right after it started' }
    } catch {
        return $_.Exception.Message
    }
    return ''
}

$restarted = $false
$backup = ''
if ($changed) {
    Write-WcProgress -Step $step -Message ('writing {0}' -f $path)
    $new = $path + '.wincontainers-new'
    try {
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        if ($exists) {
            $backup = $path + '.wincontainers-backup'
            Copy-Item -LiteralPath $path -Destination $backup -Force
        }
        [IO.File]::WriteAllText($new, $json, (New-Object Text.UTF8Encoding $false))
        Move-WcReplace $new $path
    } catch {
        Remove-Item -LiteralPath $new -Force -ErrorAction SilentlyContinue
        Exit-WcError 'daemon_config_write_failed' ('writing {0} failed: {1}' -f $path, $_.Exception.Message) 'check the free space on the system drive, the permissions on the folder and that no editor holds the file; daemon.json was not changed'
    }
    $svc = Get-Service -Name docker -ErrorAction SilentlyContinue
    if ($null -ne $svc -and $svc.Status -eq 'Running') {
        Write-WcProgress -Step $step -Message 'restarting the docker service to apply the configuration'
        $since = (Get-Date).AddSeconds(-5)
        $failure = Restart-WcDocker
        if ($failure) {
            $events = Get-WcEngineEvents $since
            Write-WcProgress -Step $step -Message 'docker did not start with the new configuration; restoring the previous one'
            if ($backup) { Copy-Item -LiteralPath $backup -Destination $path -Force } else { Remove-Item -LiteralPath $path -Force -ErrorAction SilentlyContinue }
            $again = Restart-WcDocker
            $state = 'docker is running again with the previous configuration'
            if ($again) { $state = ('docker did not start with the previous configuration either: {0}' -f $again) }
            Exit-WcError 'engine_start_failed' ('docker did not restart with the new configuration: {0} {1}; the previous {2} was restored and {3}' -f $failure, $events, $path, $state) 'check the new settings against the engine''s message (a key given both here and as a flag on the service command line stops dockerd) and the Application event log, source docker, then apply again'
        }
        $restarted = $true
    }
}

Write-WcResult @{ changed = $changed; restarted = $restarted; path = $path; backup = $backup; config = $merged }
exit 0
