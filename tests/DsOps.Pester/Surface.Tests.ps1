# What a user reads: default views with units that fit 120 columns (server nodes, task relations), the about_DsOps
# topics found by Get-Help in a fresh pwsh, and Sync-DsWorkflow's spec sources as parameter sets. One DS 3.2 emulator.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'DsOpsTestHarness.psm1') -Force
    $modulePath = Get-DsTestModulePath
    Import-Module $modulePath -Force
    $emulator = Start-DsTestEmulator -Dialect '3.2'
    $null = Connect-DsServer -Uri $emulator.ApiUri -Token $emulator.Token -Name surface
    $specs = Join-Path $TestDrive 'specs'
    $null = New-Item -ItemType Directory -Path $specs
    Set-Content -LiteralPath (Join-Path $specs 'surface.yaml') -Value @'
project: pester_surface
workflows:
  - name: chain
    tasks:
      - name: extract
        type: SHELL
        script: echo extract
      - name: load
        type: SHELL
        dependsOn: [extract]
        script: echo load
'@
    $null = Sync-DsWorkflow $specs -NoState -Confirm:$false
}

AfterAll {
    if ($emulator) { $null = $emulator | Stop-DsTestEmulator }
}

Describe 'Default views' {
    It 'Get-DsServerNode shows percent, load and heartbeat age, within 120 columns, and keeps raw numbers' {
        $nodes = @(Get-DsServerNode)
        $nodes.Count | Should -BeGreaterOrEqual 2
        $nodes[0].CpuUsage | Should -BeOfType [double]
        $nodes[0].CpuUsage | Should -BeLessOrEqual 1
        $text = $nodes | Out-String -Width 120
        $text | Should -Match 'Cpu\s+Memory'
        $text | Should -Match '\d+(\.\d)? %'
        $text | Should -Match '\d+ (s|min|h|d)( \d+ (min|h))? ago'
        foreach ($line in $text -split "`r?`n") { $line.TrimEnd().Length | Should -BeLessOrEqual 120 }
    }

    It 'a workflow''s relations print as task names' {
        $workflow = Get-DsWorkflow -Project pester_surface -Name chain -IncludeTasks
        $relations = @($workflow.Relations)
        $relations.Count | Should -Be 2
        ($relations | Where-Object PostTask -eq load).PreTask | Should -Be extract
        ($relations | Where-Object PostTask -eq extract).IsRoot | Should -BeTrue
        $text = $relations | Out-String -Width 120
        $text | Should -Match 'From\s+To'
        $text | Should -Match '\(start\)\s+extract'
        $text | Should -Match 'extract\s+load'
        "$($relations | Where-Object PostTask -eq load)" | Should -Be 'extract -> load'
    }
}

Describe 'Sync-DsWorkflow spec sources' {
    It 'PowerShell refuses -Path with -Plan, before the cmdlet runs' {
        $plan = Join-Path $TestDrive 'plan.json'
        $record = $null
        try { Sync-DsWorkflow -Path $specs -Plan $plan -WhatIf -ErrorAction Stop } catch { $record = $_ }
        $record | Should -Not -BeNullOrEmpty
        $record.FullyQualifiedErrorId | Should -BeLike 'AmbiguousParameterSet,*'
        Test-Path $plan | Should -BeFalse
    }

    It 'keeps existing usage: a spec folder, and -WhatIf writes nothing' {
        $result = @(Sync-DsWorkflow $specs -NoState -WhatIf -IncludeUnchanged)
        $result.Count | Should -Be 1
        (Get-Command Sync-DsWorkflow).ParameterSets.Name | Sort-Object | Should -Be @('ConfigTable', 'Plan', 'Specs')
    }
}

Describe 'about_DsOps topics' {
    It 'ships <_> and Get-Help finds it in a fresh pwsh' -ForEach @('about_DsOps', 'about_DsOps_Connections', 'about_DsOps_WorkflowsAsConfig',
        'about_DsOps_Inspection', 'about_DsOps_RunOperations') {
        Join-Path (Split-Path $modulePath) "en-US/$_.help.txt" | Should -Exist
        $out = Invoke-DsTestPwsh "Import-Module '$modulePath' -ErrorAction Stop; (Get-Help $_ | Out-String -Width 120)"
        $LASTEXITCODE | Should -Be 0
        ($out -join "`n") | Should -Match "TOPIC\s+$_\b"
        ($out -join "`n") | Should -Match 'SHORT DESCRIPTION'
    }

    It 'Get-Help about_DsOps* lists all five topics without importing the module first' {
        $out = Invoke-DsTestPwsh "`$env:PSModulePath = '$(Split-Path (Split-Path $modulePath))' + [IO.Path]::PathSeparator + `$env:PSModulePath; Get-Help about_DsOps* | ForEach-Object Name"
        $LASTEXITCODE | Should -Be 0
        @($out | Where-Object { $_ -like 'about_DsOps*' } | Sort-Object) | Should -Be @('about_DsOps', 'about_DsOps_Connections',
            'about_DsOps_Inspection', 'about_DsOps_RunOperations', 'about_DsOps_WorkflowsAsConfig')
    }
}

Describe 'Emulator shutdown (surface suite)' {
    It 'Stop-DsTestEmulator stops the emulator and its mariadbd' {
        Assert-DsTestEmulatorShutdown -Emulator $emulator
    }
}
