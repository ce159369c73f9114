using System.Runtime.CompilerServices;
using DsOps.Engine.Api;

namespace DsOps.Engine.Operations.Logs;

/// <summary>One line of a task instance's log, numbered from 1 as in the log file.</summary>
public sealed class DsTaskLogLine
{
    public int TaskInstanceId { get; init; }
    public string? Task { get; init; }
    public int LineNumber { get; init; }
    /// <summary>The line, with every secret value DsOps knows of masked.</summary>
    public string Text { get; init; } = "";
    public override string ToString() => Text;
}

/// <summary>Which task log to read and how much of it.</summary>
public sealed record TaskLogRequest
{
    public required int TaskInstanceId { get; init; }
    /// <summary>The owning project when known: older versions then use the project-scoped route.</summary>
    public long? ProjectCode { get; init; }
    /// <summary>Task name shown on the lines (optional).</summary>
    public string? Task { get; init; }
    /// <summary>Only the last N lines; null for the whole log.</summary>
    public int? Tail { get; init; }
    /// <summary>Lines per request; null for the dialect's page size.</summary>
    public int? PageLines { get; init; }
}

/// <summary>
/// Reads a task log page by page through DS's skipLineNum/limit paging and yields it line by line, so a huge log is never
/// held in memory: the whole log streams through, and -Tail keeps only its last N lines in a ring buffer.
/// DS prepends a "[LOG-PATH]: …, [HOST]: …" head to the first page; it is not a line of the file and is dropped
/// (the task's host and log path are on the task instance). Failures become errors with stable ids:
/// DsTaskLogUnavailable (DS 10103: the worker's log service could not be reached or could not read the file),
/// DsTaskLogNoHost (10191: the task was never dispatched to a worker), DsTaskInstanceNotFound (10008).
/// </summary>
internal static class TaskLogReader
{
    /// <summary>DS's status codes for log reads (docs/operations.md, "Task logs").</summary>
    public const int LogQueryErrorCode = 10103, TaskInstanceNotFoundCode = 10008, HostIsNullCode = 10191;

    public static async IAsyncEnumerable<DsTaskLogLine> ReadAsync(DsClient client, TaskLogRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        if (request.TaskInstanceId <= 0)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsInvalidTaskInstanceId", $"Task instance id {request.TaskInstanceId} is not valid (ids start at 1).");
        if (request.Tail is < 0)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsInvalidTail", "-Tail must be 0 or more lines.");
        var pageLines = request.PageLines ?? client.Dialect.TaskLogPageLines;
        if (pageLines < 1)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsInvalidPageSize", "The page size must be at least one line.");

        var tail = request.Tail is { } n ? new Queue<DsTaskLogLine>(Math.Min(n, 4096)) : null;
        if (tail is not null && request.Tail == 0) yield break;
        var skip = 0;
        var lineNumber = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var text = await PageAsync(client, request, skip, pageLines, cancellationToken).ConfigureAwait(false);
            var lines = SplitLines(text);
            var first = 0;
            if (skip == 0 && lines.Count > 0 && lines[0].StartsWith("[LOG-PATH]", StringComparison.Ordinal)) first = 1;
            var received = lines.Count - first;
            if (received <= 0) break;
            for (var i = first; i < lines.Count; i++)
            {
                var line = new DsTaskLogLine
                {
                    TaskInstanceId = request.TaskInstanceId, Task = request.Task, LineNumber = ++lineNumber,
                    Text = SecretRegistry.Redact(lines[i]),
                };
                if (tail is null)
                {
                    yield return line;
                    continue;
                }
                if (tail.Count == request.Tail) tail.Dequeue();
                tail.Enqueue(line);
            }
            skip += received;
        }
        if (tail is not null)
            while (tail.Count > 0) yield return tail.Dequeue();
    }

    private static async Task<string> PageAsync(DsClient client, TaskLogRequest request, int skip, int limit, CancellationToken ct)
    {
        try
        {
            return await client.GetTaskLogPageAsync(request.TaskInstanceId, request.ProjectCode, skip, limit, ct).ConfigureAwait(false);
        }
        catch (DsApiException ex) when (ex.DsCode is LogQueryErrorCode or HostIsNullCode or TaskInstanceNotFoundCode)
        {
            var who = request.Task is null ? $"task instance {request.TaskInstanceId}" : $"task '{request.Task}' (instance {request.TaskInstanceId})";
            var (kind, id, text) = ex.DsCode switch
            {
                LogQueryErrorCode => (DsErrorKind.Unavailable, "DsTaskLogUnavailable",
                    $"The log of {who} could not be read: DS could not reach the log service of the worker that ran it, or the worker " +
                    "no longer has the log file (worker down, restarted elsewhere, or log files cleaned up)."),
                HostIsNullCode => (DsErrorKind.InvalidState, "DsTaskLogNoHost",
                    $"{char.ToUpperInvariant(who[0])}{who[1..]} has no log yet: it was never dispatched to a worker."),
                _ => (DsErrorKind.NotFound, "DsTaskInstanceNotFound", $"Task instance {request.TaskInstanceId} does not exist."),
            };
            throw new DsApiException(kind, id, $"{text} (DS {ex.DsCode} {ex.DsStatusName}: {ex.DsMessage})", ex.Endpoint,
                ex.HttpStatus, ex.DsCode, ex.DsStatusName, ex.DsMessage, ex);
        }
    }

    /// <summary>Lines of a page: DS joins them with CR LF (a bare LF is accepted too); a final line break ends the last line.</summary>
    internal static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        if (string.IsNullOrEmpty(text)) return lines;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\n') continue;
            var end = i > start && text[i - 1] == '\r' ? i - 1 : i;
            lines.Add(text[start..end]);
            start = i + 1;
        }
        if (start < text.Length) lines.Add(text[start..].TrimEnd('\r'));
        return lines;
    }
}
