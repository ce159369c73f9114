using System.Text.Json;

namespace DsOps.Engine.Api;

// One page of a task log (GET log/detail or log/{projectCode}/detail; docs/operations.md, "Task logs").
internal sealed partial class DsClient
{
    /// <summary>
    /// Up to <paramref name="limit"/> lines of a task log after skipping <paramref name="skipLineNum"/> lines, as the text
    /// DS returns: <c>data</c> is the text itself (the project-scoped route) or an object with <c>lineNum</c> and
    /// <c>message</c> (log/detail from 3.1 on). Empty text means the end of the log.
    /// </summary>
    public async Task<string> GetTaskLogPageAsync(int taskInstanceId, long? projectCode, int skipLineNum, int limit, CancellationToken ct = default)
    {
        var path = Dialect.TaskLogDetailPath(projectCode);
        var endpoint = "GET " + path;
        var data = await CallForJsonAsync(endpoint, (api, t) => api.QueryTaskLog(path, taskInstanceId, skipLineNum, limit, t), ct).ConfigureAwait(false);
        return data.ValueKind switch
        {
            JsonValueKind.String => data.GetString() ?? "",
            JsonValueKind.Object when data.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String => m.GetString() ?? "",
            JsonValueKind.Object when data.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Null => "",
            JsonValueKind.Null or JsonValueKind.Undefined => "",
            _ => throw new DsApiException(DsErrorKind.InvalidResponse, "DsInvalidResponse",
                $"{endpoint} answered a log page that is neither text nor an object with 'message'; DsOps cannot read it.", endpoint),
        };
    }
}
