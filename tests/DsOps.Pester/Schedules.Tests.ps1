# Get/Disable/Enable/Set-DsSchedule in real pwsh on each dialect: maintenance takes every schedule offline and saves
# what was online; the restore puts back exactly that set (a schedule that was offline before stays offline).

BeforeDiscovery {
    $dialects = @(@{ Dialect = '3.0' }, @{ Dialect = '3.2' }, @{ Dialect = '3.3' })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'DsOpsTestHarness.psm1') -Force
    Import-Module (Get-DsTestModulePath) -Force
    $emulators = @{}
    foreach ($e in @(Start-DsTestEmulator -Dialect '3.0', '3.2', '3.3')) { $emulators[$e.Dialect] = $e }
}

AfterAll {
    if ($emulators) { $null = $emulators.Values | Stop-DsTestEmulator }
}

Describe 'Schedules on DS <Dialect>' -ForEach $dialects {
    BeforeAll {
        $emu = $emulators[$Dialect]
        $null = Connect-DsTestEmulator $emu -NoMetadata
        $specs = Join-Path $TestDrive "specs-$Dialect"
        $null = New-Item -ItemType Directory -Force -Path $specs
        # Crons that never fire while the test runs (a year far ahead), so only the cmdlets change the database.
        $yaml = "project: pester_sched`nworkflows:`n"
        foreach ($name in 'alpha', 'beta', 'gamma', 'parked') {
            $yaml += "  - name: $name`n    releaseState: ONLINE`n    schedule: { cron: '0 0 3 1 1 ? 2098', start: '2024-01-01 00:00:00', end: '2099-12-31 23:59:59' }`n"
            $yaml += "    tasks: [ { name: t, type: SHELL, script: echo $name } ]`n"
        }
        Set-Content -LiteralPath (Join-Path $specs 'sched.yaml') -Value $yaml
        $null = Sync-DsWorkflow $specs -Confirm:$false
        Get-DsSchedule -Project pester_sched | Where-Object { -not $_.IsOnline -and $_.WorkflowName -ne 'parked' } | Enable-DsSchedule -Confirm:$false
        Get-DsSchedule -Project pester_sched -Workflow parked -ReleaseState Online | Disable-DsSchedule -Confirm:$false
        $saved = Join-Path $TestDrive "online-$Dialect.json"
        function Get-OnlineNames { Get-DsSchedule -Project pester_sched -ReleaseState Online | ForEach-Object WorkflowName | Sort-Object }
    }

    It 'starts with alpha, beta and gamma online and parked offline' {
        Get-OnlineNames | Should -Be @('alpha', 'beta', 'gamma')
    }

    It 'Disable-DsSchedule -WhatIf and $WhatIfPreference change nothing and save no file' {
        $before = Get-DsTestDatabaseFingerprint -ConnectionString $emu.MetadataConnectionString
        Get-DsWorkflow -Project pester_sched | Disable-DsSchedule -SaveTo $saved -WhatIf
        $WhatIfPreference = $true
        try { Get-DsSchedule -Project pester_sched | Disable-DsSchedule -SaveTo $saved } finally { $WhatIfPreference = $false }
        Get-DsTestDatabaseFingerprint -ConnectionString $emu.MetadataConnectionString | Should -Be $before
        $saved | Should -Not -Exist
    }

    It 'Disable-DsSchedule -SaveTo takes everything offline and records the three that were online' {
        $changes = Get-DsWorkflow -Project pester_sched | Disable-DsSchedule -SaveTo $saved -Confirm:$false
        ($changes | Where-Object Action -EQ 'Offline').Workflow | Sort-Object | Should -Be @('alpha', 'beta', 'gamma')
        ($changes | Where-Object Action -EQ 'Unchanged').Workflow | Should -Be 'parked'
        Get-OnlineNames | Should -BeNullOrEmpty
        @((Get-Content -Raw $saved | ConvertFrom-Json).schedules).Count | Should -Be 3
    }

    It 'Enable-DsSchedule -FromFile -WhatIf changes nothing' {
        $before = Get-DsTestDatabaseFingerprint -ConnectionString $emu.MetadataConnectionString
        Enable-DsSchedule -FromFile $saved -WhatIf
        Get-DsTestDatabaseFingerprint -ConnectionString $emu.MetadataConnectionString | Should -Be $before
    }

    It 'Enable-DsSchedule -FromFile restores exactly the prior set' {
        $restored = Enable-DsSchedule -FromFile $saved -Confirm:$false
        $restored.Action | Sort-Object -Unique | Should -Be 'Online'
        Get-OnlineNames | Should -Be @('alpha', 'beta', 'gamma')
    }

    It 'Set-DsSchedule -WhatIf changes nothing; -Confirm:$false changes the cron and keeps it online' {
        $before = Get-DsTestDatabaseFingerprint -ConnectionString $emu.MetadataConnectionString
        Get-DsSchedule -Project pester_sched -Workflow alpha | Set-DsSchedule -Crontab '0 0 4 1 1 ? 2098' -WhatIf
        Get-DsTestDatabaseFingerprint -ConnectionString $emu.MetadataConnectionString | Should -Be $before
        $null = Set-DsSchedule -Project pester_sched -Workflow alpha -Crontab '0 0 4 1 1 ? 2098' -Priority LOW -Confirm:$false
        $alpha = Get-DsSchedule -Project pester_sched -Workflow alpha
        $alpha.Crontab | Should -Be '0 0 4 1 1 ? 2098'
        $alpha.Priority | Should -Be 'LOW'
        $alpha.IsOnline | Should -BeTrue
    }
}
