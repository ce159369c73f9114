using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DsOps.Emulator.Hosting;
using DsOps.Emulator.Storage;

namespace DsOps.Emulator.Api;

/// <summary>
/// Task logs (LoggerController; docs/operations.md, "Task logs"). A task instance's log is derived from its row and its
/// script, so it is the same on every read: a few worker lines, one line per script line, the text of each
/// <c>echo</c>, <c>N</c> numbered output lines for a <c># log-lines N</c> comment, and the exit lines once the task has
/// finished. Paging is DS's: skip lines, then at most <c>limit</c> lines joined with CR LF, with the
/// "[LOG-PATH]: …, [HOST]: …" head DS prepends when nothing is skipped.
/// The log server is unreachable (DS's 10103 QUERY_TASK_INSTANCE_LOG_ERROR) when the task ran on a host that is not an
/// emulated worker (generated history uses 10.0.1.x) or on a worker switched off with
/// POST /emulator/nodes/{worker}?registered=false.
/// </summary>
public static partial class LogsApi
{
    [GeneratedRegex(@"^\s*echo\s+(.*)$")]
    private static partial Regex EchoPattern();

    [GeneratedRegex(@"^\s*#\s*log-lines\s+(\d+)\s*$")]
    private static partial Regex LogLinesPattern();

    public static void Register(EmulatorContext ctx, HandlerTable t)
    {
        t.Map("GET", "/log/detail", r => DetailAsync(ctx, r, null));
        t.Map("GET", "/log/download-log", r => DownloadAsync(ctx, r, null));
        if (ctx.Dialect.HasProjectScopedLogRoutes)
        {
            t.Map("GET", "/log/{projectCode}/detail", r => DetailAsync(ctx, r, r.PathLong(0)));
            t.Map("GET", "/log/{projectCode}/download-log", r => DownloadAsync(ctx, r, r.PathLong(0)));
        }
    }

    private static async Task<object?> DetailAsync(EmulatorContext ctx, DsRequest r, long? projectCode)
    {
        var id = (int)r.Long("taskInstanceId");
        var skip = Math.Max(0, (int)r.Long("skipLineNum"));
        var limit = (int)r.Long("limit");
        if (!r.Has("skipLineNum") || !r.Has("limit")) throw new DsBindingException("Required request parameter 'skipLineNum'/'limit' is not present");
        var (task, lines) = await LogOfAsync(ctx, id, projectCode).ConfigureAwait(false);
        var text = new StringBuilder();
        if (skip == 0) text.Append(Head(task)).Append("\r\n");
        foreach (var line in lines.Skip(skip).Take(Math.Max(limit, 0))) text.Append(line).Append("\r\n");
        var message = text.ToString();
        // The project-scoped route answers the text itself; log/detail answers {lineNum, message} from 3.1 on (3.0.1's
        // shape is unverified; the emulator answers text there).
        if (projectCode is not null || !ctx.V32Plus) return JsonValue.Create(message);
        return new JsonObject { ["lineNum"] = message.Split("\r\n").Length, ["message"] = message };
    }

    private static async Task<object?> DownloadAsync(EmulatorContext ctx, DsRequest r, long? projectCode)
    {
        var id = (int)r.Long("taskInstanceId");
        var (task, lines) = await LogOfAsync(ctx, id, projectCode).ConfigureAwait(false);
        return new RawReply("application/octet-stream", Head(task) + "\r\n" + string.Concat(lines.Select(l => l + "\r\n")),
            ctx.Now.Ticks.ToString(CultureInfo.InvariantCulture) + ".log");
    }

    private static string Head(Row task) => $"[LOG-PATH]: {task.Str("log_path")}, [HOST]: {task.Str("host")}";

    /// <summary>The task's whole log, or DS's error for a missing task, a task without a host, an unreachable log server.</summary>
    internal static async Task<(Row Task, List<string> Lines)> LogOfAsync(EmulatorContext ctx, int taskInstanceId, long? projectCode)
    {
        var task = await ctx.Db.QuerySingleAsync(
            "SELECT ti.*, tl.task_params AS definition_params, tl.project_code AS definition_project FROM t_ds_task_instance ti " +
            "LEFT JOIN t_ds_task_definition_log tl ON tl.code = ti.task_code AND tl.version = ti.task_definition_version WHERE ti.id = @id",
            new { id = taskInstanceId }).ConfigureAwait(false) ?? throw new DsServiceException(10008);
        if (projectCode is { } p && task.Long("definition_project") != p) throw new DsServiceException(10008);
        var host = task.Str("host");
        if (string.IsNullOrWhiteSpace(host)) throw new DsServiceException(10191);
        var worker = ctx.Cluster.Nodes.FirstOrDefault(n => n.Role == Cluster.EmulatedRole.Worker && n.Address == host);
        if (worker is not { Registered: true })
            throw new DsServiceException(10103, $"failed to connect to the log server {host}");
        return (task, Render(ctx, task));
    }

    private static List<string> Render(EmulatorContext ctx, Row task)
    {
        var lines = new List<string>();
        var start = task.Date("start_time") ?? task.Date("submit_time") ?? DateTime.MinValue;
        string Stamp(DateTime at) => "[INFO] " + at.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + " - ";
        lines.Add(Stamp(task.Date("submit_time") ?? start) + $"Begin to pull task: {task.Str("name")} ({task.Str("task_type")})");
        if (task.Date("start_time") is null) return lines;
        lines.Add(Stamp(start) + $"Task {task.Str("name")} started on {task.Str("host")}, execute path {task.Str("execute_path")}");
        var script = "";
        try
        {
            if (JsonNode.Parse(task.Str("definition_params") ?? task.Str("task_params") ?? "{}") is JsonObject o)
                script = (o["rawScript"] ?? o["sql"])?.GetValue<string>() ?? "";
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException) { }
        var scriptLines = script.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        foreach (var line in scriptLines) lines.Add(Stamp(start) + "-> " + line);
        foreach (var line in scriptLines)
        {
            if (EchoPattern().Match(line) is { Success: true } echo) lines.Add(echo.Groups[1].Value.Trim('"', '\''));
            else if (LogLinesPattern().Match(line) is { Success: true } many)
            {
                var n = int.Parse(many.Groups[1].Value, CultureInfo.InvariantCulture);
                for (var k = 1; k <= n; k++) lines.Add($"output line {k} of {n}");
            }
        }
        if (task.Date("end_time") is { } end)
        {
            var failed = Engine.Dialects.DsDialect.IsFailure(ctx.Dialect.StateOf(task.Int("state"), Engine.Dialects.DsStateScope.Task));
            lines.Add(Stamp(end) + $"process has exited, exit status code: {(failed ? 1 : 0)}");
            lines.Add(Stamp(end) + "FINALIZE_SESSION");
        }
        return lines;
    }
}
