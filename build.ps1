#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and packages the DsOps module: a thin layer over `dotnet`.
.DESCRIPTION
    Build    publishes the module into out/DsOps (importable with Import-Module ./out/DsOps/DsOps.psd1), with
             ahead-of-time code for this machine's OS, CPU and .NET (src/DsOps/ReadyToRun.targets).
    Test     runs every test project (xunit; the hosted PowerShell engine, a throwaway MariaDB, the DS emulator).
    Package  builds a portable copy (IL only: any OS and CPU) and zips it into out/DsOps-<version>.zip for
             Install-Module style distribution.
    Help     regenerates module/DsOps/en-US/DsOps.dll-Help.xml from the cmdlets' XML doc comments.
.EXAMPLE
    ./build.ps1
    Builds the module into out/DsOps.
.EXAMPLE
    ./build.ps1 -Task Build, Test -Configuration Release
    Builds and runs all tests in Release.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Help', 'Clean')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'DsOps'

function Invoke-Dotnet {
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    Write-Verbose "dotnet $($Arguments -join ' ')"
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE" }
}

foreach ($step in $Task) {
    switch ($step) {
        'Clean' {
            if (Test-Path $out) { Remove-Item $out -Recurse -Force }
            Invoke-Dotnet clean (Join-Path $root 'DsOps.sln') -c $Configuration
        }
        'Build' {
            Invoke-Dotnet publish (Join-Path $root 'src/DsOps/DsOps.csproj') -c $Configuration
            Write-Host "Module assembled in $moduleOut"
        }
        'Help' {
            $env:DSOPS_UPDATE_HELP = '1'
            try { Invoke-Dotnet test (Join-Path $root 'tests/DsOps.Tests') -c $Configuration --filter 'FullyQualifiedName~HelpTests' }
            finally { Remove-Item Env:DSOPS_UPDATE_HELP }
        }
        'Test' {
            Invoke-Dotnet test (Join-Path $root 'DsOps.sln') -c $Configuration
        }
        'Package' {
            # Ahead-of-time code only loads on the OS and CPU it was compiled for; a package travels.
            Invoke-Dotnet publish (Join-Path $root 'src/DsOps/DsOps.csproj') -c $Configuration '-p:DsOpsReadyToRun=false'
            $manifest = Import-PowerShellDataFile (Join-Path $moduleOut 'DsOps.psd1')
            $zip = Join-Path $out "DsOps-$($manifest.ModuleVersion).zip"
            if (Test-Path $zip) { Remove-Item $zip }
            Compress-Archive -Path $moduleOut -DestinationPath $zip
            Write-Host "Package written to $zip"
        }
    }
}
