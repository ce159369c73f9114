# Every state-changing cmdlet run with -WhatIf and with $WhatIfPreference = $true writes nothing: no row in the DS
# metadata database (exact row counts and CHECKSUM TABLE of every table, before and after), no state, plan or spec
# file, no webhook request. -Confirm:$false does write where that is the point. One emulator per DS dialect.

BeforeDiscovery {
    # Where the dialects differ: the schema's definition table (renamed in 3.3) and the version DsOps detects.
    $dialects = @(
        @{ Dialect = '3.0'; DefinitionTable = 't_ds_process_definition'; Version = '3.0.1' }
        @{ Dialect = '3.1'; DefinitionTable = 't_ds_process_definition'; Version = '3.1.9' }
        @{ Dialect = '3.2'; DefinitionTable = 't_ds_process_definition'; Version = '3.2.2' }
        @{ Dialect = '3.3'; DefinitionTable = 't_ds_workflow_definition'; Version = '3.3.0' }
        @{ Dialect = '3.4'; DefinitionTable = 't_ds_workflow_definition'; Version = '3.4.3' }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'DsOpsTestHarness.psm1') -Force
    Import-Module (Get-DsTestModulePath) -Force
    $emulators = @{}
    $pending = @(Start-DsTestEmulator -Dialect '3.0', '3.1', '3.2', '3.3', '3.4' -NoWait)
    # The alert sweep reads failures up to the real 'now': this emulator's clock starts 3 hours back, so its runs
    # (60 simulated seconds per real second) stay in the past for the whole file.
    $pending += Start-DsTestEmulator -Dialect '3.2' -ClockStart ([DateTime]::UtcNow.AddHours(-3)) -NoWait
    $ready = @(Wait-DsTestEmulator -Pending $pending)
    foreach ($e in $ready[0..4]) { $emulators[$e.Dialect] = $e }
    $alertEmulator = $ready[5]

    function Write-TestSpec {
        # Two offline workflows (nothing runs, so the database stays idle between two fingerprints).
        param([string] $Folder, [string] $Project, [string] $Description = 'first', [switch] $WithoutSecond)
        $null = New-Item -ItemType Directory -Force -Path $Folder
        $second = if ($WithoutSecond) { '' } else {
            @'
  - name: weekly_cleanup
    tasks:
      - name: purge
        type: SHELL
        script: echo purge
'@
        }
        @"
project: $Project
description: Pester WhatIf fixtures
workflows:
  - name: daily_load
    description: $Description
    tasks:
      - name: extract
        type: SHELL
        script: echo extract
      - name: load
        type: SHELL
        dependsOn: [extract]
        script: echo load $Description
$second
"@ | Set-Content -LiteralPath (Join-Path $Folder 'pester.yaml')
    }

    function Get-Fingerprint { param($Emulator) Get-DsTestDatabaseFingerprint -ConnectionString $Emulator.MetadataConnectionString }
}

AfterAll {
    if ($emulators) { $null = $emulators.Values | Stop-DsTestEmulator }
    if ($alertEmulator) { $null = $alertEmulator | Stop-DsTestEmulator }
}

Describe 'Coverage' {
    It 'tests every cmdlet that supports -WhatIf' {
        # The cmdlets this file runs with -WhatIf, $WhatIfPreference and -Confirm:$false; a new state-changing
        # cmdlet fails here until it has its zero-write test.
        $covered = 'Disable-DsSchedule', 'Disconnect-DsMetadata', 'Disconnect-DsServer', 'Enable-DsSchedule', 'Export-DsHealthReport',
            'Export-DsWorkflowSpec', 'Invoke-DsAlertSweep',
            'New-DsConfigTable', 'New-DsNotificationTarget', 'Remove-DsCommand', 'Remove-DsInstanceHistory', 'Send-DsHealthReport',
            'Send-DsNotification', 'Send-DsRunReport', 'Set-DsSchedule', 'Set-DsServerConfig', 'Start-DsBackfill', 'Sync-DsWorkflow'
        # Run control (Run control on DS <Dialect> below).
        $covered += 'Complete-DsTaskInstance', 'Restart-DsWorkflowInstance', 'Resume-DsWorkflowInstance', 'Start-DsWorkflow',
            'Stop-DsTaskInstance', 'Stop-DsWorkflowInstance', 'Suspend-DsWorkflowInstance'
        # Clusters as config.
        $covered += 'Export-DsCluster', 'Initialize-DsCluster', 'Sync-DsCluster'
        # Promotion between clusters (here: between two projects of one cluster).
        $covered += 'Copy-DsWorkflow'
        $covered = $covered | Sort-Object
        $stateChanging = Get-Command -Module DsOps | Where-Object { $_.Parameters.ContainsKey('WhatIf') } | ForEach-Object Name | Sort-Object
        $stateChanging | Should -Be $covered
    }
}

Describe 'State changes on DS <Dialect>' -ForEach $dialects {
    BeforeAll {
        $emu = $emulators[$Dialect]
        $null = Connect-DsTestEmulator $emu
        $project = "pester_whatif_$($Dialect -replace '\.', '')"
        $specs = Join-Path $TestDrive "specs-$Dialect"
        $state = Join-Path $specs '.dsops-state.json'
        Write-TestSpec -Folder $specs -Project $project
    }

    It 'detects DS <Version> on the API and in the metadata schema' {
        (Get-DsConnection).Version.ToString() | Should -BeLike "$Version*"
        $meta = Connect-DsMetadata -ConnectionString $emu.MetadataConnectionString -ServerTimeZone UTC
        $meta.ToString() | Should -Match ([regex]::Escape("dialect $Dialect"))
    }

    It 'Sync-DsWorkflow -WhatIf creates nothing and writes no state file' {
        $before = Get-Fingerprint $emu
        $result = Sync-DsWorkflow $specs -WhatIf
        @($result).Count | Should -Be 2
        $result.Status | Should -Be @('Skipped', 'Skipped')
        Get-Fingerprint $emu | Should -Be $before
        $state | Should -Not -Exist
        Get-DsProject -Name $project -ErrorAction SilentlyContinue -ErrorVariable missing | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'DsProjectNotFound,*'
    }

    It 'Sync-DsWorkflow under $WhatIfPreference = $true creates nothing and writes no state file' {
        $before = Get-Fingerprint $emu
        $WhatIfPreference = $true
        try { $result = Sync-DsWorkflow $specs } finally { $WhatIfPreference = $false }
        $result.Status | Should -Be @('Skipped', 'Skipped')
        $result.Message | Should -Be @('WhatIf', 'WhatIf')
        Get-Fingerprint $emu | Should -Be $before
        $state | Should -Not -Exist
    }

    It 'Sync-DsWorkflow -Confirm:$false creates the workflows in <DefinitionTable> and records the state' {
        $before = Get-Fingerprint $emu
        $result = Sync-DsWorkflow $specs -Confirm:$false
        $result.Status | Should -Be @('Applied', 'Applied')
        Get-Fingerprint $emu | Should -Not -Be $before -Because 'the fingerprint must see a real write, or the zero-write checks prove nothing'
        @(Get-DsWorkflow -Project $project).Name | Sort-Object | Should -Be @('daily_load', 'weekly_cleanup')
        (Invoke-DsTestSql $emu.MetadataConnectionString "SELECT COUNT(*) AS n FROM $DefinitionTable").n | Should -Be 2
        $state | Should -Exist
    }

    It 'a second Sync-DsWorkflow of unchanged specs writes nothing' {
        $before = Get-Fingerprint $emu
        $result = Sync-DsWorkflow $specs -Confirm:$false -IncludeUnchanged
        $result.Action | Sort-Object -Unique | Should -Be 'Unchanged'
        Get-Fingerprint $emu | Should -Be $before
    }

    It 'Sync-DsWorkflow -WhatIf of an edited spec updates nothing and leaves the state file alone' {
        Write-TestSpec -Folder $specs -Project $project -Description 'second'
        $stateHash = (Get-FileHash $state).Hash
        $before = Get-Fingerprint $emu
        $result = Sync-DsWorkflow $specs -WhatIf
        $result.Action | Should -Be 'Update'
        $result.Status | Should -Be 'Skipped'
        Get-Fingerprint $emu | Should -Be $before
        (Get-FileHash $state).Hash | Should -Be $stateHash
        (Get-DsWorkflow -Project $project -Name daily_load).Description | Should -Be 'first'
    }

    It 'Sync-DsWorkflow -Prune -WhatIf deletes nothing' {
        Write-TestSpec -Folder $specs -Project $project -WithoutSecond
        $before = Get-Fingerprint $emu
        $result = Sync-DsWorkflow $specs -Prune -WhatIf
        ($result | Where-Object Action -EQ 'Delete').Status | Should -Be 'Skipped'
        Get-Fingerprint $emu | Should -Be $before
        @(Get-DsWorkflow -Project $project).Count | Should -Be 2
    }

    It 'Sync-DsWorkflow -Plan -WhatIf applies nothing from a saved plan; -Confirm:$false applies it' {
        Write-TestSpec -Folder $specs -Project $project -Description 'planned'
        $plan = Join-Path $TestDrive "plan-$Dialect.json"
        $null = Compare-DsWorkflow $specs -OutFile $plan
        $plan | Should -Exist
        $before = Get-Fingerprint $emu
        $null = Sync-DsWorkflow -Plan $plan -WhatIf
        Get-Fingerprint $emu | Should -Be $before
        $applied = Sync-DsWorkflow -Plan $plan -Confirm:$false
        ($applied | Where-Object Action -EQ 'Update').Status | Should -Be 'Applied'
        (Get-DsWorkflow -Project $project -Name daily_load).Description | Should -Be 'planned'
    }

    It 'Sync-DsCluster, Initialize-DsCluster and Export-DsCluster -WhatIf and $WhatIfPreference write nothing' {
        $examples = Join-Path $TestDrive "examples-$Dialect"
        Copy-Item -Recurse (Join-Path (Get-DsTestRepoRoot) 'docs/examples') $examples
        $config = Join-Path $examples 'cluster/cluster.yaml'
        $before = Get-Fingerprint $emu
        if ($Dialect -in '3.0', '3.1') {
            # The id-based resource center of 3.0/3.1 is not managed: a config with files is refused before any plan.
            { Sync-DsCluster $config -WhatIf } | Should -Throw -ErrorId 'DsResourceCenterUnsupported,DsOps.Commands.Clusters.SyncDsClusterCommand'
            $yaml = Get-Content -Raw -LiteralPath $config
            Set-Content -LiteralPath $config -Value $yaml.Substring(0, $yaml.IndexOf("`nfiles:"))
        }
        $result = Sync-DsCluster $config -WhatIf
        @($result | Where-Object Status -eq 'Skipped').Count | Should -BeGreaterThan 5
        $null = Initialize-DsCluster -Config $config -Workflows (Join-Path $examples 'workflows') -Environment PROD -WhatIf
        $WhatIfPreference = $true
        try { $null = Sync-DsCluster $config; Export-DsCluster (Join-Path $examples 'exported.yaml') } finally { $WhatIfPreference = $false }
        Get-Fingerprint $emu | Should -Be $before
        Join-Path $examples 'cluster/.dsops-cluster-state.json' | Should -Not -Exist
        Join-Path $examples 'exported.yaml' | Should -Not -Exist
    }

    It 'Export-DsWorkflowSpec -WhatIf and $WhatIfPreference write no file' {
        $dest = Join-Path $TestDrive "export-whatif-$Dialect"
        $specsOnServer = Get-DsWorkflowSpec -Connection (Get-DsConnection) -Project $project
        @($specsOnServer).Count | Should -BeGreaterThan 0
        $specsOnServer | Export-DsWorkflowSpec -Destination $dest -WhatIf
        $WhatIfPreference = $true
        try { $specsOnServer | Export-DsWorkflowSpec -Destination $dest } finally { $WhatIfPreference = $false }
        @(Get-ChildItem -LiteralPath $dest -Recurse -File -ErrorAction SilentlyContinue).Count | Should -Be 0
    }

    It 'Copy-DsWorkflow -WhatIf and $WhatIfPreference copy nothing' {
        $conn = Get-DsConnection
        $before = Get-Fingerprint $emu
        $result = Copy-DsWorkflow -Source $conn -Connection $conn -Project $project -DestinationProject "${project}_copy" -IncludeSchedule -WhatIf
        @($result).Count | Should -Be 2
        $result.Status | Sort-Object -Unique | Should -Be 'Skipped'
        $WhatIfPreference = $true
        try { $null = Get-DsWorkflow -Project $project | Copy-DsWorkflow -Connection $conn -DestinationProject "${project}_copy" }
        finally { $WhatIfPreference = $false }
        Get-Fingerprint $emu | Should -Be $before
        @(Get-DsProject -Name "${project}_copy" -ErrorAction SilentlyContinue).Count | Should -Be 0
    }

    It 'Export-DsWorkflowSpec -Confirm:$false writes specs that plan no change against the server' {
        $dest = Join-Path $TestDrive "export-$Dialect"
        $files = Get-DsWorkflowSpec -Connection (Get-DsConnection) -Project $project | Export-DsWorkflowSpec -Destination $dest -Confirm:$false
        @($files).Count | Should -BeGreaterThan 0
        $files | ForEach-Object { $_.FullName | Should -Exist }
        $plan = Compare-DsWorkflow $dest -IncludeUnchangedTasks
        @($plan).Count | Should -BeGreaterThan 0
        @($plan | Where-Object Action -NE 'Unchanged') | Should -BeNullOrEmpty
    }

    It 'Disconnect-DsMetadata -WhatIf and $WhatIfPreference keep the metadata connection' {
        $null = Connect-DsMetadata -ConnectionString $emu.MetadataConnectionString -ServerTimeZone UTC
        Disconnect-DsMetadata -WhatIf
        $WhatIfPreference = $true
        try { Disconnect-DsMetadata } finally { $WhatIfPreference = $false }
        { Get-DsCommandQueue -ErrorAction Stop } | Should -Not -Throw
        Disconnect-DsMetadata -Confirm:$false
        { Get-DsCommandQueue -ErrorAction Stop } | Should -Throw -ErrorId 'DsMetadataNotConnected*'
    }

    It 'Disconnect-DsServer -WhatIf and $WhatIfPreference keep the connection; -Confirm:$false drops it' {
        Disconnect-DsServer -WhatIf
        $WhatIfPreference = $true
        try { Disconnect-DsServer } finally { $WhatIfPreference = $false }
        (Get-DsConnection).Uri | Should -Not -BeNullOrEmpty
        Disconnect-DsServer -Confirm:$false
        { Get-DsProject -ErrorAction Stop } | Should -Throw -ErrorId 'DsNotConnected*'
    }
}

Describe 'Backfill and schedules on DS <Dialect>' -ForEach $dialects {
    BeforeAll {
        $emu = $emulators[$Dialect]
        $null = Connect-DsTestEmulator $emu -NoMetadata
        $specs = Join-Path $TestDrive "backfill-$Dialect"
        $null = New-Item -ItemType Directory -Force -Path $specs
        # Online, with a schedule that never fires during the test (a year far ahead): only the cmdlets could write.
        @"
project: pester_whatif_sched
workflows:
  - name: nightly
    releaseState: ONLINE
    schedule: { cron: '0 0 3 1 1 ? 2098', start: '2024-01-01 00:00:00', end: '2099-12-31 23:59:59' }
    tasks: [ { name: t, type: SHELL, script: echo nightly } ]
"@ | Set-Content -LiteralPath (Join-Path $specs 'sched.yaml')
        $null = Sync-DsWorkflow $specs -Confirm:$false
        $schedule = Get-DsSchedule -Project pester_whatif_sched
        if (-not $schedule.IsOnline) { $null = $schedule | Enable-DsSchedule -Confirm:$false }
        $saved = Join-Path $TestDrive "saved-$Dialect.json"
        $backfillState = Join-Path $TestDrive "backfill-$Dialect.json"
    }

    It 'Start-DsBackfill, Disable-, Enable- and Set-DsSchedule -WhatIf and $WhatIfPreference write nothing' {
        $before = Get-Fingerprint $emu
        $run = {
            Start-DsBackfill -Project pester_whatif_sched -Workflow nightly -From 2024-01-01 -To 2024-01-05 -StatePath $backfillState
            Get-DsSchedule -Project pester_whatif_sched | Disable-DsSchedule -SaveTo $saved
            Get-DsSchedule -Project pester_whatif_sched | Set-DsSchedule -Priority HIGH
            Get-DsSchedule -Project pester_whatif_sched | Enable-DsSchedule -Force
        }
        Start-DsBackfill -Project pester_whatif_sched -Workflow nightly -From 2024-01-01 -To 2024-01-05 -StatePath $backfillState -WhatIf | Should -BeNullOrEmpty
        Get-DsSchedule -Project pester_whatif_sched | Disable-DsSchedule -SaveTo $saved -WhatIf | Should -BeNullOrEmpty
        Get-DsSchedule -Project pester_whatif_sched | Set-DsSchedule -Priority HIGH -WhatIf | Should -BeNullOrEmpty
        $WhatIfPreference = $true
        try { $null = & $run } finally { $WhatIfPreference = $false }
        Get-Fingerprint $emu | Should -Be $before
        $saved | Should -Not -Exist
        $backfillState | Should -Not -Exist
        (Get-DsSchedule -Project pester_whatif_sched).IsOnline | Should -BeTrue
    }

    It 'Disable-DsSchedule -Confirm:$false takes it offline and saves it; Enable-DsSchedule -WhatIf leaves it offline' {
        $null = Disable-DsSchedule -Project pester_whatif_sched -SaveTo $saved -Confirm:$false
        (Get-DsSchedule -Project pester_whatif_sched).IsOnline | Should -BeFalse
        $saved | Should -Exist
        $before = Get-Fingerprint $emu
        Enable-DsSchedule -FromFile $saved -WhatIf | Should -BeNullOrEmpty
        $WhatIfPreference = $true
        try { $null = Enable-DsSchedule -FromFile $saved } finally { $WhatIfPreference = $false }
        Get-Fingerprint $emu | Should -Be $before
        $null = Enable-DsSchedule -FromFile $saved -Confirm:$false
        (Get-DsSchedule -Project pester_whatif_sched).IsOnline | Should -BeTrue
    }
}

Describe 'New-DsConfigTable' {
    BeforeAll {
        $emu = $emulators['3.2']
        $null = Invoke-DsTestSql $emu.MetadataConnectionString 'CREATE DATABASE IF NOT EXISTS pester_config'
        $cs = $emu.MetadataConnectionString -replace '(?i)(Database=)[^;]*', '${1}pester_config'
        function Get-ConfigTableCount { (Invoke-DsTestSql $emu.MetadataConnectionString "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'pester_config'").n }
    }

    It '-WhatIf creates no table' {
        New-DsConfigTable -ConnectionString $cs -WhatIf | Should -BeNullOrEmpty
        Get-ConfigTableCount | Should -Be 0
    }

    It '$WhatIfPreference = $true creates no table' {
        $WhatIfPreference = $true
        try { $out = New-DsConfigTable -ConnectionString $cs } finally { $WhatIfPreference = $false }
        $out | Should -BeNullOrEmpty
        Get-ConfigTableCount | Should -Be 0
    }

    It '-Confirm:$false creates the table once' {
        (New-DsConfigTable -ConnectionString $cs -Confirm:$false).Created | Should -BeTrue
        Get-ConfigTableCount | Should -Be 1
        (New-DsConfigTable -ConnectionString $cs -Confirm:$false).Created | Should -BeFalse
    }
}

Describe 'Notifications and the alert sweep' {
    BeforeAll {
        $emu = $alertEmulator
        $null = Connect-DsTestEmulator $emu
        $hook = Start-DsTestWebhook
        $sweepState = Join-Path $TestDrive 'sweep.json'
        # A workflow that fails every simulated minute (one real second at the emulator's 60x clock), then offline.
        $folder = Join-Path $TestDrive 'alerts'
        Write-DsTestScheduledSpec -Folder $folder -Project pester_alerts -Workflows @{ always_fails = 'boom: exit 3' } -ReleaseState ONLINE
        $null = Sync-DsWorkflow $folder -Confirm:$false
        $deadline = (Get-Date).AddSeconds(60)
        while (@(Get-DsFailedTask -Since (Get-Date).AddDays(-1) -Until (Get-Date).AddDays(1) -Project pester_alerts).Count -lt 2 -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 500 }
        Write-DsTestScheduledSpec -Folder $folder -Project pester_alerts -Workflows @{ always_fails = 'boom: exit 3' } -ReleaseState OFFLINE
        $null = Sync-DsWorkflow $folder -Confirm:$false
        Start-Sleep -Seconds 2   # the last scheduled run (1 simulated second) ends
        $failed = @(Get-DsFailedTask -Since (Get-Date).AddDays(-1) -Until (Get-Date).AddDays(1) -Project pester_alerts)
        $target = New-DsNotificationTarget -Name pester -Channel Webhook -WebhookUri $hook.Uri
        $report = Get-DsRunReport -Date $failed[0].Start.UtcDateTime.Date -TimeZone UTC
    }
    AfterAll { Stop-DsTestWebhook $hook }

    It 'has failed runs to report' {
        $failed.Count | Should -BeGreaterOrEqual 2
        $failed.Task | Sort-Object -Unique | Should -Be 'boom'
    }

    It 'New-DsNotificationTarget -WhatIf and $WhatIfPreference create no target' {
        New-DsNotificationTarget -Channel Webhook -WebhookUri $hook.Uri -WhatIf | Should -BeNullOrEmpty
        $WhatIfPreference = $true
        try { $t = New-DsNotificationTarget -Channel Webhook -WebhookUri $hook.Uri } finally { $WhatIfPreference = $false }
        $t | Should -BeNullOrEmpty
        $target | Should -Not -BeNullOrEmpty
        $target.Channel | Should -Be 'Webhook'
    }

    It 'Send-DsNotification -WhatIf and $WhatIfPreference send nothing' {
        Send-DsNotification -Target $target -Message 'whatif' -WhatIf
        $WhatIfPreference = $true
        try { Send-DsNotification -Target $target -Message 'whatif' } finally { $WhatIfPreference = $false }
        $hook.Requests.Count | Should -Be 0
    }

    It 'Send-DsNotification -Confirm:$false sends one message' {
        $delivery = Send-DsNotification -Target $target -Message 'pester says hello' -Confirm:$false -PassThru
        $hook.Requests.Count | Should -Be 1
        $delivery.Succeeded | Should -BeTrue
        $hook.Requests.ToArray()[0].Body | Should -Match 'pester says hello'
    }

    It 'Send-DsRunReport -WhatIf and $WhatIfPreference send nothing; -Confirm:$false sends the report' {
        $n = $hook.Requests.Count
        $report | Send-DsRunReport -Target $target -WhatIf
        $WhatIfPreference = $true
        try { $report | Send-DsRunReport -Target $target } finally { $WhatIfPreference = $false }
        $hook.Requests.Count | Should -Be $n
        $report | Send-DsRunReport -Target $target -Confirm:$false
        $hook.Requests.Count | Should -BeGreaterThan $n
        ($hook.Requests.ToArray() | Select-Object -Skip $n | ForEach-Object { ($_.Body | ConvertFrom-Json).body }) -join "`n" |
            Should -Match 'pester\\?_alerts/always\\?_fails'
    }

    It 'Export-DsHealthReport and Send-DsHealthReport -WhatIf and $WhatIfPreference write and send nothing; -Confirm:$false does both' {
        $results = @(Invoke-DsHealthCheck -Tag Quick -ErrorAction SilentlyContinue)
        $results.Count | Should -BeGreaterThan 0
        $file = Join-Path $TestDrive 'health.json'
        $n = $hook.Requests.Count
        $results | Export-DsHealthReport -Path $file -WhatIf
        $results | Send-DsHealthReport -Target $target -WhatIf
        $WhatIfPreference = $true
        try {
            $results | Export-DsHealthReport -Path $file
            $results | Send-DsHealthReport -Target $target
        }
        finally { $WhatIfPreference = $false }
        $file | Should -Not -Exist
        $hook.Requests.Count | Should -Be $n
        $results | Export-DsHealthReport -Path $file -Confirm:$false
        $file | Should -Exist
        $results | Send-DsHealthReport -Target $target -Confirm:$false
        $hook.Requests.Count | Should -BeGreaterThan $n
    }

    It 'Invoke-DsAlertSweep -WhatIf and $WhatIfPreference send nothing and write no state file, lock file or folder' {
        $n = $hook.Requests.Count
        $preview = Invoke-DsAlertSweep -StateFile $sweepState -Target $target -InitialLookback 1.00:00:00 -WhatIf
        $preview.New | Should -BeGreaterThan 0 -Because 'the preview still shows what a sweep would send'
        $WhatIfPreference = $true
        try { $null = Invoke-DsAlertSweep -StateFile $sweepState -Target $target -InitialLookback 1.00:00:00 } finally { $WhatIfPreference = $false }
        $inNewFolder = Join-Path $TestDrive 'sweep-preview/alerts.json'
        $null = Invoke-DsAlertSweep -StateFile $inNewFolder -Target $target -InitialLookback 1.00:00:00 -WhatIf
        $hook.Requests.Count | Should -Be $n
        $sweepState | Should -Not -Exist
        "$sweepState.lock" | Should -Not -Exist
        Split-Path $inNewFolder | Should -Not -Exist
    }

    It 'Invoke-DsAlertSweep -Confirm:$false alerts every failure once and records it' {
        $n = $hook.Requests.Count
        $result = Invoke-DsAlertSweep -StateFile $sweepState -Target $target -InitialLookback 1.00:00:00 -Confirm:$false
        $hook.Requests.Count | Should -Be ($n + 1) -Because 'all new failures go into one message per target'
        $sweepState | Should -Exist
        $text = ($hook.Requests.ToArray()[-1].Body | ConvertFrom-Json).body
        ([regex]::Matches($text, 'boom')).Count | Should -BeGreaterOrEqual $failed.Count -Because 'one line per failure'
        $again = Invoke-DsAlertSweep -StateFile $sweepState -Target $target -Confirm:$false
        $hook.Requests.Count | Should -Be ($n + 1) -Because 'a rerun sends nothing twice'
    }
}

Describe 'Server config files' {
    BeforeAll {
        $shipped = Join-Path (Get-DsTestRepoRoot) 'tests/third_party/dolphinscheduler/config/3.2.2'
        $dsHome = Join-Path $TestDrive 'ds'
        $null = New-Item -ItemType Directory -Path (Join-Path $dsHome 'worker-server/conf'), (Join-Path $dsHome 'worker-server/bin') -Force
        Copy-Item (Join-Path $shipped 'worker-application.yaml') (Join-Path $dsHome 'worker-server/conf/application.yaml')
        Copy-Item (Join-Path $shipped 'worker-jvm_args_env.sh') (Join-Path $dsHome 'worker-server/bin/jvm_args_env.sh')
        $yaml = Join-Path $dsHome 'worker-server/conf/application.yaml'
    }

    It 'Set-DsServerConfig -WhatIf and $WhatIfPreference change no byte and leave no backup; -Confirm:$false changes the value' {
        $before = [Convert]::ToBase64String([IO.File]::ReadAllBytes($yaml))
        Set-DsServerConfig -Path $dsHome -Role Worker -Key worker.exec-threads -Value 16 -WhatIf
        $WhatIfPreference = $true
        try { Set-DsServerConfig -Path $dsHome -Role Worker -Key worker.exec-threads -Value 16 } finally { $WhatIfPreference = $false }
        [Convert]::ToBase64String([IO.File]::ReadAllBytes($yaml)) | Should -Be $before
        @(Get-ChildItem (Split-Path $yaml) -Filter '*.bak').Count | Should -Be 0
        $null = Set-DsServerConfig -Path $dsHome -Role Worker -Key worker.exec-threads -Value 16 -Confirm:$false
        Get-Content -LiteralPath $yaml -Raw | Should -Match 'exec-threads: 16'
    }
}

Describe 'Metadata clean-up' {
    BeforeAll {
        # The alert emulator: its failing workflow is offline now, so only these cmdlets write.
        $emu = $alertEmulator
        $null = Connect-DsMetadata -ConnectionString $emu.MetadataConnectionString -ServerTimeZone UTC -AllowWrite
        function Get-InstanceCount { (Invoke-DsTestSql $emu.MetadataConnectionString 'SELECT COUNT(*) AS n FROM t_ds_process_instance').n }
    }

    It 'Remove-DsCommand -WhatIf and $WhatIfPreference delete nothing' {
        $before = Get-Fingerprint $emu
        $null = Remove-DsCommand -OlderThan (Get-Date).AddDays(1) -WhatIf
        $WhatIfPreference = $true
        try { $null = Remove-DsCommand -OlderThan (Get-Date).AddDays(1) } finally { $WhatIfPreference = $false }
        Get-Fingerprint $emu | Should -Be $before
    }

    It 'Remove-DsInstanceHistory -WhatIf and $WhatIfPreference delete nothing; -Confirm:$false deletes the old runs' {
        $count = Get-InstanceCount
        $count | Should -BeGreaterThan 0
        $before = Get-Fingerprint $emu
        $null = Remove-DsInstanceHistory -OlderThan (Get-Date).AddDays(1) -WhatIf
        $WhatIfPreference = $true
        try { $null = Remove-DsInstanceHistory -OlderThan (Get-Date).AddDays(1) } finally { $WhatIfPreference = $false }
        Get-Fingerprint $emu | Should -Be $before
        Get-InstanceCount | Should -Be $count
        $null = Remove-DsInstanceHistory -OlderThan (Get-Date).AddDays(1) -Confirm:$false
        Get-InstanceCount | Should -Be 0
    }
}

Describe 'Run control on DS <Dialect>' -ForEach $dialects {
    BeforeAll {
        $emu = $emulators[$Dialect]
        $null = Connect-DsTestEmulator $emu -NoMetadata
        $project = "pester_whatif_runs_$($Dialect -replace '\.', '')"
        $folder = Join-Path $TestDrive "runs-$Dialect"
        $null = New-Item -ItemType Directory -Force -Path $folder
        @"
project: $project
workflows:
  - name: breaks
    tasks:
      - name: broken
        type: SHELL
        script: exit 2
"@ | Set-Content -LiteralPath (Join-Path $folder 'runs.yaml')
        $null = Sync-DsWorkflow $folder -Confirm:$false -NoState
        # One finished, failed instance: nothing runs between two fingerprints.
        $failed = Start-DsWorkflow -Project $project -Workflow breaks | Wait-DsWorkflowInstance -PollInterval 0.2 -Timeout 120
        $task = Get-DsTaskInstance -Project $project -WorkflowInstanceId $failed.WorkflowInstanceId
        function Get-InstanceCount { (Invoke-DsTestSql $emu.MetadataConnectionString "SELECT COUNT(*) AS n FROM t_ds_$(if ($Dialect -in '3.3', '3.4') { 'workflow' } else { 'process' })_instance").n }
    }

    It 'the failed instance to act on exists' {
        $failed.State | Should -Be 'Failed'
        $task.State | Should -Be 'Failed'
    }

    It 'Start-DsWorkflow -WhatIf and $WhatIfPreference start nothing' {
        $count = Get-InstanceCount
        $before = Get-Fingerprint $emu
        Start-DsWorkflow -Project $project -Workflow breaks -WhatIf | Should -BeNullOrEmpty
        $WhatIfPreference = $true
        try { Start-DsWorkflow -Project $project -Workflow breaks | Should -BeNullOrEmpty } finally { $WhatIfPreference = $false }
        Get-Fingerprint $emu | Should -Be $before
        Get-InstanceCount | Should -Be $count
    }

    It '<_> -WhatIf and $WhatIfPreference send nothing' -ForEach @('Restart-DsWorkflowInstance', 'Resume-DsWorkflowInstance', 'Stop-DsWorkflowInstance', 'Suspend-DsWorkflowInstance') {
        $before = Get-Fingerprint $emu
        $failed | & $_ -WhatIf | Should -BeNullOrEmpty
        $WhatIfPreference = $true
        try { $failed | & $_ | Should -BeNullOrEmpty } finally { $WhatIfPreference = $false }
        Get-Fingerprint $emu | Should -Be $before
    }

    It '<_> -WhatIf and $WhatIfPreference send nothing' -ForEach @('Complete-DsTaskInstance', 'Stop-DsTaskInstance') {
        $before = Get-Fingerprint $emu
        $task | & $_ -WhatIf | Should -BeNullOrEmpty
        $WhatIfPreference = $true
        try { $task | & $_ | Should -BeNullOrEmpty } finally { $WhatIfPreference = $false }
        Get-Fingerprint $emu | Should -Be $before
    }

    It 'Restart-DsWorkflowInstance -FromFailure -Confirm:$false does run the instance again' {
        $before = Get-Fingerprint $emu
        $result = $failed | Restart-DsWorkflowInstance -FromFailure -Confirm:$false
        $result.DsAction | Should -Be 'START_FAILURE_TASK_PROCESS'
        $again = $result | Wait-DsWorkflowInstance -PollInterval 0.2 -Timeout 120
        $again.RunTimes | Should -Be 2
        Get-Fingerprint $emu | Should -Not -Be $before
    }
}

Describe 'Emulator shutdown (WhatIf suite)' {
    It 'Stop-DsTestEmulator stops every emulator and the mariadbd each started, and removes their temp data' {
        Assert-DsTestEmulatorShutdown -Emulator (@($emulators.Values) + $alertEmulator)
    }
}
