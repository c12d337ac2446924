# wincontainers:script pull-images/1
# wincontainers:idempotent
# Pulls container images into the running engine's store, for an image that is captured with them
# (a Packer build's pre-pulled base images). An image already present is not pulled again. The engine's
# own checks apply: Docker refuses a Windows image built for a newer build than the host's ("a Windows
# version 10.0.X-based image is incompatible with a 10.0.Y host"), and a tag the registry does not
# publish fails with the registry's answer. The first failure stops the script with the engine's text;
# the images pulled before it stay. Windows PowerShell 5.1.
# Parameters and result: steps.PullImages and steps.PullImagesResult (internal/steps/scripts.go).

$step = 'pull-images'

# wincontainers:include errors native

# Runs the engine's client: docker.exe, or nerdctl.exe on containerd's pipe.
function Invoke-WcEngine([string[]]$ArgumentList) {
    if ($engine -eq 'docker') { return Invoke-WcNative (Join-Path $env:ProgramFiles 'Docker\docker.exe') $ArgumentList }
    return Invoke-WcNative (Join-Path $env:ProgramFiles 'nerdctl\nerdctl.exe') (@('--address', '\\.\pipe\containerd-containerd') + $ArgumentList)
}

$p = Get-WcParams
$engine = [string]$p.engine
if ($engine -ne 'docker' -and $engine -ne 'containerd') {
    Exit-WcError 'invalid_params' ('engine must be docker or containerd, not {0}' -f $engine) 'this is a planner defect; report it'
}
$images = @($p.images | ForEach-Object { ([string]$_).Trim() } | Where-Object { $_ -ne '' })
$pulled = New-Object 'System.Collections.Generic.List[string]'
$present = New-Object 'System.Collections.Generic.List[string]'

foreach ($image in $images) {
    if ($pulled.Contains($image) -or $present.Contains($image)) { continue }
    if ((Invoke-WcEngine @('image', 'inspect', $image)).code -eq 0) {
        $present.Add($image)
        continue
    }
    Write-WcProgress -Step $step -Message ('pulling {0}' -f $image)
    $r = Invoke-WcEngine @('pull', $image)
    if ($r.code -ne 0) {
        Exit-WcError 'pull_failed' ('pulling {0} failed: {1}' -f $image, $r.output) 'pull images whose build the host can run (a Windows base image of the host''s build, see the wincontainers_base_image data source), and check that the host reaches the registry'
    }
    $pulled.Add($image)
}

Write-WcProgress -Step $step -Message ('{0} pulled, {1} already present' -f $pulled.Count, $present.Count)
Write-WcResult @{ engine = $engine; pulled = $pulled; present = $present }
exit 0
