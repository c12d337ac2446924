# wincontainers:script configure-daemon/1
# wincontainers:idempotent
# Sets the managed keys in the Docker daemon configuration
# ($env:ProgramData\docker\config\daemon.json) and keeps every other key. An absent file counts as {}.
# A file that is not a JSON object is left alone (error daemon_config_unreadable). The file is written
# as UTF-8 without a byte-order mark, and only when its content changes; then, if the docker service
# is running, it is restarted so that the engine reads the new configuration. Windows PowerShell 5.1.
# Parameters: { "engine": "docker", "managed": { "exec-opts": ["isolation=hyperv"], ... },
#               "unmanaged_keys": "keep" }
#   managed         keys to set; values are strings, booleans or lists of strings ("data-root",
#                   "registry-mirrors", "insecure-registries", "dns", ...). A list replaces the file's
#                   list whole. A changed data-root takes effect at the restart; nothing is moved.
#   unmanaged_keys  "keep" (default) keeps keys not in managed; "remove" drops them.
# Result: { "changed": true|false, "restarted": true|false, "path": "...", "config": { ... } }

$step = 'configure-daemon'

# wincontainers:include errors

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
$mode = [string]$p.unmanaged_keys
if (-not $mode) { $mode = 'keep' }
if ($mode -ne 'keep' -and $mode -ne 'remove') {
    Exit-WcError 'invalid_params' ('unmanaged_keys must be keep or remove, not {0}' -f $mode) 'this is a planner defect; report it'
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

# Merge: every key kept (unless unmanaged_keys is remove), then the managed keys set.
$merged = [ordered]@{}
if ($mode -eq 'keep') {
    foreach ($k in $current.Keys) { $merged[$k] = $current[$k] }
}
if ($null -ne $p.managed) {
    foreach ($prop in $p.managed.PSObject.Properties) { $merged[$prop.Name] = $prop.Value }
}
$before = $current | ConvertTo-Json -Depth 8
$json = $merged | ConvertTo-Json -Depth 8
$changed = (-not $exists) -or ($before -cne $json)

$restarted = $false
if ($changed) {
    Write-WcProgress -Step $step -Message ('writing {0}' -f $path)
    try {
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        [IO.File]::WriteAllText($path, $json, (New-Object Text.UTF8Encoding $false))
    } catch {
        Exit-WcError 'daemon_config_write_failed' ('writing {0} failed: {1}' -f $path, $_.Exception.Message) 'check the permissions on the folder and that no editor holds the file'
    }
    $svc = Get-Service -Name docker -ErrorAction SilentlyContinue
    if ($null -ne $svc -and $svc.Status -eq 'Running') {
        Write-WcProgress -Step $step -Message 'restarting the docker service to apply the configuration'
        $since = (Get-Date).AddSeconds(-5)
        $failure = ''
        try {
            Restart-Service -Name docker -Force
            $deadline = (Get-Date).AddSeconds(60)
            while ((Get-Service -Name docker).Status -ne 'Running') {
                if ((Get-Date) -gt $deadline) { throw 'the docker service is not running 60 seconds after the restart' }
                Start-Sleep -Seconds 2
            }
        } catch {
            $failure = $_.Exception.Message
        }
        if ($failure) {
            $events = Get-WcEngineEvents $since
            Exit-WcError 'engine_start_failed' ('docker did not restart with the new configuration: {0} {1}' -f $failure, $events).Trim() ('check {0} (a key given both here and as a flag on the service command line stops dockerd) and the Application event log, source docker' -f $path)
        }
        $restarted = $true
    }
}

Write-WcResult @{ changed = $changed; restarted = $restarted; path = $path; config = $merged }
exit 0
