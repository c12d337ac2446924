# wincontainers:script install-containerd/1
# wincontainers:idempotent
# Installs containerd (bin\ under $env:ProgramFiles\containerd), nerdctl ($env:ProgramFiles\nerdctl) and
# the Windows CNI plugins (containerd\cni\bin), adds containerd\bin and nerdctl to the machine PATH,
# writes the default config.toml when absent, registers the containerd service and writes the CNI
# configuration 0-containerd-nat.conf, from which the CNI nat plugin creates the HNS NAT network at the
# first container. Each archive is the file the controller pushed to its archive_path (air-gapped hosts;
# each archive on its own), or a download. It is
# verified against its pinned sha256 (for a pushed file, the hash the controller computed), else against
# its published checksum file, else its hash is reported (observed).
# Files identical to the installed ones are not copied again. The service is left registered,
# Automatic and stopped. Windows PowerShell 5.1.
# Parameters and result: steps.InstallContainerd and steps.InstallContainerdResult (internal/steps/scripts.go).

[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
$ProgressPreference = 'SilentlyContinue'
$step = 'install-containerd'
$script:wasRunning = $false
$script:staged = $null
$changed = $false

# wincontainers:include errors hash path native replace archive

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

# The CNI configuration of the NAT network. No Windows release has a cmdlet that creates an HNS network
# (the in-box HostNetworkingService module has Get- and Remove- cmdlets only; New-HnsNetwork is
# microsoft/SDN's hns.psm1): the CNI nat plugin creates the network named here, with this subnet and
# gateway, at the first container it attaches (getOrCreateNetwork, windows-container-networking
# v0.2.0 to v0.3.1), and keeps an existing one. Plugin v0.3.0 uses the name as the HNS network type, so
# the name stays "nat". The route keys are the CNI ones, dst and gw; other keys are ignored silently
# (internal/powershell/scripts/README.md, "install-containerd").
$natName = [string]$p.nat.name
if (-not $natName) { $natName = 'nat' }
$subnet = [string]$p.nat.subnet
$gateway = [string]$p.nat.gateway
# A network of that name made earlier (by Docker, or by a previous run's first container) keeps its
# prefix, and the configuration must describe it. Get-HnsNetwork returns the HNS v1 shape (Subnets) or
# the HCN v2 shape (Ipams[].Subnets[]: microsoft/SDN's hns.v2.psm1); both are read.
Import-Module HostNetworkingService -ErrorAction SilentlyContinue
if ($null -ne (Get-Command Get-HnsNetwork -ErrorAction SilentlyContinue)) {
    try {
        $net = @(Get-HnsNetwork | Where-Object { $_.Name -eq $natName }) | Select-Object -First 1
    } catch {
        Exit-WcInstallError 'install_failed' ('reading the HNS networks failed: {0}' -f $_.Exception.Message) 'check that the Containers feature is installed and the host was restarted (the hns service runs)'
    }
    if ($null -ne $net) {
        $have = $null
        if ($net.Subnets -and $net.Subnets[0].AddressPrefix) {
            $have = @{ prefix = [string]$net.Subnets[0].AddressPrefix; gateway = [string]$net.Subnets[0].GatewayAddress }
        } elseif ($net.Ipams -and $net.Ipams[0].Subnets -and $net.Ipams[0].Subnets[0].IpAddressPrefix) {
            $s0 = $net.Ipams[0].Subnets[0]
            $hop = @($s0.Routes | Where-Object { $_.DestinationPrefix -eq '0.0.0.0/0' } | ForEach-Object { [string]$_.NextHop }) | Select-Object -First 1
            $have = @{ prefix = [string]$s0.IpAddressPrefix; gateway = [string]$hop }
        }
        if ($null -ne $have) {
            Write-WcProgress -Step $step -Message ('the HNS network {0} exists with {1}; the CNI configuration uses it' -f $natName, $have.prefix)
            $subnet = $have.prefix
            if ($have.gateway) { $gateway = $have.gateway }
        }
    }
}
$conf = [ordered]@{
    cniVersion = '0.2.0'
    name = $natName
    type = 'nat'
    ipam = [ordered]@{ subnet = $subnet; routes = @([ordered]@{ dst = '0.0.0.0/0'; gw = $gateway }) }
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
    $r = Invoke-WcNative $containerd @('config', 'default')
    if ($r.code -ne 0 -or -not $r.stdout) { Exit-WcInstallError 'install_failed' ('containerd.exe config default exited {0}: {1}' -f $r.code, $r.stderr) 'run containerd.exe config default by hand to see the error' }
    [IO.File]::WriteAllText($configPath, ($r.stdout + "`r`n"), [Text.Encoding]::ASCII)
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
