namespace DsOps.Engine.Dialects;

/// <summary>
/// The one place that knows how DolphinScheduler versions differ: REST routes and parameter names
/// (this file), metadata tables and columns (<c>DsDialect.Metadata.cs</c>), state codes
/// (<see cref="DsStates"/>). Callers ask the dialect; nobody else compares version numbers.
/// Facts: docs/ds-facts.md §0–5 .
/// </summary>
public sealed partial class DsDialect : IEquatable<DsDialect>
{
    private DsDialect(Version version) => Version = version;

    /// <summary>The DS version this profile describes (3 components).</summary>
    public Version Version { get; }

    /// <summary>Family label used in messages and options: 3.0, 3.1, 3.2, 3.3 or 3.4 (3.4.x sub-versions differ in routes: see the members below).</summary>
    public string Family => Version switch
    {
        { Major: 3, Minor: 0 } => "3.0",
        { Major: 3, Minor: 1 } => "3.1",
        { Major: 3, Minor: 2 } => "3.2",
        { Major: 3, Minor: 3 } => "3.3",
        _ => "3.4",
    };

    public static readonly DsDialect V3_0 = new(new Version(3, 0, 1));
    public static readonly DsDialect V3_1 = new(new Version(3, 1, 9));
    public static readonly DsDialect V3_2 = new(new Version(3, 2, 2));
    public static readonly DsDialect V3_3 = new(new Version(3, 3, 0));
    /// <summary>The newest 3.4 release DsOps knows (3.4.3: task edits only through whole-workflow saves, no import, no /v2).</summary>
    public static readonly DsDialect V3_4 = new(new Version(3, 4, 3));

    /// <summary>Profile for an exact version (e.g. 3.2.1, 3.4.2).</summary>
    public static DsDialect For(Version version)
    {
        if (version.Major != 3 || version.Minor > 4)
            throw new NotSupportedException($"DolphinScheduler {version} is outside the supported range 3.0.x to 3.4.x.");
        return new DsDialect(new Version(version.Major, version.Minor, Math.Max(version.Build, 0)));
    }

    /// <summary>
    /// Parses "3.0", "3.2", "3.3", "3.2.2", "3.4.1" and schema labels like "3.3-dev".
    /// A bare family means its representative release (3.0 → 3.0.1, 3.1 → 3.1.9, 3.2 → 3.2.2, 3.3 → 3.3.0,
    /// 3.4 → 3.4.3, the newest 3.4 line).
    /// </summary>
    public static DsDialect Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var s = text.Trim().TrimStart('v', 'V');
        var dash = s.IndexOf('-');
        if (dash > 0) s = s[..dash];
        switch (s)
        {
            case "3.0": return V3_0;
            case "3.1": return V3_1;
            case "3.2": return V3_2;
            case "3.3": return V3_3;
            case "3.4": return V3_4;
        }
        if (Version.TryParse(s, out var v)) return For(v);
        throw new FormatException($"'{text}' is not a DolphinScheduler version (expected e.g. 3.0, 3.1, 3.2, 3.3, 3.4, 3.2.2 or 3.4.1).");
    }

    private bool AtLeast(int minor, int patch = 0) => Version >= new Version(3, minor, patch);

    // ---- REST routes (docs/ds-facts.md §3.0) ----

    /// <summary>3.3 renamed process-* routes and parameters to workflow-*.</summary>
    public bool UsesWorkflowNaming => AtLeast(3);

    public string WorkflowDefinitionSegment => UsesWorkflowNaming ? "workflow-definition" : "process-definition";
    public string WorkflowInstanceSegment => UsesWorkflowNaming ? "workflow-instances" : "process-instances";
    public string TaskRelationSegment => UsesWorkflowNaming ? "workflow-task-relation" : "process-task-relation";
    public string StartWorkflowAction => UsesWorkflowNaming ? "start-workflow-instance" : "start-process-instance";
    public string BatchStartWorkflowAction => UsesWorkflowNaming ? "batch-start-workflow-instance" : "batch-start-process-instance";
    public string WorkflowStateCountPath => UsesWorkflowNaming ? "projects/analysis/workflow-state-count" : "projects/analysis/process-state-count";

    /// <summary>Parameter naming a workflow definition code (schedules, start, DagData keys).</summary>
    public string WorkflowCodeParameter => UsesWorkflowNaming ? "workflowDefinitionCode" : "processDefinitionCode";
    /// <summary>Workflow-instance list filter by definition (3.0–3.2 spell it processDefineCode).</summary>
    public string InstanceListDefinitionParameter => UsesWorkflowNaming ? "workflowDefinitionCode" : "processDefineCode";
    public string WorkflowInstanceIdParameter => UsesWorkflowNaming ? "workflowInstanceId" : "processInstanceId";
    public string WorkflowInstanceIdsParameter => UsesWorkflowNaming ? "workflowInstanceIds" : "processInstanceIds";
    public string WorkflowInstanceNameParameter => UsesWorkflowNaming ? "workflowInstanceName" : "processInstanceName";
    public string WorkflowDefinitionNameParameter => UsesWorkflowNaming ? "workflowDefinitionName" : "processDefinitionName";
    public string WorkflowInstancePriorityParameter => UsesWorkflowNaming ? "workflowInstancePriority" : "processInstancePriority";
    public string WorkflowDefinitionCodesParameter => UsesWorkflowNaming ? "workflowDefinitionCodes" : "processDefinitionCodes";

    /// <summary>Keys of the DagData object returned by GET …/{code}.</summary>
    public string DagDefinitionKey => UsesWorkflowNaming ? "workflowDefinition" : "processDefinition";
    public string DagRelationListKey => UsesWorkflowNaming ? "workflowTaskRelationList" : "processTaskRelationList";

    /// <summary>Sub-workflow task type and its taskParams key (3.3 renamed both).</summary>
    public string SubWorkflowTaskType => UsesWorkflowNaming ? "SUB_WORKFLOW" : "SUB_PROCESS";
    public string SubWorkflowCodeKey => UsesWorkflowNaming ? "workflowDefinitionCode" : "processDefinitionCode";

    /// <summary>3.0.x/3.1.x take tenantCode on workflow create/update; 3.2+ take it at run time and on schedules.</summary>
    public bool TenantOnWorkflowDefinition => !AtLeast(2);
    public bool TenantOnRun => AtLeast(2);

    /// <summary>3.0.1 requires userName on PUT /projects/{code}; removed in 3.2.</summary>
    public bool ProjectUpdateRequiresUserName => !AtLeast(2);

    /// <summary>3.0.1 requires processDefinitionCode on the schedule list; optional from 3.2.</summary>
    public bool ScheduleListRequiresWorkflowCode => !AtLeast(2);

    /// <summary>Monitor routes: /monitor/masters|workers until 3.2.1, /monitor/{MASTER|WORKER|ALERT_SERVER} from 3.2.2.</summary>
    public bool MonitorByNodeType => AtLeast(2, 2);

    public string MonitorPath(DsServerRole role) => MonitorByNodeType
        ? "monitor/" + role switch
        {
            DsServerRole.Master => "MASTER",
            DsServerRole.Worker => "WORKER",
            DsServerRole.AlertServer => "ALERT_SERVER",
            _ => throw new ArgumentOutOfRangeException(nameof(role)),
        }
        : role switch
        {
            DsServerRole.Master => "monitor/masters",
            DsServerRole.Worker => "monitor/workers",
            // Before 3.2.2 the alert server is not listed by the API.
            _ => throw new NotSupportedException($"DS {Version} has no API listing for {role} nodes."),
        };

    public IReadOnlyList<DsServerRole> MonitoredRoles => MonitorByNodeType
        ? new[] { DsServerRole.Master, DsServerRole.Worker, DsServerRole.AlertServer }
        : new[] { DsServerRole.Master, DsServerRole.Worker };

    /// <summary>Single task-definition create/update/delete/list routes exist through 3.2.x only.</summary>
    public bool HasStandaloneTaskDefinitionRoutes => !AtLeast(3);

    /// <summary>
    /// PUT …/task-definition/{code}/with-upstream (one task and its upstream edges) exists up to 3.4.2;
    /// 3.4.3 leaves task edits to the whole-workflow save (PUT …/workflow-definition/{code}), which is the only
    /// path DsOps uses on every version (docs/ds-facts.md §9).
    /// </summary>
    public bool HasTaskUpdateWithUpstream => !AtLeast(4, 3);

    /// <summary>The /v2 JSON API (3.1 to 3.4.1). DsOps never calls it; it is gone from 3.4.2.</summary>
    public bool HasV2Api => AtLeast(1) && !AtLeast(4, 2);

    /// <summary>Workflow import and batch-export were removed in 3.4.1.</summary>
    public bool HasImportExport => !AtLeast(4, 1);

    /// <summary>The /v2 JSON API and the task-relation controller were removed in 3.4.2.</summary>
    public bool HasTaskRelationRoutes => !AtLeast(4, 2);

    /// <summary>Start returns: 3.0.1 null, 3.2 a trigger code, 3.3+ a list of instance ids.</summary>
    internal StartResultShape StartResult => AtLeast(3) ? StartResultShape.InstanceIds : AtLeast(2) ? StartResultShape.TriggerCode : StartResultShape.None;

    /// <summary>3.0.1 complement range is "start,end"; 3.1+ a JSON object.</summary>
    public bool ComplementRangeAsJson => AtLeast(1);

    /// <summary>start-process-instance takes a timeout parameter until 3.2; 3.3 removed it. testFlag 3.2–3.3.0.</summary>
    public bool StartTakesTimeout => !AtLeast(3);
    public bool StartTakesTestFlag => AtLeast(2) && !AtLeast(3, 1);

    /// <summary>Resource references in taskParams: {"id":N} until 3.1, {"resourceName":path} from 3.2.</summary>
    public bool ResourcesByFullName => AtLeast(2);

    /// <summary>3.4.3 schedules accept missedFirePolicy.</summary>
    public bool SchedulesHaveMissedFirePolicy => AtLeast(4, 3);

    /// <summary>Version detection is reliable through /ui-plugins/query-product-info from 3.3 on.</summary>
    public bool HasProductInfo => AtLeast(3);

    public override string ToString() => $"DS {Version} (dialect {Family})";
    public bool Equals(DsDialect? other) => other is not null && other.Version == Version;
    public override bool Equals(object? obj) => obj is DsDialect d && Equals(d);
    public override int GetHashCode() => Version.GetHashCode();
}

public enum DsServerRole { Master, Worker, AlertServer }

internal enum StartResultShape { None, TriggerCode, InstanceIds }
