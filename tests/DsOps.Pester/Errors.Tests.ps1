# Error behaviour as a script sees it: stable FullyQualifiedErrorIds and categories, non-terminating errors that
# -ErrorAction Stop turns terminating and try/catch catches, -ErrorVariable, and no secret in any error text.
# One emulator (DS 3.3) for the server-side cases.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'DsOpsTestHarness.psm1') -Force
    Import-Module (Get-DsTestModulePath) -Force
    $emu = Start-DsTestEmulator -Dialect '3.3'

    function Get-DsErrorRecord {
        # Runs a command with -ErrorAction Stop and returns the ErrorRecord it threw (or $null).
        param([scriptblock] $ScriptToRun)
        try { $null = & $ScriptToRun; $null } catch { $_ }
    }

    $badYaml = Join-Path $TestDrive 'bad.yaml'
    "project: p`nworkflows:`n  - name: a`n    tasks: [ {name: x, type: SHELL, script: 'a'" | Set-Content $badYaml
    $cycle = Join-Path $TestDrive 'cycle.yaml'
    @'
project: p
workflows:
  - name: loop
    tasks:
      - { name: a, type: SHELL, script: echo a, dependsOn: [b] }
      - { name: b, type: SHELL, script: echo b, dependsOn: [a] }
'@ | Set-Content $cycle
    $badDeadlines = Join-Path $TestDrive 'deadlines.yaml'
    "deadlines:`n  load_orders: '06:00'`n  daily_kpi: not-a-time" | Set-Content $badDeadlines
}

AfterAll {
    if ($emu) { $null = $emu | Stop-DsTestEmulator }
}

Describe 'Not connected' {
    BeforeAll {
        # A fresh session has no connection; Disconnect-* refuse (terminating) when there is none.
        try { Disconnect-DsServer -Confirm:$false } catch { $_.FullyQualifiedErrorId | Should -BeLike 'DsNotConnected,*' }
        try { Disconnect-DsMetadata -Confirm:$false } catch { $_.FullyQualifiedErrorId | Should -BeLike 'DsMetadataNotConnected,*' }
    }

    It '<Cmdlet> without a connection fails with <ErrorId> (<Category>)' -ForEach @(
        @{ Cmdlet = 'Get-DsProject'; ErrorId = 'DsNotConnected'; Category = 'ConnectionError' }
        @{ Cmdlet = 'Get-DsWorkflow'; ErrorId = 'DsNotConnected'; Category = 'ConnectionError' }
        @{ Cmdlet = 'Get-DsServerNode'; ErrorId = 'DsNotConnected'; Category = 'ConnectionError' }
        @{ Cmdlet = 'Get-DsTenant'; ErrorId = 'DsNotConnected'; Category = 'ConnectionError' }
        @{ Cmdlet = 'Get-DsRunReport'; ErrorId = 'DsMetadataNotConnected'; Category = 'ConnectionError' }
        @{ Cmdlet = 'Get-DsFailedTask'; ErrorId = 'DsMetadataNotConnected'; Category = 'ConnectionError' }
        @{ Cmdlet = 'Get-DsCommandQueue'; ErrorId = 'DsMetadataNotConnected'; Category = 'ConnectionError' }
        @{ Cmdlet = 'Test-DsMetadataIntegrity'; ErrorId = 'DsMetadataNotConnected'; Category = 'ConnectionError' }
    ) {
        $record = Get-DsErrorRecord { & $Cmdlet -ErrorAction Stop }
        $record | Should -Not -BeNullOrEmpty
        $record.FullyQualifiedErrorId | Should -BeLike "$ErrorId,DsOps.Commands.*"
        "$($record.CategoryInfo.Category)" | Should -Be $Category
        $record.Exception.Message | Should -Match 'Connect-Ds(Server|Metadata)' -Because 'the message says what to do'
    }
}

Describe 'Errors from the server (DS 3.3)' {
    BeforeAll {
        $null = Connect-DsTestEmulator $emu
        $specs = Join-Path $TestDrive 'specs'
        $null = New-Item -ItemType Directory -Path $specs
        "project: pester_err`nworkflows:`n  - name: one`n    tasks:`n      - { name: t, type: SHELL, script: echo t }" | Set-Content (Join-Path $specs 'p.yaml')
        $null = Sync-DsWorkflow $specs -NoState -Confirm:$false
    }

    It 'a wrong token fails with DsAuthenticationFailed and the token is in no error text' {
        $wrong = 'pester-wrong-token-4711'
        $record = Get-DsErrorRecord { Connect-DsServer -Uri $emu.ApiUri -Token (ConvertTo-SecureString $wrong -AsPlainText -Force) -NoDefault -ErrorAction Stop }
        $record.FullyQualifiedErrorId | Should -Be 'DsAuthenticationFailed,DsOps.Commands.ConnectDsServerCommand'
        "$($record.CategoryInfo.Category)" | Should -Be 'AuthenticationError'
        ($record | Out-String) + $record.Exception.ToString() | Should -Not -Match $wrong
    }

    It 'a closed port fails with DsServerUnavailable' {
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $record = Get-DsErrorRecord { Connect-DsServer -Uri "http://127.0.0.1:$port/dolphinscheduler" -Token $emu.Token -NoDefault -TimeoutSec 5 -ErrorAction Stop }
        $record.FullyQualifiedErrorId | Should -Be 'DsServerUnavailable,DsOps.Commands.ConnectDsServerCommand'
        "$($record.CategoryInfo.Category)" | Should -Be 'ResourceUnavailable'
        $record.Exception.Message | Should -Not -Match $emu.PlainToken
    }

    It 'an unknown project fails with DsProjectNotFound (ObjectNotFound), naming it' {
        $record = Get-DsErrorRecord { Get-DsWorkflow -Project no_such_project -ErrorAction Stop }
        $record.FullyQualifiedErrorId | Should -Be 'DsProjectNotFound,DsOps.Commands.GetDsWorkflowCommand'
        "$($record.CategoryInfo.Category)" | Should -Be 'ObjectNotFound'
        $record.Exception.Message | Should -Match 'no_such_project'
        $record.TargetObject | Should -Be 'no_such_project'
    }

    It 'Get-DsProject -Name without wildcards reports a missing project; a wildcard that matches nothing does not' {
        $out = @(Get-DsProject -Name pester_err, no_such_project -ErrorAction SilentlyContinue -ErrorVariable problems)
        $out.Name | Should -Be 'pester_err'
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be 'DsProjectNotFound,DsOps.Commands.GetDsProjectCommand'
        "$($problems[0].CategoryInfo.Category)" | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be 'no_such_project'
        @(Get-DsProject -Name 'no_such_*' -ErrorAction Stop).Count | Should -Be 0
    }

    It 'an unknown workflow fails with DsWorkflowNotFound (ObjectNotFound)' {
        $record = Get-DsErrorRecord { Get-DsWorkflowInstance -Project pester_err -Workflow no_such_workflow -ErrorAction Stop }
        $record.FullyQualifiedErrorId | Should -BeLike 'DsWorkflowNotFound,*'
        "$($record.CategoryInfo.Category)" | Should -Be 'ObjectNotFound'
        $record.Exception.Message | Should -Match 'no_such_workflow'
    }

    It 'a project code DS does not know fails with a DS not-found error that carries the DS code' {
        $record = Get-DsErrorRecord { Get-DsWorkflowInstance -Project 1234 -ErrorAction Stop }
        "$($record.CategoryInfo.Category)" | Should -Be 'ObjectNotFound'
        $record.Exception | Should -BeOfType ([DsOps.Engine.Api.DsApiException])
        $record.Exception.DsCode | Should -Be 10018
        $record.Exception.DsStatusName | Should -Be 'PROJECT_NOT_FOUND'
    }

    It 'without -ErrorAction Stop the error is non-terminating: the pipeline goes on and -ErrorVariable collects it' {
        $after = $null
        $out = @(Get-DsWorkflow -Project no_such_project -ErrorAction SilentlyContinue -ErrorVariable problems; $after = 'ran')
        $after | Should -Be 'ran'
        $out.Count | Should -Be 0
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'DsProjectNotFound,*'
    }

    It 'a piped batch reports the bad item and still processes the good ones' {
        $inputs = [pscustomobject]@{ Project = 'no_such_project' }, [pscustomobject]@{ Project = 'pester_err' }
        $workflows = @($inputs | Get-DsWorkflow -ErrorAction SilentlyContinue -ErrorVariable problems)
        $workflows.Name | Should -Be 'one'
        $problems.Count | Should -Be 1
    }

    It 'try/catch catches it by exception type under $ErrorActionPreference = Stop' {
        $ErrorActionPreference = 'Stop'
        $caught = $null
        try { Get-DsWorkflow -Project no_such_project } catch [DsOps.Engine.DsOpsException] { $caught = $_ } finally { $ErrorActionPreference = 'Continue' }
        $caught.FullyQualifiedErrorId | Should -BeLike 'DsProjectNotFound,*'
    }

    It 'a bad metadata connection string fails with DsMetadataBadConnectionString and is not echoed' {
        $secret = 'Server=127.0.0.1;Password=pester-secret-pw;;=oops'
        $record = Get-DsErrorRecord { Connect-DsMetadata -ConnectionString $secret -ErrorAction Stop }
        $record.FullyQualifiedErrorId | Should -Be 'DsMetadataBadConnectionString,DsOps.Commands.Metadata.ConnectDsMetadataCommand'
        "$($record.CategoryInfo.Category)" | Should -Be 'InvalidArgument'
        ($record | Out-String) | Should -Not -Match 'pester-secret-pw'
    }

    It 'an unreachable metadata database fails with DsMetadataUnavailable' {
        $record = Get-DsErrorRecord { Connect-DsMetadata -ConnectionString 'Server=127.0.0.1;Port=1;User ID=root;Password=pester-secret-pw;Database=x;Connection Timeout=2' -ErrorAction Stop }
        $record.FullyQualifiedErrorId | Should -Be 'DsMetadataUnavailable,DsOps.Commands.Metadata.ConnectDsMetadataCommand'
        "$($record.CategoryInfo.Category)" | Should -Be 'ResourceUnavailable'
        ($record | Out-String) + $record.Exception.ToString() | Should -Not -Match 'pester-secret-pw'
    }

    It 'Connect-DsMetadata -ConnectionString connects to the emulator database and detects its dialect' {
        $meta = Connect-DsMetadata -ConnectionString $emu.MetadataConnectionString -Name pester-meta
        $meta | Should -BeOfType ([DsOps.Engine.Metadata.DsMetadataConnection])
        "$meta" | Should -Match 'dialect 3\.3'
        "$meta" | Should -Not -Match 'Password'
        { Get-DsCommandQueue -ErrorAction Stop } | Should -Not -Throw
    }
}

Describe 'Bad files and bad arguments' {
    It 'a missing spec folder fails with DsPathNotFound (ObjectNotFound)' {
        $record = Get-DsErrorRecord { Test-DsWorkflowSpec (Join-Path $TestDrive 'missing') -ErrorAction Stop }
        $record.FullyQualifiedErrorId | Should -Be 'DsPathNotFound,DsOps.Commands.Specs.TestDsWorkflowSpecCommand'
        "$($record.CategoryInfo.Category)" | Should -Be 'ObjectNotFound'
    }

    It 'broken YAML is reported with file, line and column' {
        $record = Get-DsErrorRecord { Get-DsWorkflowSpec $badYaml -ErrorAction Stop }
        $record | Should -Not -BeNullOrEmpty
        $record.FullyQualifiedErrorId | Should -BeLike 'DsSpec*,DsOps.Commands.Specs.GetDsWorkflowSpecCommand'
        $record.Exception.Message | Should -Match ([regex]::Escape($badYaml) + ':\d+:\d+')
    }

    It 'Test-DsWorkflowSpec reports a cycle as a finding naming the file, and -ErrorOnFailure makes it an error' {
        $findings = @(Test-DsWorkflowSpec $cycle)
        ($findings | Where-Object Severity -EQ 'Error') | Should -Not -BeNullOrEmpty
        ($findings | Where-Object Severity -EQ 'Error' | Out-String) | Should -Match 'cycle'
        $record = Get-DsErrorRecord { Test-DsWorkflowSpec $cycle -ErrorOnFailure -ErrorAction Stop }
        $record | Should -Not -BeNullOrEmpty
        "$($record.CategoryInfo.Category)" | Should -BeIn 'InvalidData', 'InvalidArgument', 'InvalidOperation'
    }

    It 'a missing plan file fails with DsPathNotFound and a broken one with DsPlanFileInvalid' {
        (Get-DsErrorRecord { Sync-DsWorkflow -Plan (Join-Path $TestDrive 'none.json') -ErrorAction Stop }).FullyQualifiedErrorId |
            Should -Be 'DsPathNotFound,DsOps.Commands.Specs.SyncDsWorkflowCommand'
        $broken = Join-Path $TestDrive 'broken.json'
        Set-Content $broken '{"items":'
        $record = Get-DsErrorRecord { Sync-DsWorkflow -Plan $broken -ErrorAction Stop }
        $record.FullyQualifiedErrorId | Should -Be 'DsPlanFileInvalid,DsOps.Commands.Specs.SyncDsWorkflowCommand'
        $record.Exception.Message | Should -Match ([regex]::Escape($broken))
    }

    It 'a bad deadline file names the file and line (DsInvalidDeadline)' {
        $null = Connect-DsMetadata -ConnectionString $emu.MetadataConnectionString
        $record = Get-DsErrorRecord { Get-DsRunReport -DeadlinePath $badDeadlines -ErrorAction Stop }
        $record.FullyQualifiedErrorId | Should -Be 'DsInvalidDeadline,DsOps.Commands.Metadata.GetDsRunReportCommand'
        "$($record.CategoryInfo.Category)" | Should -Be 'InvalidArgument'
        $record.Exception.Message | Should -Match ([regex]::Escape($badDeadlines) + ':3')
    }

    It 'a missing deadline file fails with DsDeadlineFileNotFound (ObjectNotFound)' {
        $record = Get-DsErrorRecord { Get-DsRunReport -DeadlinePath (Join-Path $TestDrive 'none.yaml') -ErrorAction Stop }
        $record.FullyQualifiedErrorId | Should -Be 'DsDeadlineFileNotFound,DsOps.Commands.Metadata.GetDsRunReportCommand'
        "$($record.CategoryInfo.Category)" | Should -Be 'ObjectNotFound'
    }

    It 'an unknown time zone fails with DsInvalidTimeZone naming the parameter' {
        $record = Get-DsErrorRecord { Get-DsRunReport -TimeZone Mars/Olympus_Mons -ErrorAction Stop }
        $record.FullyQualifiedErrorId | Should -Be 'DsInvalidTimeZone,DsOps.Commands.Metadata.GetDsRunReportCommand'
        $record.Exception.Message | Should -Match '-TimeZone'
    }

    It 'a webhook URI that is not http(s) fails with DsNotifyInvalidWebhook and is masked' {
        $record = Get-DsErrorRecord { New-DsNotificationTarget -Channel Webhook -WebhookUri 'ftp://robot.example/key-pester-123' -ErrorAction Stop }
        $record.FullyQualifiedErrorId | Should -Be 'DsNotifyInvalidWebhook,DsOps.Commands.Notifications.NewDsNotificationTargetCommand'
        "$($record.CategoryInfo.Category)" | Should -Be 'InvalidArgument'
        ($record | Out-String) | Should -Not -Match 'key-pester-123'
    }

    It 'an existing file is not overwritten by Export-DsWorkflowSpec without -Force' {
        $dest = Join-Path $TestDrive 'export'
        $spec = Get-DsWorkflowSpec $cycle
        $null = $spec | Export-DsWorkflowSpec -Destination $dest -Confirm:$false
        $file = Get-ChildItem $dest -Recurse -File | Select-Object -First 1
        Set-Content $file.FullName 'keep me'
        $record = Get-DsErrorRecord { $spec | Export-DsWorkflowSpec -Destination $dest -Confirm:$false -ErrorAction Stop }
        $record.FullyQualifiedErrorId | Should -BeLike 'DsFileExists,*'
        Get-Content $file.FullName | Should -Be 'keep me'
    }
}

Describe 'Emulator shutdown (error suite)' {
    It 'Stop-DsTestEmulator stops the emulator and its mariadbd, and the emulator removes its temp data' {
        Assert-DsTestEmulatorShutdown -Emulator $emu
    }
}
