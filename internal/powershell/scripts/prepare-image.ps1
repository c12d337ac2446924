# wincontainers:script prepare-image/1
# wincontainers:idempotent
# Leaves the installed engine ready to be captured in an image that is generalized (sysprep) and
# cloned: the service is stopped and left registered with start type Automatic, so it starts on the
# first boot of every clone, and the per-machine state a clone must not inherit is removed:
#   docker: the engine's identity (<data-root>\engine-id, Docker 23+; <data-root>\config\key.json, the
#           libtrust key older engines derived their ID from), panic.log and panic.log.old in the data
#           root, and the PID file (<data-root>\docker.pid, or daemon.json "pidfile");
#   containerd: panic.log and panic.log.old in containerd's root, the log file named by --log-file on
#           the service's command line, and the HNS NAT network install-containerd created (the CNI nat
#           plugin creates it again from 0-containerd-nat.conf when the clone runs its first container).
# Images, containers, daemon.json, config.toml, the CNI configuration, the binaries and the service are
# kept. Running it again finds nothing to remove. Windows PowerShell 5.1.
# Parameters and result: steps.PrepareImage and steps.PrepareImageResult (internal/steps/scripts.go).

$step = 'prepare-image'

# wincontainers:include errors

# Removes a file when it exists and records it.
function Remove-WcFile([string]$Path) {
    if (-not $Path -or -not (Test-Path -LiteralPath $Path -PathType Leaf)) { return }
    Write-WcProgress -Step $step -Message ('removing {0}' -f $Path)
    try {
        Remove-Item -LiteralPath $Path -Force
    } catch {
        Exit-WcError 'prepare_failed' ('removing {0} failed: {1}' -f $Path, $_.Exception.Message) 'close programs that hold the file (an engine process that did not stop), then run again'
    }
    $removed.Add($Path)
}

$p = Get-WcParams
$engine = [string]$p.engine
if ($engine -ne 'docker' -and $engine -ne 'containerd') {
    Exit-WcError 'invalid_params' ('engine must be docker or containerd, not {0}' -f $engine) 'this is a planner defect; report it'
}
$natName = [string]$p.nat_network
if (-not $natName) { $natName = 'nat' }
$removed = New-Object 'System.Collections.Generic.List[string]'

# 1. The service: stopped, start type Automatic.
$svc = Get-Service -Name $engine -ErrorAction SilentlyContinue
if ($null -eq $svc) {
    Exit-WcError 'engine_missing' ('the {0} service is not installed' -f $engine) 'converge the host first (the engine must be installed before the image is prepared)'
}
try {
    if ($svc.Status -ne 'Stopped') {
        Write-WcProgress -Step $step -Message ('stopping the {0} service' -f $engine)
        Stop-Service -Name $engine -Force
        $svc.WaitForStatus('Stopped', (New-TimeSpan -Seconds 60))
    }
    if ($svc.StartType -ne 'Automatic') {
        Write-WcProgress -Step $step -Message ('setting {0} to start automatically' -f $engine)
        Set-Service -Name $engine -StartupType Automatic
    }
} catch {
    Exit-WcError 'engine_stop_failed' ('stopping the {0} service failed: {1}' -f $engine, $_.Exception.Message) ('stop the {0} service by hand (containers that do not stop hold it), then run again' -f $engine)
}
$cim = Get-CimInstance -ClassName Win32_Service -Filter ("Name='{0}'" -f $engine)

# 2. Per-machine state.
$dataRoot = ''
if ($engine -eq 'docker') {
    $dataRoot = Join-Path $env:ProgramData 'docker'
    $pidFile = ''
    $configPath = Join-Path $env:ProgramData 'docker\config\daemon.json'
    if (Test-Path -LiteralPath $configPath -PathType Leaf) {
        try {
            $config = [IO.File]::ReadAllText($configPath) | ConvertFrom-Json
            if ($config.'data-root') { $dataRoot = [string]$config.'data-root' }
            if ($config.pidfile) { $pidFile = [string]$config.pidfile }
        } catch {
            Exit-WcError 'daemon_config_unreadable' ('{0} is not valid JSON: {1}' -f $configPath, $_.Exception.Message) 'fix the file so that the data root is known, then run again'
        }
    }
    if (-not $pidFile) { $pidFile = Join-Path $dataRoot 'docker.pid' }
    Remove-WcFile (Join-Path $dataRoot 'engine-id')
    Remove-WcFile (Join-Path $dataRoot 'config\key.json')
    Remove-WcFile (Join-Path $dataRoot 'panic.log')
    Remove-WcFile (Join-Path $dataRoot 'panic.log.old')
    Remove-WcFile $pidFile
} else {
    $dataRoot = Join-Path $env:ProgramData 'containerd\root'
    $toml = Join-Path $env:ProgramFiles 'containerd\config.toml'
    if (Test-Path -LiteralPath $toml -PathType Leaf) {
        foreach ($line in @(Get-Content -LiteralPath $toml -Encoding UTF8)) {
            if ($line -match '^\s*\[') { break }
            # root = "..." or root = '...'. A basic (double-quoted) TOML string escapes backslashes; a literal
            # (single-quoted) one does not. (Two alternatives rather than a backreference, which winsim's
            # PowerShell does not implement.)
            if ($line -match '^\s*root\s*=\s*"(.+?)"') {
                $dataRoot = $Matches[1].Replace('\\', '\')
            } elseif ($line -match "^\s*root\s*=\s*'(.+?)'") {
                $dataRoot = $Matches[1]
            }
        }
    }
    Remove-WcFile (Join-Path $dataRoot 'panic.log')
    Remove-WcFile (Join-Path $dataRoot 'panic.log.old')
    if ($null -ne $cim -and [string]$cim.PathName -match '--log-file(?:=|\s+)(?:"([^"]+)"|(\S+))') {
        $logFile = $Matches[1]
        if (-not $logFile) { $logFile = $Matches[2] }
        Remove-WcFile $logFile
    }
    Import-Module HNS -ErrorAction SilentlyContinue
    Import-Module HostNetworkingService -ErrorAction SilentlyContinue
    if ($null -eq (Get-Command Get-HnsNetwork -ErrorAction SilentlyContinue) -or $null -eq (Get-Command Remove-HnsNetwork -ErrorAction SilentlyContinue)) {
        Exit-WcError 'hns_module_missing' 'the HNS PowerShell cmdlets (Get-HnsNetwork, Remove-HnsNetwork) are not available' 'the in-box HostNetworkingService module comes with the Containers feature: check that it is installed and the host was restarted, or import a module that provides Get-HnsNetwork and Remove-HnsNetwork (microsoft/SDN hns.v2.psm1)'
    }
    try {
        $nets = @(Get-HnsNetwork | Where-Object { $_.Name -eq $natName })
        if ($nets.Count -gt 0) {
            Write-WcProgress -Step $step -Message ('removing the HNS network {0}' -f $natName)
            $nets | Remove-HnsNetwork
            $removed.Add(('HNS network {0}' -f $natName))
        }
    } catch {
        Exit-WcError 'prepare_failed' ('removing the HNS network {0} failed: {1}' -f $natName, $_.Exception.Message) 'remove the containers attached to it (nerdctl ps -a), then run again'
    }
}

$final = Get-Service -Name $engine
Write-WcProgress -Step $step -Message ('{0} is {1} ({2}); removed {3} item(s)' -f $engine, $final.Status, $final.StartType, $removed.Count)
Write-WcResult @{ engine = $engine; service = @{ name = $engine; state = [string]$final.Status; start_type = [string]$final.StartType }; data_root = $dataRoot; removed = $removed }
exit 0
