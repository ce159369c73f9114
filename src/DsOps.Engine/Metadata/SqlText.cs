namespace DsOps.Engine.Metadata;

/// <summary>Small helpers for building parameterized SQL: values always travel as parameters.</summary>
internal static class SqlText
{
    /// <summary>Adds one parameter per value and returns the placeholder list for an IN (...) clause.</summary>
    public static string In<T>(Dictionary<string, object?> parameters, string prefix, IEnumerable<T> values)
    {
        var names = new List<string>();
        foreach (var v in values)
        {
            var name = $"@{prefix}{names.Count}";
            parameters[name] = v;
            names.Add(name);
        }
        // IN () is a syntax error; an impossible value keeps the statement valid and matches nothing.
        return names.Count == 0 ? "NULL" : string.Join(", ", names);
    }

    public static double? Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return null;
        var sorted = values.OrderBy(v => v).ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
