# wincontainers:script install-docker/1
# wincontainers:idempotent
# Installs (or upgrades, or downgrades in place) the Docker static binaries into
# $env:ProgramFiles\Docker and registers the docker service. The archive is the pushed file at
# archive_path, or a download kept in $env:ProgramData\wincontainers\downloads. It is verified against
# sha256 when pinned, otherwise its hash is reported for trust on first use. Binaries identical to the
# installed ones are not copied again. The service is left registered, Automatic, and running if it
# ran before (an apply stopped after this step leaves the engine the host had running), else stopped;
# configure-daemon writes daemon.json and start-service starts it. Windows PowerShell 5.1.
# Parameters and result: steps.InstallDocker and steps.InstallDockerResult (internal/steps/scripts.go).

[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
$ProgressPreference = 'SilentlyContinue'

# wincontainers:include errors hash path native replace archive

function Wait-WcServiceStopped([string]$Name) {
    $deadline = (Get-Date).AddSeconds(60)
    while ($true) {
        $s = Get-Service -Name $Name -ErrorAction SilentlyContinue
        if ($null -eq $s -or $s.Status -eq 'Stopped') { return }
        if ((Get-Date) -gt $deadline) { throw ('the {0} service did not stop within 60 seconds' -f $Name) }
        Start-Sleep -Seconds 2
    }
}

$p = Get-WcParams
$version = [string]$p.version
$url = [string]$p.url
$pinned = ([string]$p.sha256).ToLowerInvariant()
$installDir = Join-Path $env:ProgramFiles 'Docker'
$dockerd = Join-Path $installDir 'dockerd.exe'
$downloads = Join-Path $env:ProgramData 'wincontainers\downloads'

# The version installed now, for the result.
$previous = [string]$p.previous_version
if (Test-Path -LiteralPath $dockerd -PathType Leaf) {
    $v = Invoke-WcNative $dockerd @('--version')
    if ($v.stdout -match 'version (\d+\.\d+\.\d+[0-9A-Za-z.\-]*)') { $previous = $Matches[1] }
}

# 1-2. The archive, pushed or downloaded, and its hash: pinned, or observed for trust on first use.
$wasRunning = $false
$a = Get-WcArchive -Step 'install-docker' -Url $url -Pinned $pinned -ArchivePath ([string]$p.archive_path) -Downloads $downloads `
    -FileName ('docker-{0}.zip' -f $version) -Remedy 'check the host''s internet access or proxy, or push the archive from the controller'
$archive = $a.path
$hash = $a.sha256
$source = $a.source

# 3. Stage, compare with the installed binaries, copy only what differs.
Write-WcProgress -Step 'install-docker' -Message ('expanding docker {0}' -f $version)
$staging = Join-Path $env:ProgramFiles 'Docker.wincontainers-staging'
try {
    if (Test-Path -LiteralPath $staging) { Remove-Item -LiteralPath $staging -Recurse -Force }
    Expand-Archive -LiteralPath $archive -DestinationPath $staging -Force
} catch {
    $why = $_.Exception.Message
    Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue
    # A download that does not expand (cut short) is deleted so the next run fetches it again; a pushed
    # archive is the controller's and stays.
    if (-not [string]$p.archive_path) { Remove-Item -LiteralPath $archive -Force -ErrorAction SilentlyContinue }
    Exit-WcError 'install_failed' ('expanding {0} failed: {1}' -f $archive, $why) 'check the free space on the system drive and run again (a download that did not expand was deleted); the installed engine was not touched'
}
$src = Join-Path $staging 'docker'
if (-not (Test-Path -LiteralPath (Join-Path $src 'dockerd.exe') -PathType Leaf)) {
    Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue
    Exit-WcError 'install_failed' ('{0} has no docker\dockerd.exe' -f $archive) 'check that the URL points at a Docker static binaries zip for Windows'
}
$changed = $false
foreach ($f in @(Get-ChildItem -LiteralPath $src -File -Recurse)) {
    $rel = $f.FullName.Substring($src.Length).TrimStart('\')
    $target = Join-Path $installDir $rel
    if (-not (Test-WcSameFile $f.FullName $target)) { $changed = $true; break }
}
if ($changed) {
    Write-WcProgress -Step 'install-docker' -Message ('installing docker {0} into {1}' -f $version, $installDir)
    # The installed binaries are copied aside first (while the engine still runs), so a copy that fails
    # halfway (a full disk, a held file) is undone and the engine that ran before runs again.
    $backupDir = $installDir + '.wincontainers-previous'
    try {
        if (Test-Path -LiteralPath $backupDir) { Remove-Item -LiteralPath $backupDir -Recurse -Force }
        if (Test-Path -LiteralPath $installDir) { Copy-Item -LiteralPath $installDir -Destination $backupDir -Recurse -Force }
    } catch {
        Remove-Item -LiteralPath $backupDir -Recurse -Force -ErrorAction SilentlyContinue
        Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue
        Exit-WcError 'install_failed' ('backing up {0} failed: {1}' -f $installDir, $_.Exception.Message) 'check the free space on the system drive and run again; the installed engine was not touched'
    }
    try {
        $svc = Get-Service -Name docker -ErrorAction SilentlyContinue
        if ($null -ne $svc -and $svc.Status -ne 'Stopped') {
            $wasRunning = $true
            Write-WcProgress -Step 'install-docker' -Message 'stopping the docker service'
            Stop-Service -Name docker -Force
            Wait-WcServiceStopped 'docker'
        }
        New-Item -ItemType Directory -Path $installDir -Force | Out-Null
        Get-ChildItem -LiteralPath $src | Copy-Item -Destination $installDir -Recurse -Force
    } catch {
        $why = $_.Exception.Message
        $restored = 'nothing was installed before'
        if (Test-Path -LiteralPath $backupDir) {
            Get-ChildItem -LiteralPath $backupDir | Copy-Item -Destination $installDir -Recurse -Force -ErrorAction SilentlyContinue
            $restored = 'the previous binaries were restored'
            if ($wasRunning) {
                Start-Service -Name docker -ErrorAction SilentlyContinue
                $restored += ' and the docker service started again'
            }
        }
        Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue
        Exit-WcError 'install_failed' ('installing into {0} failed: {1}; {2}' -f $installDir, $why, $restored) 'check the free space on the system drive and that no docker.exe or dockerd.exe process holds the files, then run again'
    }
    Remove-Item -LiteralPath $backupDir -Recurse -Force -ErrorAction SilentlyContinue
}
Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue

# 4. PATH.
Add-WcMachinePath $installDir

# 5. The service: registered without flags (configuration lives in daemon.json).
$reregistered = $false
$svc = Get-Service -Name docker -ErrorAction SilentlyContinue
if ($null -eq $svc) {
    # An event log source left by a service deleted with sc.exe makes --register-service fail (moby
    # installs the source and refuses when it exists): with no service, the source is a leftover.
    $eventSource = 'HKLM:\SYSTEM\CurrentControlSet\Services\EventLog\Application\docker'
    if (Test-Path -LiteralPath $eventSource) {
        Write-WcProgress -Step 'install-docker' -Message ('removing the leftover event log source {0}' -f $eventSource)
        Remove-Item -LiteralPath $eventSource -Recurse -Force
    }
    Write-WcProgress -Step 'install-docker' -Message 'registering the docker service'
    $r = Invoke-WcNative $dockerd @('--register-service')
    if ($r.code -ne 0) { Exit-WcError 'install_failed' ('dockerd --register-service exited {0}: {1}' -f $r.code, $r.output) 'check the Application event log (source docker) and run again' }
} else {
    $cmd = [string](Get-CimInstance -ClassName Win32_Service -Filter "Name='docker'").PathName
    $exe = ''
    $rest = $cmd
    if ($cmd -match '^\s*"([^"]+)"(.*)$') { $exe = $Matches[1]; $rest = $Matches[2] } elseif ($cmd -match '^\s*(\S+)(.*)$') { $exe = $Matches[1]; $rest = $Matches[2] }
    $extra = @()
    $tokens = @($rest -split '\s+' | Where-Object { $_ -ne '' })
    for ($i = 0; $i -lt $tokens.Count; $i++) {
        $t = $tokens[$i]
        if ($t -eq '--run-service' -or $t -like '--service-name=*') { continue }
        if ($t -eq '--service-name') { $i++; continue }
        $extra += $t
    }
    # A service that runs another dockerd.exe (an older install elsewhere) is re-registered too.
    $otherExe = ($exe -ne '') -and ($exe -ine $dockerd)
    if ($extra.Count -gt 0 -or $otherExe) {
        Write-WcProgress -Step 'install-docker' -Message ('re-registering the docker service (command line was: {0})' -f $cmd)
        try {
            if ($svc.Status -ne 'Stopped') { $wasRunning = $true; Stop-Service -Name docker -Force; Wait-WcServiceStopped 'docker' }
        } catch {
            Exit-WcError 'install_failed' ('stopping the docker service failed: {0}' -f $_.Exception.Message) 'stop the docker service by hand and run again'
        }
        $r = Invoke-WcNative $dockerd @('--unregister-service')
        if ($r.code -ne 0) { Exit-WcError 'install_failed' ('dockerd --unregister-service exited {0}: {1}' -f $r.code, $r.output) 'close tools that hold the service open (services.msc) and run again' }
        $deadline = (Get-Date).AddSeconds(60)
        while ($null -ne (Get-Service -Name docker -ErrorAction SilentlyContinue)) {
            if ((Get-Date) -gt $deadline) { Exit-WcError 'install_failed' 'the docker service is still marked for deletion after 60 seconds' 'close tools that hold the service open (services.msc, Event Viewer) and run again' }
            Start-Sleep -Seconds 2
        }
        $r = Invoke-WcNative $dockerd @('--register-service')
        if ($r.code -ne 0) { Exit-WcError 'install_failed' ('dockerd --register-service exited {0}: {1}' -f $r.code, $r.output) 'check the Application event log (source docker) and run again' }
        $reregistered = $true
    }
}

# 6. Automatic; started again if it ran before, otherwise left stopped (start-service starts it after
# configure-daemon, and reports a start that fails).
try {
    if ((Get-Service -Name docker).StartType -ne 'Automatic') { Set-Service -Name docker -StartupType Automatic }
} catch {
    Exit-WcError 'install_failed' ('setting the docker service to Automatic failed: {0}' -f $_.Exception.Message) 'check that the account is an administrator'
}

if ($wasRunning) {
    Write-WcProgress -Step 'install-docker' -Message 'starting the docker service again'
    Start-Service -Name docker -ErrorAction SilentlyContinue
}

Write-WcResult @{ version = $version; archive_sha256 = $hash; sha256_source = $source; previous_version = $previous; reregistered = $reregistered; changed = $changed }
exit 0
