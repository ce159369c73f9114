# Get-DsTaskLog from the pipeline and Get-DsCriticalPath on the 3.0, 3.2 and 3.3 dialects. Each emulator gets 8 days of
# the known critical-chain history (project 'chain', ending the day before the clock start, plus that day's runs as of
# 02:10 with the upstream late) and runs one scheduled workflow that succeeds and one that fails, for task logs.

BeforeDiscovery {
    $dialects = @(@{ Dialect = '3.0' }, @{ Dialect = '3.2' }, @{ Dialect = '3.3' })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'DsOpsTestHarness.psm1') -Force
    Import-Module (Get-DsTestModulePath) -Force
    $clockStart = [DateTime]::UtcNow.Date.AddHours(3)
    $emulators = @{}
    foreach ($e in Start-DsTestEmulator -Dialect '3.0', '3.2', '3.3' -ClockStart $clockStart -ExtraArgument '--history-chain-days', '8') {
        $emulators[$e.Dialect] = $e
    }
    $specs = Join-Path $TestDrive 'specs'
    $workflows = [ordered]@{ logged_ok = 'first: echo hello from first', 'second: echo bye'; logged_fails = 'boom: exit 3' }
    Write-DsTestScheduledSpec -Folder $specs -Project pester_logs -Workflows $workflows -ReleaseState ONLINE
    $connections = @{}
    foreach ($d in $emulators.Keys) {
        $connections[$d] = Connect-DsServer -Uri $emulators[$d].ApiUri -Token $emulators[$d].Token -Name "logs-$d" -NoDefault
        $null = Sync-DsWorkflow $specs -Connection $connections[$d] -NoState -Confirm:$false
    }
    foreach ($d in $emulators.Keys) {
        $deadline = (Get-Date).AddSeconds(60)
        while ((@(Get-DsWorkflowInstance -Project pester_logs -Workflow logged_ok -Connection $connections[$d] -State Succeeded).Count -lt 1 -or
                @(Get-DsWorkflowInstance -Project pester_logs -Workflow logged_fails -Connection $connections[$d] -State Failed).Count -lt 1) -and
            (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 500 }
    }
    Write-DsTestScheduledSpec -Folder $specs -Project pester_logs -Workflows $workflows -ReleaseState OFFLINE
    foreach ($d in $emulators.Keys) { $null = Sync-DsWorkflow $specs -Connection $connections[$d] -NoState -Confirm:$false }
}

AfterAll {
    if ($emulators) { $null = $emulators.Values | Stop-DsTestEmulator }
}

Describe 'Task logs and critical path on DS <Dialect>' -ForEach $dialects {
    BeforeAll {
        $emu = $emulators[$Dialect]
        $own = $connections[$Dialect]
        $meta = Connect-DsMetadata -ConnectionString $emu.MetadataConnectionString -ServerTimeZone UTC -Name "chain-$Dialect"
        $yesterday = $clockStart.Date.AddDays(-1)
    }

    It 'Get-DsTaskInstance | Get-DsTaskLog reads the log of each piped task' {
        $run = Get-DsWorkflowInstance -Project pester_logs -Workflow logged_ok -State Succeeded -Connection $own | Select-Object -First 1
        $lines = Get-DsTaskInstance -Project pester_logs -WorkflowInstanceId $run.WorkflowInstanceId -Connection $own | Get-DsTaskLog
        $lines.Count | Should -BeGreaterThan 4
        ($lines | Where-Object TaskInstanceId -ne $lines[0].TaskInstanceId).Count | Should -BeGreaterThan 0
        $lines.Text | Should -Contain 'hello from first'
        $lines.Text | Should -Contain 'bye'
        ($lines | Where-Object Task -eq 'first')[0].LineNumber | Should -Be 1
    }

    It 'Get-DsFailedTask | Get-DsTaskLog -Tail shows the end of the failed task''s log' {
        $failed = @(Get-DsFailedTask -Since $clockStart.AddDays(-1) -Until $clockStart.AddDays(2) -Project pester_logs -MetadataConnection $meta)
        $failed.Count | Should -BeGreaterThan 0
        $tail = @($failed[0] | Get-DsTaskLog -Tail 2 -Connection $own)
        $tail.Count | Should -Be 2
        $tail[0].Text | Should -Match 'exit status code: 1'
        $tail[1].Text | Should -Match 'FINALIZE_SESSION'
        $tail[0].Task | Should -Be 'boom'
    }

    It 'a task whose worker cannot serve its log gives DsTaskLogUnavailable' {
        $step = Get-DsCriticalPath -Workflow chain/t1_report -Date $yesterday -TimeZone UTC -MetadataConnection $meta | Where-Object Task -eq 'c_load'
        $err = $null
        $out = Get-DsTaskLog -TaskInstanceId $step.TaskInstanceId -Connection $own -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DsTaskLogUnavailable,*'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
    }

    It 'Get-DsCriticalPath returns the known chain with slack' {
        $steps = @(Get-DsCriticalPath -Workflow chain/t1_report -Date $yesterday -TimeZone UTC -MetadataConnection $meta)
        ($steps | ForEach-Object { if ($_.Task) { "$($_.Workflow)/$($_.Task)" } else { $_.Workflow } }) -join ',' |
            Should -Be 'up_orders/a1,up_orders/a2,up_orders,t1_report/c_wait,t1_report/c_load,t1_report_sub/s1,t1_report_sub,t1_report/c_sub,t1_report'
        ($steps | Where-Object Task -eq 'a2').Slack.TotalMinutes | Should -Be 15
        ($steps | Where-Object { $_.Workflow -eq 'up_orders' -and -not $_.Task }).Slack.TotalMinutes | Should -Be 25
        ($steps | Where-Object Task -eq 'c_sub').Slack.TotalMinutes | Should -Be 41
        $steps[-1].Link | Should -Be 'Target'
    }

    It 'Get-DsCriticalPath -Deadline says the deadline is at risk when the upstream runs late' {
        $asOf = [DateTime]::SpecifyKind($clockStart.Date.AddHours(2).AddMinutes(10), 'Utc')
        $forecast = Get-DsCriticalPath -Workflow t1_report -Deadline 03:00 -AsOf $asOf -TimeZone UTC -MetadataConnection $meta
        $forecast.Status | Should -Be 'AtRisk'
        $forecast.PredictedFinish.UtcDateTime | Should -Be $clockStart.Date.AddHours(3).AddMinutes(21)
        $forecast.Drivers | Should -Be @('chain/up_orders 02:30')
        (Get-DsCriticalPath -Workflow t1_report -Deadline 03:30 -AsOf $asOf -TimeZone UTC -MetadataConnection $meta).Status | Should -Be 'OnTrack'
    }

    It 'a bad -Deadline names the parameter' {
        { Get-DsCriticalPath -Workflow t1_report -Deadline 'soon' -MetadataConnection $meta -ErrorAction Stop } |
            Should -Throw -ErrorId 'DsInvalidDeadline,DsOps.Commands.Operations.GetDsCriticalPathCommand'
    }
}
