@{
    RootModule           = 'DsOps.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0f3c1e-5d8a-4b8e-9a57-3c2d1b7e4a10'
    Author               = 'DsOps'
    CompanyName          = 'DsOps'
    Copyright            = '(c) DsOps contributors. Apache-2.0.'
    Description          = 'Operate Apache DolphinScheduler clusters: workflows as config (plan and apply), run reports and failure alerts, metadata inspection, health checks and tuning.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @(
        'DsOps.Api.Format.ps1xml',
        'DsOps.Apply.Format.ps1xml',
        'DsOps.Backfill.Format.ps1xml',
        'DsOps.Clusters.Format.ps1xml',
        'DsOps.Inspection.Format.ps1xml',
        'DsOps.Metadata.Format.ps1xml',
        'DsOps.Notifications.Format.ps1xml',
        'DsOps.Operations.Format.ps1xml',
        'DsOps.RunAnalysis.Format.ps1xml',
        'DsOps.Runs.Format.ps1xml',
        'DsOps.Promotion.Format.ps1xml',
        'DsOps.ServerConfig.Format.ps1xml',
        'DsOps.Specs.Format.ps1xml'
    )
    # One comma-separated array literal, not one statement per line: PowerShell compiles each statement of @( ) when
    # it reads the manifest, which made Import-Module JIT-compile 74 more methods (docs/benchmarks.md).
    CmdletsToExport      = @(
        'Assert-DsHealth',
        'Compare-DsCluster',
        'Compare-DsClusterConfig',
        'Compare-DsWorkflow',
        'Complete-DsTaskInstance',
        'Connect-DsMetadata',
        'Connect-DsServer',
        'Copy-DsWorkflow',
        'Disable-DsSchedule',
        'Disconnect-DsMetadata',
        'Disconnect-DsServer',
        'Enable-DsSchedule',
        'Export-DsCluster',
        'Export-DsHealthReport',
        'Export-DsWorkflowSpec',
        'Get-DsAlertGroup',
        'Get-DsCommandQueue',
        'Get-DsConnection',
        'Get-DsCriticalPath',
        'Get-DsDataSource',
        'Get-DsEnvironment',
        'Get-DsFailedTask',
        'Get-DsHealthCheck',
        'Get-DsLongRunningTask',
        'Get-DsProject',
        'Get-DsRunReport',
        'Get-DsSchedule',
        'Get-DsServerConfig',
        'Get-DsServerNode',
        'Get-DsStuckInstance',
        'Get-DsTaskInstance',
        'Get-DsTaskLog',
        'Get-DsTenant',
        'Get-DsTuningAdvice',
        'Get-DsWorkerGroup',
        'Get-DsWorkflow',
        'Get-DsWorkflowInstance',
        'Get-DsWorkflowProvenance',
        'Get-DsWorkflowSpec',
        'Initialize-DsCluster',
        'Invoke-DsAlertSweep',
        'Invoke-DsHealthCheck',
        'New-DsConfigTable',
        'New-DsNotificationTarget',
        'Remove-DsCommand',
        'Remove-DsInstanceHistory',
        'Restart-DsWorkflowInstance',
        'Resume-DsWorkflowInstance',
        'Send-DsHealthReport',
        'Send-DsNotification',
        'Send-DsRunReport',
        'Set-DsSchedule',
        'Set-DsServerConfig',
        'Start-DsBackfill',
        'Start-DsWorkflow',
        'Stop-DsTaskInstance',
        'Stop-DsWorkflowInstance',
        'Suspend-DsWorkflowInstance',
        'Sync-DsCluster',
        'Sync-DsWorkflow',
        'Test-DsMetadataIntegrity',
        'Test-DsServerConfig',
        'Test-DsWorkflowSpec',
        'Wait-DsWorkflowInstance'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('DolphinScheduler', 'DataOps', 'Scheduler', 'Workflow', 'DingTalk')
            LicenseUri = 'https://www.apache.org/licenses/LICENSE-2.0'
        }
    }
}
