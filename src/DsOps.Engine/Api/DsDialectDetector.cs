using System.Text.Json;
using DsOps.Engine.Dialects;

namespace DsOps.Engine.Api;

/// <summary>
/// Detects the server's version from routes that exist only from some version on. DS answers an unmapped
/// path of an authenticated request with its UI's HTML (docs/ds-facts.md §0), which the reader reports as
/// <see cref="DsErrorKind.EndpointMissing"/>. Probes, newest first:
/// /ui-plugins/query-product-info (3.3+, returns the version), /monitor/MASTER (3.2.2),
/// /alert-groups/normal-list (3.2.1 and 3.2.2 only), /cluster/query-cluster-list (3.1+), otherwise 3.0.
/// Each probe requires authentication, so a bad token fails here with a clear error.
/// </summary>
public static class DsDialectDetector
{
    public static async Task<DsDialect> DetectAsync(DsClient client, CancellationToken ct)
    {
        // Before 3.3 this path falls into GET /ui-plugins/{id} and fails to convert the id (an error envelope),
        // so only a successful answer carrying a version counts.
        var info = await ProbeAsync(client, "ui-plugins/query-product-info", ct, businessErrorMeansPresent: false).ConfigureAwait(false);
        if (info is { ValueKind: JsonValueKind.Object } pi && pi.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String)
        {
            // 3.3-dev and 3.3.0-alpha report 3.3.0.
            try { return DsDialect.Parse(v.GetString()!); }
            catch (FormatException) { return DsDialect.V3_3; }
            catch (NotSupportedException) { return DsDialect.For(new Version(3, 4, 3)); }
        }
        if (await ProbeAsync(client, "monitor/MASTER", ct).ConfigureAwait(false) is not null) return DsDialect.V3_2;
        if (await ProbeAsync(client, "alert-groups/normal-list", ct).ConfigureAwait(false) is not null) return DsDialect.For(new Version(3, 2, 1));
        if (await ProbeAsync(client, "cluster/query-cluster-list", ct).ConfigureAwait(false) is not null) return DsDialect.V3_1;
        return DsDialect.V3_0;
    }

    /// <summary>When the version is given, still make one authenticated call so bad credentials fail at connect.</summary>
    public static Task VerifyAccessAsync(DsClient client, CancellationToken ct) =>
        client.GetPathAsync("projects/list", ct);

    private static async Task<JsonElement?> ProbeAsync(DsClient client, string path, CancellationToken ct, bool businessErrorMeansPresent = true)
    {
        try
        {
            return await client.GetPathAsync(path, ct).ConfigureAwait(false);
        }
        catch (DsApiException ex) when (ex.Kind == DsErrorKind.EndpointMissing || (!businessErrorMeansPresent && ex.Kind == DsErrorKind.Business))
        {
            return null;
        }
        catch (DsApiException ex) when (businessErrorMeansPresent && ex.Kind is DsErrorKind.Business or DsErrorKind.Permission)
        {
            // The route exists (DS answered with an envelope), even if this user may not use it.
            return default(JsonElement);
        }
    }
}
