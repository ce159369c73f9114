using System.Text.Json;

namespace DsOps.Engine.Dialects;

// Version facts the spec converters need (docs/ds-facts.md §4, §9).
public sealed partial class DsDialect
{
    /// <summary>
    /// Task types named in docs/ds-facts.md §4.1 across 3.0-3.4. The spec model spells the
    /// sub-workflow task SUB_WORKFLOW; SUB_PROCESS is accepted as an alias and converted per version.
    /// </summary>
    public static readonly IReadOnlySet<string> KnownTaskTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        // docs/ds-facts.md §4.1 (3.0.1 .. 3.3-dev)
        "SHELL", "SQL", "SPARK", "DATAX", "SUB_PROCESS", "SUB_WORKFLOW", "DEPENDENT", "CONDITIONS", "SWITCH", "HTTP",
        "PYTHON", "PROCEDURE", "FLINK", "MR", "SQOOP", "SEATUNNEL", "EMR", "ZEPPELIN", "DATA_QUALITY",
        "JAVA", "K8S", "DYNAMIC", "HIVECLI", "REMOTESHELL",
        // §9 §2: the 3.4.1 task-type-config, plus types removed on the way (PIGEON, PYTORCH)
        "GRPC", "DINKY", "FLINK_STREAM", "DMS", "DATA_FACTORY", "ALIYUN_SERVERLESS_SPARK", "JUPYTER", "MLFLOW",
        "OPENMLDB", "DVC", "SAGEMAKER", "KUBEFLOW", "CHUNJUN", "DATASYNC", "LINKIS", "PIGEON", "PYTORCH",
    };

    /// <summary>Task types removed in a 3.x minor version (§9 §2: DYNAMIC, DATA_QUALITY, PIGEON in 3.3.0; PYTORCH in 3.4.0).</summary>
    private static readonly Dictionary<string, int> TaskTypeRemovedInMinor = new(StringComparer.Ordinal)
    {
        ["DATA_QUALITY"] = 3, ["DYNAMIC"] = 3, ["PIGEON"] = 3, ["PYTORCH"] = 4,
    };

    /// <summary>False when this version removed the task type.</summary>
    public bool HasTaskType(string canonicalType) => !(TaskTypeRemovedInMinor.TryGetValue(canonicalType, out var minor) && AtLeast(minor));

    /// <summary>The spec's canonical type name (SUB_PROCESS and SUB_WORKFLOW are one task type).</summary>
    public static string CanonicalTaskType(string type) => type == "SUB_PROCESS" ? "SUB_WORKFLOW" : type;

    /// <summary>The task type this version stores for a canonical spec type.</summary>
    public string WireTaskType(string canonicalType) =>
        canonicalType is "SUB_WORKFLOW" or "SUB_PROCESS" ? SubWorkflowTaskType : canonicalType;

    /// <summary>Key of the definition version on relation rows of DagData / export files.</summary>
    public string RelationDefinitionVersionKey => UsesWorkflowNaming ? "workflowDefinitionVersion" : "processDefinitionVersion";

    /// <summary>Schedule JSON: the workflow-code and priority keys (3.3 renamed them).</summary>
    public string SchedulePriorityKey => UsesWorkflowNaming ? "workflowInstancePriority" : "processInstancePriority";

    /// <summary>3.3 dropped HEAD from the HTTP task's methods (docs/ds-facts.md §4.2).</summary>
    public bool HttpSupportsHead => !UsesWorkflowNaming;

    /// <summary>
    /// Reads the dialect family of an export element / DagData object from its keys
    /// (processDefinition = 3.0-3.2, workflowDefinition = 3.3+). Null when neither key is present.
    /// </summary>
    public static DsDialect? FromDagKeys(bool hasProcessDefinition, bool hasWorkflowDefinition) =>
        hasWorkflowDefinition ? V3_3 : hasProcessDefinition ? V3_2 : null;

    // Readers of DS JSON (API answers, export files) accept both spellings whatever the version (docs/ds-facts.md §3.0,
    // §4.6); the lists name the 3.3+ key first. Literals, not V3_x members: static initialisers of partial files run
    // in file order.

    /// <summary>
    /// The export shape written when no version is named: 3.2's (processDefinition keys), as before this moved here
    /// from Export-DsWorkflowSpec.
    /// </summary>
    internal static DsDialect DefaultExportDialect => V3_2;

    /// <summary>Every key of a DAG's/export element's workflow definition, 3.3+ first.</summary>
    internal static IReadOnlyList<string> DagDefinitionKeys { get; } = new[] { "workflowDefinition", "processDefinition" };

    /// <summary>Every key of a DAG's/export element's relation list, 3.3+ first.</summary>
    internal static IReadOnlyList<string> DagRelationListKeys { get; } = new[] { "workflowTaskRelationList", "processTaskRelationList" };

    /// <summary>Every key of a sub-workflow task's target code in taskParams, 3.3+ first.</summary>
    internal static IReadOnlyList<string> SubWorkflowCodeKeys { get; } = new[] { "workflowDefinitionCode", "processDefinitionCode" };

    /// <summary>The message for an element that has no workflow definition under any version's key.</summary>
    internal static string MissingDagDefinitionMessage =>
        $"element has neither '{DagDefinitionKeys[1]}' nor '{DagDefinitionKeys[0]}'.";

    /// <summary>The version whose keys an export element uses (null when it has neither).</summary>
    internal static DsDialect? FromDagElement(JsonElement element) => element.ValueKind == JsonValueKind.Object
        ? FromDagKeys(element.TryGetProperty(DagDefinitionKeys[1], out _), element.TryGetProperty(DagDefinitionKeys[0], out _))
        : null;

    /// <summary>The workflow definition of a DAG/export element under any version's key, 3.3+ first.</summary>
    internal static bool TryGetAnyDagDefinition(JsonElement dag, out JsonElement definition)
    {
        foreach (var key in DagDefinitionKeys)
            if (dag.TryGetProperty(key, out definition)) return true;
        definition = default;
        return false;
    }

    /// <summary>The workflow definition of a DAG from this server: this version's key first, then any other.</summary>
    internal bool TryGetDagDefinition(JsonElement dag, out JsonElement definition) =>
        dag.TryGetProperty(DagDefinitionKey, out definition) || TryGetAnyDagDefinition(dag, out definition);
}

public sealed partial class DsDialect
{
    /// <summary>cpuQuota, memoryMax and taskExecuteType exist on task definitions from 3.1 (docs/ds-facts.md §4.1).</summary>
    public bool TaskHasResourceLimits => AtLeast(1);

    /// <summary>isCache exists on task definitions in 3.2.x (dropped by the 3.3 upgrade DDL).</summary>
    public bool TaskHasIsCache => Family == "3.2";
}

public sealed partial class DsDialect
{
    /// <summary>DEPENDENT checkInterval / failurePolicy / failureWaitingTime exist from 3.2 (docs/ds-facts.md §4.2).</summary>
    public bool DependentHasFailurePolicy => AtLeast(2);

    /// <summary>
    /// Task types docs/ds-facts.md §4.1 lists only from 3.2 (JAVA, K8S, DYNAMIC, HIVECLI,
    /// REMOTESHELL, …). Whether some already exist in 3.0/3.1 is unverified.
    /// </summary>
    public static readonly IReadOnlySet<string> TaskTypesListedFrom32 = new HashSet<string>(StringComparer.Ordinal)
        { "JAVA", "K8S", "DYNAMIC", "HIVECLI", "REMOTESHELL" };

    /// <summary>GRPC appears in the 3.4.1 task-type list but not in the 2024-10 dev branch; its first release is unverified.</summary>
    public bool MayLackTaskType(string canonicalType) =>
        (TaskTypesListedFrom32.Contains(canonicalType) && !AtLeast(2)) || (canonicalType == "GRPC" && !AtLeast(4));
}
