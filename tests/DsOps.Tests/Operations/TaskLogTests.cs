using DsOps.Emulator;
using DsOps.Engine;
using DsOps.Engine.Api;
using DsOps.Engine.Models;
using DsOps.Engine.Operations.Logs;
using DsOps.Tests.Api;
using DsOps.Tests.Hosting;
using Xunit;

namespace DsOps.Tests.Operations;

/// <summary>Get-DsTaskLog against the emulator of each dialect: whole log, tail, paging, pipeline input, masking, unreachable worker.</summary>
public sealed class TaskLogTests : IAsyncLifetime
{
    private const string Secret = "tl-s3cret-Zq81";
    private readonly HostedEngine _engine = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dsops-logs-" + Guid.NewGuid().ToString("N")[..8]);

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "logs.yaml"), $$"""
            project: logs
            workflows:
              - name: chatty
                tasks:
                  - name: big
                    type: SHELL
                    script: |
                      echo starting
                      # log-lines 2345
                      echo done
                  - name: leaky
                    type: SHELL
                    dependsOn: [big]
                    script: echo password={{Secret}}
            """);
        SecretRegistry.Register(Secret);
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("3.0")]
    [InlineData("3.2")]
    [InlineData("3.3")]
    public async Task Logs_are_read_whole_by_tail_and_in_pages_and_an_unreachable_worker_is_a_stable_error(string dialect)
    {
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect, ClockStart = new DateTime(2024, 3, 1, 8, 0, 0) });
        var c = _engine.Run("Connect-DsServer", new { Uri = emu.BaseUri, Token = DsClientTests.Secure(emu.AdminToken) }).Objects<DsConnection>().Single();
        Assert.Empty(_engine.Run("Sync-DsWorkflow", new { Path = _dir, NoState = true }).Errors);
        var workflow = _engine.Script("Get-DsProject -Name logs | Get-DsWorkflow").Objects<DsWorkflow>().Single();
        using (var http = new HttpClient { BaseAddress = emu.BaseUri })
        {
            http.DefaultRequestHeaders.Add("token", emu.AdminToken);
            var form = new Dictionary<string, string>
            {
                [c.Dialect.WorkflowCodeParameter] = workflow.WorkflowCode.ToString(), ["scheduleTime"] = "", ["failureStrategy"] = "END", ["warningType"] = "NONE",
            };
            using var start = await http.PostAsync($"projects/{workflow.ProjectCode}/executors/{c.Dialect.StartWorkflowAction}", new FormUrlEncodedContent(form));
            Assert.Contains("\"code\":0", await start.Content.ReadAsStringAsync());
        }
        await emu.RunUntilIdleAsync();
        var tasks = _engine.Run("Get-DsTaskInstance", new { Project = "logs" }).Objects<DsTaskInstance>();
        var big = tasks.Single(t => t.Name == "big");

        // Whole log: worker lines, 3 script lines, "starting", 2345 output lines, "done", 2 exit lines; numbered 1..N.
        var whole = _engine.Run("Get-DsTaskLog", new { TaskInstanceId = big.TaskInstanceId }).Objects<DsTaskLogLine>();
        Assert.Equal(2 + 3 + 1 + 2345 + 1 + 2, whole.Count);
        Assert.Equal(Enumerable.Range(1, whole.Count), whole.Select(l => l.LineNumber));
        Assert.Equal("starting", whole[5].Text);
        Assert.Equal("output line 1 of 2345", whole[6].Text);
        Assert.Equal("output line 2345 of 2345", whole[2350].Text);
        Assert.DoesNotContain(whole, l => l.Text.StartsWith("[LOG-PATH]", StringComparison.Ordinal));

        // Paging: pages of 7 lines give the same text; requests = one per page plus the empty page that ends the log.
        emu.RequestLog.Reset();
        var paged = _engine.Run("Get-DsTaskLog", new { TaskInstanceId = big.TaskInstanceId, PageLines = 7 }).Objects<DsTaskLogLine>();
        Assert.Equal(whole.Select(l => l.Text), paged.Select(l => l.Text));
        Assert.Equal((whole.Count + 6) / 7 + 1, emu.RequestLog.ByRoute.Where(r => r.Key.Contains("/log/", StringComparison.Ordinal)).Sum(r => r.Value));

        // Tail: the last 4 lines with their real line numbers.
        var tail = _engine.Run("Get-DsTaskLog", new { TaskInstanceId = big.TaskInstanceId, Tail = 4, PageLines = 500 }).Objects<DsTaskLogLine>();
        Assert.Equal(whole.TakeLast(4).Select(l => (l.LineNumber, l.Text)), tail.Select(l => (l.LineNumber, l.Text)));

        // From the pipeline, with the project: the project-scoped route before 3.4.2; -Raw writes strings. The secret is masked.
        emu.RequestLog.Reset();
        var piped = _engine.Script("Get-DsTaskInstance -Project logs -TaskName leaky | Get-DsTaskLog -Raw");
        Assert.Empty(piped.Errors);
        var text = piped.Output.Select(o => o.BaseObject).OfType<string>().ToList();
        Assert.Contains("password=***", text);
        Assert.DoesNotContain(Secret, string.Join("\n", text), StringComparison.Ordinal);
        Assert.Contains(emu.RequestLog.ByRoute.Keys, k => k.StartsWith("GET /log/{projectCode}/detail", StringComparison.Ordinal));

        // The worker's log server is down: DS answers 10103; one stable error per task, the pipeline goes on.
        emu.Cluster.Nodes.Single(n => n.Name == "worker-1").Registered = false;
        var down = _engine.Script("Get-DsTaskInstance -Project logs | Get-DsTaskLog -Tail 1");
        Assert.Equal(2, down.Errors.Count);
        Assert.All(down.Errors, e => Assert.StartsWith("DsTaskLogUnavailable,", e.FullyQualifiedErrorId));
        Assert.All(down.Errors, e => Assert.Equal(System.Management.Automation.ErrorCategory.ResourceUnavailable, e.CategoryInfo.Category));
        Assert.Contains("10103", down.Errors[0].Exception.Message);
        emu.Cluster.Nodes.Single(n => n.Name == "worker-1").Registered = true;

        // An id that does not exist.
        var missing = _engine.Run("Get-DsTaskLog", new { TaskInstanceId = 999_999 });
        Assert.StartsWith("DsTaskInstanceNotFound,", Assert.Single(missing.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Pages_split_on_crlf_and_lf_and_keep_empty_lines()
    {
        Assert.Equal(new[] { "a", "", "b", "c" }, TaskLogReader.SplitLines("a\r\n\r\nb\nc\r\n"));
        Assert.Empty(TaskLogReader.SplitLines(""));
        Assert.Equal(new[] { "x" }, TaskLogReader.SplitLines("x"));
    }

    public Task DisposeAsync()
    {
        _engine.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
