namespace DsOps.Engine;

/// <summary>
/// The one time-zone parser: every -TimeZone / -ServerTimeZone and a spec's schedule time zone go through it, so the
/// same ids are accepted everywhere (IANA ids such as Asia/Shanghai, Windows ids, UTC).
/// </summary>
public static class DsTimeZones
{
    /// <summary>Finds a zone by IANA or Windows id; false for an unknown or empty id.</summary>
    public static bool TryFind(string? id, out TimeZoneInfo zone)
    {
        zone = null!;
        if (string.IsNullOrWhiteSpace(id)) return false;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id.Trim());
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }

    /// <summary>
    /// The zone for a parameter value; an <see cref="ArgumentException"/> naming the parameter for an unknown id, and
    /// <paramref name="fallback"/> when the value is empty.
    /// </summary>
    public static TimeZoneInfo Find(string? id, string parameterName, TimeZoneInfo? fallback = null)
    {
        if (string.IsNullOrWhiteSpace(id) && fallback is not null) return fallback;
        if (TryFind(id, out var zone)) return zone;
        throw new ArgumentException($"-{parameterName}: '{id}' is not a known time zone (use an IANA id such as Asia/Shanghai or UTC).", parameterName);
    }

    /// <summary>The ids this machine knows (IANA ids on Linux and macOS), sorted, for completion.</summary>
    public static IReadOnlyList<string> KnownIds => LazyIds.Value;

    private static readonly Lazy<IReadOnlyList<string>> LazyIds = new(() =>
        TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Append("UTC").Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.OrdinalIgnoreCase).ToArray());
}
