# Copy-DsWorkflow in real pwsh between two emulators: a DS 3.2 "UAT" and a DS 3.3 "PROD", each set up with its own
# names by Sync-DsCluster (tenant, worker group, data source, alert group). The copy maps UAT's names to PROD's through
# the environments file, PROD gives the copies its own codes and ids, and a second copy writes nothing.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'DsOpsTestHarness.psm1') -Force
    Import-Module (Get-DsTestModulePath) -Force
    $uatEmu, $prodEmu = @(Start-DsTestEmulator -Dialect '3.2', '3.3')
    $env:DSOPS_PESTER_COPY_PASSWORD = 'Copy-Secret-4471'
    $root = Join-Path $TestDrive 'promotion'
    $null = New-Item -ItemType Directory -Force -Path (Join-Path $root 'specs')

    function Write-ClusterConfig {
        # PROD gets a data source more before its own, so the ids of ods_uat and ods_prod differ.
        param([string] $Env, [string[]] $DataSources)
        $e = $Env.ToLowerInvariant()
        $ds = ($DataSources | ForEach-Object {
                "  - { name: $_, type: MYSQL, host: db.example, port: 3306, database: ods, userName: etl, password: '`${env:DSOPS_PESTER_COPY_PASSWORD}' }"
            }) -join "`n"
        $path = Join-Path $root "cluster-$e.yaml"
        @"
queues:
  - { name: q_$e, queue: root.$e }
tenants:
  - { name: etl_$e, queue: q_$e }
workerGroups:
  - { name: $e-workers, addresses: [127.0.0.1:1234] }
dataSources:
$ds
alertGroups:
  - { name: ops-$e, description: operations }
"@ | Set-Content -LiteralPath $path
        $path
    }

    @'
environments:
  UAT:
    dataSources: { ods: ods_uat }
    workerGroups: { etl: uat-workers }
    tenants: { etl: etl_uat }
    alertGroups: { ops: ops-uat }
  PROD:
    dataSources: { ods: ods_prod }
    workerGroups: { etl: prod-workers }
    tenants: { etl: etl_prod }
    alertGroups: { ops: ops-prod }
  NOWHERE:
    dataSources: { ods: ods_nowhere }
    workerGroups: { etl: prod-workers }
    tenants: { etl: etl_prod }
    alertGroups: { ops: ops-prod }
'@ | Set-Content -LiteralPath (Join-Path $root 'specs/environments.yaml')
    # A cron far ahead: nothing runs while the test does, so only the cmdlets change the databases.
    @'
project: promo
workflows:
  - name: daily
    tenant: etl
    schedule: { cron: '0 0 3 1 1 ? 2098', start: '2024-01-01 00:00:00', end: '2099-12-31 23:59:59', workerGroup: etl, warningType: FAILURE, warningGroup: ops }
    tasks:
      - { name: extract, type: SQL, dataSource: ods, workerGroup: etl, script: select 1 }
      - { name: load, type: SHELL, dependsOn: [extract], workerGroup: etl, script: echo load }
  - name: weekly
    releaseState: OFFLINE
    tasks:
      - { name: purge, type: SHELL, script: echo purge }
'@ | Set-Content -LiteralPath (Join-Path $root 'specs/promo.yaml')

    $uat = (Connect-DsTestEmulator $uatEmu -NoMetadata).Api
    $prod = (Connect-DsTestEmulator $prodEmu -NoMetadata).Api
    $null = Sync-DsCluster (Write-ClusterConfig UAT 'ods_uat') -Connection $uat -Confirm:$false
    $null = Sync-DsCluster (Write-ClusterConfig PROD 'first_ds', 'ods_prod') -Connection $prod -Confirm:$false
    $null = Sync-DsWorkflow (Join-Path $root 'specs') -Environment UAT -Connection $uat -NoState -Confirm:$false
    $copy = @{
        Source = $uat; Connection = $prod; Project = 'promo'; EnvironmentFile = (Join-Path $root 'specs/environments.yaml')
        SourceEnvironment = 'UAT'; DestinationEnvironment = 'PROD'
    }
    function Get-ProdFingerprint { Get-DsTestDatabaseFingerprint -ConnectionString $prodEmu.MetadataConnectionString }
}

AfterAll {
    Remove-Item Env:DSOPS_PESTER_COPY_PASSWORD -ErrorAction SilentlyContinue
    if ($uatEmu) { $null = $uatEmu, $prodEmu | Stop-DsTestEmulator }
}

Describe 'Copy-DsWorkflow from DS 3.2 to DS 3.3' {
    It 'refuses a mapping to a data source PROD does not have, naming it, and writes nothing' {
        $before = Get-ProdFingerprint
        { Copy-DsWorkflow @copy -DestinationEnvironment NOWHERE -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'DsCopyMappingMissing,*' -ExpectedMessage "*data source 'ods_uat' is 'ods_nowhere' on the destination (environment NOWHERE)*"
        Get-ProdFingerprint | Should -Be $before
    }

    It '-WhatIf and $WhatIfPreference copy nothing' {
        $before = Get-ProdFingerprint
        $result = Copy-DsWorkflow @copy -IncludeSchedule -WhatIf
        $result.Status | Should -Be @('Skipped', 'Skipped')
        $result.Message | Should -Be @('WhatIf', 'WhatIf')
        $WhatIfPreference = $true
        try { $null = Get-DsWorkflow -Project promo -Connection $uat | Copy-DsWorkflow -Connection $prod -EnvironmentFile $copy.EnvironmentFile -SourceEnvironment UAT -Environment PROD }
        finally { $WhatIfPreference = $false }
        Get-ProdFingerprint | Should -Be $before
    }

    It 'copies both workflows with PROD names, ids and one offline schedule' {
        $result = Copy-DsWorkflow @copy -IncludeSchedule -Confirm:$false
        $result.Status | Should -Be @('Applied', 'Applied')
        $result.Schedule | Should -Be @('Created', 'None')
        ($result | Format-Table | Out-String -Width 120) | Should -Match 'promo/daily\s+promo/daily\s+\d+\s+Created \(offline\)'

        $spec = Get-DsWorkflowSpec -Connection $prod -Project promo | Where-Object Name -EQ daily
        $spec.Tenant | Should -Be 'etl_prod'
        $spec.Schedule.WorkerGroup | Should -Be 'prod-workers'
        $spec.Schedule.WarningGroup | Should -Be 'ops-prod'
        $spec.Schedule.Online | Should -BeFalse
        ($spec.Tasks | Where-Object Name -EQ extract).DataSource | Should -Be 'ods_prod'
        ($spec.Tasks | ForEach-Object WorkerGroup | Sort-Object -Unique) | Should -Be 'prod-workers'
        (Get-DsWorkflow -Project promo -Name weekly -Connection $prod).ReleaseState | Should -Be 'OFFLINE'

        $prodOds = (Invoke-DsTestSql $prodEmu.MetadataConnectionString "SELECT id FROM t_ds_datasource WHERE name = 'ods_prod'").id
        $uatOds = (Invoke-DsTestSql $uatEmu.MetadataConnectionString "SELECT id FROM t_ds_datasource WHERE name = 'ods_uat'").id
        $prodOds | Should -Not -Be $uatOds
        $params = (Invoke-DsTestSql $prodEmu.MetadataConnectionString "SELECT task_params FROM t_ds_task_definition WHERE name = 'extract'").task_params
        ($params -replace '\s', '') | Should -BeLike "*`"datasource`":$prodOds*"
        (Invoke-DsTestSql $prodEmu.MetadataConnectionString 'SELECT COUNT(*) AS n FROM t_ds_schedules').n | Should -Be 1
    }

    It 'a second copy changes nothing and creates no second schedule or workflow' {
        $before = Get-ProdFingerprint
        $result = Copy-DsWorkflow @copy -IncludeSchedule -PassThru -Confirm:$false
        $result.Status | Should -Be @('Unchanged', 'Unchanged')
        $none = Copy-DsWorkflow @copy -IncludeSchedule -Confirm:$false
        $none | Should -BeNullOrEmpty
        Get-ProdFingerprint | Should -Be $before
        (Invoke-DsTestSql $prodEmu.MetadataConnectionString 'SELECT COUNT(*) AS n FROM t_ds_schedules').n | Should -Be 1
        (Invoke-DsTestSql $prodEmu.MetadataConnectionString 'SELECT COUNT(*) AS n FROM t_ds_workflow_definition').n | Should -Be 2
    }

    It 'takes a workflow code for -Workflow and names a code that does not exist' {
        $weekly = Get-DsWorkflow -Project promo -Name weekly -Connection $uat
        $result = Copy-DsWorkflow @copy -Workflow $weekly.WorkflowCode -PassThru -Confirm:$false
        $result.Source | Should -Be 'promo/weekly'
        $result.Status | Should -Be 'Unchanged'
        { Copy-DsWorkflow @copy -Workflow 999999999 -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'DsWorkflowNotFound,*' -ExpectedMessage "*999999999*promo*"
    }

    It 'never writes the data-source password anywhere' {
        $all = Copy-DsWorkflow @copy -IncludeSchedule -PassThru -Confirm:$false -Verbose 4>&1 6>&1 | Out-String
        $all | Should -Not -BeLike '*Copy-Secret-4471*'
    }
}
