using System.Text.Json;
using DsOps.Engine.Dialects;

namespace DsOps.Engine.Api;

/// <summary>
/// Detects the server's version from routes that exist only from some version on (the probes and what they prove
/// are facts of <see cref="DsDialect.VersionProbes"/>). DS answers an unmapped path of an authenticated request with
/// its UI's HTML (docs/ds-facts.md §0), which the reader reports as <see cref="DsErrorKind.EndpointMissing"/>.
/// Each probe requires authentication, so a bad token fails here with a clear error.
/// </summary>
internal static class DsDialectDetector
{
    public static async Task<DsDialect> DetectAsync(DsClient client, CancellationToken ct)
    {
        // Before 3.3 this path falls into GET /ui-plugins/{id} and fails to convert the id (an error envelope),
        // so only a successful answer carrying a version counts.
        var info = await ProbeAsync(client, DsDialect.ProductInfoPath, ct, businessErrorMeansPresent: false).ConfigureAwait(false);
        if (DsDialect.FromProductInfo(info) is { } reported)
            return reported;
        foreach (var probe in DsDialect.VersionProbes)
            if (await ProbeAsync(client, probe.Path, ct, probe.BusinessErrorMeansPresent).ConfigureAwait(false) is not null)
                return probe.Dialect;
        // Every probe missing fits 3.0, and also any web server that answers HTML to everything: 3.0 must still answer
        // a route every version maps with its envelope, or this is not DS at all.
        await VerifyAccessAsync(client, ct).ConfigureAwait(false);
        return DsDialect.V3_0;
    }

    /// <summary>When the version is given, still make one authenticated call so bad credentials fail at connect.</summary>
    public static Task VerifyAccessAsync(DsClient client, CancellationToken ct) =>
        client.GetPathAsync(DsDialect.AccessCheckPath, ct);

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
