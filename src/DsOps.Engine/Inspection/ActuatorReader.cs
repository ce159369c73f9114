using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using DsOps.Engine.Api;

namespace DsOps.Engine.Inspection;

/// <summary>What a node's /actuator/health said: the overall status and each component's.</summary>
internal sealed record ActuatorHealth(string Status, IReadOnlyDictionary<string, string> Components, string? Error)
{
    public bool IsUp => string.Equals(Status, "UP", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Reads Spring Boot actuator endpoints of DS services (unauthenticated in every 3.x release; docs/inspection.md).
/// Requests go through DsOps's one HTTP pipeline without any DS token (the token must not reach other ports),
/// with a short per-attempt timeout and no retries, so a dead node costs one timeout, not a back-off series.
/// </summary>
internal sealed class ActuatorReader : IDisposable
{
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);
    private readonly DsHttpOptions _options;
    private readonly string _scheme;

    public ActuatorReader(TimeSpan timeout, string scheme = "http", bool skipCertificateCheck = false)
    {
        _options = new DsHttpOptions { Timeout = timeout, MaxRetries = 0, SkipCertificateCheck = skipCertificateCheck };
        _scheme = scheme;
    }

    public DsRequestStatistics Statistics { get; } = new();

    /// <summary>The actuator base of a node: /actuator on the service port; the API server's is under /dolphinscheduler.</summary>
    public Uri BaseOf(DsExpectedNode node) =>
        new($"{_scheme}://{node.Host}:{node.ActuatorPort.ToString(CultureInfo.InvariantCulture)}{(node.Role == DsNodeRole.Api ? "/dolphinscheduler" : "")}/actuator/");

    private HttpClient Client(Uri baseUri) =>
        _clients.GetOrAdd(baseUri.ToString(), _ => DsHttpPipeline.Create(baseUri, _options, auth: null, Statistics));

    public async Task<ActuatorHealth> GetHealthAsync(DsExpectedNode node, CancellationToken ct)
    {
        var baseUri = BaseOf(node);
        try
        {
            using var response = await Client(baseUri).GetAsync("health", ct).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            // Spring answers 200 for UP and 503 for DOWN/OUT_OF_SERVICE, with the same JSON shape.
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                var status = root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "UNKNOWN";
                var components = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                if (root.TryGetProperty("components", out var c) && c.ValueKind == JsonValueKind.Object)
                    foreach (var p in c.EnumerateObject())
                        components[p.Name] = p.Value.TryGetProperty("status", out var cs) && cs.ValueKind == JsonValueKind.String ? cs.GetString()! : "UNKNOWN";
                return new ActuatorHealth(status, components, null);
            }
            catch (JsonException)
            {
                return new ActuatorHealth("UNKNOWN", new Dictionary<string, string>(), $"HTTP {(int)response.StatusCode}, not actuator JSON");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new ActuatorHealth("UNREACHABLE", new Dictionary<string, string>(), Describe(ex));
        }
    }

    /// <summary>Maximum heap in MB from /actuator/metrics/jvm.memory.max?tag=area:heap, or null when not readable.</summary>
    public async Task<double?> GetMaxHeapMBAsync(DsExpectedNode node, CancellationToken ct)
    {
        try
        {
            using var response = await Client(BaseOf(node)).GetAsync("metrics/jvm.memory.max?tag=area:heap", ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return null;
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
            if (!doc.RootElement.TryGetProperty("measurements", out var m) || m.ValueKind != JsonValueKind.Array) return null;
            foreach (var x in m.EnumerateArray())
                if (x.TryGetProperty("statistic", out var st) && st.GetString() == "VALUE" && x.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number)
                    return Math.Round(v.GetDouble() / (1024 * 1024), 1);
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or Polly.Timeout.TimeoutRejectedException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private static string Describe(Exception ex) => ex switch
    {
        Polly.Timeout.TimeoutRejectedException or TaskCanceledException => "no answer within the timeout",
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "connection refused or host unreachable",
        HttpRequestException h => h.HttpRequestError.ToString(),
        _ => ex.GetType().Name,
    };

    public void Dispose()
    {
        foreach (var c in _clients.Values) c.Dispose();
        _clients.Clear();
    }
}
