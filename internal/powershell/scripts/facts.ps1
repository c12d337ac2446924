# wincontainers:script facts/1
# wincontainers:idempotent
# Reads everything the planner needs in one round trip and writes it as one result line: OS and
# channel inputs, feature states, pending-reboot signals, virtualization signals, the engine, the LCOW
# boot files, Docker Compose, free disk space, PowerShell and .NET versions, the verification marker, and the image
# manifest (C:\ProgramData\wincontainers\manifest.json as written by write-manifest; null when absent).
# The document is decoded by internal/facts (schema 1). Read-only: it changes nothing on the host.
# Windows PowerShell 5.1 (Windows Server 2016 to 2025). Takes no parameters.

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# wincontainers:include native

function Get-RegValue([string]$Path, [string]$Name) {
    $item = Get-ItemProperty -Path $Path -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $item) { return $null }
    return $item.$Name
}

function Get-Sha256([string]$Path) {
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) { return $null }
    return (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash.ToLowerInvariant()
}

$cvPath = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
$cv = Get-ItemProperty -Path $cvPath
$displayVersion = Get-RegValue $cvPath 'DisplayVersion'
if (-not $displayVersion) { $displayVersion = Get-RegValue $cvPath 'ReleaseId' }
$ubr = Get-RegValue $cvPath 'UBR'
if ($null -eq $ubr) { $ubr = 0 }

$os = Get-CimInstance -ClassName Win32_OperatingSystem
$boot = $os.LastBootUpTime.ToUniversalTime()

# Features: ServerManager on Windows Server, DISM optional features on clients.
$isClient = ($cv.InstallationType -eq 'Client')
$features = @{}
if ($isClient) {
    foreach ($name in @('Containers', 'Microsoft-Hyper-V')) {
        try {
            $f = Get-WindowsOptionalFeature -Online -FeatureName $name
            if ($null -ne $f) { $features[$name] = $f.State.ToString() }
        } catch {
            $features[$name] = 'Unknown'
        }
    }
} else {
    Import-Module ServerManager -ErrorAction SilentlyContinue
    foreach ($f in @(Get-WindowsFeature -Name 'Containers', 'Hyper-V')) {
        $features[$f.Name] = $f.InstallState.ToString()
    }
}
$featurePending = $false
foreach ($state in $features.Values) {
    if ($state -match 'Pending$') { $featurePending = $true }
}

# Pending reboot signals (xPendingReboot / ComputerManagementDsc PendingReboot).
$cbs = Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
$wu = Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'
$pfro = $null -ne (Get-RegValue 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager' 'PendingFileRenameOperations')
$active = Get-RegValue 'HKLM:\SYSTEM\CurrentControlSet\Control\ComputerName\ActiveComputerName' 'ComputerName'
$pendingName = Get-RegValue 'HKLM:\SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName' 'ComputerName'
$rename = ($null -ne $active) -and ($null -ne $pendingName) -and ($active -ne $pendingName)

# Virtualization signals. The processor properties are only meaningful while no hypervisor runs.
$cs = Get-CimInstance -ClassName Win32_ComputerSystem
$cpu = @(Get-CimInstance -ClassName Win32_Processor)[0]
# Whether the boot loader starts the Windows hypervisor (bcdedit /set hypervisorlaunchtype Off stops it at
# the next boot). The element is absent until Hyper-V's installation sets it. Matched by its English name
# (inferred: bcdedit leaves element names untranslated); if a language translates it, it reads as not set.
$launchType = ''
$bcd = Invoke-WcNative (Join-Path $env:SystemRoot 'System32\bcdedit.exe') @('/enum', '{current}')
if ($bcd.code -eq 0 -and $bcd.stdout -match '(?m)^hypervisorlaunchtype\s+(\S+)') { $launchType = $Matches[1] }

# Engines: every one installed (a host may have Docker and containerd side by side), and as "engine" the
# first of Docker, then containerd; the planner reads the one the specification wants.
$engine = @{ type = ''; version = ''; binary_sha256 = ''; service = @{ name = ''; state = ''; start_type = ''; last_error = '' }; daemon_config = $null; data_root = '' }
$engines = @()
foreach ($candidate in @('docker', 'containerd')) {
    $svc = Get-CimInstance -ClassName Win32_Service -Filter ("Name='{0}'" -f $candidate)
    if ($null -eq $svc) { continue }
    $engine = @{ type = ''; version = ''; binary_sha256 = ''; service = @{ name = ''; state = ''; start_type = ''; last_error = '' }; daemon_config = $null; data_root = '' }
    $exe = $svc.PathName
    if ($exe -match '^"([^"]+)"') { $exe = $Matches[1] } elseif ($exe -match '^(\S+)') { $exe = $Matches[1] }
    $version = ''
    if (Test-Path -LiteralPath $exe -PathType Leaf) {
        $out = (Invoke-WcNative $exe @('--version')).stdout
        if ($out -match '(?:version |v)(\d+\.\d+\.\d+[0-9A-Za-z.\-]*)') { $version = $Matches[1] }
    }
    $engine.type = $candidate
    $engine.version = $version
    $engine.binary_sha256 = [string](Get-Sha256 $exe)
    $engine.service = @{ name = $svc.Name; state = [string]$svc.State; start_type = [string]$svc.StartMode; last_error = '' }
    if ([string]$svc.State -ne 'Running') {
        # Why a stopped engine is stopped: its newest Application event log error since this boot (the
        # engines log under their service name; a start that failed at boot leaves its reason there).
        $lastError = Get-WinEvent -FilterHashtable @{ LogName = 'Application'; ProviderName = $candidate; Level = 2; StartTime = $os.LastBootUpTime } -MaxEvents 1 -ErrorAction SilentlyContinue
        if ($null -ne $lastError) { $engine.service.last_error = ([string]$lastError.Message).Trim() }
    }
    if ($candidate -eq 'docker') {
        $configPath = Join-Path $env:ProgramData 'docker\config\daemon.json'
        $engine.data_root = Join-Path $env:ProgramData 'docker'
        if (Test-Path -LiteralPath $configPath -PathType Leaf) {
            try {
                $config = [IO.File]::ReadAllText($configPath) | ConvertFrom-Json
                $engine.daemon_config = $config
                if ($config.'data-root') { $engine.data_root = [string]$config.'data-root' }
            } catch {
                $engine.daemon_config = @{ '_unreadable' = $_.Exception.Message }
            }
        }
    }
    # Win32_Service reports StartMode "Auto"; the planner speaks the ServiceController names.
    if ($engine.service.start_type -eq 'Auto') { $engine.service.start_type = 'Automatic' }
    $engines += , $engine
}
if ($engines.Count -gt 0) { $engine = $engines[0] }

# LCOW boot files, where hcsshim looks for them.
$lcowPath = Join-Path $env:ProgramFiles 'Linux Containers'
$lcowFiles = @{}
foreach ($name in @('kernel', 'vmlinux', 'initrd.img', 'rootfs.vhd')) {
    $hash = Get-Sha256 (Join-Path $lcowPath $name)
    if ($hash) { $lcowFiles[$name] = $hash }
}

# Docker Compose: the CLI plugin in the docker CLI's system plugin folders, in the order it searches them
# (docker/cli cli-plugins/manager/manager_windows.go), and the standalone name beside docker.exe.
$compose = @{ plugin_path = ''; version = ''; sha256 = ''; standalone_path = ''; standalone_sha256 = '' }
foreach ($dir in @((Join-Path $env:ProgramData 'Docker\cli-plugins'), (Join-Path $env:ProgramFiles 'Docker\cli-plugins'))) {
    $plugin = Join-Path $dir 'docker-compose.exe'
    if (Test-Path -LiteralPath $plugin -PathType Leaf) {
        $compose.plugin_path = $plugin
        $compose.sha256 = [string](Get-Sha256 $plugin)
        $out = Invoke-WcNative $plugin @('version', '--short')
        if ($out.code -eq 0 -and $out.stdout -match '^v?(\d+\.\d+\.\d+[0-9A-Za-z.\-]*)') { $compose.version = $Matches[1] }
        break
    }
}
$standalone = Join-Path $env:ProgramFiles 'Docker\docker-compose.exe'
if (Test-Path -LiteralPath $standalone -PathType Leaf) {
    $compose.standalone_path = $standalone
    $compose.standalone_sha256 = [string](Get-Sha256 $standalone)
}

$systemDrive = $env:SystemDrive
$disk = Get-CimInstance -ClassName Win32_LogicalDisk -Filter ("DeviceID='{0}'" -f $systemDrive)

$dotnet = Get-RegValue 'HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full' 'Release'
if ($null -eq $dotnet) { $dotnet = 0 }

$verified = $null
$markerPath = 'HKLM:\SOFTWARE\wincontainers'
$specHash = Get-RegValue $markerPath 'VerifiedSpecHash'
if ($specHash) { $verified = @{ spec_hash = [string]$specHash; at = [string](Get-RegValue $markerPath 'VerifiedAt') } }

# The image manifest a Packer build (or an apply) left: what this machine was made into, or $null.
$manifest = $null
$manifestPath = Join-Path $env:ProgramData 'wincontainers\manifest.json'
if (Test-Path -LiteralPath $manifestPath -PathType Leaf) {
    try {
        $manifest = [IO.File]::ReadAllText($manifestPath) | ConvertFrom-Json
    } catch {
        $manifest = @{ '_unreadable' = $_.Exception.Message }
    }
    if ($null -eq $manifest) { $manifest = @{ '_unreadable' = ('{0} is empty' -f $manifestPath) } }
}

$doc = @{
    schema = 1
    os = @{
        build = [int]$cv.CurrentBuildNumber
        ubr = [int]$ubr
        product_name = [string]$cv.ProductName
        display_version = [string]$displayVersion
        edition_id = [string]$cv.EditionID
        installation_type = [string]$cv.InstallationType
        computer_name = [string]$env:COMPUTERNAME
    }
    boot = @{
        boot_id = [string]$boot.Ticks
        last_boot_up_time = $boot.ToString('o')
    }
    features = $features
    pending_reboot = @{
        component_based_servicing = [bool]$cbs
        windows_update = [bool]$wu
        pending_file_rename = [bool]$pfro
        computer_rename = [bool]$rename
        feature_restart_needed = [bool]$featurePending
    }
    virtualization = @{
        hypervisor_present = [bool]$cs.HypervisorPresent
        hypervisor_launch_type = $launchType
        firmware_enabled = [bool]$cpu.VirtualizationFirmwareEnabled
        slat = [bool]$cpu.SecondLevelAddressTranslationExtensions
        vm_monitor_mode_extensions = [bool]$cpu.VMMonitorModeExtensions
        manufacturer = [string]$cs.Manufacturer
        model = [string]$cs.Model
    }
    engine = $engine
    engines = $engines
    lcow = @{ path = $lcowPath; files = $lcowFiles }
    compose = $compose
    disk = @{ system_drive = $systemDrive; free_bytes = [int64]$disk.FreeSpace }
    powershell = @{ version = $PSVersionTable.PSVersion.ToString(); dotnet_release = [int]$dotnet }
    manifest = $manifest
}
if ($null -ne $verified) { $doc.verified = $verified }

Write-WcResult $doc
exit 0
