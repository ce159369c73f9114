using System.Text.Json;

namespace DsOps.Engine.Dialects;

/// <summary>
/// A route that exists from <see cref="Dialect"/>'s version on and not before: if the server maps it, it is at least
/// that version. <see cref="BusinessErrorMeansPresent"/>: whether an error envelope proves the route exists (false where
/// an older version answers the same path through another route with an error).
/// </summary>
internal sealed record DsVersionProbe(string Path, DsDialect Dialect, bool BusinessErrorMeansPresent = true);

// How the API tells versions apart (docs/ds-facts.md §9 and docs/ds-facts.md "Version detection").
public sealed partial class DsDialect
{
    /// <summary>
    /// Version probes below 3.3, newest first (3.3+ names its version at /ui-plugins/query-product-info):
    /// /monitor/MASTER is new in 3.2.2; /alert-groups/normal-list in 3.2.1; the project-parameter controller in 3.2.0
    /// (it is missing from 3.1.9; any project code works, an unknown one gives an error envelope, a 3.1 server
    /// its UI page); /cluster/query-cluster-list in 3.1. No probe answering means 3.0.
    /// The project-parameter probe was added because probing normal-list alone took a 3.2.0 server for 3.1.
    /// </summary>
    internal static readonly IReadOnlyList<DsVersionProbe> VersionProbes = new[]
    {
        new DsVersionProbe("monitor/MASTER", V3_2),
        new DsVersionProbe("alert-groups/normal-list", For(new Version(3, 2, 1))),
        new DsVersionProbe("projects/0/project-parameter/0", For(new Version(3, 2, 0))),
        new DsVersionProbe("cluster/query-cluster-list", V3_1),
    };

    /// <summary>The route that reports the version (3.3+). Before 3.3 it falls into GET /ui-plugins/{id} and answers an error envelope.</summary>
    public const string ProductInfoPath = "ui-plugins/query-product-info";

    /// <summary>The key of the product-info answer (its envelope's data) that names the release (docs/ds-facts.md §0).</summary>
    internal const string ProductInfoVersionKey = "version";

    /// <summary>
    /// The dialect a product-info answer names, or null when it names none: only an object carrying a string version
    /// counts, since a pre-3.3 server may answer the same path with something else (docs/ds-facts.md §0).
    /// </summary>
    internal static DsDialect? FromProductInfo(JsonElement? answer) =>
        answer is { ValueKind: JsonValueKind.Object } info && info.TryGetProperty(ProductInfoVersionKey, out var v) && v.ValueKind == JsonValueKind.String
            ? FromReportedVersion(v.GetString()!)
            : null;

    /// <summary>
    /// A route every version maps with its envelope (docs/ds-facts.md §3.1): answering it proves the credentials work and
    /// that the server is DS, where every version probe came back missing or the version was given.
    /// </summary>
    internal const string AccessCheckPath = "projects/list";

    /// <summary>
    /// The dialect for the version text product-info reports. 3.3-dev and 3.3.0-alpha report 3.3.0; a version
    /// newer than DsOps knows is treated as the newest known line.
    /// </summary>
    public static DsDialect FromReportedVersion(string reported)
    {
        try { return Parse(reported); }
        catch (FormatException) { return V3_3; }
        catch (NotSupportedException) { return V3_4; }
    }
}
