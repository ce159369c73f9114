# Server config and tuning as a script sees them: a DS_HOME built from DS's shipped 3.2.2 files in TestDrive,
# Get-DsServerConfig, Set-DsServerConfig -WhatIf (writes nothing) and for real (only the value changes, a backup is kept),
# Get-DsTuningAdvice for three 4-core, 8 GB hosts, and Test-DsServerConfig against a desired-state file.
# Runs under Pester 5.7 and 6 (Should -Be / -BeTrue only; no Assert-MockCalled).

BeforeAll {
    $harness = Join-Path $PSScriptRoot 'DsOpsTestHarness.psm1'
    if (Test-Path -LiteralPath $harness) {
        Import-Module $harness -Force
        $repo = Get-DsTestRepoRoot
        Import-Module (Get-DsTestModulePath) -Force
    }
    else {
        $repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
        $module = if ($env:DSOPS_MODULE_PATH) { $env:DSOPS_MODULE_PATH } else { Join-Path $repo 'out/DsOps/DsOps.psd1' }
        Import-Module $module -Force
    }
    $shipped = Join-Path $repo 'tests/third_party/dolphinscheduler/config/3.2.2'
    $dsHome = Join-Path $TestDrive 'ds'
    foreach ($r in @(@('master', 'master-server'), @('worker', 'worker-server'), @('api', 'api-server'), @('alert-server', 'alert-server'))) {
        $null = New-Item -ItemType Directory -Path (Join-Path $dsHome "$($r[1])/conf"), (Join-Path $dsHome "$($r[1])/bin") -Force
        Copy-Item (Join-Path $shipped "$($r[0])-application.yaml") (Join-Path $dsHome "$($r[1])/conf/application.yaml")
        Copy-Item (Join-Path $shipped "$($r[0])-jvm_args_env.sh") (Join-Path $dsHome "$($r[1])/bin/jvm_args_env.sh")
    }
    $workerYaml = Join-Path $dsHome 'worker-server/conf/application.yaml'
}

Describe 'Get-DsServerConfig' {
    It 'reads each server with its heap and version' {
        $roles = Get-DsServerConfig -Path $dsHome
        $roles.Count | Should -Be 4
        ($roles | Where-Object Role -eq 'Master').Heap.MaxMB | Should -Be 4096
        ($roles | Where-Object Role -eq 'Worker').Version | Should -Be '3.2.2'
    }

    It 'reports the keys 3.2.2 never reads as NoOp' {
        $noOps = Get-DsServerConfig -Path $dsHome -Setting | Where-Object Status -eq 'NoOp' | ForEach-Object Key
        $noOps -contains 'master.pre-exec-threads' | Should -BeTrue
    }
}

Describe 'Set-DsServerConfig' {
    It 'writes nothing with -WhatIf' {
        $before = [IO.File]::ReadAllBytes($workerYaml)
        Set-DsServerConfig -Path $dsHome -Role Worker -Key worker.exec-threads -Value 16 -WhatIf
        [Convert]::ToBase64String([IO.File]::ReadAllBytes($workerYaml)) | Should -Be ([Convert]::ToBase64String($before))
        @(Get-ChildItem (Split-Path $workerYaml) -Filter '*.bak').Count | Should -Be 0
    }

    It 'changes only the value and keeps a backup' {
        $before = [IO.File]::ReadAllText($workerYaml)
        $result = Set-DsServerConfig -Path $dsHome -Role Worker -Key worker.exec-threads -Value 16 -Confirm:$false
        [IO.File]::ReadAllText($workerYaml) | Should -Be ($before.Replace('  exec-threads: 100', '  exec-threads: 16'))
        [IO.File]::ReadAllText($result.BackupPath) | Should -Be $before
    }

    It 'refuses a no-op key with an error naming it' {
        $err = $null
        Set-DsServerConfig -Path $dsHome -Role Master -Key master.pre-exec-threads -Value 4 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DsConfigKeyNoOp,*'
        $err[0].Exception.Message | Should -BeLike '*master.pre-exec-threads*'
    }
}

Describe 'Get-DsTuningAdvice and Test-DsServerConfig' {
    It 'advises 1344m for the master of a 4-core 8 GB host running all four servers' {
        $advice = Get-DsServerConfig -Path $dsHome | Get-DsTuningAdvice -Cores 4 -MemoryGB 8 -Nodes 3
        ($advice | Where-Object { $_.Role -eq 'Master' -and $_.Key -eq '-Xmx' }).Advised | Should -Be '1344m'
    }

    It 'applies the advice and then finds nothing left to change' {
        Get-DsServerConfig -Path $dsHome | Get-DsTuningAdvice -Cores 4 -MemoryGB 8 -Nodes 3 | Set-DsServerConfig -FromAdvice -Confirm:$false | Out-Null
        $left = Get-DsServerConfig -Path $dsHome | Get-DsTuningAdvice -Cores 4 -MemoryGB 8 -Nodes 3 | Where-Object Action -eq 'Change'
        @($left).Count | Should -Be 0
    }

    It 'is in the desired state after the advice was applied' {
        $desired = Join-Path $TestDrive 'desired.yaml'
        "version: 3.2.2`nmaster:`n  -Xmx: 1344m`nworker:`n  worker.exec-threads: 16`n" | Set-Content -LiteralPath $desired
        Test-DsServerConfig -Path $dsHome -DesiredState $desired -Quiet | Should -BeTrue
    }
}
