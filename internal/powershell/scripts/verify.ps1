# wincontainers:script verify/1
# wincontainers:idempotent
# Verifies the container host: the engine answers and reports windows/amd64; for Docker, docker info
# shows the default isolation hyperv (hyperv mode) or experimental (lcow mode); with pull, or when the
# image is already present, the build-matched image runs with --isolation=process (process mode) or
# --isolation=hyperv (hyperv and lcow modes); in hyperv mode a detached ping -t proves that the
# container's process is invisible on the host while a utility VM worker (vmwp) runs; in lcow mode a
# Linux image prints Linux from uname. A check that cannot run is reported as skipped with its reason,
# never as passed. When no check failed, spec_hash is recorded in HKLM:\SOFTWARE\wincontainers.
# Containers started here are removed. With compose, a one-service compose project (the build-matched
# image, the mode's isolation, network nat external or the project's own) must come up, run and go
# with `down` (docker compose, or nerdctl compose on containerd). Windows PowerShell 5.1.
# Parameters and result: steps.Verify and steps.VerifyResult (internal/steps/scripts.go).

$step = 'verify'

# wincontainers:include errors native

# Runs the engine's client: docker.exe, or nerdctl.exe on containerd's pipe.
function Invoke-WcEngine([string[]]$ArgumentList) {
    if ($engine -eq 'docker') { return Invoke-WcNative $docker $ArgumentList }
    return Invoke-WcNative $nerdctl (@('--address', $pipe) + $ArgumentList)
}

function Add-WcCheck([string]$Name, [string]$Status, [string]$Detail) {
    $checks.Add([ordered]@{ name = $Name; status = $Status; detail = $Detail })
    if ($Status -eq 'failed') { $failures.Add(('{0}: {1}' -f $Name, $Detail)) }
    Write-WcProgress -Step $step -Message ('{0}: {1}' -f $Name, $Status)
}

# Runs a detached ping -t with Hyper-V isolation and checks that the host does not see the process
# while a utility VM worker process runs.
function Test-WcHyperVIsolation {
    $r = Invoke-WcEngine @('run', '-d', '--isolation=hyperv', $image, 'ping', '-t', 'localhost')
    if ($r.code -ne 0) { Add-WcCheck 'hyperv_isolation' 'failed' $r.output; return }
    $id = @($r.stdout -split "`r?`n")[-1].Trim()
    try {
        $ctrPid = $null
        $topWorks = $false
        $deadline = (Get-Date).AddSeconds(30)
        while ((Get-Date) -lt $deadline) {
            $t = Invoke-WcEngine @('top', $id)
            if ($t.code -eq 0) {
                $topWorks = $true
                if ($t.stdout -match '(?im)^\s*ping(\.exe)?\s+(\d+)\b') { $ctrPid = [int]$Matches[2]; break }
            } elseif ($engine -ne 'docker') {
                break
            }
            Start-Sleep -Seconds 2
        }
        $running = Invoke-WcEngine @('inspect', '--format', '{{.State.Running}}', $id)
        $hostPing = @(Get-Process -Name ping -ErrorAction SilentlyContinue)
        $vmwp = @(Get-Process -Name vmwp -ErrorAction SilentlyContinue)
        if ($running.stdout -ne 'true') {
            Add-WcCheck 'hyperv_isolation' 'failed' ('the ping container is not running: {0}' -f $running.output)
        } elseif ($topWorks -and $null -eq $ctrPid) {
            Add-WcCheck 'hyperv_isolation' 'failed' 'ping did not appear in the container''s process list within 30 seconds'
        } else {
            if ($null -ne $ctrPid) {
                $visible = @($hostPing | Where-Object { $_.Id -eq $ctrPid }).Count -gt 0
            } else {
                # The client cannot list the container's processes: no ping may be visible at all.
                $visible = $hostPing.Count -gt 0
            }
            if ($visible) {
                Add-WcCheck 'hyperv_isolation' 'failed' 'the container''s ping process is visible on the host: the container runs with process isolation'
            } elseif ($vmwp.Count -eq 0) {
                Add-WcCheck 'hyperv_isolation' 'failed' 'no vmwp process runs on the host: no utility VM was started'
            } else {
                Add-WcCheck 'hyperv_isolation' 'passed' ('ping (container pid {0}) is not visible on the host; {1} vmwp process(es) run' -f $ctrPid, $vmwp.Count)
            }
        }
    } finally {
        Invoke-WcEngine @('rm', '-f', $id) | Out-Null
    }
}

# LCOW: a Linux image prints Linux from uname (docker --platform linux, or ctr with runhcs and the
# windows-lcow snapshotter for containerd).
function Test-WcLinux {
    if ($engine -eq 'docker') {
        $present = (Invoke-WcEngine @('image', 'inspect', '--format', '{{.Id}}', $linuxImage)).code -eq 0
        if (-not $present -and -not $pull) { Add-WcCheck 'lcow_linux' 'skipped' ('{0} is not present and pull is false' -f $linuxImage); return }
        $r = Invoke-WcEngine @('run', '--rm', '--platform', 'linux', $linuxImage, 'uname')
    } else {
        $ref = $linuxImage
        if ($ref -notmatch '/') { $ref = 'docker.io/library/' + $ref } elseif ($ref -notmatch '^[^/]*[.:][^/]*/') { $ref = 'docker.io/' + $ref }
        if ($ref -notmatch ':[^/]+$' -and $ref -notmatch '@') { $ref = $ref + ':latest' }
        $list = Invoke-WcNative $ctr @('images', 'ls', '-q')
        $present = ($list.code -eq 0) -and (@($list.stdout -split "`r?`n" | Where-Object { $_.Trim() -eq $ref }).Count -gt 0)
        if (-not $present -and -not $pull) { Add-WcCheck 'lcow_linux' 'skipped' ('{0} is not present and pull is false' -f $ref); return }
        if (-not $present) {
            $r = Invoke-WcNative $ctr @('images', 'pull', '--platform', 'linux/amd64', '--snapshotter', 'windows-lcow', $ref)
            if ($r.code -ne 0) { Add-WcCheck 'lcow_linux' 'failed' $r.output; return }
        }
        $name = 'wincontainers-verify-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $r = Invoke-WcNative $ctr @('run', '--rm', '--runtime', 'io.containerd.runhcs.v1', '--snapshotter', 'windows-lcow', '--platform', 'linux/amd64', $ref, $name, 'uname')
    }
    if ($r.code -eq 0 -and $r.stdout -match '(?m)^Linux\s*$') { Add-WcCheck 'lcow_linux' 'passed' 'uname printed Linux' } else { Add-WcCheck 'lcow_linux' 'failed' $r.output }
}

# Compose: a one-service project on the build-matched image in the mode's isolation, on the host's nat
# network as external (compose.network "nat", what Windows Server 2016 needs) or on a network of its
# own ("project"); it must run, and `down` must leave no container. docker compose on Docker, nerdctl
# compose on containerd.
function Invoke-WcCompose([string[]]$ArgumentList) {
    $base = @('compose', '-p', $composeProject, '-f', $composeFile)
    if ($engine -eq 'docker') { return Invoke-WcNative $docker ($base + $ArgumentList) }
    return Invoke-WcNative $nerdctl (@('--address', $pipe) + $base + $ArgumentList)
}

function Test-WcCompose {
    if ($engine -eq 'docker') {
        $r = Invoke-WcNative $docker @('compose', 'version', '--short')
        if ($r.code -ne 0) { Add-WcCheck 'compose' 'failed' $r.output; return }
        Add-WcCheck 'compose' 'passed' ('docker compose {0}' -f $r.stdout)
    }
    if (-not $image) { Add-WcCheck 'compose_up' 'skipped' 'no image was given'; return }
    $present = (Invoke-WcEngine @('image', 'inspect', $image)).code -eq 0
    if (-not $present -and -not $pull) { Add-WcCheck 'compose_up' 'skipped' ('{0} is not present and pull is false' -f $image); return }
    $quoted = $image.Replace("'", "''")
    $lines = @('services:', '  probe:', ("    image: '{0}'" -f $quoted), "    command: ['ping', '-t', 'localhost']", ("    isolation: '{0}'" -f $runIsolation))
    if ($composeNetwork -eq 'nat') { $lines += @('networks:', '  default:', '    name: nat', '    external: true') }
    try {
        New-Item -ItemType Directory -Path (Split-Path -Parent $composeFile) -Force | Out-Null
        [IO.File]::WriteAllText($composeFile, (($lines -join "`r`n") + "`r`n"), (New-Object Text.UTF8Encoding $false))
    } catch {
        Add-WcCheck 'compose_up' 'failed' ('writing {0} failed: {1}' -f $composeFile, $_.Exception.Message)
        return
    }
    Write-WcProgress -Step $step -Message ('compose up -d: project {0}, network {1}, isolation {2}' -f $composeProject, $composeNetwork, $runIsolation)
    $up = Invoke-WcCompose @('up', '-d')
    if ($up.code -ne 0) {
        Add-WcCheck 'compose_up' 'failed' $up.output
    } else {
        Add-WcCheck 'compose_up' 'passed' ('project {0} started' -f $composeProject)
        $ps = Invoke-WcCompose @('ps', '--services', '--status', 'running')
        if ($ps.code -eq 0 -and @($ps.stdout -split "`r?`n" | Where-Object { $_.Trim() -eq 'probe' }).Count -eq 1) {
            Add-WcCheck 'compose_running' 'passed' 'the probe service runs'
        } else {
            Add-WcCheck 'compose_running' 'failed' ('the probe service is not running: {0}' -f $ps.output)
        }
    }
    # down runs even after a failed up: whatever it created goes.
    $down = Invoke-WcCompose @('down')
    $left = Invoke-WcCompose @('ps', '-a', '-q')
    if ($down.code -ne 0) {
        Add-WcCheck 'compose_down' 'failed' $down.output
    } elseif ($left.code -ne 0 -or $left.stdout) {
        Add-WcCheck 'compose_down' 'failed' ('containers of project {0} remain after down: {1}' -f $composeProject, $left.output)
    } else {
        Add-WcCheck 'compose_down' 'passed' 'down removed the project'
    }
    Remove-Item -LiteralPath (Split-Path -Parent $composeFile) -Recurse -Force -ErrorAction SilentlyContinue
}

$p = Get-WcParams
$mode = [string]$p.mode
$engine = [string]$p.engine
$image = [string]$p.image
$linuxImage = [string]$p.linux_image
if (-not $linuxImage) { $linuxImage = 'busybox' }
$pull = [bool]$p.pull
$specHash = [string]$p.spec_hash
if (@('process', 'hyperv', 'lcow') -notcontains $mode -or @('docker', 'containerd') -notcontains $engine) {
    Exit-WcError 'invalid_params' ('unknown mode {0} or engine {1}' -f $mode, $engine) 'this is a planner defect; report it'
}
$docker = Join-Path $env:ProgramFiles 'Docker\docker.exe'
$nerdctl = Join-Path $env:ProgramFiles 'nerdctl\nerdctl.exe'
$ctr = Join-Path $env:ProgramFiles 'containerd\bin\ctr.exe'
$pipe = '\\.\pipe\containerd-containerd'
$checks = New-Object 'System.Collections.Generic.List[object]'
$failures = New-Object 'System.Collections.Generic.List[string]'
$osArch = ''
$isolation = ''
$runIsolation = 'hyperv'
if ($mode -eq 'process') { $runIsolation = 'process' }

# 1. The engine answers and reports windows/amd64.
if ($engine -eq 'docker') {
    $r = Invoke-WcEngine @('version', '--format', '{{.Server.Os}}/{{.Server.Arch}}')
    if ($r.code -eq 0) { $osArch = $r.stdout }
} else {
    $r = Invoke-WcEngine @('version', '--format', '{{json .}}')
    if ($r.code -eq 0) {
        try {
            # The JSON is stdout; nerdctl's warnings (buildctl, runc) are stderr.
            $v = $r.stdout | ConvertFrom-Json
            if (@($v.Server.Components | Where-Object { $_.Name -eq 'containerd' }).Count -gt 0) { $osArch = '{0}/{1}' -f $v.Client.Os, $v.Client.Arch }
        } catch {
            $osArch = ''
        }
    }
}
$engineUp = ($osArch -eq 'windows/amd64')
if ($engineUp) {
    Add-WcCheck 'engine' 'passed' ('{0} answers, {1}' -f $engine, $osArch)
} elseif ($osArch) {
    Add-WcCheck 'engine' 'failed' ('{0} reports {1}; expected windows/amd64 (a Linux engine answers on this host)' -f $engine, $osArch)
} else {
    Add-WcCheck 'engine' 'failed' $r.output
}

# 2. docker info: the default isolation (hyperv mode), experimental (lcow mode).
if (-not $engineUp) {
    if ($mode -ne 'process') { Add-WcCheck 'engine_config' 'skipped' 'the engine did not answer' }
} elseif ($engine -eq 'docker') {
    $r = Invoke-WcEngine @('info', '--format', '{{.Isolation}} {{.ExperimentalBuild}}')
    $fields = @($r.stdout -split '\s+')
    if ($r.code -ne 0 -or $fields.Count -lt 2) {
        Add-WcCheck 'engine_config' 'failed' $r.output
    } else {
        $isolation = $fields[0]
        if ($mode -eq 'hyperv') {
            if ($isolation -eq 'hyperv') { Add-WcCheck 'default_isolation' 'passed' 'hyperv' } else { Add-WcCheck 'default_isolation' 'failed' ('the default isolation is {0}; expected hyperv (exec-opts isolation=hyperv in daemon.json)' -f $isolation) }
        } elseif ($mode -eq 'lcow') {
            if ($fields[1] -eq 'true') { Add-WcCheck 'experimental' 'passed' 'experimental is on' } else { Add-WcCheck 'experimental' 'failed' 'experimental is off; LCOW needs "experimental": true in daemon.json' }
        }
    }
} elseif ($mode -ne 'process') {
    Add-WcCheck 'engine_config' 'skipped' 'containerd has no default isolation or experimental setting; the run checks below test the mode'
}
if ($engine -eq 'containerd' -or -not $isolation) { $isolation = $runIsolation }

# 3. Run the build-matched image, the Hyper-V proof, the Linux image.
$runName = 'run_' + $runIsolation
if (-not $engineUp) {
    Add-WcCheck $runName 'skipped' 'the engine did not answer'
} elseif (-not $image) {
    Add-WcCheck $runName 'skipped' 'no image was given'
} else {
    $present = (Invoke-WcEngine @('image', 'inspect', $image)).code -eq 0
    $ready = $present
    if (-not $present -and $pull) {
        Write-WcProgress -Step $step -Message ('pulling {0}' -f $image)
        $r = Invoke-WcEngine @('pull', $image)
        if ($r.code -eq 0) { Add-WcCheck 'pull' 'passed' $image; $ready = $true } else { Add-WcCheck 'pull' 'failed' $r.output }
    }
    if (-not $ready) {
        $why = ('{0} is not present and pull is false' -f $image)
        if ($pull) { $why = ('{0} could not be pulled' -f $image) }
        Add-WcCheck $runName 'skipped' $why
        if ($mode -eq 'hyperv') { Add-WcCheck 'hyperv_isolation' 'skipped' $why }
    } else {
        Write-WcProgress -Step $step -Message ('running {0} with --isolation={1}' -f $image, $runIsolation)
        $r = Invoke-WcEngine @('run', '--rm', ('--isolation=' + $runIsolation), $image, 'cmd', '/c', 'ver')
        if ($r.code -eq 0) { Add-WcCheck $runName 'passed' $r.stdout } else { Add-WcCheck $runName 'failed' $r.output }
        if ($mode -eq 'hyperv') {
            if ($r.code -eq 0) { Test-WcHyperVIsolation } else { Add-WcCheck 'hyperv_isolation' 'skipped' 'the Hyper-V isolated container did not run' }
        }
    }
}
if ($mode -eq 'lcow') {
    if ($engineUp) { Test-WcLinux } else { Add-WcCheck 'lcow_linux' 'skipped' 'the engine did not answer' }
}
if ($null -ne $p.compose) {
    $composeProject = [string]$p.compose.project
    $composeNetwork = [string]$p.compose.network
    if ($composeProject -notmatch '^[a-z0-9][a-z0-9_-]*$' -or @('nat', 'project') -notcontains $composeNetwork) {
        Exit-WcError 'invalid_params' ('unknown compose project {0} or network {1}' -f $composeProject, $composeNetwork) 'this is a planner defect; report it'
    }
    $composeFile = Join-Path $env:ProgramData ('wincontainers\{0}\compose.yaml' -f $composeProject)
    if ($engineUp) { Test-WcCompose } else { Add-WcCheck 'compose_up' 'skipped' 'the engine did not answer' }
}

if ($failures.Count -gt 0) {
    Write-WcResult @{ error = @{ code = 'verify_failed'; message = ($failures -join '; '); remedy = 'see the failed checks; fix the cause and run verify again' }; checks = $checks; os_arch = $osArch; isolation = $isolation }
    exit 1
}

# 4. The marker.
if ($specHash) {
    try {
        $key = 'HKLM:\SOFTWARE\wincontainers'
        if (-not (Test-Path -LiteralPath $key)) { New-Item -Path $key -Force | Out-Null }
        New-ItemProperty -Path $key -Name 'VerifiedSpecHash' -Value $specHash -PropertyType String -Force | Out-Null
        $at = (Get-Date).ToUniversalTime().ToString('o')
        New-ItemProperty -Path $key -Name 'VerifiedAt' -Value $at -PropertyType String -Force | Out-Null
    } catch {
        Exit-WcError 'marker_write_failed' ('recording the verification in {0} failed: {1}' -f $key, $_.Exception.Message) 'check that the account may write HKLM:\SOFTWARE'
    }
}

Write-WcResult @{ checks = $checks; os_arch = $osArch; isolation = $isolation }
exit 0
