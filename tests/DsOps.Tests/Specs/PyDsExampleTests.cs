using System.Text.Json.Nodes;
using DsOps.Engine.Dialects;
using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Sources;
using DsOps.Engine.Specs.Validation;
using DsOps.Engine.Specs.Wire;
using DsOps.Testing;
using Xunit;

namespace DsOps.Tests.Specs;

/// <summary>
/// Every YAML example of pydolphinscheduler's examples/yaml_define (vendored under tests/third_party/pydolphinscheduler)
/// is imported and converted to what DsOps would send to DS 3.3 (the DS line pyds 4 writes for: SUB_WORKFLOW with
/// workflowDefinitionCode). The expected relations and taskParams below were written down by hand from pyds's code
/// (core/task.py, core/workflow.py, core/yaml_workflow.py, tasks/*.py), not from DsOps's output. Where DsOps differs
/// on purpose the comment says so; those differences are listed in docs/workflows-as-config.md.
/// <list type="bullet">
/// <item>pyds also sends <c>dependence: {}</c>, <c>waitStartTimeout: {}</c> and <c>conditionResult: {successNode: [""], failedNode: [""]}</c>
/// on every class that does not use them; DS ignores them there and DsOps leaves them out (they are left out below).</item>
/// <item>pyds writes values the way Python holds them (sqlType "0", a parameter value 123); DS reads sqlType as a
/// number and parameter values as text, which is how they are written below.</item>
/// <item>Resolved names: data source db = id 1 (MYSQL); project-pydolphin = 100, pydolphin = 200; workflows and tasks as in <see cref="Names"/>.</item>
/// </list>
/// </summary>
public class PyDsExampleTests
{
    private const string Home = "/home/ds";

    private static readonly DsNameMap Names = new DsNameMap()
        .AddDataSource("db", 1, "MYSQL")
        .AddProject("project-pydolphin", 100).AddProject("pydolphin", 200)
        .AddWorkflow("project-pydolphin", "example_workflow_for_sub_workflow", 300)
        .AddWorkflow("pydolphin", "task_dependent_external", 400)
        .AddTask("pydolphin", "task_dependent_external", "task_1", 401).AddTask("pydolphin", "task_dependent_external", "task_2", 402)
        .AddWorkflow("project-pydolphin", "task_dependent_external", 500)
        .AddTask("project-pydolphin", "task_dependent_external", "task_1", 501).AddTask("project-pydolphin", "task_dependent_external", "task_2", 502);

    private static readonly string[] FileNames =
    {
        "Condition.yaml", "DataX.yaml", "Dependent.yaml", "Dependent_External.yaml", "Dvc.yaml", "Flink.yaml", "Http.yaml",
        "Kubernetes.yaml", "MapReduce.yaml", "MoreConfiguration.yaml", "OpenMLDB.yaml", "Procedure.yaml", "Python.yaml",
        "Pytorch.yaml", "Sagemaker.yaml", "Shell.yaml", "Spark.yaml", "Sql.yaml", "SubWorkflow.yaml", "Switch.yaml",
        "example_sub_workflow.yaml", "mlflow.yaml", "tutorial.yaml",
    };

    public static readonly TheoryData<string> Files = new(FileNames);

    /// <summary>The examples folder holds exactly the files the theory covers (a new upstream example fails here first).</summary>
    [Fact]
    public void Every_vendored_example_is_covered()
    {
        var onDisk = Directory.GetFiles(RepoPaths.PyDsExamples, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(FileNames.Order(StringComparer.Ordinal).ToArray(), onDisk);
        Assert.Equal(23, onDisk.Length);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Example_gives_the_relations_and_task_parameters_pyds_builds(string file)
    {
        var expected = Expected[file];
        var path = Path.Combine(file.StartsWith("ds-3.1.9/", StringComparison.Ordinal) ? RepoPaths.PyDsData : RepoPaths.PyDsExamples, file);
        Assert.Equal(SpecFormat.PyDolphinScheduler, SpecSources.Detect(path));
        var set = SpecSources.LoadAndValidate(path, SpecFormat.Auto, new SpecLoadOptions { EnvironmentVariables = n => n == "HOME" ? Home : null });

        Assert.True(!set.HasErrors, string.Join("\n", set.Findings));
        Assert.Equal(expected.Warnings.Order(StringComparer.Ordinal), set.Findings.Where(f => f.Severity == SpecSeverity.Warning).Select(f => f.RuleId + ":" + f.Location.Line).Order(StringComparer.Ordinal));

        var w = set.Workflows.Single(x => x.Name == expected.Workflow);
        Assert.Equal(expected.Project, w.Project);
        var codes = w.Tasks.Select(t => t.Name).Order(StringComparer.Ordinal).Select((n, i) => (n, Code: 1001L + i)).ToDictionary(x => x.n, x => x.Code);
        var wire = new DsWireConverter(DsDialect.Parse("3.3"), Names).ToWire(w, codes);

        var nameOf = codes.ToDictionary(kv => kv.Value, kv => kv.Key);
        var relations = JsonNode.Parse(wire.TaskRelationJson)!.AsArray()
            .Select(r => (r!["preTaskCode"]!.GetValue<long>() is var pre && pre == 0 ? "0" : nameOf[pre]) + ">" + nameOf[r["postTaskCode"]!.GetValue<long>()])
            .Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected.Relations.Order(StringComparer.Ordinal).ToArray(), relations);

        var defs = JsonNode.Parse(wire.TaskDefinitionJson)!.AsArray().ToDictionary(d => d!["name"]!.GetValue<string>(), d => d!.AsObject());
        Assert.Equal(expected.Tasks.Keys.Order(StringComparer.Ordinal), defs.Keys.Order(StringComparer.Ordinal));
        foreach (var (task, (type, paramsJson)) in expected.Tasks)
        {
            Assert.Equal(type, defs[task]["taskType"]!.GetValue<string>());
            var want = JsonNode.Parse(paramsJson)!.AsObject();
            want.TryAdd("localParams", new JsonArray());
            want.TryAdd("resourceList", new JsonArray());
            foreach (var (name, code) in codes) Substitute(want, "@" + name, code);
            var got = defs[task]["taskParams"]!;
            Assert.True(JsonNode.DeepEquals(Sorted(want), Sorted(got)), $"{file} / {task}\n  want {Sorted(want)!.ToJsonString()}\n  got  {Sorted(got)!.ToJsonString()}");
        }
        expected.More?.Invoke(w, defs);
    }

    /// <summary>The DS-bundled pyds 3.1 copy of the Spark example also sets spark_version (DS 3.1's sparkVersion).</summary>
    [Fact]
    public void Ds_3_1_copy_of_the_spark_example_keeps_spark_version()
    {
        Example_gives_the_relations_and_task_parameters_pyds_builds("ds-3.1.9/examples/yaml_define/Spark.yaml");
    }

    private sealed record Example(string Workflow, string[] Relations, Dictionary<string, (string Type, string Params)> Tasks)
    {
        public string Project { get; init; } = "project-pydolphin";
        /// <summary>Expected warnings as RuleId:line.</summary>
        public string[] Warnings { get; init; } = Array.Empty<string>();
        public Action<WorkflowSpec, Dictionary<string, JsonObject>>? More { get; init; }
    }

    private static string Shell(string script) => "{\"rawScript\":" + Str(script) + "}";
    private static string Str(string s) => JsonValue.Create(s).ToJsonString();
    private static string Text(string file) => File.ReadAllText(Path.Combine(RepoPaths.PyDsExamples, file));

    // Engine classes: programType, mainClass and mainJar (pyds asks its gateway for the jar's id; DsOps names the
    // jar and writes the dialect's reference: the id up to DS 3.1, the full name from 3.2).
    private const string Spark = """
        {"mainClass":"org.apache.spark.examples.SparkPi","mainJar":{"resourceName":"test_java.jar"},"programType":"SCALA",
         "deployMode":"local","appName":null,"driverCores":1,"driverMemory":"512M","numExecutors":2,"executorMemory":"2G",
         "executorCores":2,"mainArgs":null,"others":null}
        """;

    private static string SqlParams(string sql) =>
        "{\"sql\":" + Str(sql) + ",\"sqlType\":0,\"preStatements\":[],\"postStatements\":[],\"displayRows\":10,\"datasource\":1,\"type\":\"MYSQL\"}";

    private static readonly Dictionary<string, Example> Expected = new()
    {
        ["Condition.yaml"] = new("Condition",
            // tasks/condition.py: the group tasks become upstream, success_task and failed_task downstream.
            new[] { "0>pre_task_1", "0>pre_task_2", "0>pre_task_3", "pre_task_1>condition", "pre_task_2>condition", "pre_task_3>condition", "condition>success_branch", "condition>fail_branch" },
            new()
            {
                ["pre_task_1"] = ("SHELL", Shell("echo pre_task_1")), ["pre_task_2"] = ("SHELL", Shell("echo pre_task_2")),
                ["pre_task_3"] = ("SHELL", Shell("echo pre_task_3")), ["success_branch"] = ("SHELL", Shell("echo success_branch")),
                ["fail_branch"] = ("SHELL", Shell("echo fail_branch")),
                ["condition"] = ("CONDITIONS", """
                    {"dependence":{"relation":"AND","dependTaskList":[{"relation":"AND","dependItemList":[
                      {"depTaskCode":"@pre_task_1","status":"SUCCESS"},{"depTaskCode":"@pre_task_2","status":"SUCCESS"},{"depTaskCode":"@pre_task_3","status":"FAILURE"}]}]},
                     "conditionResult":{"successNode":["@success_branch"],"failedNode":["@fail_branch"]}}
                    """),
            }),
        ["DataX.yaml"] = new("DataX", new[] { "0>task", "0>task_custon_config" }, new()
        {
            ["task"] = ("DATAX", """
                {"customConfig":0,"dsType":"MYSQL","dataSource":1,"dtType":"MYSQL","dataTarget":1,"sql":"show tables;","targetTable":"table_test",
                 "jobSpeedByte":0,"jobSpeedRecord":1000,"preStatements":[],"postStatements":[],"xms":1,"xmx":1}
                """),
            // CustomDataX: customConfig 1 and the template ($FILE reads it whole).
            ["task_custon_config"] = ("DATAX", "{\"customConfig\":1,\"json\":" + Str(Text("example_datax.json")) + ",\"xms\":1,\"xmx\":1}"),
        }),
        ["Dependent.yaml"] = new("Dependent", new[] { "0>dependent", "0>dependent_var" }, new()
        {
            // dependent_date LAST_WEDNESDAY is pyds's enum name for lastWednesday; the cycle follows from the date value.
            ["dependent"] = ("DEPENDENT", """
                {"dependence":{"relation":"AND","dependTaskList":[
                  {"relation":"OR","dependItemList":[
                    {"projectCode":200,"definitionCode":400,"depTaskCode":401,"cycle":"day","dateValue":"today"},
                    {"projectCode":200,"definitionCode":400,"depTaskCode":402,"cycle":"day","dateValue":"today"}]},
                  {"relation":"AND","dependItemList":[
                    {"projectCode":200,"definitionCode":400,"depTaskCode":401,"cycle":"week","dateValue":"lastWednesday"},
                    {"projectCode":200,"definitionCode":400,"depTaskCode":402,"cycle":"hour","dateValue":"last24Hours"}]}]}}
                """),
            // ${CONFIG.WORKFLOW_PROJECT} = default.workflow.project of pyds's default configuration; $WORKFLOW{...} = that file's workflow name.
            ["dependent_var"] = ("DEPENDENT", """
                {"dependence":{"relation":"AND","dependTaskList":[
                  {"relation":"OR","dependItemList":[
                    {"projectCode":100,"definitionCode":500,"depTaskCode":501,"cycle":"day","dateValue":"today"},
                    {"projectCode":100,"definitionCode":500,"depTaskCode":502,"cycle":"day","dateValue":"today"}]},
                  {"relation":"AND","dependItemList":[
                    {"projectCode":100,"definitionCode":500,"depTaskCode":501,"cycle":"week","dateValue":"lastWednesday"},
                    {"projectCode":100,"definitionCode":500,"depTaskCode":502,"cycle":"hour","dateValue":"last24Hours"}]}]}}
                """),
        })
        {
            // The YAML loader passes only op and groups to a Dependent: the misspelt 'denpendence:' keys do not apply.
            Warnings = new[] { "IgnoredField:25", "IgnoredField:52" },
        },
        ["Dependent_External.yaml"] = new("task_dependent_external", new[] { "0>task_1", "0>task_2", "0>task_3" }, new()
        {
            ["task_1"] = ("SHELL", Shell("echo task 1")), ["task_2"] = ("SHELL", Shell("echo task 2")), ["task_3"] = ("SHELL", Shell("echo task 3")),
        }),
        ["Dvc.yaml"] = new("DVC", new[] { "0>init_dvc", "0>upload_data", "0>download_data" }, new()
        {
            ["init_dvc"] = ("DVC", """
                {"dvcTaskType":"Init DVC","dvcRepository":"git@github.com:<YOUR-NAME-OR-ORG>/dvc-data-repository-example.git","dvcStoreUrl":"~/dvc_data"}
                """),
            ["upload_data"] = ("DVC", """
                {"dvcTaskType":"Upload","dvcRepository":"git@github.com:<YOUR-NAME-OR-ORG>/dvc-data-repository-example.git",
                 "dvcDataLocation":"iris","dvcLoadSaveDataPath":"~/source/iris","dvcVersion":"v1","dvcMessage":"upload iris data v1"}
                """),
            ["download_data"] = ("DVC", """
                {"dvcTaskType":"Download","dvcRepository":"git@github.com:<YOUR-NAME-OR-ORG>/dvc-data-repository-example.git",
                 "dvcDataLocation":"iris","dvcLoadSaveDataPath":"~/target/iris","dvcVersion":"v1"}
                """),
        })
        { More = (w, _) => Assert.Equal("OFFLINE", w.ReleaseState) },
        ["Flink.yaml"] = new("Flink", new[] { "0>task" }, new()
        {
            ["task"] = ("FLINK", """
                {"mainClass":"org.apache.flink.streaming.examples.wordcount.WordCount","mainJar":{"resourceName":"test_java.jar"},"programType":"JAVA",
                 "deployMode":"local","flinkVersion":"<1.10","appName":null,"jobManagerMemory":"1G","taskManagerMemory":"2G","slot":1,
                 "taskManager":2,"parallelism":1,"mainArgs":null,"others":null}
                """),
        }),
        // http_params as DS's own list is what released pyds (up to 4.0) sent as it is (the SDK's main branch takes a mapping).
        ["Http.yaml"] = new("Http", new[] { "0>task" }, new()
        {
            ["task"] = ("HTTP", """
                {"url":"https://httpbin.org/get","httpMethod":"GET","httpParams":[
                   {"prop":"a","httpParametersType":"PARAMETER","value":"1"},{"prop":"b","httpParametersType":"PARAMETER","value":"2"},
                   {"prop":"Content-Type","httpParametersType":"header","value":"test"}],
                 "httpCheckCondition":"STATUS_CODE_CUSTOM","condition":"404","connectTimeout":60000,"socketTimeout":60000}
                """),
        })
        {
            // "header" is not a DS httpParametersType (HEADERS is); sent as written, with a warning.
            Warnings = new[] { "InvalidValue:31" },
        },
        // The example uses DS's type name and DS's key spellings (minCpuCores); DsOps takes both (pyds takes neither).
        ["Kubernetes.yaml"] = new("kubernetes", new[] { "0>kubernetes" }, new()
        {
            ["kubernetes"] = ("K8S", """{"image":"ds-dev","namespace":"{ \"name\": \"default\",\"cluster\": \"lab\" }","minCpuCores":2.0,"minMemorySpace":10.0}"""),
        }),
        ["MapReduce.yaml"] = new("MapReduce", new[] { "0>task" }, new()
        {
            ["task"] = ("MR", """
                {"mainClass":"wordcount","mainJar":{"resourceName":"test_java.jar"},"programType":"SCALA","appName":null,
                 "mainArgs":"/dolphinscheduler/tenant_exists/resources/file.txt /output/ds","others":null}
                """),
        }),
        ["MoreConfiguration.yaml"] = new("MoreConfiguration", new[] { "0>shell_0" }, new()
        {
            // input_params/output_params: types inferred from the YAML value or given as TYPE(value); sorted by name.
            ["shell_0"] = ("SHELL", "{\"rawScript\":" + Str("echo \"" + Home + "\"\necho \"${n}\"\necho \"123\" >> text.txt\n") + """
                ,"localParams":[
                  {"prop":"value_BOOLEAN","direct":"IN","type":"BOOLEAN","value":"true"},
                  {"prop":"value_FLOAT","direct":"IN","type":"FLOAT","value":"0.1"},
                  {"prop":"value_INTEGER","direct":"IN","type":"INTEGER","value":"123"},
                  {"prop":"value_VARCHAR","direct":"IN","type":"VARCHAR","value":"abc"},
                  {"prop":"value_data_path","direct":"OUT","type":"FILE","value":"text.txt"},
                  {"prop":"value_output","direct":"OUT","type":"VARCHAR","value":""},
                  {"prop":"value_output2","direct":"OUT","type":"VARCHAR","value":""}]}
                """),
        })
        {
            More = (w, defs) =>
            {
                var t = defs["shell_0"];
                Assert.Equal(("yaml define task", "YES", "HIGH", 20, 30, 5), (t["description"]!.GetValue<string>(), t["flag"]!.GetValue<string>(),
                    t["taskPriority"]!.GetValue<string>(), t["delayTime"]!.GetValue<int>(), t["failRetryTimes"]!.GetValue<int>(), t["failRetryInterval"]!.GetValue<int>()));
                // timeout 60 turns the timeout on (pyds derives timeoutFlag from it). pyds leaves timeoutNotifyStrategy empty; DsOps writes WARN.
                Assert.Equal(("OPEN", 60), (t["timeoutFlag"]!.GetValue<string>(), t["timeout"]!.GetValue<int>()));
                // is_cache: true. DS has isCache only in 3.2 (the 3.3 upgrade drops it), so it is kept in the spec and
                // written for 3.2 targets only.
                Assert.True(w.FindTask("shell_0")!.Cache);
                Assert.False(t.ContainsKey("isCache"));
                // Workflow param values are VARCHAR inputs.
                Assert.Equal(("n", "1", "VARCHAR", "IN"), (w.Parameters.Single().Name, w.Parameters.Single().Value, w.Parameters.Single().Type, w.Parameters.Single().Direction));
            },
        },
        ["OpenMLDB.yaml"] = new("OpenMLDB", new[] { "0>OpenMLDB" }, new()
        {
            // zookeeper and zookeeper_path are sent as zk and zkPath.
            ["OpenMLDB"] = ("OPENMLDB", "{\"zk\":\"127.0.0.1:2181\",\"zkPath\":\"/openmldb\",\"executeMode\":\"online\",\"sql\":" +
                Str("USE demo_db;\nset @@job_timeout=200000;\nLOAD DATA INFILE 'file:///tmp/train_sample.csv'\nINTO TABLE talkingdata OPTIONS(mode='overwrite');\n") + "}"),
        }),
        ["Procedure.yaml"] = new("Procedure", new[] { "0>task" }, new()
        {
            ["task"] = ("PROCEDURE", """{"method":"show tables;","datasource":1,"type":"MYSQL"}"""),
        }),
        ["Python.yaml"] = new("Python", new[] { "0>python" }, new()
        {
            ["python"] = ("PYTHON", Shell("import os\nprint(os)\nprint(\"1\")\nprint(\"2\")\n")),
        }),
        ["Pytorch.yaml"] = new("Pytorch", new[] { "0>task_existing_env", "0>task_conda_env", "0>task_virtualenv_env" }, new()
        {
            // project_path is sent as pythonPath; otherParams is true when any of the "other" settings differs from pyds's defaults.
            ["task_existing_env"] = ("PYTORCH", """
                {"script":"main.py","scriptParams":"--dry-run --no-cuda","pythonPath":"https://github.com/pytorch/examples#mnist","isCreateEnvironment":false,
                 "pythonCommand":"/home/anaconda3/envs/pytorch/bin/python3","pythonEnvTool":"conda","requirements":"requirements.txt",
                 "condaPythonVersion":"3.7","otherParams":true}
                """),
            ["task_conda_env"] = ("PYTORCH", """
                {"script":"main.py","scriptParams":"--dry-run --no-cuda","pythonPath":"https://github.com/pytorch/examples#mnist","isCreateEnvironment":true,
                 "pythonCommand":"${PYTHON_HOME}","pythonEnvTool":"conda","requirements":"requirements.txt","condaPythonVersion":3.7,"otherParams":true}
                """),
            ["task_virtualenv_env"] = ("PYTORCH", """
                {"script":"main.py","scriptParams":"--dry-run --no-cuda","pythonPath":"https://github.com/pytorch/examples#mnist","isCreateEnvironment":true,
                 "pythonCommand":"${PYTHON_HOME}","pythonEnvTool":"virtualenv","requirements":"requirements.txt","condaPythonVersion":"3.7","otherParams":true}
                """),
        }),
        ["Sagemaker.yaml"] = new("Sagemaker", new[] { "0>sagemaker" }, new()
        {
            ["sagemaker"] = ("SAGEMAKER", "{\"sagemakerRequestJson\":" + Str(Text("example_sagemaker_params.json")) + "}"),
        }),
        ["Shell.yaml"] = new("Shell", new[] { "0>task_parent", "task_parent>task_child_one", "task_parent>task_child_two" }, new()
        {
            ["task_parent"] = ("SHELL", Shell("echo hello pydolphinscheduler \necho run task parent\n")),
            ["task_child_one"] = ("SHELL", Shell("echo \"child one\"")),
            ["task_child_two"] = ("SHELL", Shell("echo \"child two\"")),
        })
        { Warnings = new[] { "IgnoredField:22" } }, // run: true
        ["Spark.yaml"] = new("Spark", new[] { "0>task" }, new() { ["task"] = ("SPARK", Spark) }),
        ["ds-3.1.9/examples/yaml_define/Spark.yaml"] = new("Spark", new[] { "0>task" }, new()
        {
            ["task"] = ("SPARK", Spark.TrimEnd().TrimEnd('}') + ",\"sparkVersion\":\"SPARK1\"}"),
        }),
        ["Sql.yaml"] = new("Sql", new[] { "0>task_base", "0>task_multi_line", "0>task_file", "0>task_base_one_line", "0>task_file_one_line" }, new()
        {
            // sqlType as pyds decides it from the first line: none of these starts a write, so all are queries (0),
            // the file too (its first line opens a comment).
            ["task_base"] = ("SQL", SqlParams("show tables;")),
            ["task_multi_line"] = ("SQL", SqlParams("show tables;\nselect id from version where id=1;\n")),
            ["task_file"] = ("SQL", SqlParams(Text("example_sql.sql"))),
            ["task_base_one_line"] = ("SQL", SqlParams("select id from version where id=1;")),
            ["task_file_one_line"] = ("SQL", SqlParams(Text("example_sql.sql"))),
        }),
        ["SubWorkflow.yaml"] = new("SubWorkflow", new[] { "0>example_workflow", "example_workflow>task_3" }, new()
        {
            ["example_workflow"] = ("SUB_WORKFLOW", """{"workflowDefinitionCode":300}"""),
            ["task_3"] = ("SHELL", Shell("echo task 3")),
        }),
        ["Switch.yaml"] = new("Switch", new[] { "0>switch", "switch>switch_child_1", "switch>switch_child_2" }, new()
        {
            // tasks/switch.py: every branch task (the default too) becomes a downstream of the switch.
            ["switch_child_1"] = ("SHELL", Shell("echo switch_child_1")),
            ["switch_child_2"] = ("SHELL", Shell("echo switch_child_2")),
            ["switch"] = ("SWITCH", """{"switchResult":{"dependTaskList":[{"condition":"${var} > 1","nextNode":"@switch_child_1"}],"nextNode":"@switch_child_2"}}"""),
        }),
        ["example_sub_workflow.yaml"] = new("example_workflow_for_sub_workflow", new[] { "0>task_1", "task_1>task_2", "task_2>task_3" }, new()
        {
            ["task_1"] = ("SHELL", Shell("echo task 1")), ["task_2"] = ("SHELL", Shell("echo task 2")), ["task_3"] = ("SHELL", Shell("echo task 3")),
        }),
        ["mlflow.yaml"] = new("MLflow", new[] { "0>train_xgboost_native", "0>train_automl", "train_automl>deploy_docker", "0>train_basic_algorithm", "train_basic_algorithm>deploy_mlflow" }, new()
        {
            ["train_xgboost_native"] = ("MLFLOW", """
                {"mlflowTaskType":"MLflow Projects","mlflowJobType":"CustomProject","mlflowTrackingUri":"http://127.0.0.1:5000","experimentName":"xgboost",
                 "params":"-P learning_rate=0.2 -P colsample_bytree=0.8 -P subsample=0.9",
                 "mlflowProjectRepository":"https://github.com/mlflow/mlflow#examples/xgboost/xgboost_native","mlflowProjectVersion":"master"}
                """),
            ["train_automl"] = ("MLFLOW", """
                {"mlflowTaskType":"MLflow Projects","mlflowJobType":"AutoML","mlflowTrackingUri":"http://127.0.0.1:5000","experimentName":"automl_iris",
                 "modelName":"iris_A","registerModel":true,"dataPath":"/data/examples/iris","params":"time_budget=30;estimator_list=['lgbm']","automlTool":"flaml"}
                """),
            ["deploy_docker"] = ("MLFLOW", """
                {"mlflowTaskType":"MLflow Models","mlflowTrackingUri":"http://127.0.0.1:5000","deployType":"DOCKER","deployModelKey":"models:/iris_A/Production","deployPort":7002}
                """),
            ["train_basic_algorithm"] = ("MLFLOW", """
                {"mlflowTaskType":"MLflow Projects","mlflowJobType":"BasicAlgorithm","mlflowTrackingUri":"http://127.0.0.1:5000","experimentName":"basic_algorithm_iris",
                 "modelName":"iris_B","registerModel":true,"dataPath":"/data/examples/iris","params":"n_estimators=200;learning_rate=0.2","algorithm":"lightgbm",
                 "searchParams":"max_depth=[5, 10];n_estimators=[100, 200]"}
                """),
            ["deploy_mlflow"] = ("MLFLOW", """
                {"mlflowTaskType":"MLflow Models","mlflowTrackingUri":"http://127.0.0.1:5000","deployType":"MLFLOW","deployModelKey":"models:/iris_B/Production","deployPort":7001}
                """),
        }),
        ["tutorial.yaml"] = new("tutorial",
            new[] { "0>task_parent", "task_parent>task_child_one", "task_parent>task_child_two", "task_child_one>task_union", "task_child_two>task_union" }, new()
            {
                ["task_parent"] = ("SHELL", Shell("echo hello pydolphinscheduler")),
                ["task_child_one"] = ("SHELL", Shell("echo \"child one\"")),
                ["task_child_two"] = ("SHELL", Shell("echo \"child two\"")),
                ["task_union"] = ("SHELL", Shell("echo \"union\"")),
            })
        {
            Warnings = new[] { "IgnoredField:24" }, // run: true
            More = (w, _) =>
            {
                // pyds's default time zone; a schedule is online unless online_schedule says otherwise; end = pyds's MAX_DATETIME.
                var s = w.Schedule!;
                Assert.Equal(("0 0 0 * * ? *", "Asia/Shanghai", "2021-01-01 00:00:00", "9999-12-31 23:59:59", true),
                    (s.Cron, s.TimeZone, s.Start, s.End, s.Online));
                Assert.Equal("OFFLINE", w.ReleaseState);
            },
        },
    };

    private static JsonNode? Sorted(JsonNode? n) => n switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        null => null,
        _ => n.DeepClone(),
    };

    /// <summary>Replaces the string "@task" by the task's code (the expected JSON names tasks, DS gets codes).</summary>
    private static void Substitute(JsonNode? n, string marker, long code)
    {
        switch (n)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                    if (o[key] is JsonValue v && v.TryGetValue(out string? s) && s == marker) o[key] = code;
                    else Substitute(o[key], marker, code);
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    if (a[i] is JsonValue v && v.TryGetValue(out string? s) && s == marker) a[i] = code;
                    else Substitute(a[i], marker, code);
                break;
        }
    }
}
