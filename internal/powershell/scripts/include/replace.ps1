# include replace (scripts/include/replace.ps1, shared by the step scripts)
# Puts $Source in the place of $Target in one step. Move-Item -Force deletes an existing target and then
# moves, so a failure between the two leaves no file at all; [IO.File]::Replace (ReplaceFile) swaps the
# files in one call, and [IO.File]::Move is used when there is no target yet. Both paths must be absolute
# and on one volume (they are: a temporary file is written beside its target).
function Move-WcReplace([string]$Source, [string]$Target) {
    if (Test-Path -LiteralPath $Target -PathType Leaf) {
        [IO.File]::Replace($Source, $Target, $null)
    } else {
        [IO.File]::Move($Source, $Target)
    }
}
