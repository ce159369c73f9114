#Requires -Version 7.4
<#
    Test harness for the Pester suites: finds the published module, starts and stops DS emulators
    (tests/DsOps.Emulator) as child processes, runs SQL on an emulator's metadata database and
    receives webhook calls on loopback. Used by the *.Tests.ps1 files next to it; see docs/testing.md.
#>
Set-StrictMode -Version Latest

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

function Get-DsTestRepoRoot {
    <# The repository's root folder. #>
    [CmdletBinding()] [OutputType([string])] param()
    $script:RepoRoot
}

function Get-DsTestModulePath {
    <#
        The published module's manifest: $env:DSOPS_MODULE_PATH, else <repo>/out/DsOps/DsOps.psd1
        (`dotnet publish src/DsOps -c Release`). The build output of src/ is refused: the suites test what users import.
    #>
    [CmdletBinding()] [OutputType([string])] param()
    $path = if ($env:DSOPS_MODULE_PATH) { $env:DSOPS_MODULE_PATH } else { Join-Path $script:RepoRoot 'out/DsOps/DsOps.psd1' }
    if (Test-Path -LiteralPath $path -PathType Container) { $path = Join-Path $path 'DsOps.psd1' }
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) {
        throw "The published DsOps module was not found at '$path'. Run 'dotnet publish src/DsOps -c Release' (or set DSOPS_MODULE_PATH to a published DsOps.psd1)."
    }
    $full = (Resolve-Path -LiteralPath $path).Path
    if ($full -match '[\\/]src[\\/]DsOps[\\/]bin[\\/]') {
        throw "DSOPS_MODULE_PATH '$full' is the build output of src/DsOps; the Pester suites run against the published module (out/DsOps)."
    }
    $full
}

function Get-DsTestEmulatorPath {
    <# The emulator's dll: $env:DSOPS_EMULATOR_DLL, else tests/DsOps.Emulator/bin/Release/net10.0/DsOps.Emulator.dll. #>
    [CmdletBinding()] [OutputType([string])] param()
    $path = if ($env:DSOPS_EMULATOR_DLL) { $env:DSOPS_EMULATOR_DLL } else { Join-Path $script:RepoRoot 'tests/DsOps.Emulator/bin/Release/net10.0/DsOps.Emulator.dll' }
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) {
        throw "The DS emulator was not found at '$path'. Run 'dotnet build tests/DsOps.Emulator -c Release' (or set DSOPS_EMULATOR_DLL)."
    }
    (Resolve-Path -LiteralPath $path).Path
}

function Get-DsTestDotnet {
    <# The dotnet host that runs the emulator: DOTNET_HOST_PATH (set by the SDK), else dotnet on PATH. #>
    if ($env:DOTNET_HOST_PATH -and (Test-Path -LiteralPath $env:DOTNET_HOST_PATH)) { return $env:DOTNET_HOST_PATH }
    $cmd = Get-Command dotnet -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $cmd) { throw 'dotnet was not found on PATH; the emulator runs on the .NET SDK''s dotnet.' }
    $cmd.Source
}

function Invoke-DsTestPwsh {
    <#
        Runs a command in a fresh pwsh (the one running these tests: the pinned `dotnet pwsh` tool, or a pwsh
        executable) and returns its output, errors included; $LASTEXITCODE is its exit code.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Command)
    $dll = Join-Path $PSHOME 'pwsh.dll'
    $exe = [Environment]::ProcessPath
    if ((Split-Path -Leaf $exe) -like 'dotnet*' -and (Test-Path -LiteralPath $dll)) {
        & $exe $dll -NoProfile -NonInteractive -Command $Command 2>&1
    }
    else {
        & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $Command 2>&1
    }
    $global:LASTEXITCODE = $LASTEXITCODE
}

function Get-DsTestChildProcessId {
    <# Ids of the processes whose parent is $ParentId (Linux /proc; empty elsewhere). #>
    param([Parameter(Mandatory)] [int] $ParentId, [string] $Name)
    if (-not (Test-Path /proc)) { return @() }
    foreach ($stat in Get-ChildItem /proc -Directory -ErrorAction SilentlyContinue | Where-Object Name -Match '^\d+$') {
        try { $text = [IO.File]::ReadAllText("$($stat.FullName)/stat") } catch { continue }
        # pid (comm) state ppid ...; comm may hold spaces and parentheses, so split after the last ')'.
        $close = $text.LastIndexOf(')')
        $fields = $text.Substring($close + 2).Split(' ')
        if ([int]$fields[1] -ne $ParentId) { continue }
        $comm = $text.Substring($text.IndexOf('(') + 1, $close - $text.IndexOf('(') - 1)
        if ($Name -and $comm -notlike "$Name*") { continue }
        [int]$stat.Name
    }
}

function Test-DsTestProcessAlive {
    <# True while a process with this id exists and is not a zombie. #>
    param([Parameter(Mandatory)] [int] $Id)
    if (Test-Path "/proc/$Id/stat") {
        try { $text = [IO.File]::ReadAllText("/proc/$Id/stat") } catch { return $false }
        $state = $text.Substring($text.LastIndexOf(')') + 2, 1)
        return $state -ne 'Z' -and $state -ne 'X'
    }
    if (Test-Path /proc) { return $false }
    $null -ne (Get-Process -Id $Id -ErrorAction SilentlyContinue)
}

function Start-DsTestEmulator {
    <#
        Starts one DS emulator per dialect given (all at once, then waits for every one) with its standard input
        redirected, so closing it stops the emulator (--exit-on-stdin-eof). Returns one object per emulator:
        ApiUri, Token (SecureString), PlainToken (for the harness only), MetadataConnectionString, Dialect, Process,
        MariaDbProcessIds, TempFolder (the emulator's --work-dir, which it removes when it stops). Throws with the emulator's output if it exits or is not ready in time.
    #>
    [CmdletBinding()]
    param(
        [ValidateSet('3.0', '3.1', '3.2', '3.3', '3.4')] [string[]] $Dialect = '3.2',
        [switch] $Sandbox,
        # Where the simulated clock starts (UTC; default now). It runs 60 simulated seconds per real second.
        [Nullable[DateTime]] $ClockStart,
        [ValidateRange(5, 600)] [int] $TimeoutSec = 180,
        # Return at once (objects for Wait-DsTestEmulator), so emulators with other options can start meanwhile.
        [switch] $NoWait,
        # More emulator options, e.g. '--history-chain-days', '8'.
        [string[]] $ExtraArgument = @()
    )
    $dotnet = Get-DsTestDotnet
    $dll = Get-DsTestEmulatorPath
    $started = foreach ($d in $Dialect) {
        # The emulator creates and removes its work folder (throwaway MariaDB, info file) itself.
        $temp = Join-Path ([IO.Path]::GetTempPath()) ('dsops-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
        $info = Join-Path $temp 'info.json'
        $psi = [Diagnostics.ProcessStartInfo]::new($dotnet)
        foreach ($a in @($dll, '--dialect', $d, '--work-dir', $temp, '--info-file', $info, '--exit-on-stdin-eof')) { $psi.ArgumentList.Add($a) }
        # Like build.ps1's sandbox: demo content and three emulated hosts whose inventory is <work-dir>/health.yaml.
        if ($Sandbox) { foreach ($a in '--sandbox', '--cluster', 'three') { $psi.ArgumentList.Add($a) } }
        foreach ($a in $ExtraArgument) { $psi.ArgumentList.Add($a) }
        if ($ClockStart) { $psi.ArgumentList.Add('--clock-start'); $psi.ArgumentList.Add($ClockStart.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ss', [cultureinfo]::InvariantCulture)) }
        $psi.UseShellExecute = $false
        $psi.RedirectStandardInput = $true
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.Environment['DOTNET_NOLOGO'] = '1'
        $process = [Diagnostics.Process]::Start($psi)
        [pscustomobject]@{
            PSTypeName = 'DsOps.Pester.PendingEmulator'
            Dialect = $d; Process = $process; InfoFile = $info; TempFolder = $temp; Sandbox = [bool]$Sandbox
            MariaDbProcessIds = @()
            # Drained in the background (no PowerShell code on another thread) so a chatty emulator never blocks.
            StdOut = $process.StandardOutput.ReadToEndAsync(); StdErr = $process.StandardError.ReadToEndAsync()
        }
    }
    if ($NoWait) { return $started }
    Wait-DsTestEmulator -Pending $started -TimeoutSec $TimeoutSec
}

function Wait-DsTestEmulator {
    <# Waits until emulators started with Start-DsTestEmulator -NoWait are ready; returns them as Start-DsTestEmulator does. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [object[]] $Pending, [ValidateRange(5, 600)] [int] $TimeoutSec = 180)
    $started = $Pending
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    foreach ($s in $started) {
        while (-not (Test-Path -LiteralPath $s.InfoFile)) {
            if ($s.Process.HasExited -or [DateTime]::UtcNow -gt $deadline) {
                $why = if ($s.Process.HasExited) { "exited with code $($s.Process.ExitCode)" } else { "was not ready within $TimeoutSec s" }
                $started | ForEach-Object { Stop-DsTestEmulatorProcess $_ }
                $out = if ($s.StdOut.IsCompleted) { $s.StdOut.Result } else { '' }
                $err = if ($s.StdErr.IsCompleted) { $s.StdErr.Result } else { '' }
                throw "The DS $($s.Dialect) emulator $why.`n$out`n$err"
            }
            Start-Sleep -Milliseconds 200
        }
        $json = Get-Content -LiteralPath $s.InfoFile -Raw | ConvertFrom-Json
        $token = ConvertTo-SecureString -String $json.token -AsPlainText -Force
        [pscustomobject]@{
            PSTypeName               = 'DsOps.Pester.Emulator'
            Dialect                  = [string]$json.dialect
            ApiUri                   = [string]$json.apiUri
            Token                    = $token
            PlainToken               = [string]$json.token
            MetadataConnectionString = [string]$json.metadataConnectionString
            HealthConfig             = [string]$(if ($json.PSObject.Properties['healthConfig']) { $json.healthConfig })
            Process                  = $s.Process
            MariaDbProcessIds        = @(if ($json.PSObject.Properties['databaseServerPid'] -and $json.databaseServerPid) { [int]$json.databaseServerPid } else { Get-DsTestChildProcessId -ParentId $s.Process.Id -Name mariadbd })
            TempFolder               = $s.TempFolder
            StdOut                   = $s.StdOut
            StdErr                   = $s.StdErr
            Sandbox                  = $s.Sandbox
        } | Add-Member -MemberType ScriptMethod -Name ToString -Value { "DS $($this.Dialect) emulator $($this.ApiUri)" } -Force -PassThru
    }
}

function Stop-DsTestEmulatorProcess {
    param([Parameter(Mandatory)] $Emulator, [int] $TimeoutSec = 60)
    $p = $Emulator.Process
    $forced = $false
    if (-not $p.HasExited) {
        try { $p.StandardInput.Close() } catch { Write-Verbose "stdin already closed: $_" }
        if (-not $p.WaitForExit($TimeoutSec * 1000)) {
            $forced = $true
            $p.Kill($true)
            $null = $p.WaitForExit(10000)
        }
    }
    else { $p.WaitForExit() }
    # The emulator removes its work folder when it stops; only after a kill is that left to us.
    if ($forced -and (Test-Path -LiteralPath $Emulator.TempFolder)) { Remove-Item -LiteralPath $Emulator.TempFolder -Recurse -Force -ErrorAction SilentlyContinue }
    $forced
}

function Stop-DsTestEmulator {
    <#
        Stops emulators started by Start-DsTestEmulator: closes standard input (the emulator then stops its throwaway
        MariaDB and removes its temp data), waits, and kills the process tree only as a last resort.
        Returns per emulator: Dialect, ExitCode, Forced (killed), MariaDbAlive (ids of its mariadbd still running).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)] [AllowNull()] [object[]] $Emulator, [int] $TimeoutSec = 60)
    begin { $all = [Collections.Generic.List[object]]::new() }
    process { foreach ($e in $Emulator) { if ($null -ne $e) { $all.Add($e) } } }
    end {
        # Every standard input closed first, so the emulators shut down side by side.
        foreach ($e in $all) { if (-not $e.Process.HasExited) { try { $e.Process.StandardInput.Close() } catch { Write-Verbose "stdin already closed: $_" } } }
        foreach ($e in $all) {
            $forced = Stop-DsTestEmulatorProcess -Emulator $e -TimeoutSec $TimeoutSec
            $deadline = [DateTime]::UtcNow.AddSeconds(15)
            while (($alive = @($e.MariaDbProcessIds | Where-Object { Test-DsTestProcessAlive $_ })).Count -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 200
            }
            [pscustomobject]@{
                Dialect      = $e.Dialect
                ExitCode     = $e.Process.ExitCode
                Forced       = $forced
                MariaDbAlive = $alive
                Output       = if ($e.StdOut.IsCompleted) { $e.StdOut.Result } else { '' }
                ErrorOutput  = if ($e.StdErr.IsCompleted) { $e.StdErr.Result } else { '' }
            }
        }
    }
}

function Assert-DsTestEmulatorShutdown {
    <#
        Stops emulators (Stop-DsTestEmulator) and asserts, with Pester's Should, that each one exited by itself with
        code 0 once its standard input closed, that the mariadbd it started is gone and that it removed its work folder.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [object[]] $Emulator)
    $stopped = @($Emulator | Stop-DsTestEmulator)
    $stopped.Count | Should -Be $Emulator.Count
    foreach ($s in $stopped) {
        $s.Forced | Should -BeFalse -Because "closing standard input stops the DS $($s.Dialect) emulator"
        $s.ExitCode | Should -Be 0 -Because $s.ErrorOutput
        $s.MariaDbAlive | Should -BeNullOrEmpty
    }
    foreach ($e in $Emulator) {
        $e.Process.HasExited | Should -BeTrue
        $e.MariaDbProcessIds.Count | Should -Be 1 -Because 'each emulator starts its own throwaway MariaDB'
        foreach ($id in $e.MariaDbProcessIds) { Test-DsTestProcessAlive $id | Should -BeFalse }
        $e.TempFolder | Should -Not -Exist
    }
}

function Write-DsTestScheduledSpec {
    <#
        Writes <Folder>/<Project>.yaml: workflows that run every simulated minute (one real second on the emulator's
        60x clock). -Workflows maps a workflow name to its tasks as 'name: shell script' strings; each task depends on
        the one before it. ONLINE puts them and their schedules online, OFFLINE stops them.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Folder,
        [Parameter(Mandatory)] [string] $Project,
        [Parameter(Mandatory)] [Collections.IDictionary] $Workflows,
        [ValidateSet('ONLINE', 'OFFLINE')] [string] $ReleaseState = 'ONLINE'
    )
    $null = New-Item -ItemType Directory -Force -Path $Folder
    $yaml = [Text.StringBuilder]::new()
    $null = $yaml.AppendLine("project: $Project").AppendLine('workflows:')
    foreach ($name in $Workflows.Keys) {
        $null = $yaml.AppendLine("  - name: $name").AppendLine("    releaseState: $ReleaseState").AppendLine('    schedule:')
        $null = $yaml.AppendLine('      cron: "0 * * * * ? *"').AppendLine('      start: "2020-01-01 00:00:00"').AppendLine('      end: "2099-12-31 23:59:59"')
        $null = $yaml.AppendLine('    tasks:')
        $previous = $null
        foreach ($task in @($Workflows[$name])) {
            $taskName, $script = $task -split ':\s*', 2
            $needs = if ($previous) { ", dependsOn: [$previous]" } else { '' }
            $null = $yaml.AppendLine("      - { name: $taskName, type: SHELL, script: '$script'$needs }")
            $previous = $taskName
        }
    }
    Set-Content -LiteralPath (Join-Path $Folder "$Project.yaml") -Value $yaml.ToString()
}

function Connect-DsTestEmulator {
    <# Makes DsOps's API and metadata connections to an emulator the session defaults; returns both. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Emulator, [switch] $NoMetadata)
    $api = Connect-DsServer -Uri $Emulator.ApiUri -Token $Emulator.Token -Name "emulator-$($Emulator.Dialect)"
    $meta = if (-not $NoMetadata) { Connect-DsMetadata -ConnectionString $Emulator.MetadataConnectionString -Name "emulator-$($Emulator.Dialect)-db" -ServerTimeZone UTC }
    [pscustomobject]@{ Api = $api; Metadata = $meta }
}

function Invoke-DsTestSql {
    <#
        Runs SQL on an emulator's metadata database with the MySqlConnector shipped in the published module
        (for assertions only: row counts and checksums). Returns rows as ordered dictionaries.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $ConnectionString, [Parameter(Mandatory)] [string] $Sql, [hashtable] $Parameters = @{})
    if (-not ('MySqlConnector.MySqlConnection' -as [type])) {
        Add-Type -LiteralPath (Join-Path (Split-Path (Get-DsTestModulePath)) 'MySqlConnector.dll')
    }
    $conn = [MySqlConnector.MySqlConnection]::new($ConnectionString)
    try {
        $conn.Open()
        $cmd = $conn.CreateCommand()
        $cmd.CommandText = $Sql
        foreach ($k in $Parameters.Keys) { $null = $cmd.Parameters.AddWithValue("@$k", $Parameters[$k]) }
        $reader = $cmd.ExecuteReader()
        try {
            while ($reader.Read()) {
                $row = [ordered]@{}
                for ($i = 0; $i -lt $reader.FieldCount; $i++) { $row[$reader.GetName($i)] = if ($reader.IsDBNull($i)) { $null } else { $reader.GetValue($i) } }
                [pscustomobject]$row
            }
        }
        finally { $reader.Dispose() }
    }
    finally { $conn.Dispose() }
}

function Get-DsTestDatabaseFingerprint {
    <#
        Every table of the emulator's metadata database with its exact row count and content checksum
        (CHECKSUM TABLE), as "table=rows/checksum" lines: equal fingerprints mean nothing was written.
        -ExcludeTable leaves out tables the simulated master writes on its own.
    #>
    [CmdletBinding()] [OutputType([string[]])]
    param([Parameter(Mandatory)] [string] $ConnectionString, [string[]] $ExcludeTable = @())
    $tables = Invoke-DsTestSql -ConnectionString $ConnectionString -Sql 'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name' |
        ForEach-Object t | Where-Object { $_ -notin $ExcludeTable }
    $list = ($tables | ForEach-Object { '`' + $_ + '`' }) -join ', '
    $sums = @{}
    Invoke-DsTestSql -ConnectionString $ConnectionString -Sql "CHECKSUM TABLE $list EXTENDED" | ForEach-Object { $sums[($_.Table -split '\.')[-1]] = $_.Checksum }
    foreach ($t in $tables) {
        $n = (Invoke-DsTestSql -ConnectionString $ConnectionString -Sql "SELECT COUNT(*) AS n FROM ``$t``").n
        "$t=$n/$($sums[$t])"
    }
}

function Start-DsTestWebhook {
    <#
        A loopback HTTP endpoint that records every request (method, path, body) and answers like a chat robot
        (DingTalk's {"errcode":0,"errmsg":"ok"}, which the other channels accept too). Returns Uri, Requests
        (a ConcurrentQueue) and the listener; stop it with Stop-DsTestWebhook.
    #>
    [CmdletBinding()] param()
    $listener = $null
    for ($try = 0; $try -lt 20 -and -not $listener; $try++) {
        $probe = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
        $l = [Net.HttpListener]::new()
        $l.Prefixes.Add("http://127.0.0.1:$port/")
        try { $l.Start(); $listener = $l } catch { $l.Close() }
    }
    if (-not $listener) { throw 'Could not open a loopback HTTP listener.' }
    $requests = [Collections.Concurrent.ConcurrentQueue[object]]::new()
    $ps = [powershell]::Create()
    $null = $ps.AddScript({
            param($listener, $requests)
            while ($listener.IsListening) {
                try { $ctx = $listener.GetContext() } catch { break }
                $reader = [IO.StreamReader]::new($ctx.Request.InputStream)
                $requests.Enqueue([pscustomobject]@{ Method = $ctx.Request.HttpMethod; Path = $ctx.Request.Url.PathAndQuery; Body = $reader.ReadToEnd() })
                $bytes = [Text.Encoding]::UTF8.GetBytes('{"errcode":0,"errmsg":"ok","code":0,"StatusCode":0}')
                $ctx.Response.ContentType = 'application/json'
                $ctx.Response.OutputStream.Write($bytes, 0, $bytes.Length)
                $ctx.Response.Close()
            }
        }).AddArgument($listener).AddArgument($requests)
    $handle = $ps.BeginInvoke()
    [pscustomobject]@{ Uri = "http://127.0.0.1:$port/robot/send"; Requests = $requests; Listener = $listener; PowerShell = $ps; Handle = $handle }
}

function Stop-DsTestWebhook {
    <# Stops a listener from Start-DsTestWebhook. #>
    [CmdletBinding()] param([Parameter(Mandatory)] [AllowNull()] $Webhook)
    if ($null -eq $Webhook) { return }
    $Webhook.Listener.Stop(); $Webhook.Listener.Close()
    $null = $Webhook.Handle.AsyncWaitHandle.WaitOne(5000)
    $Webhook.PowerShell.Dispose()
}

$script:RecordingHostSource = @'
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;

namespace DsOps.Pester
{
    /// <summary>One confirmation question a cmdlet asked: ShouldProcess (Yes/Yes to All/No/No to All/Suspend) or ShouldContinue (Yes/No).</summary>
    public sealed class RecordedPrompt
    {
        public string Kind { get; set; }
        public string Caption { get; set; }
        public string Message { get; set; }
        public string Answer { get; set; }
        public override string ToString() { return Kind + ": " + Caption + " | " + Message + " -> " + Answer; }
    }

    /// <summary>A host that records every prompt and answers from a script of answers (then "No").</summary>
    public sealed class RecordingHost : PSHost
    {
        private readonly RecordingUI _ui;
        private readonly Guid _id = Guid.NewGuid();
        public RecordingHost(string[] answers) { _ui = new RecordingUI(answers); }
        public List<RecordedPrompt> Prompts { get { return _ui.Prompts; } }
        public override string Name { get { return "DsOpsRecordingHost"; } }
        public override Version Version { get { return new Version(1, 0); } }
        public override Guid InstanceId { get { return _id; } }
        public override PSHostUserInterface UI { get { return _ui; } }
        public override CultureInfo CurrentCulture { get { return CultureInfo.InvariantCulture; } }
        public override CultureInfo CurrentUICulture { get { return CultureInfo.InvariantCulture; } }
        public override void SetShouldExit(int exitCode) { }
        public override void EnterNestedPrompt() { throw new NotSupportedException(); }
        public override void ExitNestedPrompt() { throw new NotSupportedException(); }
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
    }

    public sealed class RecordingUI : PSHostUserInterface
    {
        private readonly Queue<string> _answers;
        public RecordingUI(string[] answers) { _answers = new Queue<string>(answers ?? new string[0]); Prompts = new List<RecordedPrompt>(); }
        public List<RecordedPrompt> Prompts { get; private set; }
        public override PSHostRawUserInterface RawUI { get { return null; } }
        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            var answer = _answers.Count > 0 ? _answers.Dequeue() : "No";
            // ShouldProcess offers "Yes to All" and "No to All"; ShouldContinue(query, caption) does not.
            var toAll = false;
            foreach (var c in choices) if (c.Label.Replace("&", "") == "Yes to All") toAll = true;
            Prompts.Add(new RecordedPrompt { Kind = toAll ? "ShouldProcess" : "ShouldContinue", Caption = caption, Message = message, Answer = answer });
            for (var i = 0; i < choices.Count; i++)
                if (string.Equals(choices[i].Label.Replace("&", ""), answer, StringComparison.OrdinalIgnoreCase)) return i;
            throw new InvalidOperationException("No choice '" + answer + "' in the prompt '" + caption + "'.");
        }
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) { throw new NotSupportedException("Prompt"); }
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) { throw new NotSupportedException("PromptForCredential"); }
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) { throw new NotSupportedException("PromptForCredential"); }
        public override string ReadLine() { throw new NotSupportedException("ReadLine"); }
        public override System.Security.SecureString ReadLineAsSecureString() { throw new NotSupportedException("ReadLineAsSecureString"); }
        public override void Write(string value) { }
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) { }
        public override void WriteLine(string value) { }
        public override void WriteErrorLine(string value) { }
        public override void WriteDebugLine(string message) { }
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override void WriteVerboseLine(string message) { }
        public override void WriteWarningLine(string message) { }
    }
}
'@

function Invoke-DsTestRecorded {
    <#
        Runs -Script in a new runspace whose host records every confirmation prompt (ShouldProcess, ShouldContinue)
        and answers them from -Answer ('Yes', 'No', 'Yes to All' ...; 'No' once they run out). The published module is
        imported and -Variable's entries are set first. Returns Output, Errors and Prompts (in the order asked).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Script, [string[]] $Answer = @(), [hashtable] $Variable = @{})
    if (-not ('DsOps.Pester.RecordingHost' -as [type])) { Add-Type -TypeDefinition $script:RecordingHostSource -Language CSharp }
    $recordingHost = [DsOps.Pester.RecordingHost]::new([string[]] $Answer)
    $runspace = [runspacefactory]::CreateRunspace($recordingHost, [Management.Automation.Runspaces.InitialSessionState]::CreateDefault2())
    $runspace.Open()
    try {
        foreach ($k in $Variable.Keys) { $runspace.SessionStateProxy.SetVariable($k, $Variable[$k]) }
        $ps = [powershell]::Create()
        $ps.Runspace = $runspace
        $null = $ps.AddScript("Import-Module '$((Get-DsTestModulePath) -replace "'", "''")'`n" + $Script)
        $output = try { $ps.Invoke() } catch { $ps.Streams.Error.Add($_.Exception.InnerException.ErrorRecord ?? $_) }
        [pscustomobject]@{ Output = @($output); Errors = @($ps.Streams.Error); Prompts = @($recordingHost.Prompts) }
    }
    finally { $runspace.Dispose() }
}

Export-ModuleMember -Function Get-DsTestRepoRoot, Get-DsTestModulePath, Get-DsTestEmulatorPath, Start-DsTestEmulator, Wait-DsTestEmulator,
    Stop-DsTestEmulator, Assert-DsTestEmulatorShutdown, Write-DsTestScheduledSpec, Connect-DsTestEmulator, Invoke-DsTestSql, Get-DsTestDatabaseFingerprint, Start-DsTestWebhook,
    Stop-DsTestWebhook, Invoke-DsTestPwsh, Get-DsTestChildProcessId, Test-DsTestProcessAlive, Invoke-DsTestRecorded
