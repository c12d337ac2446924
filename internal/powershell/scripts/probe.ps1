# wincontainers:script probe/1
# wincontainers:idempotent
# Identifies the current boot, so that a caller can tell that a restart has happened, and reports
# that PowerShell runs. Read-only. Windows PowerShell 5.1.
$os = Get-CimInstance -ClassName Win32_OperatingSystem
$boot = $os.LastBootUpTime.ToUniversalTime()
$build = (Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion').CurrentBuildNumber
Write-WcResult @{
    boot_id = [string]$boot.Ticks
    last_boot_up_time = $boot.ToString('o')
    computer_name = [string]$env:COMPUTERNAME
    ps_version = $PSVersionTable.PSVersion.ToString()
    os_build = [int]$build
}
exit 0
