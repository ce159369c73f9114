using System.Management.Automation;
using DsOps.Infrastructure;
using DsOps.Engine;
using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Sources;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Commands.Specs;

/// <summary>
/// <para type="synopsis">Applies workflow specs to a DolphinScheduler server: creates, updates, renames and (with -Prune) deletes workflows.</para>
/// <para type="description">Validates the specs (offline, then against the server's data sources, worker groups,
/// environments, tenants and alert groups), reads the server's current state of the projects they name (two
/// requests per project), plans field by field, and applies only what differs, with bounded parallelism and
/// progress. A workflow whose definition did not change is not written, so DS creates no new version. Online
/// workflows are taken offline to edit and their release and schedule state is set back to the spec's. Task
/// identity is kept by name (renamedFrom keeps codes); removed tasks' definitions are deleted. A failure is
/// reported for its workflow while the rest proceed, and a rerun converges. With -WhatIf it shows the plan and
/// writes nothing. -Plan applies a plan saved by Compare-DsWorkflow -OutFile exactly, and refuses when the server
/// changed since it was made. Workflows the specs do not name are left alone unless -Prune (which asks for
/// confirmation unless -Force or -Confirm:$false). The last-applied state (-StatePath) lets later runs flag edits made in the UI (drift).
/// Progress is journaled beside the state file as it goes, so a run after a killed one knows what that run created
/// and edited. A sync holds a lock per project and state file on this machine: a second one is refused with
/// DsSyncLocked, or waits with -LockTimeout. Task definitions that managed workflows no longer use (orphans DS
/// leaves behind) are deleted on DS 3.0-3.2 and reported from 3.3.</para>
/// <example><code>Sync-DsWorkflow ./specs -WhatIf</code><para>Shows what would change on the default connection.</para></example>
/// <example><code>Sync-DsWorkflow ./specs -Environment PROD -Connection $prod -ThrottleLimit 8</code><para>Applies the PROD mapping of the specs to the production server.</para></example>
/// <example><code>Sync-DsWorkflow -Plan ./plan.json -Connection $prod</code><para>Applies a reviewed plan exactly, or refuses if the server changed since.</para></example>
/// <example><code>Sync-DsWorkflow ./specs -Connection $prod -LockTimeout 600</code><para>Waits up to ten minutes for another sync of the same projects to finish, then applies.</para></example>
/// </summary>
[Cmdlet(VerbsData.Sync, "DsWorkflow", SupportsShouldProcess = true, DefaultParameterSetName = "Specs")]
[OutputType(typeof(WorkflowApplyResult))]
public sealed class SyncDsWorkflowCommand : DsSpecCmdlet
{
    /// <summary><para type="description">Project for spec files that do not name one (a name; a code or project object is read as the project's name).</para></summary>
    [Parameter(HelpMessage = "Project for spec files that do not name one.")]
    [ProjectCompleter]
    public DsProjectParameter? Project { get; set; }

    protected override string? DefaultProject => Project?.ToString();

    private const string SpecsSet = "Specs", ConfigTableSet = "ConfigTable", PlanSet = "Plan";

    /// <summary>
    /// <para type="description">Spec file or folder: a folder of DsOps YAML files, one YAML file, a DS export JSON file, or a
    /// pydolphinscheduler YAML file. Not with -Plan (a plan names its own source) or -ConnectionString.</para>
    /// </summary>
    // Redeclared (hiding the base's) so that each spec source is its own parameter set: -Path, -ConnectionString and
    // -Plan cannot be combined, and PowerShell itself reports an impossible combination.
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = SpecsSet,
        HelpMessage = "Spec file or folder (DsOps YAML, DS export JSON or pydolphinscheduler YAML).")]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public new string? Path { get => base.Path; set => base.Path = value; }

    /// <summary><para type="description">Read the specs from a MySQL/MariaDB config table instead of files (see New-DsConfigTable).
    /// With -Plan: the config table a plan made from one is reloaded from.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = ConfigTableSet,
        HelpMessage = "MySQL connection string of the database holding the config table (prefer -Credential for the password).")]
    [Parameter(ParameterSetName = PlanSet,
        HelpMessage = "MySQL connection string of the config table the plan was made from.")]
    [ValidateNotNullOrEmpty]
    public new string? ConnectionString { get => base.ConnectionString; set => base.ConnectionString = value; }

    /// <summary><para type="description">A plan file saved by Compare-DsWorkflow -OutFile; its specs are reloaded (from the
    /// source the plan names) and checked by fingerprint.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = PlanSet, HelpMessage = "A saved plan (Compare-DsWorkflow -OutFile) to apply exactly.")]
    [ValidateNotNullOrEmpty]
    public string? Plan { get; set; }

    /// <summary><para type="description">Also delete workflows of the specs' projects that no spec declares.</para></summary>
    [Parameter(HelpMessage = "Delete workflows of the specs' projects that no spec declares.")]
    public SwitchParameter Prune { get; set; }

    /// <summary><para type="description">Do not ask before deleting workflows (-Prune) in scheduled jobs.</para></summary>
    [Parameter(HelpMessage = "Do not ask for confirmation before deletes.")]
    public SwitchParameter Force { get; set; }

    /// <summary><para type="description">How many workflows are written at the same time (default 4).</para></summary>
    [Parameter(HelpMessage = "Workflows written at the same time.")]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 4;

    /// <summary><para type="description">Last-applied state file; default .dsops-state.json in the spec folder. Use -NoState to keep none.</para></summary>
    [Parameter(HelpMessage = "Last-applied state file (default: .dsops-state.json in the spec folder).")]
    [ValidateNotNullOrEmpty]
    public string? StatePath { get; set; }

    /// <summary><para type="description">Keep no last-applied state (no drift detection).</para></summary>
    [Parameter(HelpMessage = "Keep no last-applied state.")]
    public SwitchParameter NoState { get; set; }

    /// <summary><para type="description">Refuse to create projects (DsProjectNotFound, nothing applied): a typo in project:
    /// must not create a new project. A plan saved with -RequireExistingProject keeps the setting.</para></summary>
    [Parameter(HelpMessage = "Refuse to create projects that do not exist on the server.")]
    public SwitchParameter RequireExistingProject { get; set; }

    /// <summary><para type="description">How long to wait, in seconds, for another sync of the same projects or state
    /// file on this machine to finish (default 0: refuse at once with DsSyncLocked, naming its process and start time).</para></summary>
    [Parameter(HelpMessage = "Seconds to wait for another sync of the same projects or state file to finish (default 0: refuse at once).")]
    [ValidateRange(0, 86400)]
    public int LockTimeout { get; set; }

    /// <summary><para type="description">Also output workflows that are unchanged.</para></summary>
    [Parameter(HelpMessage = "Also output unchanged workflows.")]
    public SwitchParameter IncludeUnchanged { get; set; }

    protected override void EndProcessing()
    {
        var connection = ResolveConnection(Connection);
        var client = connection.Client;
        SavedPlan? saved = null;
        SpecSet specs;
        try
        {
            if (Plan is not null)
            {
                saved = PlanFile.Load(ResolvePath(Plan));
                if (Prune && !saved.Prune)
                    throw new DsOpsException(DsErrorKind.InvalidInput, "DsPlanOptionConflict",
                        "-Prune cannot be added to a saved plan (the plan was made without it); make a new plan with Compare-DsWorkflow -Prune.");
                if (Path is null && ConnectionString is null && saved.Source is { } source)
                {
                    Path = source.Path;
                    if (Enum.TryParse<SpecFormat>(source.Format, out var f)) Format = f;
                    Environment ??= source.Environment;
                }
            }
            specs = LoadSpecs(validate: ConnectionString is null);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex, Plan ?? SourceLabel);
            return;
        }
        WriteLoadFindings(specs.Findings);
        if (specs.HasErrors)
            ThrowDsError("DsSpecInvalid", ErrorCategory.InvalidData, "The specs have errors (written above); nothing was applied.", SourceLabel);

        var (versionFindings, targetFindings) = ValidateAgainstServer(specs.Workflows, connection);
        WriteLoadFindings(versionFindings);
        if (versionFindings.Any(f => f.Severity == SpecSeverity.Error))
            ThrowDsError("DsSpecVersionMismatch", ErrorCategory.InvalidData,
                $"The specs use task types or settings that {connection.Dialect} does not have (written above); nothing was applied.", SourceLabel);
        WriteLoadFindings(targetFindings);
        if (targetFindings.Any(f => f.Severity == SpecSeverity.Error))
            ThrowDsError("DsSpecTargetMismatch", ErrorCategory.InvalidData,
                $"The specs name data sources, worker groups, environments, tenants or alert groups that {connection.Uri.GetLeftPart(UriPartial.Authority)} does not have (written above); nothing was applied.", SourceLabel);

        var statePath = StateFilePath(StatePath, NoState);
        AppliedState? state = null;
        WorkflowPlan plan;
        SyncLock? syncLock = null;
        try
        {
            var projects = specs.Workflows.Select(w => w.Project).Concat(saved?.Projects ?? Array.Empty<string>()).Distinct(StringComparer.Ordinal).ToList();
            // A sync that writes holds the lock of every project and of the state file until it has saved the state.
            if (!WhatIfRequested)
                syncLock = Await(SyncLock.AcquireAsync(client.BaseUri, projects, statePath, TimeSpan.FromSeconds(LockTimeout), CancellationToken));
            state = statePath is null ? null : AppliedState.Load(statePath);
            if (state is { ReplayedJournalEntries: > 0 })
                WriteWarning($"A previous sync using '{statePath}' did not finish; its progress ({state.ReplayedJournalEntries} journal entries) was read from '{AppliedState.JournalPath(statePath!)}'.");
            var snapshot = ReadServer(connection, projects, specs.Workflows);
            var merged = ForTarget(specs, snapshot.Workflows);
            WriteLoadFindings(merged.Findings.Skip(specs.Findings.Count)); // the config table's rules, run on the merged copies
            specs = merged;
            if (specs.HasErrors)
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsSpecInvalid", "The specs have errors (written above); nothing was applied.");
            if (saved is not null)
            {
                saved.VerifyDesired(specs.Workflows);
                saved.VerifyCurrent(snapshot.Workflows);
            }
            plan = WorkflowPlanner.Plan(specs.Workflows, snapshot.Workflows, new PlanOptions
            {
                Prune = saved?.Prune ?? Prune, State = state, IncludeUnchangedTasks = saved?.IncludeUnchangedTasks ?? false,
                ExistingProjects = snapshot.AllProjects,
                RequireExistingProject = RequireExistingProject || EnvironmentRequiresExistingProject || saved?.RequireExistingProject == true,
            });
            // Everything that decides what apply does is in the plan file's fingerprint (checked on load); the
            // recomputed plan must also list exactly the saved items.
            saved?.VerifyItems(plan, Interpolated);
            var changeTypes = ChangeTypeFindings(plan, snapshot.Workflows);
            WriteLoadFindings(changeTypes);
            if (changeTypes.Any(f => f.Severity == SpecSeverity.Error))
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsSpecChangeTypeMismatch",
                    $"Rows of {TableName} say 'new', 'update' or 'delete' where the server says otherwise (written above); nothing was applied.");
            plan.EnsureNoProjectCreates();
            WriteVerbose("Plan: " + plan.Summary);
            Apply(plan, snapshot, client, state, statePath);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex, Plan ?? SourceLabel);
        }
        finally
        {
            syncLock?.Dispose();
        }
    }

    private void Apply(WorkflowPlan plan, DsServerSnapshot snapshot, DsClient client, AppliedState? state, string? statePath)
    {
        var approved = new HashSet<string>(StringComparer.Ordinal);
        var declined = new List<PlanItem>();
        var deletes = plan.Items.Count(i => i.Level == PlanLevel.Workflow && i.Action == PlanAction.Delete);
        // Deletes get a second, explicit question unless -Force or -Confirm:$false says not to ask.
        var confirmDeletes = deletes == 0 || Force || WhatIfRequested || ConfirmDeclined ||
                             ShouldContinue($"Delete {deletes} workflow(s) from the server? They are not in the specs.", "Confirm deletes");
        foreach (var item in plan.Items.Where(i => i.Level == PlanLevel.Workflow && i.Action != PlanAction.Unchanged))
        {
            var action = item.Action switch
            {
                PlanAction.Create => "Create workflow",
                PlanAction.Delete => "Delete workflow",
                PlanAction.Rename => $"Rename workflow from '{item.PreviousName}'",
                _ => "Update workflow" + (item.Changes.Length > 0 ? $" ({string.Join(", ", item.Changes.Select(c => c.Field))})" : ""),
            } + (item.Drift ? " [overwrites changes made outside DsOps]" : "");
            if ((item.Action != PlanAction.Delete || confirmDeletes) && ShouldProcess(item.Target, action)) approved.Add(item.Target);
            else declined.Add(Interpolated.Count == 0 ? item : PlanFile.Redact(item, Interpolated));
        }

        // Results carry the items' change summaries: ${env:NAME} values go out as the reference (only field names decide apply).
        var filtered = new WorkflowPlan(
            plan.Items.Where(i => i.Action == PlanAction.Unchanged || approved.Contains(i.Project + "/" + i.Workflow))
                .Select(i => Interpolated.Count == 0 ? i : PlanFile.Redact(i, Interpolated)).ToList(),
            plan.Desired, plan.Projects, plan.CurrentFingerprint, plan.DesiredFingerprint, plan.Prune);
        var applier = new WorkflowApplier(client, snapshot);
        // Task definitions of managed workflows that no workflow uses any more (left by DS, a killed run or the UI).
        var orphans = state is null ? Array.Empty<OrphanedTasks>()
            : applier.FindOrphans(state).Where(o => ShouldProcess(o.Key, $"Delete {o.TaskCodes.Count} orphaned task definition(s) ({string.Join(", ", o.TaskCodes)})")).ToArray();
        using var journal = state is not null && statePath is not null && !WhatIfRequested ? ApplyJournal.Open(statePath) : null;
        var results = AwaitWithProgress<IReadOnlyList<WorkflowApplyResult>, ApplyProgress>(
            progress => applier.ApplyAsync(filtered, new ApplyOptions { ThrottleLimit = ThrottleLimit, State = state, Journal = journal, Orphans = orphans }, progress, CancellationToken),
            p => new ProgressRecord(1, "Sync-DsWorkflow", $"{p.Done} of {p.Total} workflows: {p.Current}")
            {
                PercentComplete = p.Total == 0 ? 100 : p.Done * 100 / p.Total,
            });
        WriteProgress(new ProgressRecord(1, "Sync-DsWorkflow", "Done") { RecordType = ProgressRecordType.Completed });

        foreach (var key in applier.DroppedIntents)
            WriteVerbose($"'{key}' is no longer recorded as managed: a run that was stopped began writing it more than {AppliedState.IntentGrace.TotalMinutes:0} minutes ago, and it is neither in the specs nor on the server.");
        if (journal is not null) journal.Complete(state!, statePath!);
        foreach (var r in results)
        {
            if (r.Status == ApplyStatus.Failed) WriteDsError(r.Error ?? new InvalidOperationException(r.Message), r.Target, "DsSyncWorkflowFailed");
            if (r.Status != ApplyStatus.Unchanged || IncludeUnchanged) WriteObject(r);
        }
        foreach (var d in declined)
            WriteObject(new WorkflowApplyResult
            {
                Project = d.Project, Workflow = d.Workflow, Action = d.Action, Status = ApplyStatus.Skipped, PreviousName = d.PreviousName,
                Drift = d.Drift, Changes = d.ChangeSummary.Length == 0 ? null : d.ChangeSummary, Message = WhatIfRequested ? "WhatIf" : "declined",
            });
        var summary = $"{results.Count(r => r.Status == ApplyStatus.Applied)} applied, {results.Count(r => r.Status == ApplyStatus.Unchanged)} unchanged, " +
                      $"{results.Count(r => r.Status == ApplyStatus.Failed)} failed, {declined.Count} skipped; {client.Statistics}";
        WriteVerbose(summary);
        WriteInformation(new InformationRecord(summary, "Sync-DsWorkflow"));
    }

    private bool ConfirmDeclined => MyInvocation.BoundParameters.TryGetValue("Confirm", out var c) && c is SwitchParameter s && !s.ToBool();

    // -WhatIf (or -WhatIf:$false) when given, else $WhatIfPreference of the caller, as ShouldProcess itself decides.
    private bool WhatIfRequested => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w)
        ? w is SwitchParameter s && s.ToBool()
        : LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));
}
