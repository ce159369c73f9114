# Clusters as config in real pwsh against the published module: an empty emulator (fresh schema, admin only) of DS 3.2,
# 3.3 and 3.4 becomes a working cluster from docs/examples with ONE Initialize-DsCluster; a second run changes nothing;
# Export-DsCluster round-trips; recognisable secrets given through environment variables reach DS but no stream,
# $Error, transcript, plan file, state file or export. Compare-DsCluster of two clusters that differ in exactly three
# known places reports exactly those three. docs/clusters-as-config.md.

BeforeDiscovery {
    $dialects = @(
        @{ Dialect = '3.2' }
        @{ Dialect = '3.3' }
        @{ Dialect = '3.4' }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'DsOpsTestHarness.psm1') -Force
    Import-Module (Get-DsTestModulePath) -Force
    $repo = Get-DsTestRepoRoot

    # A second 3.2 emulator is the other site of the Compare-DsCluster test.
    $started = @(Start-DsTestEmulator -Dialect '3.2', '3.3', '3.4', '3.2')
    $emulators = @{ '3.2' = $started[0]; '3.3' = $started[1]; '3.4' = $started[2] }
    $siteB = $started[3]

    # The canary: one recognisable value per secret reference of docs/examples/cluster/cluster.yaml.
    $canary = 'Canary-Sec-7f3a' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $variables = 'DSOPS_EXAMPLE_USER_PASSWORD', 'DSOPS_EXAMPLE_ODS_PASSWORD', 'DSOPS_EXAMPLE_DW_PASSWORD', 'DSOPS_EXAMPLE_DINGTALK_WEBHOOK', 'DSOPS_EXAMPLE_DINGTALK_SECRET'
    foreach ($v in $variables) { Set-Item -Path "env:$v" -Value "$canary-$v" }

    function Copy-Example {
        # docs/examples/cluster and docs/examples/workflows side by side, as the config's file source (../workflows/...) expects.
        param([string] $To)
        $null = New-Item -ItemType Directory -Force -Path $To
        Copy-Item -Recurse -LiteralPath (Join-Path $repo 'docs/examples/cluster') -Destination (Join-Path $To 'cluster')
        Copy-Item -Recurse -LiteralPath (Join-Path $repo 'docs/examples/workflows') -Destination (Join-Path $To 'workflows')
        [pscustomobject]@{ Config = Join-Path $To 'cluster/cluster.yaml'; Workflows = Join-Path $To 'workflows'; Root = $To }
    }

    function ConvertTo-Text {
        # Every record of every stream as text, with what an ErrorRecord carries besides its message.
        param([object[]] $Records)
        foreach ($r in $Records) {
            if ($null -eq $r) { continue }
            if ($r -is [Management.Automation.ErrorRecord]) {
                "$r | $($r.Exception) | $($r.ErrorDetails) | $($r.TargetObject) | $($r.CategoryInfo) | $($r.FullyQualifiedErrorId)"
            }
            elseif ($r -is [Management.Automation.InformationRecord]) { "$($r.MessageData) $($r.Tags -join ',')" }
            elseif ($r -is [Management.Automation.InformationalRecord]) { $r.Message }
            else {
                ($r | Format-List * -Force | Out-String -Width 400)
                if ($r.PSObject.Properties['Details']) { foreach ($d in @($r.Details)) { "$d"; $d | Format-List * -Force | Out-String -Width 400 } }
            }
        }
    }
}

AfterAll {
    foreach ($v in $variables) { Remove-Item -Path "env:$v" -ErrorAction SilentlyContinue }
    if ($started) { $null = $started | Stop-DsTestEmulator }
}

Describe 'Initialize-DsCluster on an empty DS <Dialect>' -ForEach $dialects {
    BeforeAll {
        $emu = $emulators[$Dialect]
        $c = Connect-DsServer -Uri $emu.ApiUri -Token $emu.Token -NoDefault
        $site = Copy-Example -To (Join-Path $TestDrive "site-$Dialect")
        $planFile = Join-Path $site.Root 'plan.json'
        $exported = Join-Path $site.Root 'export/cluster.yaml'
        $transcript = Join-Path $site.Root 'transcript.txt'
        $texts = [Collections.Generic.List[string]]::new()
        $Error.Clear()

        # -Debug also turns warnings into questions for compiled cmdlets (PowerShell's own rule); -WarningAction Continue
        # keeps every stream flowing in this non-interactive run without hiding any of them.
        Start-Transcript -LiteralPath $transcript -Force
        try {
            # A saved plan of the whole bootstrap (secrets as references), then the one command, every stream captured.
            $plan = @(Compare-DsClusterConfig -Config $site.Config -Connection $c -OutFile $planFile -Verbose -Debug -WarningAction Continue *>&1)
            $first = @(Initialize-DsCluster -Config $site.Config -Workflows $site.Workflows -Environment PROD -Connection $c -Verbose -Debug -WarningAction Continue *>&1)
            $first | Out-Host
            $fingerprint = Get-DsTestDatabaseFingerprint -ConnectionString $emu.MetadataConnectionString
            $second = @(Initialize-DsCluster -Config $site.Config -Workflows $site.Workflows -Environment PROD -Connection $c -Verbose -Debug -WarningAction Continue *>&1)
            $second | Out-Host
            $fingerprintAfter = Get-DsTestDatabaseFingerprint -ConnectionString $emu.MetadataConnectionString
            $export = @(Export-DsCluster -Path $exported -Connection $c -Verbose -Debug -WarningAction Continue *>&1)
            $export | Out-Host
            $roundTrip = @(Compare-DsClusterConfig -Config $exported -Connection $c -NoState -Verbose -Debug -WarningAction Continue *>&1)
            $roundTrip | Out-Host
        }
        finally { Stop-Transcript }
        foreach ($records in $plan, $first, $second, $export, $roundTrip) { foreach ($t in ConvertTo-Text $records) { $texts.Add($t) } }
        $errorsSeen = @($Error | ForEach-Object { "$_ | $($_.Exception) | $($_.ErrorDetails) | $($_.TargetObject)" })
    }

    It 'one command makes the working cluster: every example resource, then both workflows' {
        @($first | Where-Object { $_ -is [Management.Automation.ErrorRecord] }) | Should -BeNullOrEmpty
        $result = @($first | Where-Object { $_ -is [DsOps.Engine.Clusters.ClusterBootstrapResult] })
        $result.Count | Should -Be 1
        $result[0].Succeeded | Should -BeTrue -Because "$($result[0])"
        ($result[0].ResourcesApplied, $result[0].ResourcesFailed, $result[0].WorkflowsApplied, $result[0].WorkflowsFailed) | Should -Be 11, 0, 2, 0

        # What DS now holds, read from its own tables (the secrets reached it).
        $db = $emu.MetadataConnectionString
        $workflowTable = if ($c.Dialect.UsesWorkflowNaming) { 't_ds_workflow_definition' } else { 't_ds_process_definition' }
        (Invoke-DsTestSql $db "SELECT t.tenant_code AS v FROM t_ds_user u JOIN t_ds_tenant t ON t.id = u.tenant_id WHERE u.user_name = 'etl_user'").v | Should -Be 'etl_prod'
        (Invoke-DsTestSql $db "SELECT connection_params AS v FROM t_ds_datasource WHERE name = 'dw_prod'").v | Should -BeLike "*$canary-DSOPS_EXAMPLE_DW_PASSWORD*"
        (Invoke-DsTestSql $db "SELECT plugin_instance_params AS v FROM t_ds_alert_plugin_instance WHERE instance_name = 'ops-dingtalk'").v | Should -BeLike "*$canary-DSOPS_EXAMPLE_DINGTALK_WEBHOOK*"
        (Invoke-DsTestSql $db "SELECT r.worker_group AS v FROM t_ds_environment_worker_group_relation r JOIN t_ds_environment e ON e.code = r.environment_code WHERE e.name = 'prod-env'").v | Should -Be 'prod-workers'
        (Invoke-DsTestSql $db "SELECT COUNT(*) AS v FROM t_ds_relation_project_user r JOIN t_ds_project p ON p.id = r.project_id JOIN t_ds_user u ON u.id = r.user_id WHERE p.name = 'analytics' AND u.user_name = 'etl_user'").v | Should -Be 1
        (Invoke-DsTestSql $db "SELECT COUNT(*) AS v FROM $workflowTable d JOIN t_ds_project p ON p.code = d.project_code WHERE p.name = 'analytics'").v | Should -Be 2
    }

    It 'running it again plans zero changes and writes nothing' {
        @($second | Where-Object { $_ -is [Management.Automation.ErrorRecord] }) | Should -BeNullOrEmpty
        $result = @($second | Where-Object { $_ -is [DsOps.Engine.Clusters.ClusterBootstrapResult] })[0]
        ($result.ResourcesApplied, $result.ResourcesUnchanged, $result.WorkflowsApplied, $result.WorkflowsUnchanged) | Should -Be 0, 11, 0, 2
        $fingerprintAfter | Should -Be $fingerprint
        @(Compare-DsClusterConfig -Config $site.Config -Connection $c) | Should -BeNullOrEmpty
    }

    It 'Export-DsCluster round-trips: the export plans zero changes and holds every declared field of the example' {
        @($export | Where-Object { $_ -is [IO.FileInfo] }).FullName | Should -Be $exported
        @($roundTrip | Where-Object { $_ -is [DsOps.Engine.Clusters.ClusterPlanItem] }) | Should -BeNullOrEmpty
        $source = [DsOps.Engine.Clusters.ClusterConfigReader]::ReadFile($site.Config)
        $copy = [DsOps.Engine.Clusters.ClusterConfigReader]::ReadFile($exported)
        $unsupported = [DsOps.Engine.Clusters.ClusterPlanOptions]::UnsupportedFields($c.Dialect)
        foreach ($want in $source.Resources) {
            $got = $copy.Find($want.Kind, $want.Name)
            $got | Should -Not -BeNullOrEmpty -Because "$($want.Key) is on the server"
            @([DsOps.Engine.Clusters.ClusterPlanner]::Diff($want, $got) | Where-Object { -not $unsupported.Contains("$($want.Kind).$($_.Field)") }) |
                Should -BeNullOrEmpty -Because "$($want.Key) keeps its declared fields"
            @($got.Secrets.Keys) | Should -Be @($want.Secrets.Keys)
        }
        (Get-Content -Raw -LiteralPath $exported) | Should -Match ([regex]::Escape('${env:DSOPS_DATASOURCE_DW_PROD_PASSWORD}'))
        Join-Path (Split-Path $exported) 'files/scripts/extract.sh' | Should -Exist
    }

    It 'the secrets appear in no stream, $Error, transcript, plan file, state file or export' {
        $texts.Count | Should -BeGreaterThan 20 -Because 'every stream was captured (-Verbose -Debug)'
        @($texts | Where-Object { $_ -match 'Cluster plan:' }) | Should -Not -BeNullOrEmpty -Because 'the verbose stream was captured'
        foreach ($t in $texts) { $t | Should -Not -Match $canary }
        foreach ($t in $errorsSeen) { $t | Should -Not -Match $canary }
        $planFile | Should -Exist
        Join-Path $site.Root 'cluster/.dsops-cluster-state.json' | Should -Exist
        $transcript | Should -Exist
        (Get-Content -Raw -LiteralPath $transcript) | Should -Match '11 applied, 0 unchanged, 0 failed' -Because 'the transcript recorded the first run'
        $files = Get-ChildItem -LiteralPath $site.Root -Recurse -File -Force | Where-Object Extension -ne '.sh'
        @($files.Name) | Should -Contain 'plan.json'
        foreach ($f in $files) { Get-Content -Raw -LiteralPath $f.FullName | Should -Not -Match $canary -Because $f.FullName }
    }
}

Describe 'Compare-DsCluster of two bootstrapped clusters' {
    BeforeAll {
        # Site A: the 3.2 cluster bootstrapped above from the example. Site B: the example with exactly three changes.
        $a = Connect-DsServer -Uri $emulators['3.2'].ApiUri -Token $emulators['3.2'].Token -NoDefault
        $b = Connect-DsServer -Uri $siteB.ApiUri -Token $siteB.Token -NoDefault
        # Site A is bootstrapped already when the per-version tests ran first; otherwise this makes it (else nothing changes).
        $siteA = Copy-Example -To (Join-Path $TestDrive 'site-a')
        $bootA = @(Initialize-DsCluster -Config $siteA.Config -Workflows $siteA.Workflows -Environment PROD -Connection $a 2>&1)
        $site = Copy-Example -To (Join-Path $TestDrive 'site-b')
        $yaml = Get-Content -Raw -LiteralPath $site.Config
        $yaml = $yaml.Replace('host: dw.db.example.local', 'host: dw2.db.example.local').
            Replace('export JAVA_HOME=/opt/java', 'export JAVA_HOME=/opt/java17').
            Replace('description: ETL jobs of the example workflows', 'description: ETL jobs of site B')
        Set-Content -LiteralPath $site.Config -Value $yaml
        $boot = @(Initialize-DsCluster -Config $site.Config -Workflows $site.Workflows -Environment PROD -Connection $b 2>&1)
        $records = @(Compare-DsCluster -Reference $a -Difference $b -Verbose *>&1)
    }

    It 'reports exactly the three known differences' {
        @($bootA + $boot | Where-Object { $_ -is [Management.Automation.ErrorRecord] }) | Should -BeNullOrEmpty
        @($boot | Where-Object { $_ -is [DsOps.Engine.Clusters.ClusterBootstrapResult] }).Succeeded | Should -BeTrue
        @($records | Where-Object { $_ -is [Management.Automation.ErrorRecord] }) | Should -BeNullOrEmpty
        $differences = @($records | Where-Object { $_ -is [DsOps.Engine.Clusters.Comparison.DsClusterDifference] })
        $differences | ForEach-Object { "$_" } | Out-Host
        $differences.Count | Should -Be 3
        $found = @($differences | ForEach-Object { "$($_.Kind)|$($_.Name)|$($_.Field)|$($_.Change)" } | Sort-Object)
        $found | Should -Be @(
            'DataSource|dw_prod|host|Different'
            'Environment|prod-env|config|Different'
            'Tenant|etl_prod|description|Different'
        )
        ($differences | Where-Object Kind -eq 'Tenant').DifferenceValue | Should -Be 'ETL jobs of site B'
        ($differences | Where-Object Kind -eq 'DataSource').DifferenceValue | Should -BeLike '*dw2.db.example.local*'
        foreach ($t in ConvertTo-Text $records) { $t | Should -Not -Match $canary }
    }
}
