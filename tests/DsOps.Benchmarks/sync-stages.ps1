<#
.SYNOPSIS
    Memory of a no-change Sync-DsWorkflow, stage by stage, in real pwsh (docs/benchmarks.md, "Sync in real pwsh").
.DESCRIPTION
    Runs the engine calls Sync-DsWorkflow makes, in its order, against an emulator kept up by
    'sync-in-pwsh ... --hold FILE', and prints after each stage: resident memory split into anonymous (GC heap,
    JIT data, stacks), file-backed (mapped assemblies) and shared (the runtime's double-mapped executable code),
    the working set and its peak, the GC heap (live + not yet collected), what the GC has committed and its
    fragmentation, bytes allocated so far and the collection counts. With -Live each stage also forces a full
    collection and prints the live heap (this changes the peak: use it to size data, not to judge the goal).
.EXAMPLE
    dotnet pwsh -NoProfile -File tests/DsOps.Benchmarks/sync-stages.ps1 -Hold /tmp/hold.txt
    Prints one line per stage for the held emulator's specs and server.
#>
param(
    [Parameter(Mandatory)] [string]$Hold,
    [string]$Module = (Join-Path $PSScriptRoot '../../out/DsOps/DsOps.psd1'),
    [switch]$Live
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$self = [Diagnostics.Process]::GetCurrentProcess()
function Measure-Stage([string]$Stage) {
    $self.Refresh()
    $status = Get-Content /proc/self/status -Raw
    $kb = { param($name) [int]([regex]::Match($status, "${name}:\s+(\d+)").Groups[1].Value) / 1024 }
    $gc = [GC]::GetGCMemoryInfo()
    $livePart = if ($Live) { ' live {0:F1}' -f ([GC]::GetTotalMemory($true) / 1MB) } else { '' }
    '{0,-10} anon {1,4:F0} file {2,4:F0} shm {3,3:F0} ws {4,4} peak {5,4} | heap {6,3} committed {7,3} frag {8,3} | alloc {9,4} MB | gc {10}/{11}/{12} | jit {14} methods {15} KB IL{13}' -f $Stage,
        (& $kb RssAnon), (& $kb RssFile), (& $kb RssShmem), [int]($self.WorkingSet64 / 1MB), [int]($self.PeakWorkingSet64 / 1MB),
        [int]([GC]::GetTotalMemory($false) / 1MB), [int]($gc.TotalCommittedBytes / 1MB), [int]($gc.FragmentedBytes / 1MB),
        [int]([GC]::GetTotalAllocatedBytes($false) / 1MB), [GC]::CollectionCount(0), [GC]::CollectionCount(1), [GC]::CollectionCount(2), $livePart,
        [Runtime.JitInfo]::GetCompiledMethodCount($false), [int]([Runtime.JitInfo]::GetCompiledILBytes($false) / 1KB)
}

Measure-Stage 'start'
$uri, $token, $dir = Get-Content $Hold
Import-Module $Module
$c = Connect-DsServer -Uri $uri -Token (ConvertTo-SecureString $token -AsPlainText -Force) -NoDefault -TimeoutSec 300
Measure-Stage 'connected'
$none = [Threading.CancellationToken]::None
# The DS client and the sync's stages are internal to the engine (docs/architecture.md, "Public engine surface"), so
# this diagnostic reaches them by reflection, as only a measuring tool should.
$any = [Reflection.BindingFlags]'Public,NonPublic,Static,Instance'
$engine = [DsOps.Engine.Api.DsConnection].Assembly
function Invoke-Internal([string]$Type, [string]$Method, [object[]]$Arguments) {
    # Arguments must be base objects (a [string] cast drops PowerShell's wrapper); exceptions come out unwrapped.
    $engine.GetType($Type, $true).GetMethod($Method, $any).Invoke($null, [Reflection.BindingFlags]::DoNotWrapExceptions, $null, $Arguments, $null)
}
$client = [DsOps.Engine.Api.DsConnection].GetProperty('Client', $any).GetValue($c.PSObject.BaseObject)
$specs = [DsOps.Engine.Specs.Sources.SpecSourceRequest]::new($dir).LoadAndValidate()
Measure-Stage 'specs'
$null = [DsOps.Engine.Specs.Validation.SpecValidator]::ValidateForDialect($specs.Workflows, $c.Dialect)
$inventory = [Activator]::CreateInstance($engine.GetType('DsOps.Engine.Apply.DsServerInventory', $true), $any, $null, @($client), $null)
$null = (Invoke-Internal 'DsOps.Engine.Specs.Validation.SpecValidator' 'ValidateTargetAsync' @($specs.Workflows, $inventory, $none)).GetAwaiter().GetResult()
Measure-Stage 'validated'
$state = Invoke-Internal 'DsOps.Engine.Planning.AppliedState' 'Load' @([string](Join-Path $dir '.dsops-state.json'))
Measure-Stage 'state'
$projects = [string[]]@($specs.Workflows.Project | Select-Object -Unique)
$snapshot = (Invoke-Internal 'DsOps.Engine.Apply.DsServerSnapshot' 'ReadAsync' @($client, $projects, $none, $specs.Workflows)).GetAwaiter().GetResult()
Measure-Stage 'snapshot'
$options = [DsOps.Engine.Planning.PlanOptions]::new()
[DsOps.Engine.Planning.PlanOptions].GetProperty('State', $any).SetValue($options, $state)
$options.ExistingProjects = $snapshot.AllProjects
$plan = [DsOps.Engine.Planning.WorkflowPlanner]::Plan($specs.Workflows, $snapshot.Workflows, $options)
Measure-Stage 'plan'
# What Sync-DsWorkflow does after planning a no-change sync: orphans, apply (nothing to write), state saved.
$statePath = [string](Join-Path $dir '.dsops-state.json')
$applier = [Activator]::CreateInstance($engine.GetType('DsOps.Engine.Apply.WorkflowApplier', $true), @($client, $snapshot))
$orphans = $applier.GetType().GetMethod('FindOrphans', $any).Invoke($applier, @($state))
$journal = Invoke-Internal 'DsOps.Engine.Apply.ApplyJournal' 'Open' @($statePath)
$applyOptions = [DsOps.Engine.Apply.ApplyOptions]@{ ThrottleLimit = 8; Orphans = $orphans }
[DsOps.Engine.Apply.ApplyOptions].GetProperty('State', $any).SetValue($applyOptions, $state)
[DsOps.Engine.Apply.ApplyOptions].GetProperty('Journal', $any).SetValue($applyOptions, $journal)
$results = $applier.GetType().GetMethod('ApplyAsync', $any).Invoke($applier, @($plan, $applyOptions, $null, $none)).GetAwaiter().GetResult()
Measure-Stage 'applied'
$journal.GetType().GetMethod('Complete', $any).Invoke($journal, @($state, $statePath))
$journal.Dispose()
Measure-Stage 'saved'
$plan.Summary
