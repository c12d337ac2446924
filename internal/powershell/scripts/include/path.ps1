# include path (scripts/include/path.ps1, shared by the step scripts)
# Adds a folder to the machine PATH (and this process's) unless it is there, compared case-insensitively
# and without a trailing backslash.
function Add-WcMachinePath([string]$Dir) {
    $want = $Dir.TrimEnd('\')
    $machine = [Environment]::GetEnvironmentVariable('Path', 'Machine')
    $parts = @(([string]$machine) -split ';' | Where-Object { $_.Trim() -ne '' })
    $found = @($parts | Where-Object { $_.Trim().TrimEnd('\') -ieq $want })
    if ($found.Count -eq 0) {
        [Environment]::SetEnvironmentVariable('Path', (($parts + $want) -join ';'), 'Machine')
    }
    $proc = @(([string]$env:Path) -split ';' | Where-Object { $_.Trim() -ne '' })
    if (@($proc | Where-Object { $_.Trim().TrimEnd('\') -ieq $want }).Count -eq 0) { $env:Path = (($proc + $want) -join ';') }
}
