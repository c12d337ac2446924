# wincontainers:bootstrap-staged/1
$ErrorActionPreference='Stop';$ProgressPreference='SilentlyContinue'
function Get-WcParams{if(-not $WcParams){return $null};[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($WcParams))|ConvertFrom-Json}
function ConvertTo-WcAscii([string]$J){[regex]::Replace($J,'[^\x00-\x7e]',{param($c)'\u{0:x4}' -f [int][char]$c.Value})}
function Write-WcProgress([string]$Step,[string]$Message,[int]$Percent=-1){$p=@{step=$Step;message=$Message};if($Percent -ge 0){$p.percent=$Percent};[Console]::Out.WriteLine('##wincontainers:progress '+(ConvertTo-WcAscii ($p|ConvertTo-Json -Compress)))}
function Write-WcResult($Object){[Console]::Out.WriteLine('##wincontainers:result '+(ConvertTo-WcAscii ($Object|ConvertTo-Json -Compress -Depth 8)))}
function Stop-WcStaged([string]$Why){[Console]::Error.WriteLine('wincontainers: '+$Why);exit 2}
foreach($f in $WcStale){Remove-Item -LiteralPath $f -Force -ErrorAction SilentlyContinue}
$k=New-Object byte[] 64;$g=New-Object Security.Cryptography.RNGCryptoServiceProvider;$g.GetBytes($k);$g.Dispose()
[Console]::Out.WriteLine('##wincontainers:key '+[Convert]::ToBase64String($k))
$t=[DateTime]::UtcNow.AddSeconds($WcWait);$d=$null
while($null -eq $d){try{$d=[IO.File]::ReadAllBytes($WcIn)}catch{if([DateTime]::UtcNow -gt $t){Stop-WcStaged ('no staged script arrived at '+$WcIn+' within '+$WcWait+' s')};Start-Sleep -Milliseconds 100}}
Remove-Item -LiteralPath $WcIn -Force
$n=$d.Length-48;if($n -lt 16){Stop-WcStaged 'the staged script is truncated'}
$m=New-Object Security.Cryptography.HMACSHA256;$m.Key=[byte[]]($k[32..63])
if([Convert]::ToBase64String($m.ComputeHash($d,0,$n+16)) -cne [Convert]::ToBase64String($d,$n+16,32)){Stop-WcStaged 'the staged script was changed or truncated'}
$a=[Security.Cryptography.Aes]::Create();$a.Key=[byte[]]($k[0..31]);$a.IV=[byte[]]($d[0..15])
$s=[Text.Encoding]::ASCII.GetString($a.CreateDecryptor().TransformFinalBlock($d,16,$n));$k=$d=$null
if($s -notmatch '^wincontainers-script/1 (\d+)\n'){Stop-WcStaged 'the staged script has no script header'}
$b=$s.Substring($Matches[0].Length);if($b.Length -ne [int]$Matches[1]){Stop-WcStaged 'the staged script has the wrong length'}
& ([ScriptBlock]::Create($b))
exit $LASTEXITCODE
