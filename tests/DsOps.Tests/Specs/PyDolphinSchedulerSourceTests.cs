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
    public void Unset_env_is_kept_as_pyds_keeps_it_with_a_warning_and_an_unknown_config_key_is_an_error()
    {
        using var files = new SpecTestFiles();
        var set = Load(files, env: _ => null, config: new Dictionary<string, string>());
        // pyds leaves "$WHO" (a shell on the worker may still expand it); DsOps says so.
        Assert.Contains(set.Findings, f => f is { RuleId: "UnsetEnvironmentVariable", Severity: SpecSeverity.Warning } && f.Message.Contains("WHO"));
        Assert.Equal("echo \"child one $WHO and $WHO\"", set.Workflows.Single(w => w.Name == "tutorial").FindTask("task_child_one")!.Script);
        Assert.Contains(set.Findings, f => f is { RuleId: "UnknownConfigKey", Severity: SpecSeverity.Error } && f.Message.Contains("DATASOURCE"));
    }

    private static SpecSet LoadText(SpecTestFiles files, string yaml, Func<string, string?>? env = null, PyDsOptions? pyds = null, string name = "w.yaml") =>
        PyDolphinSchedulerSource.Load(files.Write(name, yaml), new SpecLoadOptions { EnvironmentVariables = env ?? (_ => null) }, pyds);

    [Fact]
    public void Config_settings_come_from_the_option_then_PYDS_variables_then_the_config_file_then_pyds_defaults()
    {
        using var files = new SpecTestFiles();
        const string yaml = "workflow: { name: w }\ntasks:\n  - { name: t, task_type: Shell, command: 'echo ${CONFIG.WORKFLOW_QUEUE}', worker_group: '${CONFIG.default.workflow.worker_group}' }\n";
        // Built-in defaults (default_config.yaml): project-pydolphin, queuePythonGateway, worker group default, Asia/Shanghai.
        var w = LoadText(files, yaml).Workflows.Single();
        Assert.Equal(("project-pydolphin", "queuePythonGateway", "default", "ONLINE"), (w.Project, w.Tasks[0].Script, w.Tasks[0].WorkerGroup, w.ReleaseState));
        // The configuration file ($PYDS_HOME/config.yaml) beats the defaults...
        files.Write("pyds/config.yaml", "default:\n  user:\n    password: never-read\n  workflow:\n    project: from-file\n    queue: file-queue\n    worker_group: wg-file\n");
        string? Env(string n) => n switch { "PYDS_HOME" => Path.Combine(files.Root, "pyds"), "PYDS_WORKFLOW_PROJECT" => "from-env", _ => null };
        w = LoadText(files, yaml, Env).Workflows.Single();
        // ...a PYDS_ variable beats the file...
        Assert.Equal(("from-env", "file-queue", "wg-file"), (w.Project, w.Tasks[0].Script, w.Tasks[0].WorkerGroup));
        // ...and -PyDsConfig beats both (by attribute name or dotted path); -Project beats the configured project.
        w = LoadText(files, yaml, Env, new PyDsOptions { Config = new Dictionary<string, string> { ["default.workflow.queue"] = "opt-queue", ["WORKFLOW_PROJECT"] = "opt" } }).Workflows.Single();
        Assert.Equal(("opt", "opt-queue"), (w.Project, w.Tasks[0].Script));
        Assert.Equal("cli", LoadText(files, yaml, Env, new PyDsOptions { Project = "cli" }).Workflows.Single().Project);
        // Secrets of the configuration are never read.
        var secret = LoadText(files, "workflow: { name: w }\ntasks:\n  - { name: t, task_type: Shell, command: '${CONFIG.default.user.password}' }\n", Env);
        Assert.Contains(secret.Findings, f => f.RuleId == "UnknownConfigKey" && f.Message.Contains("secret"));
        Assert.DoesNotContain("never-read", secret.Workflows.Single().Tasks[0].Script);
    }

    [Fact]
    public void Task_settings_follow_pyds_timeout_flag_local_params_unknown_keys_and_unknown_classes()
    {
        using var files = new SpecTestFiles();
        var set = SpecSources.LoadAndValidate(files.Write("w.yaml", """
            workflow: { name: w, project: p }
            tasks:
              - name: closed
                task_type: Shell
                command: echo 1
                timeout: 60
                timeout_flag: CLOSE
                local_params:
                  - { prop: a, direct: OUT, type: INTEGER, value: 1 }
                input_params: { b: x }
                cpu_quota: 50
                mystery: 1
              - name: open
                task_type: shell
                command: echo 2
                timeout: 5
              - name: py
                task_type: Python
                definition: |
                  def main():
                      print(1)
              - name: odd
                task_type: Teradata
            """), SpecFormat.Auto, new SpecLoadOptions { EnvironmentVariables = _ => null });
        var w = set.Workflows.Single();
        Assert.Equal(0, w.FindTask("closed")!.Timeout);   // DS-bundled pyds honoured timeout_flag: CLOSE
        Assert.Equal(5, w.FindTask("open")!.Timeout);     // pyds 4 turns the timeout on when one is given
        Assert.Equal(new[] { ("a", "OUT", "INTEGER", "1"), ("b", "IN", "VARCHAR", "x") }, w.FindTask("closed")!.Parameters.Select(p => (p.Name, p.Direction, p.Type, p.Value)));
        Assert.Contains(set.Findings, f => f is { RuleId: "DeprecatedField", Severity: SpecSeverity.Information });
        Assert.Contains(set.Findings, f => f is { RuleId: "IgnoredField", Severity: SpecSeverity.Warning } && f.Message.Contains("'mystery'"));
        Assert.Contains(set.Findings, f => f is { RuleId: "UnsupportedField", Severity: SpecSeverity.Warning } && f.Message.Contains("cpu_quota"));
        Assert.Equal("{}", w.FindTask("closed")!.Params);
        // A definition that is a function is called after it (tasks/python.py).
        Assert.Equal("def main():\n    print(1)\nmain()", w.FindTask("py")!.Script);
        // A class pyds does not have is reported once (not again by validation).
        Assert.Single(set.Findings, f => f.RuleId == "UnknownTaskType");
        Assert.Single(set.Findings, f => f.Severity == SpecSeverity.Error);
    }

    [Fact]
    public void Condition_and_switch_relations_are_added_as_pyds_adds_them_even_when_tasks_come_later()
    {
        using var files = new SpecTestFiles();
        var set = SpecSources.LoadAndValidate(files.Write("w.yaml", """
            workflow: { name: w, project: p, param: { x: 1 } }
            tasks:
              - { name: sw, task_type: Switch, condition: [ { task: a, condition: "${x} > 1" }, { task: b } ] }
              - { name: c, task_type: Condition, success_task: ok, failed_task: ko, op: or, groups: [ { op: and, groups: [ { task: a, flag: yes }, { task: b, flag: false } ] } ] }
              - { name: a, task_type: Shell, command: a }
              - { name: b, task_type: Shell, command: b, deps: [sw] }
              - { name: ok, task_type: Shell, command: ok }
              - { name: ko, task_type: Shell, command: ko }
            """), SpecFormat.Auto, new SpecLoadOptions { EnvironmentVariables = _ => null });
        Assert.False(set.HasErrors, string.Join("\n", set.Findings));
        var w = set.Workflows.Single();
        Assert.Equal(new[] { "sw" }, w.FindTask("a")!.DependsOn);
        Assert.Equal(new[] { "sw" }, w.FindTask("b")!.DependsOn);   // given in deps too: one relation
        Assert.Equal(new[] { "a", "b" }, w.FindTask("c")!.DependsOn);
        Assert.Equal(new[] { "c" }, w.FindTask("ok")!.DependsOn);
        Assert.Equal(new[] { "c" }, w.FindTask("ko")!.DependsOn);
        // YAML 1.2 (as pyds reads it): 'yes' is text, which Python takes as true.
        Assert.Equal(new[] { "SUCCESS", "FAILURE" }, w.FindTask("c")!.Conditions!.Groups[0].Items.Select(i => i.Status));
        Assert.Equal("OR", w.FindTask("c")!.Conditions!.Relation);
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
