using Xunit;
using System.Collections.Immutable;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Sources;
using DsOps.Testing;

namespace DsOps.Tests.Specs;

public class PlannerTests
{
    private static List<WorkflowSpec> Example() => SpecSources.Load(SpecTestFiles.ExampleFolder).Workflows.ToList();

    [Fact]
    public void Same_specs_plan_as_unchanged()
    {
        var plan = WorkflowPlanner.Plan(Example(), Example());
        Assert.False(plan.HasChanges);
        Assert.Equal(2, plan.Items.Count); // one item per workflow, no task items
        Assert.All(plan.Items, i => Assert.Equal(PlanAction.Unchanged, i.Action));
        Assert.Equal(plan.DesiredFingerprint, plan.CurrentFingerprint);
    }

    [Fact]
    public void Field_changes_create_and_delete_are_itemised()
    {
        var current = Example();
        var desired = Example();
        var daily = desired[0];
        desired[0] = daily with
        {
            Timeout = 60,
            Tasks = daily.Tasks.Where(t => t.Name != "cleanup")
                .Select(t => t.Name == "load" ? t with { Retries = 3, Script = "select 2" } : t)
                .Append(new TaskSpec("audit", "SHELL") { Script = "echo audit", DependsOn = ["load"] })
                .Select(t => t.Name == "check" ? t with { Conditions = t.Conditions! with { FailedTasks = ["audit"] } } : t)
                .ToImmutableArray(),
        };
        var plan = WorkflowPlanner.Plan(desired, current);
        var wf = plan.Items.First();
        Assert.Equal((PlanLevel.Workflow, PlanAction.Update), (wf.Level, wf.Action));
        Assert.Equal(new FieldChange("timeout", "0", "60"), Assert.Single(wf.Changes));
        var load = plan.Items.Single(i => i.Task == "load");
        Assert.Equal(PlanAction.Update, load.Action);
        Assert.Equal(new[] { "script", "retries" }, load.Changes.Select(c => c.Field));
        Assert.Equal(PlanAction.Create, plan.Items.Single(i => i.Task == "audit").Action);
        Assert.Equal(PlanAction.Delete, plan.Items.Single(i => i.Task == "cleanup").Action);
        Assert.Equal(PlanAction.Update, plan.Items.Single(i => i.Task == "check").Action);
        Assert.Equal(PlanAction.Unchanged, plan.Items.Single(i => i.Workflow == "weekly_report").Action);
        // deterministic order: workflow item first, then tasks by name
        Assert.Equal(new[] { null, "audit", "check", "cleanup", "load" }, plan.Items.Where(i => i.Workflow == "daily_sales").Select(i => i.Task));
    }

    [Fact]
    public void Explicit_renames_keep_identity_and_dependencies()
    {
        var current = Example();
        var desired = Example();
        var d = desired[0];
        desired[0] = d with
        {
            Name = "daily_sales_v2",
            RenamedFrom = "daily_sales",
            Tasks = d.Tasks.Select(t => t.Name switch
            {
                "extract" => t with { Name = "extract_orders", RenamedFrom = "extract" },
                "load" => t with { DependsOn = ["extract_orders"] },
                _ => t,
            }).ToImmutableArray(),
        };
        var plan = WorkflowPlanner.Plan(desired, current);
        var wf = plan.Items.Single(i => i.Level == PlanLevel.Workflow && i.Workflow == "daily_sales_v2");
        Assert.Equal((PlanAction.Rename, "daily_sales"), (wf.Action, wf.PreviousName));
        var task = plan.Items.Single(i => i.Task == "extract_orders");
        Assert.Equal((PlanAction.Rename, "extract"), (task.Action, task.PreviousName));
        Assert.Empty(task.Changes);
        Assert.DoesNotContain(plan.Items, i => i.Task == "load");               // dependency follows the rename
        Assert.DoesNotContain(plan.Items, i => i.Action == PlanAction.Delete);
    }

    [Fact]
    public void Deletes_need_prune_or_a_previous_apply()
    {
        var current = Example();
        var desired = Example().Take(1).ToList();
        Assert.DoesNotContain(WorkflowPlanner.Plan(desired, current).Items, i => i.Action == PlanAction.Delete);
        var pruned = WorkflowPlanner.Plan(desired, current, new PlanOptions { Prune = true });
        Assert.Equal(PlanAction.Delete, pruned.Items.Single(i => i.Level == PlanLevel.Workflow && i.Workflow == "weekly_report").Action);
        var state = new AppliedState();
        state.Record(current[1]);
        var managed = WorkflowPlanner.Plan(desired, current, new PlanOptions { State = state });
        Assert.Contains(managed.Items, i => i.Action == PlanAction.Delete && i.Workflow == "weekly_report" && i.Note!.Contains("applied by DsOps"));
    }

    [Fact]
    public void Server_edits_since_the_last_apply_are_flagged_as_drift()
    {
        var applied = Example();
        var state = new AppliedState();
        foreach (var w in applied) state.Record(w);
        var server = Example();
        server[0] = server[0] with { Description = "edited in the UI" };
        var plan = WorkflowPlanner.Plan(Example(), server, new PlanOptions { State = state });
        var wf = plan.Items.First();
        Assert.True(wf.Drift);
        Assert.Equal(PlanAction.Update, wf.Action);
        Assert.Equal("edited in the UI", wf.Changes.Single().Before);
        Assert.False(plan.Items.Single(i => i.Workflow == "weekly_report").Drift);
        Assert.True(plan.HasDrift);
    }

    [Fact]
    public void Plans_are_deterministic_whatever_the_input_order()
    {
        var a = WorkflowPlanner.Plan(Example(), Example().Take(1).ToList());
        var shuffled = Example();
        shuffled.Reverse();
        var b = WorkflowPlanner.Plan(shuffled.Select(w => w with { Tasks = w.Tasks.Reverse().ToImmutableArray() }).ToList(), Example().Take(1).ToList());
        Assert.Equal(PlanFile.Serialize(a), PlanFile.Serialize(b));
    }

    [Fact]
    public void Saved_plan_round_trips_masks_secrets_and_detects_a_stale_server()
    {
        var current = Example();
        var desired = Example();
        desired[1] = desired[1] with
        {
            Parameters = [new ParameterSpec("api_token", "s3cr3t-value")],
            Tasks = desired[1].Tasks.Add(new TaskSpec("call", "HTTP") { Params = "{\"httpParams\":[{\"prop\":\"Authorization\",\"httpParametersType\":\"HEADERS\",\"value\":\"Bearer abc.def\"}],\"url\":\"http://x\"}" }),
        };
        var plan = WorkflowPlanner.Plan(desired, current);
        var json = PlanFile.Serialize(plan, new PlanSource("specs", "Yaml", "PROD"));
        Assert.DoesNotContain("s3cr3t-value", json);
        Assert.DoesNotContain("Bearer abc.def", json);
        Assert.DoesNotContain("s3cr3t-value", string.Join("\n", plan.Items));

        var saved = PlanFile.Parse(json, "plan.json");
        Assert.Equal(plan.Items, saved.Items, new PlanItemComparer());
        Assert.Equal(("specs", "PROD"), (saved.Source!.Path, saved.Source.Environment));
        saved.VerifyCurrent(current);                      // unchanged server: fine
        saved.VerifyDesired(desired);
        var changed = Example();
        changed[0] = changed[0] with { Timeout = 5 };
        Assert.Equal("DsPlanStale", Assert.Throws<DsOps.Engine.DsOpsException>(() => saved.VerifyCurrent(changed)).ErrorId);
        Assert.Equal("DsPlanSpecsChanged", Assert.Throws<DsOps.Engine.DsOpsException>(() => saved.VerifyDesired(changed)).ErrorId);
    }

    private sealed class PlanItemComparer : IEqualityComparer<PlanItem>
    {
        public bool Equals(PlanItem? x, PlanItem? y) => x!.ToString() == y!.ToString() && x.Note == y.Note;
        public int GetHashCode(PlanItem obj) => obj.ToString().GetHashCode();
    }

    [Fact]
    public void No_change_plan_at_target_scale_has_one_unchanged_item_per_workflow()
    {
        // Speed and memory are measured by the plan-at-scale benchmark scenario (docs/workflows-as-config.md, "Performance"), not here.
        var plan = WorkflowPlanner.Plan(SyntheticWorkflows.Create(4000, 10), SyntheticWorkflows.Create(4000, 10));
        Assert.False(plan.HasChanges);
        Assert.Equal(4000, plan.Items.Count);
        Assert.All(plan.Items, i => Assert.Equal((PlanLevel.Workflow, PlanAction.Unchanged), (i.Level, i.Action)));
    }
}

public class SubWorkflowLoopTests
{
    [Fact]
    public void Sub_workflow_loops_across_workflows_are_reported_by_validation()
    {
        var a = new WorkflowSpec("p", "a", [new TaskSpec("t", "SUB_WORKFLOW") { SubWorkflow = "b" }]);
        var b = new WorkflowSpec("p", "b", [new TaskSpec("t", "SUB_WORKFLOW") { SubWorkflow = "a" }]);
        var f = Assert.Single(DsOps.Engine.Specs.Validation.SpecValidator.Validate(new[] { a, b }), x => x.RuleId == "SubWorkflowCycle");
        Assert.Contains("p/a -> p/b -> p/a", f.Message);
    }
}

public class PlannerReferenceTests
{
    [Fact]
    public void Deleting_a_task_another_workflow_waits_for_is_flagged()
    {
        var current = SpecSources.Load(SpecTestFiles.ExampleFolder).Workflows.ToList();
        var desired = current.ToList();
        // weekly_report now waits for task 'load' of daily_sales, which the desired daily_sales drops.
        var weekly = desired[1];
        var wait = weekly.FindTask("wait_sales")!;
        var item = wait.Dependence!.Groups[0].Items[0] with { Task = "load" };
        desired[1] = weekly with { Tasks = weekly.Tasks.Replace(wait, wait with { Dependence = wait.Dependence with { Groups = [new DependGroupSpec("AND", [item])] } }) };
        desired[0] = desired[0] with { Tasks = desired[0].Tasks.Where(t => t.Name != "load").ToImmutableArray() };
        var plan = WorkflowPlanner.Plan(desired, current);
        var delete = plan.Items.Single(i => i.Action == PlanAction.Delete && i.Task == "load");
        Assert.Contains("still referenced by analytics/weekly_report/wait_sales", delete.Note);
    }
}

public class PlanFileErrorTests
{
    [Theory]
    [InlineData("not json")]
    [InlineData("{\"formatVersion\":\"one\"}")]
    [InlineData("{\"formatVersion\":1,\"items\":[{\"level\":\"Galaxy\",\"action\":\"Create\",\"project\":\"p\",\"workflow\":\"w\"}],\"currentFingerprint\":\"a\",\"desiredFingerprint\":\"b\"}")]
    [InlineData("{\"formatVersion\":1,\"currentFingerprint\":\"a\",\"desiredFingerprint\":\"b\"}")]
    public void Broken_plan_files_fail_with_one_clear_error(string json)
    {
        var ex = Assert.Throws<DsOps.Engine.DsOpsException>(() => PlanFile.Parse(json, "plan.json"));
        Assert.Equal("DsPlanFileInvalid", ex.ErrorId);
        Assert.Contains("'plan.json'", ex.Message);
    }
}

public class SecretRedactorTests
{
    [Theory]
    [InlineData("db_password", true)]
    [InlineData("API_KEY", true)]
    [InlineData("Authorization", true)]
    [InlineData("x-auth-token", true)]
    [InlineData("db.pass", true)]
    [InlineData("author", false)]
    [InlineData("bypass_cache", false)]
    [InlineData("bizdate", false)]
    public void Sensitive_names(string name, bool sensitive) => Assert.Equal(sensitive, SecretRedactor.IsSensitive(name));

    [Fact]
    public void Json_values_under_sensitive_keys_and_header_items_are_masked()
    {
        var json = "{\"password\":\"p1\",\"nested\":{\"token\":\"t1\",\"keep\":\"k\"},\"httpParams\":[{\"prop\":\"Authorization\",\"value\":\"Bearer x\"},{\"prop\":\"date\",\"value\":\"d\"}]}";
        var masked = SecretRedactor.RedactJson(json);
        Assert.DoesNotContain("p1", masked);
        Assert.DoesNotContain("t1", masked);
        Assert.DoesNotContain("Bearer x", masked);
        Assert.Contains("\"keep\":\"k\"", masked);
        Assert.Contains("\"value\":\"d\"", masked);
    }
}
