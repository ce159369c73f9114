using System.Text.Json.Nodes;

namespace DsOps.Emulator.Tests;

/// <summary>Builds DS requests the way DsOps (or the UI) sends them, per dialect.</summary>
public sealed class Scenario(DsTestClient c)
{
    public string Wf => "projects/{0}/" + c.Dialect.WorkflowDefinitionSegment;

    public async Task<long> CreateProjectAsync(string name = "etl")
    {
        var data = DsTestClient.Ok(await c.PostAsync("projects", new { projectName = name, description = "d" }))!;
        return data["code"]!.GetValue<long>();
    }

    public async Task<long[]> GenCodesAsync(long project, int n)
    {
        var data = DsTestClient.Ok(await c.GetAsync($"projects/{project}/task-definition/gen-task-codes", new { genNum = n }))!.AsArray();
        return data.Select(x => x!.GetValue<long>()).ToArray();
    }

    public static JsonObject ShellTask(long code, string name, string script, int retries = 0) => new()
    {
        ["code"] = code, ["version"] = 0, ["name"] = name, ["description"] = "", ["taskType"] = "SHELL",
        ["taskParams"] = new JsonObject { ["localParams"] = new JsonArray(), ["rawScript"] = script, ["resourceList"] = new JsonArray() },
        ["flag"] = "YES", ["taskPriority"] = "MEDIUM", ["workerGroup"] = "default", ["environmentCode"] = -1,
        ["failRetryTimes"] = retries, ["failRetryInterval"] = 1, ["timeoutFlag"] = "CLOSE", ["timeoutNotifyStrategy"] = null,
        ["timeout"] = 0, ["delayTime"] = 0, ["taskGroupId"] = 0, ["taskGroupPriority"] = 0,
    };

    public static JsonObject Edge(long pre, long post) => new()
    {
        ["name"] = "", ["preTaskCode"] = pre, ["preTaskVersion"] = 0, ["postTaskCode"] = post, ["postTaskVersion"] = 0,
        ["conditionType"] = "NONE", ["conditionParams"] = new JsonObject(),
    };

    /// <summary>Form for create/update: adds tenantCode where the dialect wants it (3.0).</summary>
    public Dictionary<string, string> WorkflowForm(string name, JsonArray tasks, JsonArray relations, string? description = null)
    {
        var form = new Dictionary<string, string>
        {
            ["name"] = name, ["description"] = description ?? "", ["globalParams"] = "[]", ["locations"] = "[]", ["timeout"] = "0",
            ["taskDefinitionJson"] = tasks.ToJsonString(), ["taskRelationJson"] = relations.ToJsonString(), ["executionType"] = "PARALLEL",
        };
        if (c.Dialect.TenantOnWorkflowDefinition) form["tenantCode"] = "default";
        return form;
    }

    /// <summary>A chain a → b → … of shell tasks with the given scripts; returns (workflow code, task codes).</summary>
    public async Task<(long Code, long[] Tasks)> CreateChainAsync(long project, string name, params string[] scripts)
    {
        var codes = await GenCodesAsync(project, scripts.Length);
        var tasks = new JsonArray();
        var rels = new JsonArray();
        for (var i = 0; i < scripts.Length; i++)
        {
            tasks.Add(ShellTask(codes[i], $"t{i}", scripts[i]));
            rels.Add(Edge(i == 0 ? 0 : codes[i - 1], codes[i]));
        }
        var data = DsTestClient.Ok(await c.PostAsync(string.Format(Wf, project), WorkflowForm(name, tasks, rels)))!;
        return (data["code"]!.GetValue<long>(), codes);
    }

    public async Task ReleaseAsync(long project, long code, string state) =>
        DsTestClient.Ok(await c.PostAsync(string.Format(Wf, project) + $"/{code}/release", new { releaseState = state }));
}
