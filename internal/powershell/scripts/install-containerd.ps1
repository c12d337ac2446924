# wincontainers:script install-containerd/1
# wincontainers:idempotent
# Installs containerd (bin\ under $env:ProgramFiles\containerd), nerdctl ($env:ProgramFiles\nerdctl) and
# the Windows CNI plugins (containerd\cni\bin), adds containerd\bin and nerdctl to the machine PATH,
# writes the default config.toml when absent, registers the containerd service, creates the HNS NAT
# network and writes the CNI configuration 0-containerd-nat.conf. Each archive is the file the
# controller pushed to its archive_path (air-gapped hosts; each archive on its own), or a download. It is
# verified against its pinned sha256 (for a pushed file, the hash the controller computed), else against
# its published checksum file, else its hash is reported (observed).
# Files identical to the installed ones are not copied again. The service is left registered,
# Automatic and stopped. Windows PowerShell 5.1.
# Parameters: { "version", "url", "sha256", "checksum_url", "archive_path",
#               "nerdctl": { "version", "url", "checksum_url", "sha256", "archive_path" },
#               "cni": { "version", "url", "sha256", "archive_path" },
#               "nat": { "name": "nat", "subnet": "172.28.0.0/16", "gateway": "172.28.0.1" } }
# Result: { "version", "archives": { "containerd"|"nerdctl"|"cni": { "sha256", "source" } }, "nat_network", "changed" }

[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
$ProgressPreference = 'SilentlyContinue'
$step = 'install-containerd'
$script:wasRunning = $false
$script:staged = $null
$changed = $false

# wincontainers:include errors hash path native archive

# A failure after the containerd service was stopped starts it again before reporting, so an apply that
# stops here never leaves the host without the engine it had.
# The staged archives are removed too.
function Exit-WcInstallError([string]$Code, [string]$Message, [string]$Remedy) {
    if ($null -ne $script:staged) { Remove-WcStaged $script:staged }
    if ($script:wasRunning) {
        Start-Service -Name containerd -ErrorAction SilentlyContinue
        $Message += '; the containerd service was started again'
    }
    Exit-WcError $Code $Message $Remedy
}

# Extracts an archive with tar.exe into a staging folder next to $Dest and lists the files that differ
# from the installed ones (source, target, relative path). Nothing installed is touched.
function Expand-WcStaged([string]$Archive, [string]$Dest) {
    $staging = $Dest.TrimEnd('\') + '.wincontainers-staging'
    if (Test-Path -LiteralPath $staging) { Remove-Item -LiteralPath $staging -Recurse -Force }
    New-Item -ItemType Directory -Path $staging -Force | Out-Null
    $r = Invoke-WcNative $tar @('-xf', $Archive, '-C', $staging)
    if ($r.code -ne 0) {
        Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue
        Exit-WcError 'install_failed' ('tar.exe -xf {0} exited {1}: {2}' -f $Archive, $r.code, $r.output) 'delete the archive so that it is downloaded (or pushed) again, and check the free space; the installed engine was not touched'
    }
    $copy = @()
    foreach ($f in @(Get-ChildItem -LiteralPath $staging -File -Recurse)) {
        $rel = $f.FullName.Substring($staging.Length).TrimStart('\')
        $target = Join-Path $Dest $rel
        if (-not (Test-WcSameFile $f.FullName $target)) { $copy += , @($f.FullName, $target, $rel) }
    }
    return @{ staging = $staging; backup = ($Dest.TrimEnd('\') + '.wincontainers-previous'); copy = $copy }
}

# Copies aside the installed files the staged archives replace, while the engine still runs.
function Backup-WcStaged($Sets) {
    foreach ($set in $Sets) {
        if (Test-Path -LiteralPath $set.backup) { Remove-Item -LiteralPath $set.backup -Recurse -Force }
        foreach ($c in $set.copy) {
            if (Test-Path -LiteralPath $c[1] -PathType Leaf) {
                $saved = Join-Path $set.backup $c[2]
                New-Item -ItemType Directory -Path (Split-Path -Parent $saved) -Force | Out-Null
                Copy-Item -LiteralPath $c[1] -Destination $saved -Force
            }
        }
    }
}

# Undoes Install-WcStaged: the saved files come back, the files that were new go.
function Restore-WcStaged($Sets) {
    foreach ($set in $Sets) {
        foreach ($c in $set.copy) {
            $saved = Join-Path $set.backup $c[2]
            if (Test-Path -LiteralPath $saved -PathType Leaf) {
                Copy-Item -LiteralPath $saved -Destination $c[1] -Force -ErrorAction SilentlyContinue
            } else {
                Remove-Item -LiteralPath $c[1] -Force -ErrorAction SilentlyContinue
            }
        }
    }
}

function Remove-WcStaged($Sets) {
    foreach ($set in $Sets) {
        Remove-Item -LiteralPath $set.staging -Recurse -Force -ErrorAction SilentlyContinue
        Remove-Item -LiteralPath $set.backup -Recurse -Force -ErrorAction SilentlyContinue
    }
}

# Installs the staged files of all three archives as one change: the replaced files are backed up
# first, the containerd service is stopped only then, and a copy that fails halfway (a full disk, a file
# held by a running ctr or nerdctl) is undone before the error is reported. Returns $true when it copied.
function Install-WcStaged($Sets) {
    $count = 0
    foreach ($set in $Sets) { $count += $set.copy.Count }
    if ($count -eq 0) {
        Remove-WcStaged $Sets
        return $false
    }
    try {
        Backup-WcStaged $Sets
    } catch {
        $why = $_.Exception.Message
        Remove-WcStaged $Sets
        Exit-WcError 'install_failed' ('backing up the installed containerd, nerdctl and CNI files failed: {0}' -f $why) 'check the free space on the system drive and run again; the installed engine was not touched'
    }
    try {
        $svc = Get-Service -Name containerd -ErrorAction SilentlyContinue
        if ($null -ne $svc -and $svc.Status -ne 'Stopped') {
            Write-WcProgress -Step $step -Message 'stopping the containerd service'
            $script:wasRunning = $true
            Stop-Service -Name containerd -Force
        }
        foreach ($set in $Sets) {
            foreach ($c in $set.copy) {
                New-Item -ItemType Directory -Path (Split-Path -Parent $c[1]) -Force | Out-Null
                Copy-Item -LiteralPath $c[0] -Destination $c[1] -Force
            }
        }
    } catch {
        $why = $_.Exception.Message
        Restore-WcStaged $Sets
        Remove-WcStaged $Sets
        Exit-WcInstallError 'install_failed' ('installing containerd, nerdctl and the CNI plugins failed: {0}; the previous files were restored' -f $why) 'check the free space on the system drive and that no containerd, ctr or nerdctl process holds the files, then run again'
    }
    Remove-WcStaged $Sets
    return $true
}

$p = Get-WcParams
$root = Join-Path $env:ProgramFiles 'containerd'
$nerdctlDir = Join-Path $env:ProgramFiles 'nerdctl'
$cniBin = Join-Path $root 'cni\bin'
$cniConf = Join-Path $root 'cni\conf'
$containerd = Join-Path $root 'bin\containerd.exe'
$downloads = Join-Path $env:ProgramData 'wincontainers\downloads'
$tar = Join-Path $env:SystemRoot 'System32\tar.exe'
New-Item -ItemType Directory -Path $downloads -Force | Out-Null

# Verify all three archives before changing anything.
# An archive_path names the file the controller pushed (air-gapped hosts); without one the host downloads.
$remedy = 'check the host''s internet access or proxy, or push the archive from the controller (engine.archive, engine.nerdctl_archive, engine.cni_archive)'
$a = Get-WcArchive -Step $step -Url ([string]$p.url) -Pinned ([string]$p.sha256) -ChecksumUrl ([string]$p.checksum_url) `
    -ArchivePath ([string]$p.archive_path) -Downloads $downloads -Remedy $remedy
$n = Get-WcArchive -Step $step -Url ([string]$p.nerdctl.url) -Pinned ([string]$p.nerdctl.sha256) -ChecksumUrl ([string]$p.nerdctl.checksum_url) `
    -ArchivePath ([string]$p.nerdctl.archive_path) -Downloads $downloads -Remedy $remedy
$c = Get-WcArchive -Step $step -Url ([string]$p.cni.url) -Pinned ([string]$p.cni.sha256) -ArchivePath ([string]$p.cni.archive_path) `
    -Downloads $downloads -Remedy $remedy

# Everything is staged before anything installed changes: a full disk or a bad archive fails here.
Write-WcProgress -Step $step -Message ('installing containerd {0}' -f $p.version)
$sets = @((Expand-WcStaged $a.path $root), (Expand-WcStaged $n.path $nerdctlDir), (Expand-WcStaged $c.path $cniBin))
$script:staged = $sets

# The HNS NAT network and its CNI configuration.
$natName = [string]$p.nat.name
if (-not $natName) { $natName = 'nat' }
$subnet = [string]$p.nat.subnet
$gateway = [string]$p.nat.gateway
Import-Module HNS -ErrorAction SilentlyContinue
Import-Module HostNetworkingService -ErrorAction SilentlyContinue
if ($null -eq (Get-Command Get-HnsNetwork -ErrorAction SilentlyContinue) -or $null -eq (Get-Command New-HnsNetwork -ErrorAction SilentlyContinue)) {
    Exit-WcInstallError 'hns_module_missing' 'the HNS PowerShell cmdlets (Get-HnsNetwork, New-HnsNetwork) are not available' 'install hns.psm1 from microsoft/SDN (Kubernetes/windows/hns.psm1) as module HNS, or create the NAT network by hand'
}
try {
    $net = @(Get-HnsNetwork | Where-Object { $_.Name -eq $natName }) | Select-Object -First 1
    if ($null -eq $net) {
        Write-WcProgress -Step $step -Message ('creating the HNS NAT network {0} ({1})' -f $natName, $subnet)
        New-HnsNetwork -Type NAT -Name $natName -AddressPrefix $subnet -Gateway $gateway | Out-Null
    } elseif ($net.Subnets -and $net.Subnets[0].AddressPrefix) {
        # An existing network keeps its prefix; the CNI configuration must describe it.
        $subnet = [string]$net.Subnets[0].AddressPrefix
        if ($net.Subnets[0].GatewayAddress) { $gateway = [string]$net.Subnets[0].GatewayAddress }
    }
} catch {
    Exit-WcInstallError 'install_failed' ('creating the HNS NAT network {0} failed: {1}' -f $natName, $_.Exception.Message) 'check that the Containers feature is installed and the host was restarted, and that no other NAT (Get-NetNat) overlaps the subnet'
}
$conf = [ordered]@{
    cniVersion = '0.2.0'
    name = $natName
    type = 'nat'
    master = 'Ethernet'
    ipam = [ordered]@{ subnet = $subnet; routes = @(@{ gateway = $gateway }) }
    capabilities = [ordered]@{ portMappings = $true; dns = $true }
}
$confText = $conf | ConvertTo-Json -Depth 8
$confPath = Join-Path $cniConf '0-containerd-nat.conf'
$old = $null
if (Test-Path -LiteralPath $confPath -PathType Leaf) { $old = [IO.File]::ReadAllText($confPath) }
if ($old -cne $confText) {
    Write-WcProgress -Step $step -Message ('writing {0}' -f $confPath)
    New-Item -ItemType Directory -Path $cniConf -Force | Out-Null
    [IO.File]::WriteAllText($confPath, $confText, (New-Object Text.UTF8Encoding $false))
    $changed = $true
}

$changed = (Install-WcStaged $sets) -or $changed
foreach ($required in @($containerd, (Join-Path $nerdctlDir 'nerdctl.exe'), (Join-Path $cniBin 'nat.exe'))) {
    if (-not (Test-Path -LiteralPath $required -PathType Leaf)) { Exit-WcInstallError 'install_failed' ('{0} is missing after extraction' -f $required) 'check that the URLs point at the Windows amd64 release archives' }
}
Add-WcMachinePath (Join-Path $root 'bin')
Add-WcMachinePath $nerdctlDir

$configPath = Join-Path $root 'config.toml'
if (-not (Test-Path -LiteralPath $configPath -PathType Leaf)) {
    Write-WcProgress -Step $step -Message 'writing the default config.toml'
    $ErrorActionPreference = 'Continue'
    $toml = & $containerd config default 2>$null | Out-String
    $code = $LASTEXITCODE
    $ErrorActionPreference = 'Stop'
    if ($code -ne 0 -or -not $toml.Trim()) { Exit-WcInstallError 'install_failed' ('containerd.exe config default exited {0}' -f $code) 'run containerd.exe config default by hand to see the error' }
    [IO.File]::WriteAllText($configPath, $toml, [Text.Encoding]::ASCII)
}

if ($null -eq (Get-Service -Name containerd -ErrorAction SilentlyContinue)) {
    Write-WcProgress -Step $step -Message 'registering the containerd service'
    $r = Invoke-WcNative $containerd @('--register-service')
    if ($r.code -ne 0) { Exit-WcInstallError 'install_failed' ('containerd.exe --register-service exited {0}: {1}' -f $r.code, $r.output) 'check that the Containers feature is installed and run again' }
}
try {
    if ((Get-Service -Name containerd).StartType -ne 'Automatic') { Set-Service -Name containerd -StartupType Automatic }
} catch {
    Exit-WcInstallError 'install_failed' ('setting the containerd service to Automatic failed: {0}' -f $_.Exception.Message) 'check that the account is an administrator'
}

$archives = @{
    containerd = @{ sha256 = $a.sha256; source = $a.source }
    nerdctl = @{ sha256 = $n.sha256; source = $n.source }
    cni = @{ sha256 = $c.sha256; source = $c.source }
}
# An engine that ran before the upgrade runs again: an apply stopped after this step never leaves the
# host without the engine it had (start-service reports a start that fails).
if ($script:wasRunning) {
    Write-WcProgress -Step $step -Message 'starting the containerd service again'
    Start-Service -Name containerd -ErrorAction SilentlyContinue
}
Write-WcResult @{ version = [string]$p.version; archives = $archives; nat_network = $natName; changed = $changed }
exit 0
