# Pipeline binding by property name across the read cmdlets, on data made through the module: Sync-DsWorkflow puts
# two scheduled workflows online (one succeeds, one fails), the emulator's simulated master runs them, then they go
# offline so the data stays still. One emulator per DS dialect (routes and tables differ: process-* vs workflow-*).

BeforeDiscovery {
    $dialects = @(
        @{ Dialect = '3.0'; Other = '3.2' }
        @{ Dialect = '3.2'; Other = '3.3' }
        @{ Dialect = '3.3'; Other = '3.0' }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'DsOpsTestHarness.psm1') -Force
    Import-Module (Get-DsTestModulePath) -Force
    # The clock starts at 01:00 UTC today, so every run of this file falls on one business date and in the past.
    $clockStart = [DateTime]::UtcNow.Date.AddHours(1)
    $emulators = @{}
    foreach ($e in Start-DsTestEmulator -Dialect '3.0', '3.2', '3.3' -ClockStart $clockStart) { $emulators[$e.Dialect] = $e }
    $connections = @{}
    $specs = Join-Path $TestDrive 'specs'
    # One workflow that succeeds (two tasks) and one that fails, run every simulated minute.
    $workflows = [ordered]@{ hourly_ok = 'extract: echo extract', 'load: echo load'; always_fails = 'boom: exit 3' }
    # Online on every emulator first, so the three simulated masters run side by side.
    Write-DsTestScheduledSpec -Folder $specs -Project pester_ops -Workflows $workflows -ReleaseState ONLINE
    foreach ($d in $emulators.Keys) {
        $connections[$d] = Connect-DsServer -Uri $emulators[$d].ApiUri -Token $emulators[$d].Token -Name "pipeline-$d" -NoDefault
        $null = Sync-DsWorkflow $specs -Connection $connections[$d] -NoState -Confirm:$false
    }
    foreach ($d in $emulators.Keys) {
        $deadline = (Get-Date).AddSeconds(60)
        while ((@(Get-DsWorkflowInstance -Project pester_ops -Workflow always_fails -Connection $connections[$d] -State Failed).Count -lt 2 -or
                @(Get-DsWorkflowInstance -Project pester_ops -Workflow hourly_ok -Connection $connections[$d] -State Succeeded).Count -lt 2) -and
            (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 500 }
    }
    Write-DsTestScheduledSpec -Folder $specs -Project pester_ops -Workflows $workflows -ReleaseState OFFLINE
    foreach ($d in $emulators.Keys) { $null = Sync-DsWorkflow $specs -Connection $connections[$d] -NoState -Confirm:$false }
    # Runs already started finish within a few simulated seconds.
    foreach ($d in $emulators.Keys) {
        $deadline = (Get-Date).AddSeconds(30)
        while (@(Get-DsWorkflowInstance -Project pester_ops -Connection $connections[$d] -State Running).Count -gt 0 -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 300 }
    }
}

AfterAll {
    if ($emulators) { $null = $emulators.Values | Stop-DsTestEmulator }
}

Describe 'Pipelines on DS <Dialect>' -ForEach $dialects {
    BeforeAll {
        $emu = $emulators[$Dialect]
        $own = $connections[$Dialect]
        # The session default points at another emulator: piped objects must keep their own connection.
        $null = Connect-DsServer -Uri $emulators[$Other].ApiUri -Token $emulators[$Other].Token -Name "default-$Other"
        $meta = Connect-DsMetadata -ConnectionString $emu.MetadataConnectionString -ServerTimeZone UTC -Name "meta-$Dialect"
        $date = $clockStart.Date
    }

    It 'Get-DsProject | Get-DsWorkflow lists the workflows of the piped project' {
        $workflows = Get-DsProject -Name pester_ops -Connection $own | Get-DsWorkflow
        @($workflows.Name | Sort-Object) | Should -Be @('always_fails', 'hourly_ok')
        $workflows.ProjectName | Sort-Object -Unique | Should -Be 'pester_ops'
        $workflows | ForEach-Object { $_ | Should -BeOfType ([DsOps.Engine.Models.DsWorkflow]) }
    }

    It 'piped objects keep their connection, not the session default' {
        $project = Get-DsProject -Name pester_ops -Connection $own
        $project.Connection.Uri | Should -Be $own.Uri
        (Get-DsConnection).Uri | Should -Not -Be $own.Uri
        $workflows = $project | Get-DsWorkflow
        $workflows.Connection.Uri | Sort-Object -Unique | Should -Be $own.Uri
        $instances = $workflows | Get-DsWorkflowInstance
        $instances.Connection.Uri | Sort-Object -Unique | Should -Be $own.Uri
    }

    It 'Get-DsWorkflow | Get-DsWorkflowInstance binds ProjectCode and WorkflowCode' {
        $workflow = Get-DsWorkflow -Project pester_ops -Name hourly_ok -Connection $own
        $instances = @($workflow | Get-DsWorkflowInstance)
        $instances.Count | Should -BeGreaterOrEqual 2
        $instances.WorkflowCode | Sort-Object -Unique | Should -Be $workflow.WorkflowCode
        $instances.Name | ForEach-Object { $_ | Should -BeLike 'hourly_ok-*' }
    }

    It 'Get-DsProject | Get-DsWorkflow | Get-DsWorkflowInstance returns the runs of both workflows' {
        $instances = Get-DsProject -Name pester_ops -Connection $own | Get-DsWorkflow | Get-DsWorkflowInstance
        $direct = @(Get-DsWorkflowInstance -Project pester_ops -Connection $own)
        @($instances).Count | Should -Be $direct.Count
        @($instances.WorkflowInstanceId | Sort-Object) | Should -Be @($direct.WorkflowInstanceId | Sort-Object)
        ($instances | Group-Object WorkflowCode).Count | Should -Be 2
    }

    It 'Get-DsWorkflowInstance | Get-DsTaskInstance returns the tasks of each piped instance' {
        $instances = @(Get-DsWorkflowInstance -Project pester_ops -Workflow hourly_ok -State Succeeded -Connection $own | Select-Object -First 2)
        $tasks = @($instances | Get-DsTaskInstance)
        $tasks.Count | Should -Be 4
        @($tasks.WorkflowInstanceId | Sort-Object -Unique) | Should -Be @($instances.WorkflowInstanceId | Sort-Object)
        foreach ($i in $instances) {
            @($tasks | Where-Object WorkflowInstanceId -EQ $i.WorkflowInstanceId | ForEach-Object Name | Sort-Object) | Should -Be @('extract', 'load')
        }
        $tasks.State | Sort-Object -Unique | Should -Be 'Succeeded'
    }

    It 'failed runs pipe to their failed task' {
        $failed = @(Get-DsWorkflowInstance -Project pester_ops -Workflow always_fails -State Failed -Connection $own)
        $failed.Count | Should -BeGreaterOrEqual 2
        $tasks = @($failed | Get-DsTaskInstance -State Failed)
        $tasks.Count | Should -Be $failed.Count
        $tasks.Name | Sort-Object -Unique | Should -Be 'boom'
    }

    It 'binds -Project and -Workflow by property name from any object' {
        $fromObject = @([pscustomobject]@{ Project = 'pester_ops'; Workflow = 'always_fails'; Connection = $own } | Get-DsWorkflowInstance)
        $direct = @(Get-DsWorkflowInstance -Project pester_ops -Workflow always_fails -Connection $own)
        $fromObject.Count | Should -Be $direct.Count
        $fromObject.Count | Should -BeGreaterThan 0
    }

    It 'binds -ProjectCode and -WorkflowInstanceId by property name from any object' {
        $instance = Get-DsWorkflowInstance -Project pester_ops -Workflow hourly_ok -State Succeeded -Connection $own | Select-Object -First 1
        $tasks = @([pscustomobject]@{ ProjectCode = $instance.ProjectCode; WorkflowInstanceId = $instance.WorkflowInstanceId; Connection = $own } | Get-DsTaskInstance)
        $tasks.Count | Should -Be 2
        $tasks.WorkflowInstanceId | Sort-Object -Unique | Should -Be $instance.WorkflowInstanceId
    }

    It 'Get-DsWorkflow -IncludeTasks returns the DAG with upstream task names' {
        $workflow = Get-DsProject -Name pester_ops -Connection $own | Get-DsWorkflow -Name hourly_ok -IncludeTasks
        @($workflow.Tasks.Name | Sort-Object) | Should -Be @('extract', 'load')
        ($workflow.Tasks | Where-Object Name -EQ 'load').Upstream | Should -Be 'extract'
        @(($workflow.Tasks | Where-Object Name -EQ 'extract').Upstream).Count | Should -Be 0
    }

    It 'the cluster read cmdlets return typed objects that keep their connection' {
        $nodes = @(Get-DsServerNode -Connection $own)
        $nodes | ForEach-Object { $_ | Should -BeOfType ([DsOps.Engine.Models.DsServerNode]) }
        @($nodes.Role | ForEach-Object { "$_" }) | Should -Contain 'Master'
        @($nodes.Role | ForEach-Object { "$_" }) | Should -Contain 'Worker'
        $tenants = @(Get-DsTenant -Connection $own)
        $tenants.Count | Should -Be (Invoke-DsTestSql $emu.MetadataConnectionString 'SELECT COUNT(*) AS n FROM t_ds_tenant').n
        $tenants | ForEach-Object { $_ | Should -BeOfType ([DsOps.Engine.Models.DsTenant]) }
        $groups = @(Get-DsAlertGroup -Connection $own)
        $groups.Count | Should -Be (Invoke-DsTestSql $emu.MetadataConnectionString 'SELECT COUNT(*) AS n FROM t_ds_alertgroup').n
        $groups | ForEach-Object { $_ | Should -BeOfType ([DsOps.Engine.Models.DsAlertGroup]) }
        { Get-DsWorkerGroup -Connection $own -ErrorAction Stop } | Should -Not -Throw
        { Get-DsEnvironment -Connection $own -ErrorAction Stop } | Should -Not -Throw
        { Get-DsDataSource -Connection $own -ErrorAction Stop } | Should -Not -Throw
    }

    It 'the metadata database and the API agree on the failed tasks' {
        $api = @(Get-DsTaskInstance -Project pester_ops -State Failed -Connection $own)
        $db = @(Get-DsFailedTask -Since $date.AddDays(-1) -Until $date.AddDays(2) -Project pester_ops -TimeZone UTC)
        $db.Count | Should -Be $api.Count
        @($db.TaskInstanceId | Sort-Object) | Should -Be @($api.TaskInstanceId | Sort-Object)
        $db.Workflow | Sort-Object -Unique | Should -Be 'always_fails'
    }

    It 'Get-DsRunReport counts the runs the API lists for the day' {
        $report = Get-DsRunReport -Date $date -TimeZone UTC -Project pester_ops
        $instances = @(Get-DsWorkflowInstance -Project pester_ops -Connection $own)
        $report.Totals.Instances | Should -Be $instances.Count
        $report.Totals.Failed | Should -Be @($instances | Where-Object State -EQ 'Failed').Count
        @($report.FailedTasks).Count | Should -Be @($instances | Where-Object State -EQ 'Failed').Count
    }

    It 'Test-DsMetadataIntegrity finds no error in what DS (the emulator) wrote' {
        $errors = @(Test-DsMetadataIntegrity | Where-Object Severity -EQ 'Error')
        $errors | Should -BeNullOrEmpty -Because ($errors | Out-String)
    }

    It 'Get-DsCommandQueue shows no command left behind' {
        $pending = @(Get-DsCommandQueue | Where-Object { $_.Queue -eq 'Pending' -and $_.Count -gt 0 })
        $pending | Should -BeNullOrEmpty
    }
}

Describe 'Emulator shutdown (pipeline suite)' {
    It 'Stop-DsTestEmulator stops every emulator and the mariadbd each started, and removes their temp data' {
        Assert-DsTestEmulatorShutdown -Emulator @($emulators.Values)
    }
}
