using System.Text.Json.Nodes;

namespace DsOps.Engine.Specs.Sources;

/// <summary>
/// One setting of a pydolphinscheduler task class: the YAML key (the class's constructor argument),
/// where it goes in DS, and the value pyds sends when the key is absent.
/// <see cref="Target"/> is a taskParams key, or one of the lifted spec fields:
/// <c>@script</c>, <c>@dataSource</c>, <c>@dataSourceType</c>, <c>@dataTarget</c>, <c>@dataTargetType</c>, <c>@subWorkflow</c>.
/// <see cref="Default"/> is JSON text; null = the key is sent only when given.
/// </summary>
internal sealed record PyDsKey(string Key, string Target, string? Default = null, bool Required = false);

/// <summary>
/// A pydolphinscheduler task class (pyds 4.x <c>tasks/*.py</c>; older DS-bundled pyds where noted):
/// the DS task type it creates, its settings and the fixed taskParams it always sends.
/// </summary>
internal sealed record PyDsClass(string Name, string DsType, PyDsKey[] Keys, (string Key, string Json)[] Fixed, bool WorkerResources = false)
{
    public PyDsKey? Find(string key) => Array.Find(Keys, k => k.Key == key || k.Target == key && !k.Target.StartsWith('@'));
}

/// <summary>
/// The class table, written from pydolphinscheduler's task classes (docs/pydolphinscheduler.md lists the same
/// table for users; DS's own taskParams keys per type: docs/ds-facts.md §4.2). The YAML loader looks a
/// <c>task_type</c> up case-insensitively among these names; DsOps also accepts the DS type name when one
/// class maps to it (K8S, SUB_WORKFLOW...), which pyds itself does not.
/// </summary>
internal static class PyDsTaskClasses
{
    private static PyDsKey K(string key, string target, string? @default = null) => new(key, target, @default);
    private static PyDsKey R(string key, string target) => new(key, target, Required: true);
    private static (string, string) F(string key, string json) => (key, json);
    private static readonly (string, string)[] None = Array.Empty<(string, string)>();

    // Engine classes (Spark, Flink, MR) send programType, mainClass and mainJar.
    private static readonly PyDsKey[] Engine =
    {
        R("main_class", "mainClass"), R("main_package", "mainJar"), K("program_type", "programType", "\"SCALA\""),
    };

    private static PyDsKey[] Mlflow(params PyDsKey[] more) =>
        new[] { K("mlflow_tracking_uri", "mlflowTrackingUri", "\"http://127.0.0.1:5000\"") }.Concat(more).ToArray();

    public static readonly IReadOnlyList<PyDsClass> All = new PyDsClass[]
    {
        new("Shell", "SHELL", new[] { R("command", "@script") }, None, WorkerResources: true),
        new("Python", "PYTHON", new[] { R("definition", "@script") }, None, WorkerResources: true),
        new("Sql", "SQL", new[]
        {
            R("datasource_name", "@dataSource"), R("sql", "@script"), K("datasource_type", "@dataSourceType"), K("sql_type", "sqlType"),
            K("pre_statements", "preStatements", "[]"), K("post_statements", "postStatements", "[]"), K("display_rows", "displayRows", "10"),
        }, None),
        new("Procedure", "PROCEDURE", new[] { R("datasource_name", "@dataSource"), R("method", "@script"), K("datasource_type", "@dataSourceType") }, None),
        new("Http", "HTTP", new[]
        {
            R("url", "url"), K("http_method", "httpMethod", "\"GET\""), K("http_params", "httpParams", "[]"),
            K("http_check_condition", "httpCheckCondition", "\"STATUS_CODE_DEFAULT\""), K("condition", "condition", "null"),
            K("connect_timeout", "connectTimeout", "60000"), K("socket_timeout", "socketTimeout", "60000"),
        }, None),
        new("DataX", "DATAX", new[]
        {
            R("datasource_name", "@dataSource"), R("datatarget_name", "@dataTarget"), R("sql", "@script"), R("target_table", "targetTable"),
            K("datasource_type", "@dataSourceType"), K("datatarget_type", "@dataTargetType"),
            K("job_speed_byte", "jobSpeedByte", "0"), K("job_speed_record", "jobSpeedRecord", "1000"),
            K("pre_statements", "preStatements", "[]"), K("post_statements", "postStatements", "[]"), K("xms", "xms", "1"), K("xmx", "xmx", "1"),
        }, new[] { F("customConfig", "0") }, WorkerResources: true),
        new("CustomDataX", "DATAX", new[] { R("json", "json"), K("xms", "xms", "1"), K("xmx", "xmx", "1") }, new[] { F("customConfig", "1") }, WorkerResources: true),
        new("Dependent", "DEPENDENT", Array.Empty<PyDsKey>(), None),
        new("Condition", "CONDITIONS", Array.Empty<PyDsKey>(), None),
        new("Switch", "SWITCH", Array.Empty<PyDsKey>(), None),
        new("SubWorkflow", "SUB_WORKFLOW", new[] { R("workflow_name", "@subWorkflow") }, None),
        // DS-bundled pyds (3.0/3.1) named it SubProcess with process_definition_name.
        new("SubProcess", "SUB_PROCESS", new[] { R("process_definition_name", "@subWorkflow") }, None),
        new("DVCInit", "DVC", new[] { R("repository", "dvcRepository"), R("store_url", "dvcStoreUrl") }, new[] { F("dvcTaskType", "\"Init DVC\"") }),
        new("DVCUpload", "DVC", new[]
        {
            R("repository", "dvcRepository"), R("data_path_in_worker", "dvcLoadSaveDataPath"), R("data_path_in_dvc_repository", "dvcDataLocation"),
            R("version", "dvcVersion"), R("message", "dvcMessage"),
        }, new[] { F("dvcTaskType", "\"Upload\"") }),
        new("DVCDownload", "DVC", new[]
        {
            R("repository", "dvcRepository"), R("data_path_in_dvc_repository", "dvcDataLocation"), R("data_path_in_worker", "dvcLoadSaveDataPath"),
            R("version", "dvcVersion"),
        }, new[] { F("dvcTaskType", "\"Download\"") }),
        new("Flink", "FLINK", Engine.Concat(new[]
        {
            K("deploy_mode", "deployMode", "\"cluster\""), K("flink_version", "flinkVersion", "\"<1.10\""), K("app_name", "appName", "null"),
            K("job_manager_memory", "jobManagerMemory", "\"1G\""), K("task_manager_memory", "taskManagerMemory", "\"2G\""), K("slot", "slot", "1"),
            K("task_manager", "taskManager", "2"), K("parallelism", "parallelism", "1"), K("main_args", "mainArgs", "null"), K("others", "others", "null"),
        }).ToArray(), None),
        new("Spark", "SPARK", Engine.Concat(new[]
        {
            K("deploy_mode", "deployMode", "\"cluster\""), K("app_name", "appName", "null"), K("driver_cores", "driverCores", "1"),
            K("driver_memory", "driverMemory", "\"512M\""), K("num_executors", "numExecutors", "2"), K("executor_memory", "executorMemory", "\"2G\""),
            K("executor_cores", "executorCores", "2"), K("main_args", "mainArgs", "null"), K("others", "others", "null"),
            // DS-bundled pyds 3.1 (DS 3.1's Spark task had sparkVersion; later DS ignores the key).
            K("spark_version", "sparkVersion"),
        }).ToArray(), None),
        new("MR", "MR", Engine.Concat(new[] { K("app_name", "appName", "null"), K("main_args", "mainArgs", "null"), K("others", "others", "null") }).ToArray(), None),
        new("OpenMLDB", "OPENMLDB", new[] { R("zookeeper", "zk"), R("zookeeper_path", "zkPath"), R("execute_mode", "executeMode"), R("sql", "sql") }, None),
        new("MLflowModels", "MLFLOW", Mlflow(R("model_uri", "deployModelKey"), K("deploy_mode", "deployType", "\"DOCKER\""), K("port", "deployPort", "7000")),
            new[] { F("mlflowTaskType", "\"MLflow Models\"") }),
        new("MLFlowProjectsCustom", "MLFLOW", Mlflow(R("repository", "mlflowProjectRepository"), K("experiment_name", "experimentName", "\"\""),
            K("parameters", "params", "\"\""), K("version", "mlflowProjectVersion", "\"master\"")),
            new[] { F("mlflowTaskType", "\"MLflow Projects\""), F("mlflowJobType", "\"CustomProject\"") }),
        new("MLFlowProjectsAutoML", "MLFLOW", Mlflow(R("data_path", "dataPath"), K("automl_tool", "automlTool", "\"flaml\""),
            K("experiment_name", "experimentName", "\"\""), K("model_name", "modelName", "\"\""), K("parameters", "params", "\"\"")),
            new[] { F("mlflowTaskType", "\"MLflow Projects\""), F("mlflowJobType", "\"AutoML\"") }),
        new("MLFlowProjectsBasicAlgorithm", "MLFLOW", Mlflow(R("data_path", "dataPath"), K("algorithm", "algorithm", "\"lightgbm\""),
            K("experiment_name", "experimentName", "\"\""), K("model_name", "modelName", "\"\""), K("parameters", "params", "\"\""),
            K("search_params", "searchParams", "\"\"")),
            new[] { F("mlflowTaskType", "\"MLflow Projects\""), F("mlflowJobType", "\"BasicAlgorithm\"") }),
        new("Pytorch", "PYTORCH", new[]
        {
            R("script", "script"), K("script_params", "scriptParams", "\"\""), K("project_path", "pythonPath", "\".\""),
            K("is_create_environment", "isCreateEnvironment", "false"), K("python_command", "pythonCommand", "\"${PYTHON_HOME}\""),
            K("python_env_tool", "pythonEnvTool", "\"conda\""), K("requirements", "requirements", "\"requirements.txt\""),
            K("conda_python_version", "condaPythonVersion", "\"3.7\""),
        }, None, WorkerResources: true),
        new("SageMaker", "SAGEMAKER", new[] { R("sagemaker_request_json", "sagemakerRequestJson") }, None),
        new("Kubernetes", "K8S", new[] { R("image", "image"), R("namespace", "namespace"), R("min_cpu_cores", "minCpuCores"), R("min_memory_space", "minMemorySpace") }, None),
    };

    private static readonly Dictionary<string, PyDsClass> ByName = BuildIndex();

    private static Dictionary<string, PyDsClass> BuildIndex()
    {
        var index = new Dictionary<string, PyDsClass>(StringComparer.OrdinalIgnoreCase);
        foreach (var c in All) index[c.Name] = c;
        // DS type names for the types exactly one class creates (a convenience pyds does not offer).
        foreach (var g in All.GroupBy(c => c.DsType).Where(g => g.Count() == 1)) index.TryAdd(g.Key, g.Single());
        index.TryAdd("Conditions", index["Condition"]);
        return index;
    }

    public static PyDsClass? Find(string taskType) => ByName.GetValueOrDefault(taskType.Trim());

    public static IEnumerable<string> Names => All.Select(c => c.Name);

    /// <summary>
    /// Keys every pyds task takes (core/task.py). The model fields they fill are set by the importer;
    /// those the spec model does not carry yet are listed in <see cref="NotCarried"/>.
    /// </summary>
    public static readonly IReadOnlySet<string> Common = new HashSet<string>(StringComparer.Ordinal)
    {
        "task_type", "name", "description", "deps", "flag", "task_priority", "worker_group", "environment_name", "delay_time",
        "fail_retry_times", "fail_retry_interval", "timeout", "timeout_flag", "timeout_notify_strategy", "input_params",
        "output_params", "local_params", "resource_list", "is_cache",
    };

    /// <summary>Task-definition settings pyds sends that DsOps's spec model does not carry: value pyds sends by default.</summary>
    public static readonly IReadOnlyDictionary<string, string> NotCarried = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["task_group_id"] = "0", ["task_group_priority"] = "0", ["cpu_quota"] = "-1", ["memory_max"] = "-1",
    };

    /// <summary>Keys the YAML loader passes to the logic classes (core/yaml_workflow.py); it drops every other key.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> LogicKeys = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["DEPENDENT"] = new[] { "task_type", "name", "deps", "op", "groups" },
        ["CONDITIONS"] = new[] { "task_type", "name", "deps", "op", "groups", "success_task", "failed_task" },
        ["SWITCH"] = new[] { "task_type", "name", "deps", "condition" },
    };
}
