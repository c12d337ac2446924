# wincontainers:script write-manifest/1
# wincontainers:idempotent
# Writes the image manifest, C:\ProgramData\wincontainers\manifest.json: what this machine was made into
# and by what, for the Terraform provider to read back as a fact (the facts script's "manifest"). The
# file is rebuilt from the parameters alone, in a fixed key order, as UTF-8 without a byte-order mark,
# and replaced only when its content differs, so running it twice writes it once. Windows PowerShell 5.1.
# Parameters and result: steps.WriteManifest and steps.WriteManifestResult (internal/steps/scripts.go).

$step = 'write-manifest'

# wincontainers:include errors replace

$p = Get-WcParams
$m = $p.manifest
if ($null -eq $m) {
    Exit-WcError 'invalid_params' 'the manifest parameter is missing' 'this is a planner defect; report it'
}
$builtBy = [string]$m.built_by
$mode = [string]$m.container_mode
$engineType = [string]$m.engine.type
if (@('packer', 'terraform') -notcontains $builtBy -or @('process', 'hyperv', 'lcow') -notcontains $mode -or @('docker', 'containerd') -notcontains $engineType -or [int]$m.schema -lt 1) {
    Exit-WcError 'invalid_params' ('manifest schema {0}, built_by {1}, container_mode {2}, engine {3}: one of them is not valid' -f $m.schema, $builtBy, $mode, $engineType) 'this is a planner defect; report it'
}

$doc = [ordered]@{
    schema = [int]$m.schema
    tool_version = [string]$m.tool_version
    built_by = $builtBy
    container_mode = $mode
    engine = [ordered]@{ type = $engineType; version = [string]$m.engine.version }
    spec_hash = [string]$m.spec_hash
    os = [ordered]@{ build = [int]$m.os.build; ubr = [int]$m.os.ubr }
    images = @($m.images | ForEach-Object { [string]$_ } | Where-Object { $_ -ne '' })
    generalized = [bool]$m.generalized
    verified_at = [string]$m.verified_at
}
$text = $doc | ConvertTo-Json -Depth 5

$dir = Join-Path $env:ProgramData 'wincontainers'
$path = Join-Path $dir 'manifest.json'
$old = $null
if (Test-Path -LiteralPath $path -PathType Leaf) { $old = [IO.File]::ReadAllText($path) }
$changed = ($old -cne $text)
if ($changed) {
    Write-WcProgress -Step $step -Message ('writing {0}' -f $path)
    try {
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        $partial = $path + '.partial'
        [IO.File]::WriteAllText($partial, $text, (New-Object Text.UTF8Encoding $false))
        Move-WcReplace $partial $path
    } catch {
        Exit-WcError 'manifest_write_failed' ('writing {0} failed: {1}' -f $path, $_.Exception.Message) ('check that the account may write {0}' -f $dir)
    }
}
Write-WcResult @{ path = $path; changed = $changed; manifest = $doc }
exit 0
