# Confirmation semantics of every cmdlet that supports ShouldProcess, as in PowerShell's own cmdlets: -WhatIf,
# $WhatIfPreference, -WhatIf:$false under $WhatIfPreference, -Confirm answered by a recording host, $ConfirmPreference
# against the cmdlet's ConfirmImpact, and (Sync-DsWorkflow/Sync-DsCluster) -Force, which skips only the second
# question (ShouldContinue) - like Remove-Item -Recurse, -Confirm:$false does not answer that one. Each run happens in
# its own runspace whose host records the prompts in order; "wrote nothing" is the emulator's metadata database
# (row counts and checksums), the config-table schema, the webhook's requests and every file under the work folder.

BeforeDiscovery {
    $target = '$t = New-DsNotificationTarget -Channel Webhook -WebhookUri $hookUri -WhatIf:$false -Confirm:$false'
    $health = '$h = @(Invoke-DsHealthCheck -Tag Quick -ErrorAction SilentlyContinue)'
    $instance = '$i = Get-DsWorkflowInstance -Project $runProject | Select-Object -First 1'
    # One invocation per cmdlet that would change something: Setup runs first (default preferences), then the
    # preferences of the case, then Command with the case's switches, then After (its output must show no change).
    $cases = @(
        @{ Name = 'Sync-DsWorkflow'; Command = 'Sync-DsWorkflow $newSpecs' }
        @{ Name = 'Sync-DsCluster'; Command = 'Sync-DsCluster $clusterConfig' }
        @{ Name = 'Initialize-DsCluster'; Command = 'Initialize-DsCluster -Config $clusterConfig' }
        @{ Name = 'Export-DsCluster'; Command = 'Export-DsCluster (Join-Path $work exported.yaml)' }
        @{ Name = 'Copy-DsWorkflow'; Command = 'Copy-DsWorkflow -Source (Get-DsConnection) -Connection (Get-DsConnection) -Project $project -DestinationProject "${project}_copy"' }
        @{ Name = 'Export-DsWorkflowSpec'; Setup = '$s = Get-DsWorkflowSpec -Connection (Get-DsConnection) -Project $project'; Command = '$s | Export-DsWorkflowSpec -Destination (Join-Path $work export)' }
        @{ Name = 'New-DsConfigTable'; Command = 'New-DsConfigTable -ConnectionString $configCs' }
        @{ Name = 'New-DsNotificationTarget'; Command = 'New-DsNotificationTarget -Channel Webhook -WebhookUri $hookUri'; OutputIsTheChange = $true }
        @{ Name = 'Send-DsNotification'; Setup = $target; Command = 'Send-DsNotification -Target $t -Message confirm' }
        @{ Name = 'Send-DsRunReport'; Setup = $target + '; $r = Get-DsRunReport -Date (Get-Date).Date -TimeZone UTC'; Command = '$r | Send-DsRunReport -Target $t' }
        @{ Name = 'Send-DsHealthReport'; Setup = $target + '; ' + $health; Command = '$h | Send-DsHealthReport -Target $t' }
        @{ Name = 'Export-DsHealthReport'; Setup = $health; Command = '$h | Export-DsHealthReport -Path (Join-Path $work health.json)' }
        @{ Name = 'Invoke-DsAlertSweep'; Setup = $target; Command = 'Invoke-DsAlertSweep -StateFile (Join-Path $work sweep.json) -Target $t -InitialLookback 1.00:00:00' }
        @{ Name = 'Remove-DsCommand'; Command = 'Remove-DsCommand -OlderThan (Get-Date).AddDays(1)'; MayFindNothing = $true }
        @{ Name = 'Remove-DsInstanceHistory'; Command = 'Remove-DsInstanceHistory -OlderThan (Get-Date).AddDays(1)' }
        @{ Name = 'Set-DsSchedule'; Command = 'Get-DsSchedule -Project $schedProject | Set-DsSchedule -Priority HIGH' }
        @{ Name = 'Disable-DsSchedule'; Command = 'Get-DsSchedule -Project $schedProject | Disable-DsSchedule -SaveTo (Join-Path $work saved.json)' }
        @{ Name = 'Enable-DsSchedule'; Command = 'Enable-DsSchedule -FromFile $offlineSaved -Force' }
        @{ Name = 'Set-DsServerConfig'; Command = 'Set-DsServerConfig -Path $dsHome -Role Worker -Key worker.exec-threads -Value 16' }
        @{ Name = 'Start-DsBackfill'; Command = 'Start-DsBackfill -Project $schedProject -Workflow nightly -From 2024-01-01 -To 2024-01-05 -StatePath (Join-Path $work bf.json)' }
        @{ Name = 'Start-DsWorkflow'; Command = 'Start-DsWorkflow -Project $runProject -Workflow breaks' }
        @{ Name = 'Restart-DsWorkflowInstance'; Setup = $instance; Command = '$i | Restart-DsWorkflowInstance' }
        @{ Name = 'Resume-DsWorkflowInstance'; Setup = $instance; Command = '$i | Resume-DsWorkflowInstance' }
        @{ Name = 'Stop-DsWorkflowInstance'; Setup = $instance; Command = '$i | Stop-DsWorkflowInstance' }
        @{ Name = 'Suspend-DsWorkflowInstance'; Setup = $instance; Command = '$i | Suspend-DsWorkflowInstance' }
        @{ Name = 'Complete-DsTaskInstance'; Setup = $instance + '; $task = Get-DsTaskInstance -Project $runProject -WorkflowInstanceId $i.WorkflowInstanceId'; Command = '$task | Complete-DsTaskInstance' }
        @{ Name = 'Stop-DsTaskInstance'; Setup = $instance + '; $task = Get-DsTaskInstance -Project $runProject -WorkflowInstanceId $i.WorkflowInstanceId'; Command = '$task | Stop-DsTaskInstance' }
        @{ Name = 'Disconnect-DsMetadata'; Command = 'Disconnect-DsMetadata'; After = 'try { $null = Get-DsCommandQueue -ErrorAction Stop; "still-connected" } catch { "disconnected" }' }
        @{ Name = 'Disconnect-DsServer'; Command = 'Disconnect-DsServer'; After = 'try { $null = Get-DsProject -ErrorAction Stop; "still-connected" } catch { "disconnected" }' }
    )
    $combinations = @(
        @{ Combination = '-WhatIf'; Prefix = ''; Suffix = ' -WhatIf'; Answer = @(); Prompts = 'none' }
        @{ Combination = '$WhatIfPreference = $true'; Prefix = '$WhatIfPreference = $true; '; Suffix = ''; Answer = @(); Prompts = 'none' }
        @{ Combination = '-WhatIf:$false -Confirm under $WhatIfPreference, answered No'; Prefix = '$WhatIfPreference = $true; '; Suffix = ' -WhatIf:$false -Confirm'; Answer = @('No'); Prompts = 'declined' }
        @{ Combination = '-Confirm answered No'; Prefix = ''; Suffix = ' -Confirm'; Answer = @('No'); Prompts = 'declined' }
        @{ Combination = '$ConfirmPreference at the ConfirmImpact, answered No'; Prefix = '$ConfirmPreference = ''{impact}''; '; Suffix = ''; Answer = @('No'); Prompts = 'declined' }
    )
    $matrix = foreach ($c in $cases) {
        foreach ($m in $combinations) {
            $case = @{ Setup = ''; After = ''; OutputIsTheChange = $false; MayFindNothing = $false }
            foreach ($k in $c.Keys) { $case[$k] = $c[$k] }
            $case + $m
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'DsOpsTestHarness.psm1') -Force
    Import-Module (Get-DsTestModulePath) -Force
    $emu = Start-DsTestEmulator -Dialect '3.2'
    $hook = Start-DsTestWebhook
    $null = Connect-DsTestEmulator $emu
    $work = Join-Path $TestDrive 'work'
    $null = New-Item -ItemType Directory -Force -Path $work
    $project = 'pester_confirm'; $runProject = 'pester_confirm_runs'; $schedProject = 'pester_confirm_sched'

    function Write-Spec([string] $Folder, [string] $Project, [string[]] $Workflows, [string] $Extra = '') {
        $null = New-Item -ItemType Directory -Force -Path $Folder
        $yaml = "project: $Project`nworkflows:`n" + (($Workflows | ForEach-Object { "  - name: $_`n$Extra    tasks: [ { name: t, type: SHELL, script: 'exit 2' } ]`n" }) -join '')
        Set-Content -LiteralPath (Join-Path $Folder 'spec.yaml') -Value $yaml
    }
    # Applied once: the workflows, the failed run and the schedules the cmdlets act on.
    $base = Join-Path $TestDrive 'base'
    Write-Spec $base $project 'daily', 'weekly'
    $null = Sync-DsWorkflow $base -Confirm:$false -NoState
    Write-Spec (Join-Path $TestDrive 'runs') $runProject 'breaks'
    $null = Sync-DsWorkflow (Join-Path $TestDrive 'runs') -Confirm:$false -NoState
    $null = Start-DsWorkflow -Project $runProject -Workflow breaks | Wait-DsWorkflowInstance -PollInterval 0.2 -Timeout 120
    $schedule = "    releaseState: ONLINE`n    schedule: { cron: '0 0 3 1 1 ? 2098', start: '2024-01-01 00:00:00', end: '2099-12-31 23:59:59' }`n"
    Write-Spec (Join-Path $TestDrive 'sched') $schedProject 'nightly', 'offline' -Extra $schedule
    $null = Sync-DsWorkflow (Join-Path $TestDrive 'sched') -Confirm:$false -NoState
    Get-DsSchedule -Project $schedProject | Where-Object { -not $_.IsOnline } | Enable-DsSchedule -Force -Confirm:$false
    $offlineSaved = Join-Path $TestDrive 'offline-saved.json'
    $null = Get-DsSchedule -Project $schedProject -Workflow offline | Disable-DsSchedule -SaveTo $offlineSaved -Confirm:$false
    # Never applied: what Sync-DsWorkflow would create.
    $newSpecs = Join-Path $TestDrive 'new'
    Write-Spec $newSpecs 'pester_confirm_new' 'fresh'
    $examples = Join-Path $TestDrive 'examples'
    Copy-Item -Recurse (Join-Path (Get-DsTestRepoRoot) 'docs/examples') $examples
    $clusterConfig = Join-Path $examples 'cluster/cluster.yaml'
    $dsHome = Join-Path $work 'ds'
    $shipped = Join-Path (Get-DsTestRepoRoot) 'tests/third_party/dolphinscheduler/config/3.2.2'
    $null = New-Item -ItemType Directory -Path (Join-Path $dsHome 'worker-server/conf'), (Join-Path $dsHome 'worker-server/bin') -Force
    Copy-Item (Join-Path $shipped 'worker-application.yaml') (Join-Path $dsHome 'worker-server/conf/application.yaml')
    Copy-Item (Join-Path $shipped 'worker-jvm_args_env.sh') (Join-Path $dsHome 'worker-server/bin/jvm_args_env.sh')
    $null = Invoke-DsTestSql $emu.MetadataConnectionString 'CREATE DATABASE IF NOT EXISTS pester_confirm_config'
    $configCs = $emu.MetadataConnectionString -replace '(?i)(Database=)[^;]*', '${1}pester_confirm_config'

    $variables = @{
        uri = $emu.ApiUri; token = $emu.Token; metaCs = $emu.MetadataConnectionString; work = $work; project = $project
        runProject = $runProject; schedProject = $schedProject; newSpecs = $newSpecs; clusterConfig = $clusterConfig; dsHome = $dsHome
        configCs = $configCs; hookUri = $hook.Uri; offlineSaved = $offlineSaved
    }
    $connect = '$null = Connect-DsServer -Uri $uri -Token $token -Name emu; $null = Connect-DsMetadata -ConnectionString $metaCs -ServerTimeZone UTC -AllowWrite'

    function Get-World {
        # Everything a cmdlet here could change outside its runspace.
        $files = Get-ChildItem -LiteralPath $work, (Split-Path $clusterConfig), $newSpecs -Recurse -File -Force |
            # Lock files (*.lock, *.lock.owner) are machine-local coordination, not state: not counted as writes.
            Where-Object { $_.Name -notmatch '\.lock(\.owner)?$' } | Sort-Object FullName |
            ForEach-Object { "$($_.FullName)=$((Get-FileHash -LiteralPath $_.FullName).Hash)" }
        $tables = (Invoke-DsTestSql $emu.MetadataConnectionString "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'pester_confirm_config'").n
        @((Get-DsTestDatabaseFingerprint -ConnectionString $emu.MetadataConnectionString), "config tables: $tables", "webhook: $($hook.Requests.Count)") + $files -join "`n"
    }

    function Invoke-Case([string] $Script, [string[]] $Answer = @()) {
        Invoke-DsTestRecorded -Script ($connect + "`n" + $Script) -Answer $Answer -Variable $variables
    }
}

AfterAll {
    if ($hook) { Stop-DsTestWebhook $hook }
    if ($emu) { $null = $emu | Stop-DsTestEmulator }
}

Describe 'Coverage' {
    It 'has cases for every cmdlet with SupportsShouldProcess' -ForEach @(@{ Names = @($cases.Name) }) {
        $supports = Get-Command -Module DsOps | Where-Object { $_.Parameters.ContainsKey('WhatIf') -and $_.Parameters.ContainsKey('Confirm') } | ForEach-Object Name | Sort-Object
        $Names | Sort-Object | Should -Be $supports
    }
}

Describe '<Name>: <Combination>' -ForEach $matrix {
    It 'writes nothing and prompts as PowerShell does' {
        $impact = (Get-Command $Name).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact
        $script = $(if ($Setup) { $Setup + "`n" } else { '' }) + $Prefix.Replace('{impact}', "$impact") + $Command + $Suffix +
            $(if ($After) { "`n`$WhatIfPreference = `$false; " + $After } else { '' })
        $before = Get-World
        $run = Invoke-Case $script $Answer
        Get-World | Should -Be $before
        if ($OutputIsTheChange) { @($run.Output | Where-Object { $_ }) | Should -BeNullOrEmpty }
        if ($After) { $run.Output[-1] | Should -Be 'still-connected' }
        if ($Prompts -eq 'none') { $run.Prompts | Should -BeNullOrEmpty }
        elseif (-not ($MayFindNothing -and $run.Prompts.Count -eq 0)) {
            $run.Prompts.Count | Should -BeGreaterThan 0 -Because "$Name must ask ($($run.Errors -join '; '))"
            $run.Prompts[0].Kind | Should -Be 'ShouldProcess' -Because 'ShouldProcess comes first'
            $run.Prompts.Kind | Sort-Object -Unique | Should -Be 'ShouldProcess' -Because 'nothing approved: no second question'
        }
        $run.Errors | Where-Object { $_.FullyQualifiedErrorId -like 'DsUnexpectedError*' } | Should -BeNullOrEmpty
    }
}

Describe 'Sync-DsWorkflow: the issue''s acceptance case and deletes' {
    BeforeAll {
        $pruneSpecs = Join-Path $TestDrive 'prune'
        function Reset-Prune {
            Write-Spec $pruneSpecs 'pester_confirm_prune' 'keep', 'drop'
            $null = Sync-DsWorkflow $pruneSpecs -Confirm:$false
            Write-Spec $pruneSpecs 'pester_confirm_prune' 'keep'
        }
        function Get-PruneNames { @(Get-DsWorkflow -Project pester_confirm_prune).Name | Sort-Object }
    }

    It 'Sync-DsWorkflow ./specs under $WhatIfPreference = $true makes zero writes and writes no state file' {
        $before = Get-World
        $run = Invoke-Case "Set-Location -LiteralPath '$TestDrive'; Copy-Item -Recurse -LiteralPath '$newSpecs' ./specs; `$WhatIfPreference = `$true; Sync-DsWorkflow ./specs"
        $run.Errors | Should -BeNullOrEmpty
        $run.Output.Status | Should -Be 'Skipped'
        $run.Output.Message | Should -Be 'WhatIf'
        $run.Prompts | Should -BeNullOrEmpty
        Get-World | Should -Be $before
        Join-Path $TestDrive 'specs/.dsops-state.json' | Should -Not -Exist
        @(Get-ChildItem -LiteralPath (Join-Path $TestDrive 'specs') -Force).Name | Should -Be 'spec.yaml'
    }

    It '-Prune -Confirm asks ShouldProcess, then ShouldContinue; No to the second keeps the workflow' {
        Reset-Prune
        $run = Invoke-DsTestRecorded -Script ($connect + "`nSync-DsWorkflow '$pruneSpecs' -Prune -Confirm") -Answer 'Yes', 'No' -Variable $variables
        $run.Prompts.Kind | Should -Be 'ShouldProcess', 'ShouldContinue'
        $run.Prompts[0].Message | Should -Match 'pester_confirm_prune/drop'
        $run.Prompts[1].Message | Should -Match 'Delete 1 workflow'
        ($run.Output | Where-Object Workflow -EQ 'drop').Status | Should -Be 'Skipped'
        Get-PruneNames | Should -Be 'drop', 'keep'
    }

    It '-Prune -Confirm:$false still asks ShouldContinue (as Remove-Item -Recurse does); No keeps the workflow' {
        $run = Invoke-DsTestRecorded -Script ($connect + "`nSync-DsWorkflow '$pruneSpecs' -Prune -Confirm:`$false") -Answer 'No' -Variable $variables
        $run.Prompts.Kind | Should -Be 'ShouldContinue'
        Get-PruneNames | Should -Be 'drop', 'keep'
    }

    It '-Prune -Force -Confirm asks ShouldProcess only, and deletes' {
        $run = Invoke-DsTestRecorded -Script ($connect + "`nSync-DsWorkflow '$pruneSpecs' -Prune -Force -Confirm") -Answer 'Yes' -Variable $variables
        $run.Prompts.Kind | Should -Be 'ShouldProcess'
        ($run.Output | Where-Object Workflow -EQ 'drop').Status | Should -Be 'Applied'
        Get-PruneNames | Should -Be 'keep'
    }

    It '$ConfirmPreference = ''Low'' makes ShouldProcess ask; ''High'' does not (Sync-DsWorkflow is Medium), and -Force -Confirm:$false asks nothing' {
        Reset-Prune
        $low = Invoke-DsTestRecorded -Script ($connect + "`n`$ConfirmPreference = 'Low'; Sync-DsWorkflow '$pruneSpecs' -Prune") -Answer 'No' -Variable $variables
        $low.Prompts.Kind | Should -Be 'ShouldProcess'
        $high = Invoke-DsTestRecorded -Script ($connect + "`n`$ConfirmPreference = 'High'; Sync-DsWorkflow '$pruneSpecs' -Prune") -Answer 'No' -Variable $variables
        $high.Prompts.Kind | Should -Be 'ShouldContinue'
        Get-PruneNames | Should -Be 'drop', 'keep'
        $forced = Invoke-DsTestRecorded -Script ($connect + "`nSync-DsWorkflow '$pruneSpecs' -Prune -Force -Confirm:`$false") -Variable $variables
        $forced.Prompts | Should -BeNullOrEmpty
        Get-PruneNames | Should -Be 'keep'
    }

    It 'a host that cannot prompt fails with PowerShell''s own error id, and deletes nothing' {
        Reset-Prune
        $module = Get-DsTestModulePath
        $out = Invoke-DsTestPwsh -Command ("Import-Module '$module'; `$null = Connect-DsServer -Uri '$($emu.ApiUri)' -Token (ConvertTo-SecureString '$($emu.PlainToken)' -AsPlainText -Force); " +
            "try { Sync-DsWorkflow '$pruneSpecs' -Prune -Confirm:`$false -ErrorAction Stop } catch { 'ID=' + `$_.FullyQualifiedErrorId }")
        $id = @($out | Where-Object { "$_" -like 'ID=*' })[0]
        $id | Should -Not -BeNullOrEmpty -Because ($out -join "`n")
        $id | Should -Not -BeLike 'ID=Ds*' -Because 'DsErrors must not rewrap what PowerShell reports'
        $id | Should -BeLike '*,DsOps.Commands.Specs.SyncDsWorkflowCommand'
        Get-PruneNames | Should -Be 'drop', 'keep'
    }
}

Describe 'Sync-DsCluster: -Force skips only ShouldContinue' {
    It '-Prune -Confirm asks ShouldProcess for each change before the one ShouldContinue; -WhatIf asks nothing' {
        $whatIf = Invoke-Case 'Sync-DsCluster $clusterConfig -Prune -WhatIf'
        $whatIf.Prompts | Should -BeNullOrEmpty
        $run = Invoke-Case 'Sync-DsCluster $clusterConfig -Prune -Force -Confirm' -Answer 'No'
        $run.Prompts.Count | Should -BeGreaterThan 0
        $run.Prompts.Kind | Sort-Object -Unique | Should -Be 'ShouldProcess'
    }
}

Describe 'Emulator shutdown (Confirmation suite)' {
    It 'stops the emulator' { Assert-DsTestEmulatorShutdown -Emulator $emu }
}
