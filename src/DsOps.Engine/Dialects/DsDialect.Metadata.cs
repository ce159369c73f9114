namespace DsOps.Engine.Dialects;

// Metadata-database facts per version: table and column names, and detection from the schema.
// Sources: docs/ds-facts.md §0, §5.1, §5.2, §5.5 and docs/ds-facts.md §9,
// checked against the verbatim DDL in tests/third_party/dolphinscheduler/schema. Every SQL string DsOps builds takes its
// identifiers from here; nothing else compares versions.
public sealed partial class DsDialect
{
    /// <summary>3.3.0 renamed process_* tables and columns to workflow_*.</summary>
    public bool MetadataUsesWorkflowNaming => AtLeast(3);

    private string P(string process, string workflow) => MetadataUsesWorkflowNaming ? workflow : process;

    // ---- tables ----
    public string WorkflowDefinitionTable => P("t_ds_process_definition", "t_ds_workflow_definition");
    public string WorkflowDefinitionLogTable => P("t_ds_process_definition_log", "t_ds_workflow_definition_log");
    public string WorkflowTaskRelationTable => P("t_ds_process_task_relation", "t_ds_workflow_task_relation");
    public string WorkflowTaskRelationLogTable => P("t_ds_process_task_relation_log", "t_ds_workflow_task_relation_log");
    public string WorkflowInstanceTable => P("t_ds_process_instance", "t_ds_workflow_instance");
    public string TaskInstanceTable => "t_ds_task_instance";
    public string TaskDefinitionTable => "t_ds_task_definition";
    public string TaskDefinitionLogTable => "t_ds_task_definition_log";
    public string ProjectTable => "t_ds_project";
    public string ScheduleTable => "t_ds_schedules";
    public string CommandTable => "t_ds_command";
    public string ErrorCommandTable => "t_ds_error_command";

    // ---- columns ----
    /// <summary>Workflow code column on instances, relations, schedules and commands.</summary>
    public string WorkflowCodeColumn => P("process_definition_code", "workflow_definition_code");
    public string WorkflowVersionColumn => P("process_definition_version", "workflow_definition_version");
    /// <summary>Owning workflow instance column on task instances and commands.</summary>
    public string WorkflowInstanceIdColumn => P("process_instance_id", "workflow_instance_id");
    /// <summary>Priority column on instances and commands (the command queue index leads with it).</summary>
    public string WorkflowPriorityColumn => P("process_instance_priority", "workflow_instance_priority");
    public string IsSubWorkflowColumn => P("is_sub_process", "is_sub_workflow");
    /// <summary>Denormalised workflow-instance name on task instances (3.2+ only).</summary>
    public string? TaskInstanceWorkflowNameColumn => AtLeast(2) ? P("process_instance_name", "workflow_instance_name") : null;

    /// <summary>Instances carry project_code from 3.2; before, the project comes from the definition.</summary>
    public bool InstancesHaveProjectCode => AtLeast(2);

    /// <summary>Tenant on instances: tenant_id (int, -1 default) until 3.1, tenant_code (varchar) from 3.2.</summary>
    public string InstanceTenantColumn => AtLeast(2) ? "tenant_code" : "tenant_id";

    /// <summary>3.0/3.1 keep the tenant on the workflow definition (tenant_id); 3.2 moved it to run time.</summary>
    public bool DefinitionsHaveTenantId => !AtLeast(2);

    /// <summary>test_flag on instances and commands: 3.2.x and 3.3.0 only (dropped by the 3.3.1 DDL).</summary>
    public bool HasTestFlag => AtLeast(2) && !AtLeast(3, 1);

    /// <summary>Commands and error commands carry tenant_code from 3.2.</summary>
    public bool CommandsHaveTenantCode => AtLeast(2);

    /// <summary>Instances record state transitions in state_history from 3.1.</summary>
    public bool InstancesHaveStateHistory => AtLeast(1);

    /// <summary>Instances record executor_name from 3.2.</summary>
    public bool HasExecutorName => AtLeast(2);

    /// <summary>3.1+ definitions log has a unique (code, version); 3.0.1 allows duplicate rows there.</summary>
    public bool WorkflowDefinitionLogUniqueCodeVersion => AtLeast(1);

    /// <summary>3.3.1+ make workflow definition code unique; 3.4.3 (3.3.2 DDL) one schedule per workflow.</summary>
    public bool WorkflowDefinitionCodeUnique => AtLeast(3, 1);
    public bool OneSchedulePerWorkflow => AtLeast(3, 2);

    /// <summary>3.4.3 schedules carry missed_fire_policy (NOT NULL DEFAULT 2).</summary>
    public bool SchedulesHaveMissedFirePolicyColumn => AtLeast(4, 3);

    // ---- indexes the report relies on (names as in the DDL) ----
    /// <summary>(start_time, end_time) on the workflow instance table, same name in every version.</summary>
    public string InstanceStartTimeIndex => "start_time_index";
    /// <summary>(workflow code, id) on the workflow instance table.</summary>
    public string InstanceByWorkflowIndex => P("process_instance_index", "workflow_instance_index");
    /// <summary>(workflow instance id) on the task instance table: the only way into task instances by time.</summary>
    public string TaskInstanceByWorkflowInstanceIndex => P("process_instance_id", "workflow_instance_id");

    /// <summary>
    /// Detects the DS version from the tables and columns of a metadata schema (docs/ds-facts.md §0 heuristics,
    /// verified against the DDL of 3.0.1, 3.1.9, 3.2.2, 3.3-dev and 3.4.3). <paramref name="columns"/>
    /// holds "table.column" names in lower case. Patch levels not distinguishable here get the family's
    /// representative release. t_ds_version is deliberately not used: 3.2.2 and later store '3.3.0' there.
    /// </summary>
    public static DsDialect FromMetadataSchema(IReadOnlySet<string> tables, IReadOnlySet<string> columns)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(columns);
        if (tables.Contains("t_ds_workflow_definition"))
        {
            if (columns.Contains("t_ds_schedules.missed_fire_policy")) return For(new Version(3, 4, 3));
            if (tables.Contains("t_ds_serial_command")) return For(new Version(3, 4, 0));
            // 3.3.1 dropped test_flag; 3.3.2 added a unique schedule per workflow (not visible in columns).
            return columns.Contains("t_ds_workflow_instance.test_flag") ? V3_3 : For(new Version(3, 3, 1));
        }
        if (!tables.Contains("t_ds_process_definition") || !tables.Contains("t_ds_process_instance"))
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsMetadataNotDolphinScheduler",
                "The database has neither t_ds_process_definition nor t_ds_workflow_definition: it is not a DolphinScheduler 3.x metadata database.");
        if (columns.Contains("t_ds_process_instance.tenant_code")) return V3_2;
        return tables.Contains("t_ds_cluster") ? V3_1 : V3_0;
    }

    /// <summary>Tables whose columns detection looks at (keeps the information_schema query small).</summary>
    public static IReadOnlyList<string> DetectionColumnTables { get; } =
        new[] { "t_ds_process_instance", "t_ds_workflow_instance", "t_ds_schedules" };
}

// Command types (docs/ds-facts.md §5.4): stored in t_ds_command, t_ds_error_command and on instances.
public sealed partial class DsDialect
{
    private static readonly string[] CommandTypeNames =
    {
        "START_PROCESS", "START_CURRENT_TASK_PROCESS", "RECOVER_TOLERANCE_FAULT_PROCESS", "RECOVER_SUSPENDED_PROCESS",
        "START_FAILURE_TASK_PROCESS", "COMPLEMENT_DATA", "SCHEDULER", "REPEAT_RUNNING", "PAUSE", "STOP",
        "RECOVER_WAITING_THREAD", "RECOVER_SERIAL_WAIT", "EXECUTE_TASK", "DYNAMIC_GENERATION",
    };

    /// <summary>
    /// Name of a command type code in this version: 10 RECOVER_WAITING_THREAD exists through 3.2.2 (removed in 3.3-dev),
    /// 12 EXECUTE_TASK and 13 DYNAMIC_GENERATION from 3.2. Unknown codes stay visible as UNKNOWN_n.
    /// The 3.3-dev enum keeps the *_PROCESS spellings (docs/ds-facts.md §5.4); whether a later release renamed them is unverified.
    /// </summary>
    public string CommandTypeName(int code)
    {
        if (code < 0 || code >= CommandTypeNames.Length) return $"UNKNOWN_{code}";
        if (code == 10 && AtLeast(3)) return $"UNKNOWN_{code}";
        if (code >= 12 && !AtLeast(2)) return $"UNKNOWN_{code}";
        return CommandTypeNames[code];
    }

    /// <summary>Stored codes of states that count as failures / in progress / success for a scope in this version.</summary>
    public IReadOnlyList<int> FailureStateCodes(DsStateScope scope) => StateCodes(scope).Where(c => IsFailure(StateOf(c, scope))).ToArray();
    public IReadOnlyList<int> InProgressStateCodes(DsStateScope scope) => StateCodes(scope).Where(c => IsInProgress(StateOf(c, scope))).ToArray();
    public IReadOnlyList<int> SuccessStateCodes(DsStateScope scope) => StateCodes(scope).Where(c => IsSuccess(StateOf(c, scope))).ToArray();
}
