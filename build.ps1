#Requires -Version 7.4
<#
.SYNOPSIS
    The one entry point to build, test, package and try the DsOps module.
.DESCRIPTION
    Run it with the pinned PowerShell of the repository's tool manifest:

        dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test

    Build    publishes the module into out/DsOps (importable with Import-Module ./out/DsOps/DsOps.psd1), with
             ahead-of-time code for this machine's OS, CPU and .NET (src/DsOps/ReadyToRun.targets).
    Test     builds everything, runs the xunit projects (engine, hosted PowerShell, emulator, package smoke tests),
             then the Pester suites in a fresh pwsh against the published module. Results go to out/TestResults
             (TRX for xunit, NUnit XML for Pester); the last line sums both.
    Package  builds a portable copy (IL only: any OS and CPU) and zips it into out/DsOps-<version>.zip.
    Help     regenerates module/DsOps/en-US/DsOps.dll-Help.xml from the cmdlets' XML doc comments.
    Sandbox  starts the DS emulator on a throwaway MariaDB with demo projects, scheduled workflows and 30 days of run
             history, prints its API URL, token and metadata connection string, and opens pwsh with DsOps imported
             and both connections made. Leaving that shell (exit), Ctrl+C while starting, SIGTERM or closing the
             terminal stop the emulator and its database and remove their temporary data. Commands piped to standard
             input run in that shell.
    Clean    removes out/ and the build output.
.PARAMETER Task
    One or more of Build, Test, Package, Help, Sandbox, Clean, run in the order given.
.PARAMETER Configuration
    The .NET build configuration (default Release).
.PARAMETER Dialect
    Sandbox only: the DS version the emulator speaks: 3.0, 3.2 (default) or 3.3.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Sandbox
    Builds the module and the emulator, then opens a shell connected to a DS 3.2 sandbox with demo content.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
    Builds and runs every test: xunit and Pester.
.EXAMPLE
    'Get-DsProject', 'Get-DsRunReport -As Text' | dotnet pwsh ./build.ps1 -Task Sandbox
    Runs two commands in the sandbox shell and stops it again.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Help', 'Sandbox', 'Clean')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [ValidateSet('3.0', '3.2', '3.3')]
    [string] $Dialect = '3.2'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'DsOps'
$results = Join-Path $out 'TestResults'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Invoke-Dotnet {
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    Write-Verbose "dotnet $($Arguments -join ' ')"
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE" }
}

# The pwsh running this script, started again as a child (the tool is `dotnet pwsh.dll`, an installed pwsh is itself).
function Get-PwshCommand {
    $self = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { return @($self, (Join-Path $PSHOME 'pwsh.dll')) }
    return @($self)
}

function Invoke-XunitTests {
    New-Item -ItemType Directory -Force $results | Out-Null
    $lines = [System.Collections.Generic.List[string]]::new()
    & dotnet test (Join-Path $root 'DsOps.sln') -c $Configuration --no-build --results-directory $results --logger 'trx' 2>&1 |
        ForEach-Object { $line = "$_"; $lines.Add($line); Write-Host $line }
    $exit = $LASTEXITCODE
    $totals = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
    foreach ($line in $lines) {
        if ($line -match '(Passed|Failed)!\s+-\s+Failed:\s+(\d+),\s+Passed:\s+(\d+),\s+Skipped:\s+(\d+)') {
            $totals.Failed += [int]$Matches[2]; $totals.Passed += [int]$Matches[3]; $totals.Skipped += [int]$Matches[4]
        }
    }
    if ($exit -ne 0 -and $totals.Failed -eq 0) { $totals.Failed = 1 } # a crash that printed no summary still fails
    Write-Host ("xunit: {0} passed, {1} failed, {2} skipped" -f $totals.Passed, $totals.Failed, $totals.Skipped)
    return $totals
}

function Invoke-PesterTests {
    # A fresh pwsh, so the suites see the published module exactly as a user's session does.
    $pwsh = @(Get-PwshCommand)
    $lines = [System.Collections.Generic.List[string]]::new()
    $runner = Join-Path $root 'tests/DsOps.Pester/Invoke-DsOpsPester.ps1'
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoLogo -NoProfile -NonInteractive -File $runner -ResultPath (Join-Path $results 'pester.xml') 2>&1 |
        ForEach-Object { $line = "$_"; $lines.Add($line); Write-Host $line }
    $exit = $LASTEXITCODE
    $totals = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
    $summary = $lines | Where-Object { $_ -match '^Pester: (\d+) passed, (\d+) failed, (\d+) skipped' } | Select-Object -Last 1
    if ($summary -and $summary -match '^Pester: (\d+) passed, (\d+) failed, (\d+) skipped') {
        $totals.Passed = [int]$Matches[1]; $totals.Failed = [int]$Matches[2]; $totals.Skipped = [int]$Matches[3]
    }
    if ($exit -ne 0 -and $totals.Failed -eq 0) { $totals.Failed = 1 }
    return $totals
}

# The processes whose end must end the sandbox: this pwsh and the `dotnet pwsh` launcher processes above it
# (a SIGTERM to the launcher does not reach this process).
function Get-LifetimePids {
    $pids = [System.Collections.Generic.List[int]]::new()
    $pids.Add($PID)
    if (-not $IsLinux) { return $pids }
    $current = $PID
    while ($true) {
        $stat = Get-Content "/proc/$current/stat" -Raw -ErrorAction SilentlyContinue
        if (-not $stat) { break }
        $parent = [int](($stat.Substring($stat.LastIndexOf(')') + 2) -split ' ')[1])
        $comm = (Get-Content "/proc/$parent/comm" -Raw -ErrorAction SilentlyContinue)
        if ($parent -le 1 -or -not $comm -or $comm.Trim() -ne 'dotnet') { break }
        $pids.Add($parent)
        $current = $parent
    }
    return $pids
}

function Stop-EmulatorProcess([int] $EmulatorPid, [string] $WorkDir) {
    $process = Get-Process -Id $EmulatorPid -ErrorAction SilentlyContinue
    if ($process -and -not $process.HasExited) {
        if ($IsWindows) { $process.Kill($true) } else { & kill -s TERM $EmulatorPid 2>$null }
        if (-not $process.WaitForExit(30000)) { $process.Kill($true) }
    }
    if (Test-Path $WorkDir) { Remove-Item $WorkDir -Recurse -Force -ErrorAction SilentlyContinue }
}

function Start-Sandbox {
    Invoke-Dotnet publish (Join-Path $root 'src/DsOps/DsOps.csproj') -c $Configuration --nologo '--verbosity' 'quiet'
    Invoke-Dotnet build (Join-Path $root 'tests/DsOps.Emulator/DsOps.Emulator.csproj') -c $Configuration --nologo '--verbosity' 'quiet'
    $emulatorDll = Join-Path $root "tests/DsOps.Emulator/bin/$Configuration/net10.0/DsOps.Emulator.dll"
    $work = Join-Path ([IO.Path]::GetTempPath()) ('dsops-sandbox-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory $work | Out-Null
    $infoFile = Join-Path $work 'info.json'
    $emulatorArgs = @($emulatorDll, '--sandbox', '--cluster', 'three', '--dialect', $Dialect, '--work-dir', $work, '--info-file', $infoFile,
        '--watch-pid', ((Get-LifetimePids) -join ','), '--companion-pid-file', (Join-Path $work 'shell.pid'), '--ignore-sigint')
    # Its own session, so Ctrl+C typed in the sandbox shell reaches the shell only; the watched pids and the
    # companion file tie the emulator's life to this script and that shell.
    $setsid = if ($IsLinux) { Get-Command setsid -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1 }
    $file, $arguments = if ($setsid) { $setsid.Source, (@('dotnet') + $emulatorArgs) } else { 'dotnet', $emulatorArgs }
    $emulator = Start-Process -FilePath $file -ArgumentList $arguments -PassThru -NoNewWindow `
        -RedirectStandardOutput (Join-Path $work 'emulator.log') -RedirectStandardError (Join-Path $work 'emulator.err')
    $emulatorPid = $emulator.Id
    try {
        Write-Host "Starting the DS $Dialect sandbox (a throwaway MariaDB, demo projects and 30 days of run history)..."
        $deadline = [DateTime]::UtcNow.AddMinutes(3)
        while (-not (Test-Path $infoFile)) {
            if ($emulator.HasExited -or [DateTime]::UtcNow -gt $deadline) {
                $log = (Get-Content (Join-Path $work 'emulator.log'), (Join-Path $work 'emulator.err') -Raw -ErrorAction SilentlyContinue) -join "`n"
                throw "The emulator did not start:`n$log"
            }
            Start-Sleep -Milliseconds 200
        }
        $info = Get-Content $infoFile -Raw | ConvertFrom-Json
        $emulatorPid = [int]$info.pid
        $module = Join-Path $moduleOut 'DsOps.psd1'
        Write-Host ''
        Write-Host "DS $($info.dialect) sandbox ready (emulator pid $emulatorPid)"
        Write-Host "  API URL:             $($info.apiUri)"
        Write-Host "  Access token:        $($info.token)   (a throwaway sandbox token)"
        Write-Host "  Metadata connection: $($info.metadataConnectionString)"
        Write-Host ''
        $init = Join-Path $work 'init.ps1'
        @"
`$PID | Set-Content -LiteralPath '$(Join-Path $work 'shell.pid')'
Import-Module '$module'
`$DsSandbox = [pscustomobject]@{
    ApiUri = '$($info.apiUri)'
    Token = ConvertTo-SecureString '$($info.token)' -AsPlainText -Force
    MetadataConnectionString = ConvertTo-SecureString '$($info.metadataConnectionString)' -AsPlainText -Force
    HealthConfig = '$($info.healthConfig)'
}
`$null = Connect-DsServer -Uri `$DsSandbox.ApiUri -Token `$DsSandbox.Token -Name sandbox
`$null = Connect-DsMetadata -ConnectionString `$DsSandbox.MetadataConnectionString -Name sandbox
Write-Host 'DsOps is imported and connected to the sandbox (API and metadata). Try: Get-DsProject; Get-DsRunReport; Get-DsFailedTask -Since (Get-Date).AddDays(-2). Type exit to stop the sandbox.'
"@ | Set-Content -LiteralPath $init
        $pwsh = @(Get-PwshCommand)
        Push-Location $root
        try { & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoLogo -NoProfile -NoExit -File $init }
        finally { Pop-Location }
    }
    finally {
        Write-Host 'Stopping the sandbox...'
        Stop-EmulatorProcess $emulatorPid $work
        Write-Host 'Sandbox stopped; its database server and temporary data are removed.'
    }
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
            # The solution build also publishes the module (DsOps.PackageTests) and restores Pester (DsOps.Pester).
            Invoke-Dotnet build (Join-Path $root 'DsOps.sln') -c $Configuration
            $xunit = Invoke-XunitTests
            $pester = Invoke-PesterTests
            Write-Host ("Pester: {0} passed, {1} failed, {2} skipped" -f $pester.Passed, $pester.Failed, $pester.Skipped)
            Write-Host ("xunit: {0} passed, {1} failed, {2} skipped" -f $xunit.Passed, $xunit.Failed, $xunit.Skipped)
            Write-Host ("Total: {0} passed, {1} failed, {2} skipped" -f ($xunit.Passed + $pester.Passed),
                ($xunit.Failed + $pester.Failed), ($xunit.Skipped + $pester.Skipped))
            if ($xunit.Failed + $pester.Failed -gt 0) { exit 1 }
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
        'Sandbox' { Start-Sandbox }
    }
}
