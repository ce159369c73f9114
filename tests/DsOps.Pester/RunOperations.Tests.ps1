# Run control end to end in real pwsh against the published module and one emulator per DS line: start -> wait ->
# failed -> fix -> restart from failure -> success, with the pipeline shapes a scheduled job uses.

BeforeDiscovery {
    $dialects = @(
        @{ Dialect = '3.0' }
        @{ Dialect = '3.2' }
        @{ Dialect = '3.3' }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'DsOpsTestHarness.psm1') -Force
    Import-Module (Get-DsTestModulePath) -Force
    $emulators = @{}
    foreach ($e in @(Start-DsTestEmulator -Dialect '3.0', '3.2', '3.3')) { $emulators[$e.Dialect] = $e }

    function Write-RunSpec {
        # 'load' fails until the test declares its marker fixed (the emulator's fail-until-fixed convention).
        param([string] $Folder, [string] $Project, [string] $Marker)
        $null = New-Item -ItemType Directory -Force -Path $Folder
        @"
project: $Project
workflows:
  - name: nightly
    tasks:
      - name: extract
        type: SHELL
        script: echo extract
      - name: load
        type: SHELL
        dependsOn: [extract]
        script: |
          # fail-until-fixed $Marker
          echo load
      - name: report
        type: SHELL
        dependsOn: [load]
        script: echo report
"@ | Set-Content -LiteralPath (Join-Path $Folder 'runs.yaml')
    }
}

AfterAll {
    if ($emulators) { $null = $emulators.Values | Stop-DsTestEmulator }
}

Describe 'Run control on DS <Dialect>' -ForEach $dialects {
    BeforeAll {
        $emu = $emulators[$Dialect]
        $null = Connect-DsTestEmulator $emu -NoMetadata
        $project = "pester_runs_$($Dialect -replace '\.', '')"
        $marker = "load_$($Dialect -replace '\.', '')"
        $specs = Join-Path $TestDrive "runs-$Dialect"
        Write-RunSpec -Folder $specs -Project $project -Marker $marker
        $null = Sync-DsWorkflow $specs -Confirm:$false -NoState
    }

    It 'start -> wait -> failed -> fix -> restart from failure -> success' {
        $run = Start-DsWorkflow -Project $project -Workflow nightly
        @($run).Count | Should -Be 1
        $run.CommandType | Should -Be 'START_PROCESS'

        # A scheduled job's wait: -ErrorOnFailure makes the unsuccessful end an error (terminating under -ErrorAction Stop).
        { $run | Wait-DsWorkflowInstance -PollInterval 0.2 -Timeout 120 -ErrorOnFailure -ErrorAction Stop } |
            Should -Throw -ErrorId 'DsWorkflowInstanceUnsuccessful,DsOps.Commands.Operations.WaitDsWorkflowInstanceCommand'
        $failed = $run | Wait-DsWorkflowInstance -PollInterval 0.2 -Timeout 120
        $failed.State | Should -Be 'Failed'
        (Get-DsTaskInstance -Project $project -WorkflowInstanceId $run.WorkflowInstanceId -State Failed).Name | Should -Be 'load'

        # After the fix the same instance runs again from its failed task and succeeds, keeping extract's success.
        $null = Invoke-RestMethod -Method Post -Uri ([Uri]::new([Uri]$emu.ApiUri, "/emulator/fix/$marker"))
        $restarted = Get-DsWorkflowInstance -Project $project -State Failed | Restart-DsWorkflowInstance -FromFailure
        $restarted.Action | Should -Be 'RestartFromFailure'
        $restarted.WorkflowInstanceId | Should -Be $run.WorkflowInstanceId
        $final = $restarted | Wait-DsWorkflowInstance -PollInterval 0.2 -Timeout 120 -ErrorOnFailure -ErrorAction Stop
        $final.State | Should -Be 'Succeeded'
        $final.RunTimes | Should -Be 2
        @(Get-DsTaskInstance -Project $project -WorkflowInstanceId $run.WorkflowInstanceId -TaskName extract).Count | Should -Be 1
    }

    It 'refuses to restart a succeeded instance from failure with a stable error id naming it, and goes on with the rest' {
        $ok = Get-DsWorkflowInstance -Project $project -State Succeeded | Select-Object -First 1
        $other = Start-DsWorkflow -Project $project -Workflow nightly | Wait-DsWorkflowInstance -PollInterval 0.2 -Timeout 120
        $other.State | Should -Be 'Succeeded'
        $results = @($ok, $other) | Restart-DsWorkflowInstance -FromFailure -ErrorVariable refusals -ErrorAction SilentlyContinue
        @($results).Count | Should -Be 0
        @($refusals).Count | Should -Be 2
        $refusals[0].FullyQualifiedErrorId | Should -Be 'DsInstanceStateRefused,DsOps.Commands.Operations.RestartDsWorkflowInstanceCommand'
        $refusals[0].Exception.Message | Should -BeLike "*$($ok.Name)*"
        $refusals[0].Exception.DsCode | Should -Be 50006
        # A plain rerun of a finished instance is allowed.
        $again = $ok | Restart-DsWorkflowInstance | Wait-DsWorkflowInstance -PollInterval 0.2 -Timeout 120
        $again.State | Should -Be 'Succeeded'
        $again.RunTimes | Should -Be 3
    }
}
