# wincontainers:script install-lcow/1
# wincontainers:idempotent
# Installs the LCOW boot files (kernel, initrd.img) into $env:ProgramFiles\Linux Containers, where
# hcsshim and legacy Docker look for them. The archive (a linuxkit/lcow release.zip) is the file the
# controller pushed to archive_path (lcow.archive, for air-gapped hosts) or a download kept in
# $env:ProgramData\wincontainers\downloads; it is verified against sha256 when pinned (for a pushed file,
# the hash the controller computed), otherwise its hash is reported (observed). Files whose content is already
# installed are not copied again. Windows PowerShell 5.1.
# Parameters and result: steps.InstallLCOW and steps.InstallLCOWResult (internal/steps/scripts.go).

[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
$ProgressPreference = 'SilentlyContinue'
$step = 'install-lcow'

# wincontainers:include errors hash replace archive

$p = Get-WcParams
$url = [string]$p.url
$pinned = ([string]$p.sha256).ToLowerInvariant()
$release = [string]$p.release
if (-not $release) { $release = 'release' }
$names = @('kernel', 'initrd.img')
if ($null -ne $p.files -and @($p.files).Count -gt 0) { $names = @($p.files | ForEach-Object { [string]$_ }) }
$dest = Join-Path $env:ProgramFiles 'Linux Containers'
$downloads = Join-Path $env:ProgramData 'wincontainers\downloads'

# The archive, pushed or downloaded, and its hash: pinned, or observed for trust on first use.
$a = Get-WcArchive -Step $step -Url $url -Pinned $pinned -ArchivePath ([string]$p.archive_path) -Downloads $downloads `
    -FileName ('lcow-{0}.zip' -f $release) -Remedy 'check the host''s internet access or proxy, or push the archive from the controller (lcow.archive)'
$archive = $a.path
$hash = $a.sha256
$source = $a.source

Write-WcProgress -Step $step -Message ('expanding {0}' -f $archive)
$staging = Join-Path $downloads ('lcow-{0}.staging' -f $release)
try {
    if (Test-Path -LiteralPath $staging) { Remove-Item -LiteralPath $staging -Recurse -Force }
    Expand-Archive -LiteralPath $archive -DestinationPath $staging -Force
} catch {
    Exit-WcError 'lcow_install_failed' ('expanding {0} failed: {1}' -f $archive, $_.Exception.Message) 'delete the archive so that it is downloaded (or pushed) again, and check the free space on the system drive'
}

# Find each boot file: at the top of the archive, else anywhere in it.
$found = @{}
$missing = @()
foreach ($n in $names) {
    $top = Join-Path $staging $n
    if (Test-Path -LiteralPath $top -PathType Leaf) {
        $found[$n] = $top
    } else {
        $any = @(Get-ChildItem -LiteralPath $staging -File -Recurse | Where-Object { $_.Name -eq $n }) | Select-Object -First 1
        if ($null -ne $any) { $found[$n] = $any.FullName } else { $missing += $n }
    }
}
if ($missing.Count -gt 0) {
    Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue
    Exit-WcError 'lcow_files_missing' ('{0} does not contain {1}' -f $archive, ($missing -join ', ')) 'use a linuxkit/lcow release.zip, which holds kernel and initrd.img'
}

$files = [ordered]@{}
$changed = $false
try {
    New-Item -ItemType Directory -Path $dest -Force | Out-Null
    foreach ($n in $names) {
        $want = Get-Sha256 $found[$n]
        $target = Join-Path $dest $n
        $have = ''
        if (Test-Path -LiteralPath $target -PathType Leaf) { $have = Get-Sha256 $target }
        if ($have -ne $want) {
            Write-WcProgress -Step $step -Message ('installing {0}' -f $target)
            Copy-Item -LiteralPath $found[$n] -Destination $target -Force
            $changed = $true
        }
        $files[$n] = $want
    }
} catch {
    Exit-WcError 'lcow_install_failed' ('copying the boot files into {0} failed: {1}' -f $dest, $_.Exception.Message) 'stop running Linux containers (their utility VMs hold the boot files open), then run again'
}
Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue

Write-WcResult @{ files = $files; archive_sha256 = $hash; sha256_source = $source; changed = $changed }
exit 0
