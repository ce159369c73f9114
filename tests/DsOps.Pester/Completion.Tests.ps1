# Tab completion through TabExpansion2, as a user presses Tab: -Project completes on EVERY cmdlet that has it (found
# with Get-Command, not a hand list) against an emulator; -Connection on the command line points completion at a
# second emulator; fixed sets (check ids, DS versions, time zones, environments of the environments file) complete.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'DsOpsTestHarness.psm1') -Force
    Import-Module (Get-DsTestModulePath) -Force
    $withProject = @(Get-Command -Module DsOps | Where-Object { $_.Parameters.ContainsKey('Project') } | ForEach-Object { @{ Command = $_.Name } })
    $withProjectAndConnection = @(Get-Command -Module DsOps |
        Where-Object { $_.Parameters.ContainsKey('Project') -and $_.Parameters.ContainsKey('Connection') } | ForEach-Object { @{ Command = $_.Name } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'DsOpsTestHarness.psm1') -Force
    Import-Module (Get-DsTestModulePath) -Force
    $emuA, $emuB = @(Start-DsTestEmulator -Dialect '3.2', '3.3')
    $null = Connect-DsTestEmulator $emuA -NoMetadata
    # Completion reads -Connection's value from the command line; a global variable is what a user's prompt has.
    $global:DsCompletionB = Connect-DsServer -Uri $emuB.ApiUri -Token $emuB.Token -Name 'second' -NoDefault

    function New-Spec([string] $Folder, [string] $Project) {
        $null = New-Item -ItemType Directory -Force -Path $Folder
        Set-Content -LiteralPath (Join-Path $Folder 'spec.yaml') -Value "project: $Project`nworkflows:`n  - name: nightly_load`n    tasks: [ { name: t, type: SHELL, script: echo hi } ]`n"
        $Folder
    }
    $null = Sync-DsWorkflow (New-Spec (Join-Path $TestDrive 'a') 'pcompl_alpha') -Confirm:$false
    $null = Sync-DsWorkflow (New-Spec (Join-Path $TestDrive 'b') 'pcompl_beta') -Connection $global:DsCompletionB -Confirm:$false

    function Get-Completion([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches | ForEach-Object CompletionText
    }
}

AfterAll {
    Remove-Variable -Name DsCompletionB -Scope Global -ErrorAction SilentlyContinue
    if ($emuA) { $null = $emuA, $emuB | Stop-DsTestEmulator }
}

Describe 'Every -Project completes from the server' {
    It 'finds the cmdlets with -Project (the enumeration is not empty)' -ForEach @{ Found = $withProject.Count } {
        $Found | Should -BeGreaterOrEqual 16
    }

    It '<Command> -Project completes the default connection''s projects' -ForEach $withProject {
        $names = Get-Completion "$Command -Project pcompl_"
        $names | Should -Contain 'pcompl_alpha'
        $names | Should -Not -Contain 'pcompl_beta'
    }

    It '<Command> -Connection $second -Project completes the second server''s projects' -ForEach $withProjectAndConnection {
        $names = Get-Completion "$Command -Connection `$global:DsCompletionB -Project pcompl_"
        $names | Should -Contain 'pcompl_beta'
        $names | Should -Not -Contain 'pcompl_alpha'
    }
}

Describe 'Other server objects complete' {
    It '-Workflow completes the workflows of the -Project on the command line' {
        Get-Completion 'Get-DsWorkflowInstance -Project pcompl_alpha -Workflow nig' | Should -Be 'nightly_load'
        Get-Completion 'Start-DsWorkflow -Connection $global:DsCompletionB -Project pcompl_beta -Workflow nig' | Should -Be 'nightly_load'
    }

    It 'tenants and worker groups complete from the server' {
        $tenants = @(Get-DsTenant | ForEach-Object TenantCode)
        $tenants.Count | Should -BeGreaterThan 0
        Get-Completion 'Start-DsWorkflow -TenantCode ' | Should -Be ($tenants | Sort-Object)
        $groups = @(Get-DsWorkerGroup | ForEach-Object Name | Sort-Object)
        Get-Completion 'Set-DsSchedule -WorkerGroup ' | Should -Be $groups
    }

    It 'a completer with no connection completes nothing and does not throw' {
        $saved = Get-DsConnection
        Disconnect-DsServer
        try { @(Get-Completion 'Get-DsWorkflow -Project pcompl_') | Should -HaveCount 0 }
        finally { $null = Connect-DsTestEmulator $emuA -NoMetadata }
    }
}

Describe 'Fixed sets complete' {
    It 'check ids: health checks and metadata integrity checks' {
        Get-Completion 'Invoke-DsHealthCheck -Check Node.' | Should -Contain 'Node.Load'
        Get-Completion 'Get-DsHealthCheck -Check Node.' | Should -Contain 'Node.Load'
        Get-Completion 'Test-DsMetadataIntegrity -Check Duplicate' | Should -Contain 'DuplicateTaskDefinitionCode'
    }

    It 'DS versions on every -Version' {
        foreach ($line in 'Connect-DsServer -Uri http://x -Version 3.', 'Export-DsWorkflowSpec -Version 3.', 'Get-DsTuningAdvice -Version 3.') {
            $versions = Get-Completion $line
            $versions | Should -Contain '3.2'
            $versions | Should -Contain '3.4.3'
        }
    }

    It 'time zones, including by the part after the slash' {
        Get-Completion 'Get-DsRunReport -TimeZone Asia/Sha' | Should -Contain 'Asia/Shanghai'
        Get-Completion 'Connect-DsServer -Uri http://x -ServerTimeZone shangh' | Should -Contain 'Asia/Shanghai'
    }

    It 'environments from the environments file given on the command line' {
        $file = Join-Path $TestDrive 'envs.yaml'
        Set-Content -LiteralPath $file -Value "environments:`n  UAT: { tenants: { etl: etl_uat } }`n  PROD: { tenants: { etl: etl_prod } }`n"
        Get-Completion "Sync-DsWorkflow -Path ./x -EnvironmentFile '$file' -Environment " | Should -Be @('UAT', 'PROD') # the file's order
        Get-Completion "Copy-DsWorkflow -EnvironmentFile '$file' -SourceEnvironment U" | Should -Be 'UAT'
    }
}
