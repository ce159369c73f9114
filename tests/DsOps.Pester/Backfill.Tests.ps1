# Start-DsBackfill in real pwsh against the DS 3.2 emulator running freely (60 simulated seconds per real second):
# a backfill started in a child pwsh is killed with SIGKILL mid-run, resumed from its state file in this session,
# and the metadata database then shows every date exactly once, never more than -MaxRunning backfill runs at a time
# (from the instances' own start and end times), all at the lowest priority.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'DsOpsTestHarness.psm1') -Force
    $modulePath = Get-DsTestModulePath
    Import-Module $modulePath -Force
    $emu = Start-DsTestEmulator -Dialect '3.2'
    $null = Connect-DsTestEmulator $emu -NoMetadata
    $specs = Join-Path $TestDrive 'specs'
    $null = New-Item -ItemType Directory -Path $specs
    @'
project: pester_backfill
workflows:
  - name: history
    releaseState: ONLINE
    tasks:
      - { name: load, type: SHELL, script: 'sleep 4m' }
'@ | Set-Content -LiteralPath (Join-Path $specs 'backfill.yaml')
    $null = Sync-DsWorkflow $specs -Confirm:$false
    $statePath = Join-Path $TestDrive 'backfill-state.json'
    $backfill = @{ Project = 'pester_backfill'; Workflow = 'history'; From = [datetime]'2024-01-01'; To = [datetime]'2024-01-12'; MaxRunning = 3; PollSeconds = 1; StatePath = $statePath }
}

AfterAll {
    if ($emu) { $null = $emu | Stop-DsTestEmulator }
}

Describe 'Start-DsBackfill' {
    It '-WhatIf submits nothing and writes no state file' {
        $before = Get-DsTestDatabaseFingerprint -ConnectionString $emu.MetadataConnectionString
        Start-DsBackfill @backfill -WhatIf | Should -BeNullOrEmpty
        $statePath | Should -Not -Exist
        (Invoke-DsTestSql $emu.MetadataConnectionString 'SELECT COUNT(*) AS n FROM t_ds_process_instance WHERE command_type = 5').n | Should -Be 0
        $before | Should -Not -BeNullOrEmpty
    }

    It 'survives kill -9 of the process running it and submits every date exactly once' {
        # The child pwsh gets the token through its environment, never on its command line.
        $script = @"
Import-Module '$modulePath'
`$null = Connect-DsServer -Uri '$($emu.ApiUri)' -Token (ConvertTo-SecureString `$env:DSOPS_TEST_TOKEN -AsPlainText -Force)
Start-DsBackfill -Project pester_backfill -Workflow history -From 2024-01-01 -To 2024-01-12 -MaxRunning 3 -PollSeconds 1 -StatePath '$statePath' -Confirm:`$false
"@
        $exe = [Environment]::ProcessPath
        $psi = if ((Split-Path -Leaf $exe) -like 'dotnet*') { [Diagnostics.ProcessStartInfo]::new($exe) } else { [Diagnostics.ProcessStartInfo]::new((Join-Path $PSHOME 'pwsh')) }
        if ((Split-Path -Leaf $exe) -like 'dotnet*') { $psi.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
        foreach ($a in '-NoProfile', '-NonInteractive', '-Command', $script) { $psi.ArgumentList.Add($a) }
        $psi.UseShellExecute = $false
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.Environment['DSOPS_TEST_TOKEN'] = $emu.PlainToken
        $child = [Diagnostics.Process]::Start($psi)
        $out = $child.StandardOutput.ReadToEndAsync(); $err = $child.StandardError.ReadToEndAsync()
        try {
            # Kill it once it has submitted some dates but not all.
            $deadline = [DateTime]::UtcNow.AddSeconds(120)
            do {
                Start-Sleep -Milliseconds 100
                $submitted = if (Test-Path $statePath) {
                    try { @((Get-Content -Raw $statePath | ConvertFrom-Json).dates | Where-Object status -NE 'Pending').Count } catch { 0 }
                } else { 0 }
            } until ($submitted -ge 4 -or $child.HasExited -or [DateTime]::UtcNow -gt $deadline)
            # (Not $err.Result here: reading it waits for the child to end.)
            $child.HasExited | Should -BeFalse -Because 'the child must still be running when it is killed'
        }
        finally { if (-not $child.HasExited) { $child.Kill() } }
        $child.WaitForExit()
        $child.ExitCode | Should -Be 137 -Because "the child was killed with SIGKILL ($($err.Result))"
        $left = @((Get-Content -Raw $statePath | ConvertFrom-Json).dates | Where-Object status -EQ 'Pending').Count
        $left | Should -BeGreaterThan 0 -Because 'the kill came before the last date'

        $results = Start-DsBackfill @backfill -Confirm:$false
        @($results).Count | Should -Be 12
        @($results | Where-Object { $_.Status -eq 'Finished' -and $_.State -eq 'Succeeded' }).Count | Should -Be 12
        @($results.WorkflowInstanceId | Sort-Object -Unique).Count | Should -Be 12

        $rows = Invoke-DsTestSql $emu.MetadataConnectionString (
            'SELECT DATE(schedule_time) AS day, COUNT(*) AS n, MIN(process_instance_priority) AS priority FROM t_ds_process_instance ' +
            'WHERE command_type = 5 GROUP BY DATE(schedule_time)')
        @($rows).Count | Should -Be 12
        $rows.n | Sort-Object -Unique | Should -Be 1
        $rows.priority | Sort-Object -Unique | Should -Be 4

        # The most backfill runs that overlapped at any moment, from the instances' own start and end times.
        $spans = Invoke-DsTestSql $emu.MetadataConnectionString 'SELECT start_time AS s, end_time AS e FROM t_ds_process_instance WHERE command_type = 5'
        $most = ($spans | ForEach-Object { $at = $_.s; @($spans | Where-Object { $_.s -le $at -and $_.e -gt $at }).Count } | Measure-Object -Maximum).Maximum
        $most | Should -BeLessOrEqual 3
        $most | Should -BeGreaterThan 1 -Because 'runs did go in parallel'
    }

    It 'refuses a state file of another backfill, naming the file' {
        { Start-DsBackfill @backfill -To ([datetime]'2024-01-20') -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "*$statePath*" -ErrorId 'DsBackfillStateMismatch*'
    }
}
