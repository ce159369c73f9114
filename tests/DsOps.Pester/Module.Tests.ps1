# The published module's surface: what a user gets from Import-Module out/DsOps/DsOps.psd1.
# No emulator: these tests read the manifest, the help file and the cmdlets' metadata.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'DsOpsTestHarness.psm1') -Force
    $manifest = Import-PowerShellDataFile (Get-DsTestModulePath)
    $cmdlets = foreach ($name in $manifest.CmdletsToExport) { @{ Name = $name } }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'DsOpsTestHarness.psm1') -Force
    $modulePath = Get-DsTestModulePath
    Import-Module $modulePath -Force
    $manifest = Import-PowerShellDataFile $modulePath
    $common = [Management.Automation.PSCmdlet]::CommonParameters + [Management.Automation.PSCmdlet]::OptionalCommonParameters
}

Describe 'The published module' {
    It 'is imported from the published folder, not from the build output of src/' {
        $module = Get-Module DsOps
        $module.Path | Should -Not -Match '[\\/]src[\\/]'
        (Split-Path $module.Path) | Should -Be (Split-Path $modulePath)
        $module.Version | Should -Be ([version]$manifest.ModuleVersion)
    }

    It 'exports exactly the cmdlets of CmdletsToExport, and nothing else' {
        $module = Get-Module DsOps
        @($module.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($manifest.CmdletsToExport | Sort-Object)
        $module.ExportedFunctions.Count | Should -Be 0
        $module.ExportedAliases.Count | Should -Be 0
        $module.ExportedVariables.Count | Should -Be 0
    }

    It 'has no cmdlet in its assembly that the manifest leaves out' {
        $assembly = (Get-Command Get-DsProject).ImplementingType.Assembly
        $declared = $assembly.GetExportedTypes() | ForEach-Object {
            $attr = $_.GetCustomAttributes([Management.Automation.CmdletAttribute], $false) | Select-Object -First 1
            if ($attr) { "$($attr.VerbName)-$($attr.NounName)" }
        }
        @($declared | Sort-Object) | Should -Be @($manifest.CmdletsToExport | Sort-Object)
    }

    It 'ships every file its manifest names (formats, help, root module)' {
        $folder = Split-Path $modulePath
        Join-Path $folder $manifest.RootModule | Should -Exist
        foreach ($f in $manifest.FormatsToProcess) { Join-Path $folder $f | Should -Exist }
        Join-Path $folder 'en-US/DsOps.dll-Help.xml' | Should -Exist
    }

    It 'imports again in a fresh pwsh with no error and no warning' {
        $out = Invoke-DsTestPwsh "`$WarningPreference='Stop'; Import-Module '$modulePath' -ErrorAction Stop; (Get-Command -Module DsOps).Count"
        $LASTEXITCODE | Should -Be 0
        ($out | Select-Object -Last 1) | Should -Be $manifest.CmdletsToExport.Count
    }

    It 'loads a default table view for the main output types' {
        foreach ($type in 'DsOps.Engine.Models.DsProject', 'DsOps.Engine.Models.DsWorkflow', 'DsOps.Engine.Models.DsWorkflowInstance',
            'DsOps.Engine.Models.DsTaskInstance', 'DsOps.Engine.Apply.WorkflowApplyResult', 'DsOps.Engine.Metadata.DsFailedTask') {
            Get-FormatData -TypeName $type | Should -Not -BeNullOrEmpty -Because "$type needs a default view"
        }
    }
}

Describe '<Name>' -ForEach $cmdlets {
    BeforeAll {
        $command = Get-Command $Name -Module DsOps
        $help = Get-Help $Name -Full
    }

    It 'is a compiled cmdlet of DsOps with an approved verb' {
        $command.CommandType | Should -Be 'Cmdlet'
        $command.ImplementingType.Assembly.GetName().Name | Should -Be 'DsOps'
        $command.Verb | Should -BeIn (Get-Verb).Verb
        $command.Noun | Should -BeLike 'Ds*'
    }

    It 'has help with a synopsis and a description' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis.Trim() | Should -Not -Be $Name -Because 'a synopsis that only repeats the name is the placeholder help'
        (($help.description | ForEach-Object Text) -join ' ').Trim().Length | Should -BeGreaterThan 20
    }

    It 'has at least one example, each with code and an explanation' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 1
        foreach ($example in $examples) {
            $example.code | Should -Match $Name -Because 'an example shows the cmdlet itself'
            (($example.remarks | ForEach-Object Text) -join ' ').Trim() | Should -Not -BeNullOrEmpty -Because "the example '$($example.code)' needs a sentence saying what it does"
        }
    }

    It 'has examples that bind: every DsOps command in them uses parameters that exist' {
        foreach ($example in @($help.examples.example)) {
            $errors = $null
            $ast = [Management.Automation.Language.Parser]::ParseInput(($example.code -join "`n"), [ref]$null, [ref]$errors)
            $errors | Should -BeNullOrEmpty -Because "the example '$($example.code)' must parse"
            $calls = $ast.FindAll({ param($a) $a -is [Management.Automation.Language.CommandAst] -and $a.GetCommandName() -like '*-Ds*' }, $true)
            foreach ($call in $calls) {
                $binding = [Management.Automation.Language.StaticParameterBinder]::BindCommand($call, $true)
                @($binding.BindingExceptions.Keys) | Should -BeNullOrEmpty -Because "'$($call.Extent.Text)' in the help of $Name must bind"
            }
        }
    }

    It 'documents every parameter' {
        $documented = @{}
        $parameters = if ($help.parameters -and $help.parameters.PSObject.Properties['parameter']) { @($help.parameters.parameter) } else { @() }
        foreach ($p in $parameters) { $documented[$p.name] = (($p.description | ForEach-Object Text) -join ' ').Trim() }
        $own = $command.Parameters.Keys | Where-Object { $_ -notin $common }
        foreach ($p in $own) {
            $documented[$p] | Should -Not -BeNullOrEmpty -Because "-$p of $Name needs help"
        }
    }

    It 'declares output types that exist' {
        $command.OutputType.Count | Should -BeGreaterOrEqual 1
        foreach ($t in $command.OutputType) { $t.Type | Should -Not -BeNullOrEmpty -Because "[OutputType] '$($t.Name)' must resolve to a type" }
    }

    It 'supports -WhatIf and -Confirm exactly when it changes state' {
        # Invoke-DsHealthCheck only reads (the xunit compliance test allow-lists it the same way).
        $changesState = $command.Verb -in 'Sync', 'Export', 'New', 'Send', 'Invoke', 'Disconnect', 'Set', 'Remove', 'Start', 'Stop', 'Initialize',
            'Complete', 'Disable', 'Enable', 'Restart', 'Resume', 'Suspend', 'Copy' -and
            $command.Name -ne 'Invoke-DsHealthCheck'
        $command.Parameters.ContainsKey('WhatIf') | Should -Be $changesState
        $command.Parameters.ContainsKey('Confirm') | Should -Be $changesState
    }
}
