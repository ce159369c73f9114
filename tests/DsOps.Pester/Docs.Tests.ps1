# Doc tests: every fenced block in README.md and docs/*.md whose info string is `powershell runnable` runs against
# a sandbox emulator (DS 3.2 with demo projects and 30 days of run history), with DsOps connected to its API and its
# metadata database, and must run without error. A block's trailing `# Expect: <regex>` lines must each match its
# output text. The convention is described in docs/testing.md.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'DsOpsTestHarness.psm1') -Force
    $repo = Get-DsTestRepoRoot
    $documents = @(Get-Item (Join-Path $repo 'README.md')) + @(Get-ChildItem (Join-Path $repo 'docs') -Filter *.md | Sort-Object Name)
    $blocks = foreach ($doc in $documents) {
        $lines = [IO.File]::ReadAllLines($doc.FullName)
        $relative = [IO.Path]::GetRelativePath($repo, $doc.FullName) -replace '\\', '/'
        for ($i = 0; $i -lt $lines.Count; $i++) {
            # Any fence (``` or longer) is skipped as a whole, so a fence shown inside a longer one is not a block.
            if ($lines[$i] -notmatch '^\s*(`{3,})\s*(.*?)\s*$') { continue }
            $fence = $Matches[1]; $info = $Matches[2]; $start = $i + 1
            $body = [Collections.Generic.List[string]]::new()
            for ($i++; $i -lt $lines.Count -and $lines[$i] -notmatch ('^\s*' + $fence + '`*\s*$'); $i++) { $body.Add($lines[$i]) }
            if ($fence.Length -ne 3 -or $info -ne 'powershell runnable') { continue }
            $expect = [Collections.Generic.List[string]]::new()
            for ($j = $body.Count - 1; $j -ge 0 -and $body[$j] -match '^\s*#\s*Expect:\s*(.+?)\s*$'; $j--) { $expect.Insert(0, $Matches[1]) }
            @{ File = $relative; Line = $start; Code = ($body -join "`n"); Expect = @($expect) }
        }
    }
    # Cmdlet help: examples marked runnable="true" in the published help (from <example runnable="true"> in the
    # cmdlets' XML docs) run the same way, as a user would paste them from Get-Help.
    $helpFile = Join-Path (Split-Path (Get-DsTestModulePath)) 'en-US/DsOps.dll-Help.xml'
    [xml]$maml = Get-Content -Raw -LiteralPath $helpFile
    $ns = [Xml.XmlNamespaceManager]::new($maml.NameTable)
    $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
    $ns.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')
    $ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
    $helpExamples = foreach ($command in $maml.SelectNodes('//command:command', $ns)) {
        $name = $command.SelectSingleNode('command:details/command:name', $ns).InnerText
        $n = 0
        foreach ($example in $command.SelectNodes('command:examples/command:example', $ns)) {
            $n++
            if ($example.GetAttribute('runnable') -ne 'true') { continue }
            @{ Command = $name; Number = $n; Code = $example.SelectSingleNode('dev:code', $ns).InnerText }
        }
    }
}

BeforeAll {
    # Runs one example in the repository copy with $ErrorActionPreference = 'Stop'; returns its errors and its other output.
    # (The parameter is not named like a -ForEach key: see docs/testing.md.)
    function Invoke-DocExample([string] $Source) {
        $errors = [Collections.Generic.List[object]]::new()
        Push-Location $work
        try {
            $script = [scriptblock]::Create($Source)
            $output = & {
                $ErrorActionPreference = 'Stop'
                & $script
            } *>&1 | ForEach-Object { if ($_ -is [Management.Automation.ErrorRecord]) { $errors.Add($_) } else { $_ } }
        }
        finally { Pop-Location }
        , $errors.ToArray()
        , @($output)
    }
    Import-Module (Join-Path $PSScriptRoot 'DsOpsTestHarness.psm1') -Force
    Import-Module (Get-DsTestModulePath) -Force
    $repo = Get-DsTestRepoRoot
    $sandbox = Start-DsTestEmulator -Dialect '3.2' -Sandbox
    # Blocks run in a copy of the repository's README and docs/, so relative paths such as ./docs/examples/workflows
    # work as they do at the repository root, and whatever a block writes lands in a throwaway folder.
    $work = Join-Path $TestDrive 'repo'
    $null = New-Item -ItemType Directory -Path $work
    Copy-Item (Join-Path $repo 'README.md') $work
    Copy-Item (Join-Path $repo 'docs') $work -Recurse
    # What the sandbox shell of build.ps1 defines and connects.
    $DsSandbox = [pscustomobject]@{
        ApiUri                   = $sandbox.ApiUri
        Token                    = $sandbox.Token
        MetadataConnectionString = ConvertTo-SecureString $sandbox.MetadataConnectionString -AsPlainText -Force
        HealthConfig             = $sandbox.HealthConfig
    }
    $null = Connect-DsServer -Uri $DsSandbox.ApiUri -Token $DsSandbox.Token -Name sandbox
    $null = Connect-DsMetadata -ConnectionString $DsSandbox.MetadataConnectionString -Name sandbox
}

AfterAll {
    if ($sandbox) { $null = $sandbox | Stop-DsTestEmulator }
}

Describe 'Runnable examples' {
    It 'finds runnable examples in README.md and in docs/' -ForEach @(@{ Files = @($blocks.File) }) {
        $Files.Count | Should -BeGreaterOrEqual 6
        $Files | Should -Contain 'README.md'
        @($Files | Where-Object { $_ -like 'docs/*' }).Count | Should -BeGreaterOrEqual 5
    }

    It 'uses no misspelt marker: only `powershell runnable` runs' {
        $documents = @(Get-Item (Join-Path $repo 'README.md')) + @(Get-ChildItem (Join-Path $repo 'docs') -Filter *.md)
        $near = $documents | Select-String -Pattern '^\s*```\s*\S*\s*runnable' | Where-Object { $_.Line -notmatch '^\s*```powershell\s+runnable\s*$' }
        $near | Should -BeNullOrEmpty -Because 'a block marked with another info string would silently not run'
    }
}

Describe '<File>:<Line>' -ForEach $blocks {
    It 'runs against the sandbox without error' {
        $errors, $output = Invoke-DocExample -Source $Code
        $errors | Should -BeNullOrEmpty -Because "the example at ${File}:$Line must run as written"
        $text = $output | Out-String -Width 200
        foreach ($pattern in $Expect) {
            $text | Should -Match $pattern -Because "the example at ${File}:$Line says '# Expect: $pattern'"
        }
    }
}

Describe 'Runnable help examples' {
    It 'marks examples of at least 20 cmdlets runnable' -ForEach @(@{ Commands = @($helpExamples.Command | Sort-Object -Unique) }) {
        $Commands.Count | Should -BeGreaterOrEqual 20
    }
}

Describe 'Get-Help <Command> example <Number>' -ForEach $helpExamples {
    It 'runs against the sandbox without error' {
        $errors, $output = Invoke-DocExample -Source $Code
        $errors | Should -BeNullOrEmpty -Because "example $Number of Get-Help $Command must run as written: $Code"
        $text = $output | Out-String -Width 120
        foreach ($line in $text -split "`r?`n") {
            $line.TrimEnd().Length | Should -BeLessOrEqual 120 -Because "the default view must fit 120 columns: '$line'"
        }
    }
}

Describe 'Emulator shutdown (doc suite)' {
    It 'Stop-DsTestEmulator stops the sandbox and its mariadbd, and the sandbox removes its temp data' {
        Assert-DsTestEmulatorShutdown -Emulator $sandbox
    }
}
