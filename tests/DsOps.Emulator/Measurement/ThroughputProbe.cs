using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace DsOps.Emulator.Measurement;

/// <summary>Timings of one probe run (simulated DS cost, so benchmarks can subtract the emulator's share).</summary>
public sealed record ThroughputReport(int Workflows, int TasksPerWorkflow, TimeSpan Create, TimeSpan ListAll, int ListPages, TimeSpan ListFirstPage, long Requests)
{
    public double CreatesPerSecond => Workflows / Create.TotalSeconds;
    public double ListPagesPerSecond => ListPages / ListAll.TotalSeconds;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Workflows} workflows x {TasksPerWorkflow} tasks: create {Create.TotalSeconds:F1} s ({CreatesPerSecond:F0}/s, {Create.TotalMilliseconds / Workflows:F1} ms each); " +
        $"list all {ListPages} pages of 100 in {ListAll.TotalSeconds:F1} s ({ListAll.TotalMilliseconds / ListPages:F0} ms/page); first page {ListFirstPage.TotalMilliseconds:F0} ms; {Requests} requests");
}

/// <summary>
/// Measures the emulator's own throughput over HTTP: N workflows of T tasks created through the API the way a
/// client does it (gen-task-codes, then create), then every page of the definition list read back.
/// </summary>
public static class ThroughputProbe
{
    public static async Task<ThroughputReport> RunAsync(DsEmulator emu, int workflows, int tasksPerWorkflow = 10, int parallelism = 4, Action<string>? progress = null)
    {
        using var http = new HttpClient { BaseAddress = emu.BaseUri, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Add("token", emu.AdminToken);
        var requestsBefore = emu.RequestLog.Total;

        var project = await PostAsync(http, "projects", new() { ["projectName"] = "scale-" + Guid.NewGuid().ToString("N")[..8] }).ConfigureAwait(false);
        var projectCode = project["code"]!.GetValue<long>();
        var wf = $"projects/{projectCode}/{emu.Dialect.WorkflowDefinitionSegment}";

        var sw = Stopwatch.StartNew();
        var next = -1;
        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < workflows)
            {
                var codes = (await GetAsync(http, $"projects/{projectCode}/task-definition/gen-task-codes?genNum={tasksPerWorkflow}").ConfigureAwait(false))
                    .AsArray().Select(x => x!.GetValue<long>()).ToArray();
                var tasks = new JsonArray();
                var rels = new JsonArray();
                for (var t = 0; t < codes.Length; t++)
                {
                    tasks.Add(new JsonObject
                    {
                        ["code"] = codes[t], ["version"] = 0, ["name"] = $"task_{t}", ["description"] = "", ["taskType"] = "SHELL",
                        ["taskParams"] = new JsonObject { ["localParams"] = new JsonArray(), ["rawScript"] = $"echo {i}-{t}", ["resourceList"] = new JsonArray() },
                        ["flag"] = "YES", ["taskPriority"] = "MEDIUM", ["workerGroup"] = "default", ["environmentCode"] = -1, ["failRetryTimes"] = 0,
                        ["failRetryInterval"] = 1, ["timeoutFlag"] = "CLOSE", ["timeout"] = 0, ["delayTime"] = 0, ["taskGroupId"] = 0, ["taskGroupPriority"] = 0,
                    });
                    rels.Add(new JsonObject
                    {
                        ["name"] = "", ["preTaskCode"] = t == 0 ? 0 : codes[t - 1], ["preTaskVersion"] = 0, ["postTaskCode"] = codes[t], ["postTaskVersion"] = 0,
                        ["conditionType"] = "NONE", ["conditionParams"] = new JsonObject(),
                    });
                }
                var form = new Dictionary<string, string>
                {
                    ["name"] = $"wf_{i:D5}", ["description"] = "", ["globalParams"] = "[]", ["timeout"] = "0", ["executionType"] = "PARALLEL",
                    ["taskDefinitionJson"] = tasks.ToJsonString(), ["taskRelationJson"] = rels.ToJsonString(),
                };
                if (emu.Dialect.TenantOnWorkflowDefinition) form["tenantCode"] = "default";
                await PostAsync(http, wf, form).ConfigureAwait(false);
                if ((i + 1) % 500 == 0) progress?.Invoke($"created {i + 1}/{workflows} ({sw.Elapsed.TotalSeconds:F1} s)");
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, parallelism)).Select(_ => Worker())).ConfigureAwait(false);
        var create = sw.Elapsed;

        sw.Restart();
        await GetAsync(http, $"{wf}?pageNo=1&pageSize=100").ConfigureAwait(false);
        var first = sw.Elapsed;
        sw.Restart();
        var pages = 0;
        long seen = 0;
        for (var page = 1; ; page++)
        {
            var data = await GetAsync(http, $"{wf}?pageNo={page}&pageSize=100").ConfigureAwait(false);
            pages++;
            seen += data["totalList"]!.AsArray().Count;
            if (page >= data["totalPage"]!.GetValue<int>()) break;
        }
        var listAll = sw.Elapsed;
        if (seen != workflows) throw new InvalidOperationException($"listed {seen} workflows, created {workflows}");
        return new ThroughputReport(workflows, tasksPerWorkflow, create, listAll, pages, first, emu.RequestLog.Total - requestsBefore);
    }

    private static async Task<JsonNode> PostAsync(HttpClient http, string path, Dictionary<string, string> form)
    {
        using var res = await http.PostAsync(path, new FormUrlEncodedContent(form)).ConfigureAwait(false);
        return Data(await res.Content.ReadAsStringAsync().ConfigureAwait(false), path);
    }

    private static async Task<JsonNode> GetAsync(HttpClient http, string path) => Data(await http.GetStringAsync(path).ConfigureAwait(false), path);

    private static JsonNode Data(string body, string path)
    {
        var env = JsonNode.Parse(body)!.AsObject();
        if (env["code"]!.GetValue<int>() != 0) throw new InvalidOperationException($"{path}: {body}");
        return env["data"]!;
    }
}
