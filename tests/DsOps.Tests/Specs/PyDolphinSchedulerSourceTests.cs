using Xunit;
using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Sources;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Tests.Specs;

public class PyDolphinSchedulerSourceTests
{
    private const string Parent = """
        # pydolphinscheduler format: workflow + tasks with deps
        common: &retry
          fail_retry_times: 2
        workflow:
          name: tutorial
          project: pyds
          schedule: "0 0 0 * * ? *"
          start_time: "2021-01-01"
          timezone: UTC
          release_state: offline
          run: true
          param:
            bizdate: "$[yyyyMMdd]"
        tasks:
          - name: task_parent
            task_type: Shell
            command: $FILE{"script.sh"}
            <<: *retry
          - name: task_child_one
            task_type: Shell
            deps: [task_parent]
            command: echo "child one $ENV{WHO} and $ENV{WHO}"
            input_params:
              count: INTEGER(3)
              ratio: 0.5
              label: hello
            output_params:
              result: VARCHAR()
          - name: sql
            task_type: Sql
            deps: [task_parent]
            datasource_name: ${CONFIG.DATASOURCE}
            sql: select 1
            display_rows: 10
          - name: sub
            task_type: SubWorkflow
            deps: [task_child_one]
            workflow_name: $WORKFLOW{"child.yaml"}
          - name: switch
            task_type: Switch
            deps: [sql]
            condition:
              - task: task_child_one
                condition: "${var} > 1"
              - task: sub
          - name: cond
            task_type: Condition
            deps: [sql]
            success_task: task_child_one
            failed_task: sub
            op: AND
            groups:
              - op: AND
                groups:
                  - { task: sql, flag: true }
          - name: wait
            task_type: Dependent
            op: and
            groups:
              - op: or
                groups:
                  - project_name: pyds
                    workflow_name: other
                    dependent_task_name: t1
                    dependent_date: LAST_WEDNESDAY
                  - project_name: pyds
                    workflow_name: other
                    dependent_task_name: t2
                    dependent_date: last24Hours
          - name: k8s
            task_type: K8S
            image: busybox
            namespace: '{"name":"default"}'
            min_cpu_cores: 1
            min_memory_space: 2
        """;

    private const string Child = "workflow:\n  name: child_flow\n  project: pyds\ntasks:\n  - { name: c1, task_type: Python, definition: \"print(1)\" }\n";

    private static SpecSet Load(SpecTestFiles files, Func<string, string?>? env = null, Dictionary<string, string>? config = null)
    {
        var path = files.Write("tutorial.yaml", Parent);
        files.Write("child.yaml", Child);
        files.Write("script.sh", "echo parent\n");
        return PyDolphinSchedulerSource.Load(path, new SpecLoadOptions { EnvironmentVariables = env ?? (n => n == "WHO" ? "bob" : null) },
            new PyDsOptions { Config = config ?? new Dictionary<string, string> { ["DATASOURCE"] = "mysql_ods" } });
    }

    [Fact]
    public void Pyds_yaml_is_detected_and_imported_with_macros_resolved()
    {
        using var files = new SpecTestFiles();
        var set = Load(files);
        Assert.Equal(SpecFormat.PyDolphinScheduler, SpecSources.Detect(Path.Combine(files.Root, "tutorial.yaml")));
        Assert.DoesNotContain(set.Findings, f => f.Severity == SpecSeverity.Error);
        Assert.Contains(set.Findings, f => f.RuleId == "IgnoredField" && f.Message.Contains("run: true"));
        var w = set.Workflows.Single(x => x.Name == "tutorial");
        Assert.Contains(set.Workflows, x => x.Name == "child_flow");       // $WORKFLOW reads the other file (never submits it)
        Assert.Equal(("pyds", "OFFLINE"), (w.Project, w.ReleaseState));
        Assert.Equal(("2021-01-01 00:00:00", "UTC"), (w.Schedule!.Start, w.Schedule.TimeZone));
        Assert.Equal("echo parent\n", w.FindTask("task_parent")!.Script);    // $FILE
        Assert.Equal(2, w.FindTask("task_parent")!.Retries);                  // YAML merge key
        Assert.Equal("echo \"child one bob and bob\"", w.FindTask("task_child_one")!.Script); // every $ENV occurrence
        var ps = w.FindTask("task_child_one")!.Parameters.ToDictionary(p => p.Name);
        Assert.Equal(("INTEGER", "3", "IN"), (ps["count"].Type, ps["count"].Value, ps["count"].Direction));
        Assert.Equal("FLOAT", ps["ratio"].Type);
        Assert.Equal("VARCHAR", ps["label"].Type);
        Assert.Equal(("VARCHAR", "OUT"), (ps["result"].Type, ps["result"].Direction));
        Assert.Equal("mysql_ods", w.FindTask("sql")!.DataSource);             // ${CONFIG.x}
        Assert.Contains("\"displayRows\":10", w.FindTask("sql")!.Params);
        Assert.Equal("child_flow", w.FindTask("sub")!.SubWorkflow);
        var sw = w.FindTask("switch")!.Switch!;
        Assert.Equal(("${var} > 1", "task_child_one", "sub"), (sw.Branches.Single().Condition, sw.Branches.Single().Task, sw.Default));
        var cond = w.FindTask("cond")!.Conditions!;
        Assert.Equal(("sql", "SUCCESS"), (cond.Groups[0].Items[0].Task, cond.Groups[0].Items[0].Status));
        Assert.Equal(new[] { "task_child_one" }, cond.SuccessTasks);
        var dep = w.FindTask("wait")!.Dependence!;
        Assert.Equal(("AND", "OR"), (dep.Relation, dep.Groups[0].Relation));
        Assert.Equal(("lastWednesday", "week"), (dep.Groups[0].Items[0].DateValue, dep.Groups[0].Items[0].Cycle));
        Assert.Equal(("last24Hours", "hour"), (dep.Groups[0].Items[1].DateValue, dep.Groups[0].Items[1].Cycle));
        var k8s = w.FindTask("k8s")!;
        Assert.Equal("K8S", k8s.Type);
        Assert.Contains("\"minCpuCores\":1", k8s.Params);
        Assert.DoesNotContain(SpecValidator.Validate(set.Workflows), f => f.Severity == SpecSeverity.Error);
    }

    [Fact]
    public void Http_params_become_the_ds_list_shape()
    {
        using var files = new SpecTestFiles();
        var path = files.Write("http.yaml", "workflow: { name: w, project: p }\ntasks:\n  - name: call\n    task_type: Http\n    url: http://x/y\n    http_method: POST\n" +
            "    http_params:\n      date: { http_parameters_type: PARAMETER, value: '${bizdate}' }\n      X-Token: { http_parameters_type: HEADERS, value: abc }\n");
        var set = PyDolphinSchedulerSource.Load(path);
        Assert.Empty(set.Findings);
        var p = set.Workflows.Single().Tasks.Single().Params;
        Assert.Contains("\"httpMethod\":\"POST\"", p);
        Assert.Contains("\"httpParams\":[{\"httpParametersType\":\"PARAMETER\",\"prop\":\"date\",\"value\":\"${bizdate}\"},{\"httpParametersType\":\"HEADERS\",\"prop\":\"X-Token\",\"value\":\"abc\"}]", p);
        Assert.Contains("\"url\":\"http://x/y\"", p);
    }

    [Fact]
    public void Unset_env_and_unknown_config_fail_instead_of_passing_through()
    {
        using var files = new SpecTestFiles();
        var set = Load(files, env: _ => null, config: new Dictionary<string, string>());
        Assert.Contains(set.Findings, f => f.RuleId == "UnsetEnvironmentVariable" && f.Message.Contains("WHO"));
        Assert.Contains(set.Findings, f => f.RuleId == "UnknownConfigKey" && f.Message.Contains("DATASOURCE"));
    }

    [Fact]
    public void File_macro_cannot_leave_the_folder()
    {
        using var files = new SpecTestFiles();
        var path = files.Write("sub/w.yaml", "workflow: { name: w, project: p }\ntasks:\n  - { name: t, task_type: Shell, command: '$FILE{\"../../x.sh\"}' }\n");
        var set = PyDolphinSchedulerSource.Load(path);
        Assert.Contains(set.Findings, f => f.RuleId == "ScriptOutsideRoot");
    }

    [Fact]
    public void Workflow_macro_loops_are_reported()
    {
        using var files = new SpecTestFiles();
        files.Write("a.yaml", "workflow: { name: a, project: p }\ntasks:\n  - { name: t, task_type: SubWorkflow, workflow_name: $WORKFLOW{\"b.yaml\"} }\n");
        files.Write("b.yaml", "workflow: { name: b, project: p }\ntasks:\n  - { name: t, task_type: SubWorkflow, workflow_name: $WORKFLOW{\"a.yaml\"} }\n");
        var set = PyDolphinSchedulerSource.Load(Path.Combine(files.Root, "a.yaml"));
        Assert.Contains(set.Findings, f => f.RuleId == "WorkflowMacroCycle");
    }
}
