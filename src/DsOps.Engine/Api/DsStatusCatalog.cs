using DsOps.Engine.Dialects;

namespace DsOps.Engine.Api;

/// <summary>
/// DS status names by numeric code and version (derived from DS's Status enum, tests/third_party/dolphinscheduler/status).
/// Codes are stable across versions; names changed in 3.3 (PROCESS_* → WORKFLOW_*).
/// </summary>
internal static class DsStatusCatalog
{
    private static readonly Lazy<Dictionary<string, Dictionary<int, string>>> Tables = new(Load);

    /// <summary>The status enum name(s) for <paramref name="code"/> in the dialect's version, e.g. "PROCESS_DEFINE_NOT_ALLOWED_EDIT".</summary>
    public static string? NameOf(int code, DsDialect dialect)
    {
        var table = Tables.Value[dialect.StatusTableName];
        return table.TryGetValue(code, out var name) ? name : null;
    }

    private static Dictionary<string, Dictionary<int, string>> Load()
    {
        var result = new Dictionary<string, Dictionary<int, string>>();
        using var stream = typeof(DsStatusCatalog).Assembly.GetManifestResourceStream("DsOps.Engine.ds-status.tsv")
            ?? throw new InvalidOperationException("Embedded DS status table is missing.");
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var parts = line.Split('\t');
            if (!result.TryGetValue(parts[0], out var table)) result[parts[0]] = table = new Dictionary<int, string>();
            table[int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)] = parts[2].Replace("|", " / ", StringComparison.Ordinal);
        }
        return result;
    }
}
