# wincontainers:script winrm-listener/1
# wincontainers:idempotent
# Creates an HTTPS WinRM listener with a self-signed certificate, and its firewall rule, so that a
# controller that reached the VM through Azure Run Command can then connect over WinRM and pin the
# certificate instead of skipping verification (internal/azure/winrm.go; docs/knowledge/azure.md#winrm-over-https-without-key-vault). Reuses the
# listener and certificate when they already cover the wanted names and are valid for 30 more days.
# Params: {"port": 5986, "dns_names": ["vm1.westeurope.cloudapp.azure.com"], "ip_addresses": ["10.0.0.4"],
# "valid_days": 365}. Result: {"port", "thumbprint", "fingerprint_sha256", "cert_pem", "names", "changed"}.
# "mode": "report" changes nothing and returns the current listener's certificate ({"present": false} when
# there is none); "mode": "remove" with "thumbprint" removes the HTTPS listener (when it uses that
# certificate, or any when thumbprint is empty), the firewall rule and the certificate: {"removed", "present"}.
# Windows PowerShell 5.1 (Server 2016+: New-SelfSignedCertificate -TextExtension).
# wincontainers:include errors

# The names a certificate answers to, from its subject alternative name extension (2.5.29.17), decoded
# from DER (RFC 5280 4.2.1.6: a SEQUENCE of GeneralName; dNSName is [2] IA5String, iPAddress is [7] OCTET
# STRING of 4 or 16 bytes). PowerShell's DnsNameList lists DNS names only, parsed from localized text, so
# a certificate for IP addresses never matched and was made again at every run.
function Get-WcCertNames($Cert) {
    $dnsNames = @()
    $ipNames = @()
    foreach ($ext in @($Cert.Extensions | Where-Object { $_.Oid.Value -eq '2.5.29.17' })) {
        $b = [byte[]]$ext.RawData
        if ($b.Length -lt 2 -or $b[0] -ne 0x30) { continue }
        $r = Read-WcDerLength $b 1
        $i = $r.next
        $end = [Math]::Min($b.Length, $r.next + $r.length)
        while ($i -lt $end - 1) {
            $tag = $b[$i]
            $r = Read-WcDerLength $b ($i + 1)
            if ($r.next + $r.length -gt $end) { break }
            if ($tag -eq 0x82) {
                $dnsNames += [Text.Encoding]::ASCII.GetString($b, $r.next, $r.length)
            } elseif ($tag -eq 0x87 -and ($r.length -eq 4 -or $r.length -eq 16)) {
                $ipNames += (New-Object Net.IPAddress (, [byte[]]$b[$r.next..($r.next + $r.length - 1)])).ToString()
            }
            $i = $r.next + $r.length
        }
    }
    return @{ dns = $dnsNames; ip = $ipNames }
}

# A DER length at $At: @{ length; next = the index of the first content byte }.
function Read-WcDerLength([byte[]]$B, [int]$At) {
    if ($At -ge $B.Length) { return @{ length = 0; next = $B.Length } }
    $first = [int]$B[$At]
    if ($first -lt 0x80) { return @{ length = $first; next = $At + 1 } }
    $count = $first -band 0x7f
    $len = 0
    for ($k = 1; $k -le $count -and $At + $k -lt $B.Length; $k++) { $len = $len * 256 + [int]$B[$At + $k] }
    return @{ length = $len; next = $At + 1 + $count }
}

# An IP address in the form .NET prints it (IPv6 compressed), so that it compares with the certificate's.
function ConvertTo-WcIPText([string]$Text) {
    $a = $null
    if ([Net.IPAddress]::TryParse($Text, [ref]$a)) { return $a.ToString() }
    return $Text
}

$p = Get-WcParams
$port = 5986
if ($p.port) { $port = [int]$p.port }
$days = 365
if ($p.valid_days) { $days = [int]$p.valid_days }
$dns = @([Net.Dns]::GetHostName()) + @($p.dns_names | Where-Object { $_ })
$ips = @($p.ip_addresses | Where-Object { $_ } | ForEach-Object { ConvertTo-WcIPText $_ })
$changed = $false
$mode = 'ensure'
if ($p.mode) { $mode = [string]$p.mode }
if (@('ensure', 'report', 'remove') -notcontains $mode) {
    Exit-WcError 'invalid_params' ('Unknown mode ' + $mode + '.') 'Use ensure, report or remove.'
}

Write-WcProgress 'winrm-listener' 'checking the HTTPS listener'
$listener = $null
try {
    $listener = Get-WSManInstance -ResourceURI winrm/config/listener -SelectorSet @{ Address = '*'; Transport = 'HTTPS' } -ErrorAction Stop
} catch {
    $listener = $null
}
$cert = $null
if ($listener -and $listener.CertificateThumbprint) {
    $cert = Get-Item -LiteralPath ('Cert:\LocalMachine\My\' + $listener.CertificateThumbprint) -ErrorAction SilentlyContinue
}
if ($mode -eq 'remove') {
    $removed = $false
    $want = [string]$p.thumbprint
    if ($listener -and (-not $want -or $listener.CertificateThumbprint -eq $want)) {
        Write-WcProgress 'winrm-listener' 'removing the HTTPS listener'
        Remove-WSManInstance -ResourceURI winrm/config/listener -SelectorSet @{ Address = '*'; Transport = 'HTTPS' }
        $removed = $true
    }
    if ($removed -or -not $listener) {
        Remove-NetFirewallRule -Name 'wincontainers-winrm-https' -ErrorAction SilentlyContinue
    }
    if ($want) {
        Remove-Item -LiteralPath ('Cert:\LocalMachine\My\' + $want) -ErrorAction SilentlyContinue
    }
    Write-WcResult @{ removed = $removed; present = [bool]($listener -and -not $removed) }
    exit 0
}
if ($mode -eq 'report') {
    if (-not $cert) {
        Write-WcResult @{ present = $false }
        exit 0
    }
    $names = Get-WcCertNames $cert
    $dns = @($names.dns)
    $ips = @($names.ip)
    $port = [int]$listener.Port
}
if ($cert -and $mode -eq 'ensure') {
    $names = Get-WcCertNames $cert
    $have = @($names.dns) + @($names.ip)
    $missing = @($dns + $ips | Where-Object { $have -notcontains $_ })
    if ($missing.Count -gt 0 -or $cert.NotAfter -lt (Get-Date).AddDays(30)) { $cert = $null }
}
if (-not $cert) {
    Write-WcProgress 'winrm-listener' 'creating a self-signed certificate'
    $san = @($dns | ForEach-Object { 'DNS=' + $_ }) + @($ips | ForEach-Object { 'IPAddress=' + $_ })
    # The comma binds tighter than + (about_Operator_Precedence): without the inner parentheses the two
    # extensions became one string, "2.5.29.17={text}...  2.5.29.37=...".
    try {
        $cert = New-SelfSignedCertificate -CertStoreLocation 'Cert:\LocalMachine\My' -Subject ('CN=' + $dns[0]) `
            -TextExtension @(('2.5.29.17={text}' + ($san -join '&')), '2.5.29.37={text}1.3.6.1.5.5.7.3.1') `
            -KeyAlgorithm RSA -KeyLength 2048 -HashAlgorithm SHA256 -NotAfter (Get-Date).AddDays($days)
    } catch {
        Exit-WcError 'certificate_failed' ('New-SelfSignedCertificate failed: ' + $_.Exception.Message) 'Check that the machine runs Windows Server 2016 or later.'
    }
    $changed = $true
}
if (-not $listener) {
    New-WSManInstance -ResourceURI winrm/config/listener -SelectorSet @{ Address = '*'; Transport = 'HTTPS' } `
        -ValueSet @{ Hostname = $dns[0]; CertificateThumbprint = $cert.Thumbprint; Port = [string]$port } | Out-Null
    $changed = $true
} elseif ($listener.CertificateThumbprint -ne $cert.Thumbprint -or [int]$listener.Port -ne $port) {
    Set-WSManInstance -ResourceURI winrm/config/listener -SelectorSet @{ Address = '*'; Transport = 'HTTPS' } `
        -ValueSet @{ Hostname = $dns[0]; CertificateThumbprint = $cert.Thumbprint; Port = [string]$port } | Out-Null
    $changed = $true
}
$rule = Get-NetFirewallRule -Name 'wincontainers-winrm-https' -ErrorAction SilentlyContinue
if (-not $rule -and $mode -eq 'ensure') {
    New-NetFirewallRule -Name 'wincontainers-winrm-https' -DisplayName 'Windows Remote Management (HTTPS-In, wincontainers)' `
        -Direction Inbound -Protocol TCP -LocalPort $port -Action Allow -Profile Any | Out-Null
    $changed = $true
}
# SHA256Managed is not FIPS-validated and throws where the FIPS policy is on; Create() picks one that is.
$sha = [Security.Cryptography.SHA256]::Create()
$fp = -join ($sha.ComputeHash($cert.RawData) | ForEach-Object { $_.ToString('x2') })
$b64 = [Convert]::ToBase64String($cert.RawData)
$lines = for ($i = 0; $i -lt $b64.Length; $i += 64) { $b64.Substring($i, [Math]::Min(64, $b64.Length - $i)) }
$pem = "-----BEGIN CERTIFICATE-----`n" + ($lines -join "`n") + "`n-----END CERTIFICATE-----`n"
Write-WcResult @{
    port = $port
    thumbprint = $cert.Thumbprint
    fingerprint_sha256 = $fp
    cert_pem = $pem
    names = @($dns + $ips)
    changed = $changed
    present = $true
}
exit 0
