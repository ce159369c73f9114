#Requires -Version 7.4
<#
.SYNOPSIS
    Runs the Pester suites (tests/DsOps.Pester/*.Tests.ps1) against the published DsOps module.
.DESCRIPTION
    Run it in a fresh pwsh (`dotnet pwsh -NoProfile -File tests/DsOps.Pester/Invoke-DsOpsPester.ps1`) after
    `dotnet publish src/DsOps -c Release` and `dotnet build tests/DsOps.Emulator -c Release`. Pester 5.7.1 is imported
    from the NuGet global packages folder (restored by tests/DsOps.Pester/DsOps.Pester.csproj), never from the network.
    Writes the results as NUnit or JUnit XML, prints "Pester: N passed, N failed, N skipped" and exits 1 on any failure.
.PARAMETER Path
    Test files or folders (default: this folder).
.PARAMETER ResultPath
    Result file (default: out/TestResults/pester.xml).
.PARAMETER OutputFormat
    NUnitXml (default) or JUnitXml.
.PARAMETER FullNameFilter
    Only tests whose full name matches one of these wildcards.
.PARAMETER Output
    Pester's console verbosity: None, Normal (default), Detailed, Diagnostic.
#>
[CmdletBinding()]
param(
    [string[]] $Path = @($PSScriptRoot),
    [Alias('OutputFile')] [string] $ResultPath,
    [ValidateSet('NUnitXml', 'JUnitXml')] [string] $OutputFormat = 'NUnitXml',
    [string[]] $FullNameFilter,
    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')] [string] $Output = 'Normal'
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$PesterVersion = '5.7.1'
$repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
if (-not $ResultPath) { $ResultPath = Join-Path $repo 'out/TestResults/pester.xml' }

if (Get-Module DsOps) {
    throw 'DsOps is already imported in this session; run the Pester suites in a fresh pwsh: dotnet pwsh -NoProfile -File tests/DsOps.Pester/Invoke-DsOpsPester.ps1'
}

# Pester from the NuGet global packages folder: NUGET_PACKAGES if set, else what `dotnet nuget locals` reports.
$packages = $env:NUGET_PACKAGES
if (-not $packages) {
    $line = & dotnet nuget locals global-packages --list 2>$null | Select-Object -First 1
    if ($line -match 'global-packages:\s*(.+)$') { $packages = $Matches[1].Trim() }
}
if (-not $packages) { $packages = Join-Path $HOME '.nuget/packages' }
$pesterManifest = Join-Path $packages "pester/$PesterVersion/tools/Pester.psd1"
if (-not (Test-Path -LiteralPath $pesterManifest)) {
    throw "Pester $PesterVersion was not found at '$pesterManifest'. Run 'dotnet restore tests/DsOps.Pester' (it downloads Pester from the NuGet feed)."
}
Import-Module $pesterManifest -Force

# The published module (the harness refuses src/'s build output), checked before any test runs.
Import-Module (Join-Path $PSScriptRoot 'DsOpsTestHarness.psm1') -Force
$module = Get-DsTestModulePath
$null = Get-DsTestEmulatorPath
$env:DSOPS_MODULE_PATH = $module
# A module published before the last source change tests old code: say so (build.ps1 -Task Test always publishes).
$published = Get-ChildItem (Split-Path $module) -Recurse -File | Sort-Object LastWriteTimeUtc | Select-Object -Last 1
if ($published -and $module.StartsWith((Join-Path $repo "out"), [StringComparison]::Ordinal)) {
    $newer = Get-ChildItem (Join-Path $repo 'src'), (Join-Path $repo 'module') -Recurse -File -Include *.cs, *.psd1, *.ps1xml, *.xml -ErrorAction SilentlyContinue |
        Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' -and $_.LastWriteTimeUtc -gt $published.LastWriteTimeUtc } | Select-Object -First 3
    if ($newer) { Write-Warning "The published module is older than $($newer.FullName -join ', '); run 'dotnet publish src/DsOps -c Release' to test the current code." }
}
Write-Host "DsOps module: $module"
Write-Host "Pester $PesterVersion from $pesterManifest"

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Output.Verbosity = $Output
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = $OutputFormat
$config.TestResult.OutputPath = $ResultPath
if ($FullNameFilter) { $config.Filter.FullName = $FullNameFilter }
$null = New-Item -ItemType Directory -Force -Path (Split-Path $ResultPath)

$watch = [Diagnostics.Stopwatch]::StartNew()
$result = Invoke-Pester -Configuration $config
$watch.Stop()

$failedContainers = @($result.Containers | Where-Object { $_.Result -eq 'Failed' }).Count
Write-Host ('Pester ran {0} tests ({1} not run, {2} containers failed) in {3:n0} s; results: {4}' -f
    $result.TotalCount, $result.NotRunCount, $failedContainers, $watch.Elapsed.TotalSeconds, $ResultPath)
Write-Host ('Pester: {0} passed, {1} failed, {2} skipped' -f $result.PassedCount, $result.FailedCount, $result.SkippedCount)
$ok = $result.FailedCount -eq 0 -and $result.FailedBlocksCount -eq 0 -and $result.FailedContainersCount -eq 0 -and $result.PassedCount -gt 0
exit $(if ($ok) { 0 } else { 1 })
