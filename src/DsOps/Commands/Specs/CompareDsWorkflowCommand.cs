using System.Management.Automation;
using DsOps.Infrastructure;
using DsOps.Engine.Orchestration;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Sources;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Commands.Specs;

/// <summary>
/// <para type="synopsis">Plans what applying workflow specs would change: create, update, rename, delete, unchanged.</para>
/// <para type="description">Compares the desired specs under -Path with the current state, by name: the workflows
/// of the same projects on the connected server (default), or reference specs under -ReferencePath (for example a
/// DS export file, or specs exported from the target), and writes one PlanItem per
/// workflow plus one per changed task, with field-level changes. Output is deterministic. -OutFile saves the
/// plan (JSON, secrets masked) with a fingerprint of the reference state, for a later exact apply.
/// -StatePath reads the last-applied state to flag drift (edits made outside DsOps) and to delete workflows
/// DsOps applied before that are no longer in the specs. Nothing is written to any server.</para>
/// <example><code>Compare-DsWorkflow ./specs -ReferencePath ./export.json -OutFile plan.json</code><para>Plans the specs against a DS export file offline and saves the plan for review.</para></example>
/// <example><code>Compare-DsWorkflow ./specs -Environment PROD -Connection $prod -StatePath ./specs/.dsops-state.json -OutFile plan.json</code><para>Plans against the production server; Sync-DsWorkflow -Plan plan.json applies exactly this plan.</para></example>
/// </summary>
[Cmdlet(VerbsData.Compare, "DsWorkflow")]
[OutputType(typeof(PlanItem))]
public sealed class CompareDsWorkflowCommand : DsSpecCmdlet
{
    /// <summary><para type="description">Project for spec files that do not name one (a name; a code or project object is read as the project's name).</para></summary>
    [Parameter(HelpMessage = "Project for spec files that do not name one.")]
    [ProjectCompleter]
    public DsProjectParameter? Project { get; set; }

    protected override string? DefaultProject => Project?.ToString();

    /// <summary><para type="description">The current state: specs folder/file or a DS export JSON file. Without it, the
    /// current state is read from the server of -Connection (or the session's connection).</para></summary>
    [Parameter(Position = 1, HelpMessage = "The current state to compare with: specs or a DS export JSON file; default: the connected server.")]
    [ValidateNotNullOrEmpty]
    public string? ReferencePath { get; set; }

    /// <summary><para type="description">Format of -ReferencePath (Auto by default).</para></summary>
    [Parameter(HelpMessage = "Format of -ReferencePath: Auto, Yaml, DsExport or PyDolphinScheduler.")]
    public SpecFormat ReferenceFormat { get; set; } = SpecFormat.Auto;

    /// <summary><para type="description">Also delete workflows of the compared projects that no spec declares.</para></summary>
    [Parameter(HelpMessage = "Also plan deletes for workflows of the compared projects that no spec declares.")]
    public SwitchParameter Prune { get; set; }

    /// <summary><para type="description">Last-applied state file (drift detection and deletes of managed workflows);
    /// default .dsops-state.json in the spec folder, the same file Sync-DsWorkflow uses, so the plan shows the deletes a sync would do.</para></summary>
    [Parameter(HelpMessage = "Last-applied state file (default: .dsops-state.json in the spec folder).")]
    [ValidateNotNullOrEmpty]
    public string? StatePath { get; set; }

    /// <summary><para type="description">Read no last-applied state (no drift detection, no deletes of workflows DsOps applied before).</para></summary>
    [Parameter(HelpMessage = "Read no last-applied state.")]
    public SwitchParameter NoState { get; set; }

    /// <summary><para type="description">Refuse to plan creating a project (DsProjectNotFound): a typo in project: must not create a new project. Saved in the plan file.</para></summary>
    [Parameter(HelpMessage = "Refuse to plan the creation of projects that do not exist on the server.")]
    public SwitchParameter RequireExistingProject { get; set; }

    /// <summary><para type="description">Save the plan to this JSON file.</para></summary>
    [Parameter(HelpMessage = "Save the plan as JSON to this file.")]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    /// <summary><para type="description">Also output unchanged tasks.</para></summary>
    [Parameter(HelpMessage = "Also output items for unchanged tasks.")]
    public SwitchParameter IncludeUnchangedTasks { get; set; }

    protected override void ProcessRecord()
    {
        var host = OperationHost;
        LoadedSpecs desired;
        WorkflowPlan plan;
        try
        {
            desired = Loaded(LoadSpecs(validate: ConnectionString is null));
            var options = new WorkflowPlanOptions
            {
                Prune = Prune, IncludeUnchangedTasks = IncludeUnchangedTasks, RequireExistingProject = RequireExistingProject,
                StatePath = StateFilePath(StatePath, NoState),
            };
            if (ReferencePath is not null)
            {
                // The reference is a target's state: its names are already that environment's.
                var reference = (Request(ReferencePath, ReferenceFormat) with { Environment = null, Interpolated = null }).Load();
                plan = WorkflowSyncService.PlanAgainstReference(desired, reference, options, host);
            }
            else
            {
                var connection = ResolveConnection(Connection);
                plan = host.Run(() => new WorkflowSyncService(connection, host).PlanAgainstServerAsync(desired, options, CancellationToken));
            }
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex, SourceLabel);
            return;
        }
        try
        {
            if (OutFile is not null)
                PlanFile.Save(ResolvePath(OutFile), plan, new PlanSource(Path is null ? SourceLabel : ResolvePath(Path), Path is null ? "ConfigTable" : Format.ToString(), Environment), desired.Interpolated);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex, OutFile);
            return;
        }
        // Items leave the process with ${env:NAME} references instead of the substituted values.
        foreach (var item in WorkflowSyncService.Redacted(plan, desired)) WriteObject(item);
        WriteVerbose(plan.Summary);
    }
}
