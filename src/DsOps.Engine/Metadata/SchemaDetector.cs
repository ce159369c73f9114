using DsOps.Engine.Dialects;

namespace DsOps.Engine.Metadata;

/// <summary>Reads the metadata schema's tables and the few columns that tell DS versions apart.</summary>
internal static class SchemaDetector
{
    public static async Task<DsDialect> DetectAsync(DsMetadataSession session, CancellationToken cancellationToken = default)
    {
        var tables = (await session.QueryAsync(
                "SELECT LOWER(table_name) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 't\\_ds\\_%'",
                null, r => r.GetString(0), cancellationToken).ConfigureAwait(false))
            .ToHashSet(StringComparer.Ordinal);

        var parameters = new Dictionary<string, object?>();
        var names = DsDialect.DetectionColumnTables;
        for (var i = 0; i < names.Count; i++) parameters["@t" + i] = names[i];
        var columns = (await session.QueryAsync(
                "SELECT LOWER(CONCAT(table_name, '.', column_name)) FROM information_schema.columns " +
                $"WHERE table_schema = DATABASE() AND table_name IN ({string.Join(", ", parameters.Keys)})",
                parameters, r => r.GetString(0), cancellationToken).ConfigureAwait(false))
            .ToHashSet(StringComparer.Ordinal);

        return DsDialect.FromMetadataSchema(tables, columns);
    }
}
