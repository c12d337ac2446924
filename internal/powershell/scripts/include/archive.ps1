# include archive (scripts/include/archive.ps1, shared by the step scripts)
# It needs the errors, hash and replace includes before it, and TLS 1.2 enabled before it is called.

# Downloads a URL to $Target through a .partial file, so an interrupted download never looks complete.
function Get-WcDownload([string]$Url, [string]$Target, [string]$Remedy) {
    if (-not $Remedy) { $Remedy = 'check the host''s internet access or proxy' }
    $partial = $Target + '.partial'
    try {
        Invoke-WebRequest -UseBasicParsing -Uri $Url -OutFile $partial
        Move-WcReplace $partial $Target
    } catch {
        Remove-Item -LiteralPath $partial -Force -ErrorAction SilentlyContinue
        Exit-WcError 'download_failed' ('downloading {0} failed: {1}' -f $Url, $_.Exception.Message) $Remedy
    }
}

# Gets an archive onto the host and verifies it. The archive is the pushed file at $ArchivePath, or a
# download of $Url into $Downloads\$FileName (default: the URL's file name), kept when a file of the
# pinned hash is already there. It is verified against $Pinned, else against the published checksum
# file at $ChecksumUrl (sha256sum or SHA256SUMS lines), else its hash is only observed (trust on first
# use). A mismatch deletes the file. Returns @{ path; sha256; source = pinned|published|observed }.
function Get-WcArchive([string]$Step, [string]$Url, [string]$Pinned, [string]$ChecksumUrl, [string]$ArchivePath,
                       [string]$Downloads, [string]$FileName, [string]$Remedy) {
    $Pinned = $Pinned.ToLowerInvariant()
    $published = [IO.Path]::GetFileName(([Uri]$Url).AbsolutePath)
    if ($ArchivePath) {
        $path = $ArchivePath
        if (-not (Test-Path -LiteralPath $path -PathType Leaf)) {
            Exit-WcError 'download_failed' ('the pushed archive {0} does not exist' -f $path) 'push the archive from the controller again'
        }
    } else {
        if (-not $FileName) { $FileName = $published }
        New-Item -ItemType Directory -Path $Downloads -Force | Out-Null
        $path = Join-Path $Downloads $FileName
        $have = $Pinned -and (Test-Path -LiteralPath $path -PathType Leaf) -and ((Get-Sha256 $path) -eq $Pinned)
        if (-not $have) {
            Write-WcProgress -Step $Step -Message ('downloading {0}' -f $Url)
            Get-WcDownload $Url $path $Remedy
        }
    }
    $hash = Get-Sha256 $path
    $want = $Pinned
    $source = 'pinned'
    if (-not $want -and $ChecksumUrl) {
        $sumPath = $path + '.checksums'
        Get-WcDownload $ChecksumUrl $sumPath $Remedy
        foreach ($line in @(Get-Content -LiteralPath $sumPath -Encoding UTF8)) {
            if ($line -match '^\s*([0-9A-Fa-f]{64})\s+\*?(\S+)\s*$' -and [IO.Path]::GetFileName($Matches[2]) -eq $published) { $want = $Matches[1].ToLowerInvariant() }
        }
        Remove-Item -LiteralPath $sumPath -Force -ErrorAction SilentlyContinue
        if (-not $want) { Exit-WcError 'checksum_missing' ('{0} does not list {1}' -f $ChecksumUrl, $published) 'pin the sha256 of this archive in the specification, or check the checksum URL' }
        $source = 'published'
    }
    if (-not $want) { return @{ path = $path; sha256 = $hash; source = 'observed' } }
    if ($hash -ne $want) {
        Remove-Item -LiteralPath $path -Force -ErrorAction SilentlyContinue
        Exit-WcError 'checksum_mismatch' ('{0} has SHA-256 {1}; expected {2} ({3})' -f $path, $hash, $want, $source) 'check the pinned hash for this version, or the download path (proxy, mirror); the file was deleted'
    }
    return @{ path = $path; sha256 = $hash; source = $source }
}
