# wincontainers:script install-compose/1
# wincontainers:idempotent
# Installs Docker Compose as a docker CLI plugin: docker-compose.exe in $env:ProgramFiles\Docker\cli-plugins,
# the system plugin folder the docker CLI searches after %ProgramData%\Docker\cli-plugins (docker/cli
# cli-plugins/manager/manager_windows.go), so `docker compose` runs it. With standalone, the same binary
# is also $env:ProgramFiles\Docker\docker-compose.exe (on the machine PATH with docker.exe) for scripts
# that call docker-compose; without it, a standalone copy of an earlier install is removed. The binary
# is the pushed file at archive_path or a download kept in $env:ProgramData\wincontainers\downloads,
# verified against sha256 when pinned, else against the release's checksums.txt ("<sha256>
# *docker-compose-windows-x86_64.exe" lines), else observed. A binary identical to the installed one
# is not copied again. Finally the plugin must report the version asked for. Windows PowerShell 5.1.
# Parameters and result: steps.InstallCompose and steps.InstallComposeResult (internal/steps/scripts.go).

[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
$ProgressPreference = 'SilentlyContinue'
$step = 'install-compose'

# wincontainers:include errors hash path native replace archive

$p = Get-WcParams
$version = [string]$p.version
if ($version -notmatch '^\d+\.\d+\.\d+') { Exit-WcError 'invalid_params' ('version must be a Compose release like 5.5.0, not {0}' -f $version) 'this is a planner defect; report it' }
$dockerDir = Join-Path $env:ProgramFiles 'Docker'
$pluginDir = Join-Path $dockerDir 'cli-plugins'
$plugin = Join-Path $pluginDir 'docker-compose.exe'
$standalone = Join-Path $dockerDir 'docker-compose.exe'
$downloads = Join-Path $env:ProgramData 'wincontainers\downloads'

# 1. The binary, pushed or downloaded, verified.
$a = Get-WcArchive -Step $step -Url ([string]$p.url) -Pinned ([string]$p.sha256) -ChecksumUrl ([string]$p.checksum_url) `
    -ArchivePath ([string]$p.archive_path) -Downloads $downloads -FileName ('docker-compose-{0}-windows-x86_64.exe' -f $version) `
    -Remedy 'check the host''s internet access or proxy, or push docker-compose-windows-x86_64.exe from the controller (compose.archive)'

# 2. The plugin and, when asked for, the standalone name; only what differs is copied.
$changed = $false
$removed = New-Object 'System.Collections.Generic.List[string]'
$targets = @($plugin)
if ([bool]$p.standalone) { $targets += $standalone }
foreach ($target in $targets) {
    if (Test-WcSameFile $a.path $target) { continue }
    Write-WcProgress -Step $step -Message ('installing Docker Compose {0} as {1}' -f $version, $target)
    try {
        New-Item -ItemType Directory -Path (Split-Path -Parent $target) -Force | Out-Null
        Copy-Item -LiteralPath $a.path -Destination $target -Force
    } catch {
        Exit-WcError 'install_failed' ('copying {0} to {1} failed: {2}' -f $a.path, $target, $_.Exception.Message) 'check the free space on the system drive and that no docker-compose.exe process holds the file, then run again'
    }
    $changed = $true
}
if (-not [bool]$p.standalone -and (Test-Path -LiteralPath $standalone -PathType Leaf)) {
    Write-WcProgress -Step $step -Message ('removing the standalone {0} (compose.standalone is off)' -f $standalone)
    try {
        Remove-Item -LiteralPath $standalone -Force
    } catch {
        Exit-WcError 'install_failed' ('removing {0} failed: {1}' -f $standalone, $_.Exception.Message) 'close programs that run docker-compose.exe, then run again'
    }
    $removed.Add($standalone)
    $changed = $true
}

# 3. The plugin runs and is the version asked for.
$r = Invoke-WcNative $plugin @('version', '--short')
if ($r.code -ne 0) {
    Exit-WcError 'install_failed' ('{0} version --short exited {1}: {2}' -f $plugin, $r.code, $r.output) 'check that the file is docker-compose-windows-x86_64.exe of a Compose release for Windows x86_64'
}
$reported = $r.stdout.Trim().TrimStart('v')
if ($reported -ne $version) {
    Exit-WcError 'install_failed' ('{0} reports version {1}; {2} was asked for' -f $plugin, $reported, $version) 'check the compose.url or compose.archive file: it is another Compose release'
}

$standalonePath = ''
if ([bool]$p.standalone) { $standalonePath = $standalone }
Write-WcResult @{ version = $version; archive_sha256 = $a.sha256; sha256_source = $a.source; plugin_path = $plugin; standalone_path = $standalonePath; changed = $changed; removed = @($removed) }
exit 0
