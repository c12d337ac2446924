# wincontainers:script start-service/1
# wincontainers:idempotent
# Sets the engine service (docker or containerd) to start Automatic, starts it if it is not running,
# then waits up to 60 seconds for the engine to answer: docker version for Docker, nerdctl version on
# \\.\pipe\containerd-containerd for containerd. When the service stops again or the engine never
# answers, the error carries the engine's own last messages (Application event log, source docker or
# containerd) and the service's exit code, for the controller's known-error catalogue.
# Windows PowerShell 5.1.
# Parameters and result: steps.StartService and steps.StartServiceResult (internal/steps/scripts.go).

$step = 'start-service'

# wincontainers:include errors native

# The engine's own explanation: its newest Application event log messages since $Since, oldest first,
# and the service's exit codes.
function Get-WcEngineError([string]$Name, [datetime]$Since) {
    $parts = @()
    try {
        $events = @(Get-WinEvent -FilterHashtable @{ LogName = 'Application'; ProviderName = $Name; StartTime = $Since } -MaxEvents 5 -ErrorAction SilentlyContinue)
        [array]::Reverse($events)
        $parts += @($events | ForEach-Object { ([string]$_.Message).Trim() })
    } catch {
        $parts += ('(the Application event log could not be read: {0})' -f $_.Exception.Message)
    }
    $cim = Get-CimInstance -ClassName Win32_Service -Filter ("Name='{0}'" -f $Name)
    if ($null -ne $cim -and ($cim.ExitCode -ne 0 -or $cim.ServiceSpecificExitCode -ne 0)) {
        $parts += ('service exit code {0}, service-specific exit code {1}' -f $cim.ExitCode, $cim.ServiceSpecificExitCode)
    }
    return ($parts -join ' | ')
}

# Asks the engine for its version. Returns $null while it does not answer.
function Get-WcEngineVersion([string]$Name) {
    if ($Name -eq 'docker') {
        $r = Invoke-WcNative $docker @('version', '--format', '{{.Server.Version}} {{.Server.Os}}/{{.Server.Arch}}')
        if ($r.code -ne 0 -or $r.stdout -notmatch '(?m)^(\S+) (\w+/\w+)\s*$') { $script:lastAnswer = $r.output; return $null }
        return @{ version = $Matches[1]; os_arch = $Matches[2] }
    }
    $r = Invoke-WcNative $nerdctl @('--address', '\\.\pipe\containerd-containerd', 'version', '--format', '{{json .}}')
    $script:lastAnswer = $r.output
    if ($r.code -ne 0) { return $null }
    # The JSON is stdout; nerdctl's warnings (buildctl, runc) are stderr.
    try { $v = $r.stdout | ConvertFrom-Json } catch { return $null }
    $server = @($v.Server.Components | Where-Object { $_.Name -eq 'containerd' }) | Select-Object -First 1
    if ($null -eq $server) { return $null }
    return @{ version = [string]$server.Version; os_arch = ('{0}/{1}' -f $v.Client.Os, $v.Client.Arch) }
}

$p = Get-WcParams
$name = [string]$p.service
if ($name -ne 'docker' -and $name -ne 'containerd') {
    Exit-WcError 'invalid_params' ('service must be docker or containerd, not {0}' -f $name) 'this is a planner defect; report it'
}
$docker = Join-Path $env:ProgramFiles 'Docker\docker.exe'
$nerdctl = Join-Path $env:ProgramFiles 'nerdctl\nerdctl.exe'
$script:lastAnswer = ''

$svc = Get-Service -Name $name -ErrorAction SilentlyContinue
if ($null -eq $svc) {
    Exit-WcError 'engine_start_failed' ('the {0} service is not installed' -f $name) ('run the install-{0} step first' -f $name)
}

$since = (Get-Date).AddSeconds(-5)
try {
    if ($svc.StartType -ne 'Automatic') {
        Write-WcProgress -Step $step -Message ('setting {0} to start automatically' -f $name)
        Set-Service -Name $name -StartupType Automatic
    }
    if ($svc.Status -ne 'Running') {
        Write-WcProgress -Step $step -Message ('starting the {0} service' -f $name)
        Start-Service -Name $name
    }
} catch {
    $why = Get-WcEngineError $name $since
    Exit-WcError 'engine_start_failed' (('{0} {1}' -f $_.Exception.Message, $why).Trim()) ('read the Application event log (source {0}); fix the cause, then run again' -f $name)
}

Write-WcProgress -Step $step -Message ('waiting for {0} to answer' -f $name)
$deadline = (Get-Date).AddSeconds(60)
$answer = $null
while ($true) {
    $answer = Get-WcEngineVersion $name
    if ($null -ne $answer) { break }
    $status = [string](Get-Service -Name $name).Status
    if ($status -eq 'Stopped') {
        $why = Get-WcEngineError $name $since
        Exit-WcError 'engine_start_failed' (('the {0} service stopped after starting: {1}' -f $name, $why).Trim()) ('read the Application event log (source {0}); fix the cause, then run again' -f $name)
    }
    if ((Get-Date) -gt $deadline) {
        $why = Get-WcEngineError $name $since
        Exit-WcError 'engine_start_failed' (('{0} did not answer within 60 seconds (service {1}): {2} {3}' -f $name, $status, $script:lastAnswer, $why).Trim()) ('read the Application event log (source {0}); fix the cause, then run again' -f $name)
    }
    Start-Sleep -Seconds 2
}

$final = Get-Service -Name $name
Write-WcResult @{ service = $name; state = [string]$final.Status; start_type = [string]$final.StartType; server_version = $answer.version; os_arch = $answer.os_arch }
exit 0
