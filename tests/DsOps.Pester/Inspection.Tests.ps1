# The health-check adapter (module/DsOps/DsOps.Health.Tests.ps1) in a real pwsh with real Pester, against the
# emulator's three-host cluster started here (until the shared harness lands). Needs `dotnet publish src/DsOps -c Release`
# (out/DsOps) and `dotnet build tests/DsOps.Emulator -c Release`.
BeforeAll {
    $root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $module = Join-Path $root 'out/DsOps/DsOps.psd1'
    $emulatorDll = Join-Path $root 'tests/DsOps.Emulator/bin/Release/net10.0/DsOps.Emulator.dll'
    foreach ($needed in $module, $emulatorDll) { if (-not (Test-Path $needed)) { throw "Missing ${needed}: build the module and the emulator first." } }
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ('dsops-pester-health-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $work | Out-Null
    $infoFile = Join-Path $work 'info.json'
    $script:emulator = Start-Process -FilePath 'dotnet' -PassThru -NoNewWindow `
        -ArgumentList @($emulatorDll, '--dialect', '3.2', '--cluster', 'three', '--work-dir', $work, '--info-file', $infoFile, '--watch-pid', $PID) `
        -RedirectStandardOutput (Join-Path $work 'emulator.log') -RedirectStandardError (Join-Path $work 'emulator.err')
    $deadline = [DateTime]::UtcNow.AddMinutes(3)
    while (-not (Test-Path $infoFile)) {
        if ($emulator.HasExited -or [DateTime]::UtcNow -gt $deadline) { throw "The emulator did not start: $(Get-Content (Join-Path $work 'emulator.err') -Raw)" }
        Start-Sleep -Milliseconds 200
    }
    $script:info = Get-Content $infoFile -Raw | ConvertFrom-Json
    $script:healthConfig = Join-Path ([IO.Path]::GetTempPath()) ('dsops-health-' + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.yaml')
    Copy-Item $info.healthConfig $healthConfig
    Import-Module $module -Force
    Connect-DsServer -Uri $info.apiUri -Token (ConvertTo-SecureString $info.token -AsPlainText -Force) | Out-Null
    Connect-DsMetadata -ConnectionString (ConvertTo-SecureString $info.metadataConnectionString -AsPlainText -Force) -ServerTimeZone UTC | Out-Null
    $script:adapter = Join-Path (Get-Module DsOps).ModuleBase 'DsOps.Health.Tests.ps1'
    $script:pesterPath = (Get-Module Pester).Path

    # Runs the adapter as a user's scheduled job would: a fresh pwsh, Invoke-Pester with Run.Exit.
    function Invoke-HealthPester([string] $Data, [string[]] $ExtraPaths = @()) {
        $self = [Environment]::ProcessPath
        $pwsh = if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { @($self, (Join-Path $PSHOME 'pwsh.dll')) } else { @($self) }
        $extra = ($ExtraPaths | ForEach-Object { "'$_'" }) -join ','
        $script = @"
Import-Module '$pesterPath'
Import-Module '$module'
Connect-DsServer -Uri '$($info.apiUri)' -Token (ConvertTo-SecureString '$($info.token)' -AsPlainText -Force) | Out-Null
Connect-DsMetadata -ConnectionString (ConvertTo-SecureString '$($info.metadataConnectionString)' -AsPlainText -Force) -ServerTimeZone UTC | Out-Null
`$config = New-PesterConfiguration
`$containers = @(New-PesterContainer -Path '$adapter' -Data $Data)
$(if ($extra) { "`$containers += New-PesterContainer -Path $extra" })
`$config.Run.Container = `$containers
`$config.Run.Exit = `$true
`$config.Output.Verbosity = 'Detailed'
`$config.Output.RenderMode = 'Plaintext'
Invoke-Pester -Configuration `$config
"@
        $output = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoLogo -NoProfile -NonInteractive -Command $script 2>&1 | ForEach-Object { "$_" }
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output -join "`n") }
    }

    function Set-EmulatorNode([string] $Name, [string] $Query) {
        Invoke-RestMethod -Method Post -Uri ($info.controlUri + "nodes/$Name`?$Query") | Out-Null
    }
}

AfterAll {
    if ($emulator -and -not $emulator.HasExited) {
        if ($IsWindows) { $emulator.Kill($true) } else { & kill -s TERM $info.pid 2>$null }
        if (-not $emulator.WaitForExit(30000)) { $emulator.Kill($true) }
    }
    Remove-Item $healthConfig -ErrorAction SilentlyContinue
    if ($work -and (Test-Path $work)) { Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Invoke-DsHealthCheck against the emulator' {
    It 'returns at least 20 distinct checks and none fails on the healthy cluster' {
        $results = Invoke-DsHealthCheck -ConfigPath $healthConfig
        @($results | Select-Object -ExpandProperty CheckId -Unique).Count | Should -BeGreaterOrEqual 20
        @($results | Where-Object { $_.Status -in 'Fail', 'Error', 'Warn' }) | Should -BeNullOrEmpty
    }

    It 'Assert-DsHealth stops a scheduled job with the failing check named' {
        Set-EmulatorNode 'master-2' 'overloaded=true'
        try {
            { Assert-DsHealth -Tag Quick -ConfigPath $healthConfig -ErrorAction Stop } | Should -Throw -ExpectedMessage '*Node.Load master 127.0.0.2:5678*'
        } finally {
            Invoke-RestMethod -Method Post -Uri ($info.controlUri + 'reset') | Out-Null
        }
    }
}

Describe 'The Pester adapter (DsOps.Health.Tests.ps1)' {
    It 'passes on the healthy cluster, one Describe per check and one It per target' {
        $run = Invoke-HealthPester -Data "@{ Tag = 'Quick'; ConfigPath = '$healthConfig' }"
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match 'Describing Node\.Inventory'
        $run.Output | Should -Match 'worker 127\.0\.0\.3:1234'
        $run.Output | Should -Match 'Tests Passed: \d+, Failed: 0'
    }

    It 'fails the run with a readable message when a worker drops out of the registry' {
        Set-EmulatorNode 'worker-2' 'registered=false'
        try {
            $run = Invoke-HealthPester -Data "@{ Tag = 'Quick'; ConfigPath = '$healthConfig' }"
        } finally {
            Invoke-RestMethod -Method Post -Uri ($info.controlUri + 'reset') | Out-Null
        }
        $run.ExitCode | Should -Not -Be 0
        $run.Output | Should -Match "\[-\] worker 127\.0\.0\.2:1234"
        $run.Output | Should -Match "because worker 127\.0\.0\.2:1234 is not in DS's registry: the server is down"
        $run.Output | Should -Match "Expected: 'Pass'\s+But was:  'Fail'"
        $run.Output | Should -Match 'Remediation: Start the missing service'
        $run.Output | Should -Match 'Tests Passed: \d+, Failed: 1,'
    }

    It 'runs a team''s own checks next to the catalogue' {
        $team = Join-Path $root 'docs/examples/health/Team.Health.Tests.ps1'
        $run = Invoke-HealthPester -Data "@{ Check = 'Node.Inventory'; ConfigPath = '$healthConfig' }" -ExtraPaths $team
        # The emulator has no 'etl' project: the team's check fails, ours pass.
        $run.ExitCode | Should -Not -Be 0
        $run.Output | Should -Match 'Describing Team\.CoreProjectsPresent'
        $run.Output | Should -Match "because the core project 'etl' must exist"
        $run.Output | Should -Match 'Tests Passed: 6, Failed: 1,'
    }
}
