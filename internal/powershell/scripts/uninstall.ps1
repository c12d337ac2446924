# wincontainers:script uninstall/1
# wincontainers:idempotent
# Removes what wincontainers installed: stops and unregisters the engine service, removes its binaries,
# its configuration (daemon.json, or config.toml and the CNI configuration with the containerd folder),
# its machine PATH entries, Docker Compose (plugin and standalone name), the downloads, the image manifest, the verification marker and, with
# remove_lcow, the LCOW boot files. With remove_features it also removes the Windows features
# (Uninstall-WindowsFeature on Windows Server, Disable-WindowsOptionalFeature -NoRestart on clients) and
# exits 3010 when a restart is needed. Container images and the Docker data root are kept. Anything
# already absent is skipped, so it is safe to repeat. Windows PowerShell 5.1.
# Parameters and result: steps.Uninstall and steps.UninstallResult (internal/steps/scripts.go).

$step = 'uninstall'

# wincontainers:include errors native path

# Removes a file or folder when it exists and records it.
function Remove-WcPath([string]$Path) {
    if (-not (Test-Path -LiteralPath $Path)) { return }
    Write-WcProgress -Step $step -Message ('removing {0}' -f $Path)
    try {
        Remove-Item -LiteralPath $Path -Recurse -Force
    } catch {
        Exit-WcError 'uninstall_failed' ('removing {0} failed: {1}' -f $Path, $_.Exception.Message) 'close programs that use the files (containers, shells in the folder), then run again'
    }
    $removed.Add($Path)
}

# Removes a folder from the machine PATH (include path) and records it.
function Remove-WcPathEntry([string]$Dir) {
    if (Remove-WcMachinePath $Dir) { $removed.Add(('PATH entry {0}' -f $Dir.TrimEnd('\'))) }
}

# Stops and unregisters a service with the engine's own --unregister-service, else sc.exe delete.
function Remove-WcService([string]$Name, [string]$Exe) {
    $svc = Get-Service -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $svc) { return }
    Write-WcProgress -Step $step -Message ('stopping and unregistering the {0} service' -f $Name)
    try {
        if ($svc.Status -ne 'Stopped') { Stop-Service -Name $Name -Force }
    } catch {
        Exit-WcError 'uninstall_failed' ('stopping the {0} service failed: {1}' -f $Name, $_.Exception.Message) ('stop the {0} service by hand, then run again' -f $Name)
    }
    $sc = -not (Test-Path -LiteralPath $Exe -PathType Leaf)
    if (-not $sc) {
        $r = Invoke-WcNative $Exe @('--unregister-service')
    } else {
        $r = Invoke-WcNative (Join-Path $env:SystemRoot 'System32\sc.exe') @('delete', $Name)
    }
    if ($r.code -ne 0) { Exit-WcError 'uninstall_failed' ('unregistering the {0} service exited {1}: {2}' -f $Name, $r.code, $r.output) 'close tools that hold the service open (services.msc), then run again' }
    $deadline = (Get-Date).AddSeconds(60)
    while ($null -ne (Get-Service -Name $Name -ErrorAction SilentlyContinue)) {
        if ((Get-Date) -gt $deadline) { Exit-WcError 'uninstall_failed' ('the {0} service is still marked for deletion after 60 seconds' -f $Name) 'close tools that hold the service open (services.msc, Event Viewer), then run again' }
        Start-Sleep -Seconds 2
    }
    # sc.exe delete leaves the engine's event log source, which the engine's own --unregister-service
    # removes; dockerd --register-service refuses to run while it exists (README.md, "uninstall").
    $eventSource = 'HKLM:\SYSTEM\CurrentControlSet\Services\EventLog\Application\' + $Name
    if ($sc -and (Test-Path -LiteralPath $eventSource)) { Remove-WcPath $eventSource }
    $removed.Add(('service {0}' -f $Name))
}

$p = Get-WcParams
$engine = [string]$p.engine
$client = [bool]$p.client
$removed = New-Object 'System.Collections.Generic.List[string]'

# The engine: service, binaries, configuration, PATH.
if ($engine -eq 'docker') {
    $dir = Join-Path $env:ProgramFiles 'Docker'
    Remove-WcService 'docker' (Join-Path $dir 'dockerd.exe')
    # Docker Compose (install-compose): the CLI plugin and the standalone name, named on their own.
    Remove-WcPath (Join-Path $dir 'cli-plugins\docker-compose.exe')
    Remove-WcPath (Join-Path $dir 'docker-compose.exe')
    Remove-WcPath $dir
    foreach ($f in @('daemon.json', 'daemon.json.wincontainers-backup', 'daemon.json.wincontainers-new')) {
        Remove-WcPath (Join-Path $env:ProgramData ('docker\config\' + $f))
    }
    Remove-WcPathEntry $dir
} elseif ($engine -eq 'containerd') {
    $root = Join-Path $env:ProgramFiles 'containerd'
    Remove-WcService 'containerd' (Join-Path $root 'bin\containerd.exe')
    # The HNS network the CNI nat plugin made from 0-containerd-nat.conf, unless Docker (which uses a
    # network named nat too) is installed.
    $natConf = Join-Path $root 'cni\conf\0-containerd-nat.conf'
    if ((Test-Path -LiteralPath $natConf -PathType Leaf) -and $null -eq (Get-Service -Name docker -ErrorAction SilentlyContinue)) {
        Import-Module HostNetworkingService -ErrorAction SilentlyContinue
        if ($null -ne (Get-Command Remove-HnsNetwork -ErrorAction SilentlyContinue)) {
            try {
                $natName = [string]([IO.File]::ReadAllText($natConf) | ConvertFrom-Json).name
                $nets = @(Get-HnsNetwork | Where-Object { $natName -and $_.Name -eq $natName })
                foreach ($net in $nets) {
                    Write-WcProgress -Step $step -Message ('removing the HNS network {0}' -f $natName)
                    $net | Remove-HnsNetwork
                    $removed.Add(('HNS network {0}' -f $natName))
                }
            } catch {
                Exit-WcError 'uninstall_failed' ('removing the HNS network of {0} failed: {1}' -f $natConf, $_.Exception.Message) 'remove the network by hand (Get-HnsNetwork | Where-Object Name -eq nat | Remove-HnsNetwork), then run again'
            }
        }
    }
    Remove-WcPath (Join-Path $root 'config.toml')
    Remove-WcPath $natConf
    Remove-WcPath $root
    Remove-WcPath (Join-Path $env:ProgramFiles 'nerdctl')
    Remove-WcPathEntry (Join-Path $root 'bin')
    Remove-WcPathEntry (Join-Path $env:ProgramFiles 'nerdctl')
} else {
    Exit-WcError 'invalid_params' ('engine must be docker or containerd, not {0}' -f $engine) 'this is a planner defect; report it'
}

# Downloads, marker, LCOW boot files.
$wcData = Join-Path $env:ProgramData 'wincontainers'
Remove-WcPath (Join-Path $wcData 'downloads')
Remove-WcPath (Join-Path $wcData 'manifest.json')
if ((Test-Path -LiteralPath $wcData) -and @(Get-ChildItem -LiteralPath $wcData -Force).Count -eq 0) { Remove-WcPath $wcData }
Remove-WcPath 'HKLM:\SOFTWARE\wincontainers'
if ([bool]$p.remove_lcow) {
    $lcow = Join-Path $env:ProgramFiles 'Linux Containers'
    foreach ($n in @('kernel', 'initrd.img')) { Remove-WcPath (Join-Path $lcow $n) }
    if ((Test-Path -LiteralPath $lcow) -and @(Get-ChildItem -LiteralPath $lcow -Force).Count -eq 0) { Remove-WcPath $lcow }
}

# The Windows features, last.
$restart = $false
if ([bool]$p.remove_features) {
    if (-not $client) { Import-Module ServerManager -ErrorAction SilentlyContinue }
    foreach ($name in @($p.features | ForEach-Object { [string]$_ })) {
        try {
            if ($client) {
                $f = Get-WindowsOptionalFeature -Online -FeatureName $name
                if ($null -eq $f) { continue }
                $state = $f.State.ToString()
                if ($state -eq 'DisablePending') { $restart = $true }
                if (@('Disabled', 'DisablePending', 'DisabledWithPayloadRemoved') -contains $state) { continue }
                Write-WcProgress -Step $step -Message ('disabling {0}' -f $name)
                $r = Disable-WindowsOptionalFeature -Online -FeatureName $name -NoRestart
                if ($r.RestartNeeded) { $restart = $true }
            } else {
                $f = Get-WindowsFeature -Name $name
                if ($null -eq $f) { continue }
                $state = $f.InstallState.ToString()
                if ($state -eq 'UninstallPending') { $restart = $true }
                if ($state -ne 'Installed') { continue }
                Write-WcProgress -Step $step -Message ('removing {0}' -f $name)
                if ($name -eq 'Hyper-V') { $r = Uninstall-WindowsFeature -Name $name -IncludeManagementTools } else { $r = Uninstall-WindowsFeature -Name $name }
                if (-not $r.Success) { throw ('Uninstall-WindowsFeature {0} did not succeed (exit code {1})' -f $name, $r.ExitCode) }
                if ([string]$r.RestartNeeded -ne 'No') { $restart = $true }  # Yes or Maybe (RestartState)
            }
        } catch {
            Exit-WcError 'uninstall_failed' ('removing the feature {0} failed: {1}' -f $name, $_.Exception.Message) 'remove the feature by hand (Server Manager or Windows Features), then run again'
        }
        $removed.Add(('feature {0}' -f $name))
    }
}

Write-WcProgress -Step $step -Message ('removed {0} item(s); restart needed: {1}' -f $removed.Count, $restart)
Write-WcResult @{ removed = $removed; restart_needed = $restart }
if ($restart) { exit 3010 }
exit 0
