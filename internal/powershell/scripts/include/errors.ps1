# include errors (scripts/include/errors.ps1, shared by the step scripts)
# Writes the failure result and ends the script with exit code 1.
function Exit-WcError([string]$Code, [string]$Message, [string]$Remedy) {
    Write-WcResult @{ error = @{ code = $Code; message = $Message; remedy = $Remedy } }
    exit 1
}
