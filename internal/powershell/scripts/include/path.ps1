# include path (scripts/include/path.ps1, shared by the step scripts)
# The machine PATH is the REG_EXPAND_SZ value Path of the machine environment key, and its entries may
# reference other variables (%SystemRoot%\system32). [Environment]::GetEnvironmentVariable('Path',
# 'Machine') returns it expanded and SetEnvironmentVariable writes a REG_SZ, which together would freeze
# every reference for good; these helpers read the value unexpanded and write it back as ExpandString
# (internal/powershell/scripts/README.md, "The machine PATH").
function Get-WcMachinePath {
    $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey('SYSTEM\CurrentControlSet\Control\Session Manager\Environment')
    try {
        return [string]$key.GetValue('Path', '', [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
    } finally {
        $key.Close()
    }
}

function Set-WcMachinePath([string]$Value) {
    $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey('SYSTEM\CurrentControlSet\Control\Session Manager\Environment', $true)
    try {
        $key.SetValue('Path', $Value, [Microsoft.Win32.RegistryValueKind]::ExpandString)
    } finally {
        $key.Close()
    }
    # Programs started afterwards from Explorer see the change once WM_SETTINGCHANGE is broadcast, which
    # SetEnvironmentVariable does for the machine target; removing a variable that does not exist changes
    # nothing else.
    [Environment]::SetEnvironmentVariable('WINCONTAINERS_PATH_CHANGED', $null, 'Machine')
}

# Adds a folder to the machine PATH (and this process's) unless it is there, compared case-insensitively
# and without a trailing backslash.
function Add-WcMachinePath([string]$Dir) {
    $want = $Dir.TrimEnd('\')
    $parts = @((Get-WcMachinePath) -split ';' | Where-Object { $_.Trim() -ne '' })
    $found = @($parts | Where-Object { $_.Trim().TrimEnd('\') -ieq $want })
    if ($found.Count -eq 0) { Set-WcMachinePath (($parts + $want) -join ';') }
    $proc = @(([string]$env:Path) -split ';' | Where-Object { $_.Trim() -ne '' })
    if (@($proc | Where-Object { $_.Trim().TrimEnd('\') -ieq $want }).Count -eq 0) { $env:Path = (($proc + $want) -join ';') }
}

# Removes a folder from the machine PATH (and this process's). Returns $true when the machine PATH held it.
function Remove-WcMachinePath([string]$Dir) {
    $want = $Dir.TrimEnd('\')
    $parts = @((Get-WcMachinePath) -split ';' | Where-Object { $_.Trim() -ne '' })
    $keep = @($parts | Where-Object { $_.Trim().TrimEnd('\') -ine $want })
    $env:Path = (@(([string]$env:Path) -split ';' | Where-Object { $_.Trim() -ne '' -and $_.Trim().TrimEnd('\') -ine $want }) -join ';')
    if ($keep.Count -eq $parts.Count) { return $false }
    Set-WcMachinePath ($keep -join ';')
    return $true
}
