# wincontainers:bootstrap/1
$ErrorActionPreference='Stop';$ProgressPreference='SilentlyContinue'
function Get-WcParams{if(-not $WcParams){return $null};[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($WcParams))|ConvertFrom-Json}
function ConvertTo-WcAscii([string]$J){[regex]::Replace($J,'[^\x00-\x7e]',{param($c)'\u{0:x4}' -f [int][char]$c.Value})}
function Write-WcProgress([string]$Step,[string]$Message,[int]$Percent=-1){$p=@{step=$Step;message=$Message};if($Percent -ge 0){$p.percent=$Percent};[Console]::Out.WriteLine('##wincontainers:progress '+(ConvertTo-WcAscii ($p|ConvertTo-Json -Compress)))}
function Write-WcResult($Object){[Console]::Out.WriteLine('##wincontainers:result '+(ConvertTo-WcAscii ($Object|ConvertTo-Json -Compress -Depth 8)))}
$in=[Console]::In;$h=$in.ReadLine()
if($h -notmatch '^wincontainers-script/1 (\d+)$'){[Console]::Error.WriteLine('wincontainers: stdin does not start with a script header');exit 2}
$n=[int]$Matches[1];$b=New-Object char[] $n;$r=0
while($r -lt $n){$k=$in.Read($b,$r,$n-$r);if($k -le 0){[Console]::Error.WriteLine('wincontainers: stdin ended inside the script');exit 2};$r+=$k}
& ([ScriptBlock]::Create((New-Object string (,$b))))
exit $LASTEXITCODE
