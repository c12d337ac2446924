# wincontainers:script install-features/1
# wincontainers:idempotent
# Installs the Windows features a container host needs. On Windows Server it uses ServerManager
# (Install-WindowsFeature, Hyper-V with its management tools); on client editions DISM
# (Enable-WindowsOptionalFeature -All -NoRestart). A feature that is already installed or enabled, or
# whose installation is pending a restart, is left alone. Never restarts the host: exit 3010 tells the
# executor that a restart is needed. Windows PowerShell 5.1.
# Parameters and result: steps.InstallFeatures and steps.InstallFeaturesResult (internal/steps/scripts.go).

# wincontainers:include errors

$p = Get-WcParams
$names = @()
if ($null -ne $p -and $null -ne $p.features) { $names = @($p.features | ForEach-Object { [string]$_ }) }
$client = ($null -ne $p) -and [bool]$p.client
$remedy = 'check that virtualization is enabled in the firmware (or exposed to this VM) and that the edition supports the feature, then run again'

if (-not $client) {
    try {
        Import-Module ServerManager
    } catch {
        Exit-WcError 'feature_install_failed' ('the ServerManager module is not available: {0}' -f $_.Exception.Message) 'on client editions set client: true; on Windows Server check the ServerManager module'
    }
}

$states = [ordered]@{}
$restart = $false
foreach ($name in $names) {
    Write-WcProgress -Step 'install-features' -Message ('checking feature {0}' -f $name)
    try {
        if ($client) {
            $f = Get-WindowsOptionalFeature -Online -FeatureName $name
            if ($null -eq $f) { throw ('the optional feature {0} does not exist on this edition' -f $name) }
            $state = $f.State.ToString()
            if ($state -ne 'Enabled' -and $state -ne 'EnablePending') {
                Write-WcProgress -Step 'install-features' -Message ('enabling {0}' -f $name)
                $r = Enable-WindowsOptionalFeature -Online -FeatureName $name -All -NoRestart
                if ($r.RestartNeeded) { $restart = $true }
                $state = (Get-WindowsOptionalFeature -Online -FeatureName $name).State.ToString()
            }
        } else {
            $f = Get-WindowsFeature -Name $name
            if ($null -eq $f) { throw ('the Windows feature {0} does not exist on this server' -f $name) }
            $state = $f.InstallState.ToString()
            if ($state -ne 'Installed' -and $state -ne 'InstallPending') {
                Write-WcProgress -Step 'install-features' -Message ('installing {0}' -f $name)
                if ($name -eq 'Hyper-V') {
                    $r = Install-WindowsFeature -Name $name -IncludeManagementTools
                } else {
                    $r = Install-WindowsFeature -Name $name
                }
                if (-not $r.Success) { throw ('Install-WindowsFeature {0} did not succeed (exit code {1})' -f $name, $r.ExitCode) }
                if ([string]$r.RestartNeeded -ne 'No') { $restart = $true }  # Yes or Maybe (RestartState)
                $state = (Get-WindowsFeature -Name $name).InstallState.ToString()
            }
        }
    } catch {
        Exit-WcError 'feature_install_failed' $_.Exception.Message $remedy
    }
    # A feature installed earlier whose restart has not happened yet still needs it.
    if ($state -match 'Pending$') { $restart = $true }
    $states[$name] = $state
}

Write-WcProgress -Step 'install-features' -Message ('features done; restart needed: {0}' -f $restart)
Write-WcResult @{ features = $states; restart_needed = $restart }
if ($restart) { exit 3010 }
exit 0
