using System.Globalization;

namespace DsOps.Engine.Specs.Validation;

/// <summary>
/// Offline check of a Quartz cron expression (DS validates schedules with Quartz and answers 10001
/// when invalid: docs/ds-facts.md §4.7). Fields: second minute hour day-of-month month day-of-week [year].
/// Exactly one of day-of-month / day-of-week must be '?', as Quartz requires.
/// </summary>
internal static class QuartzCron
{
    private static readonly string[] Months = { "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC" };
    private static readonly string[] Days = { "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT" };

    /// <summary>Null when valid, otherwise the reason.</summary>
    public static string? Validate(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression)) return "the cron expression is empty";
        var f = expression.Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (f.Length is < 6 or > 7)
            return $"a Quartz cron has 6 or 7 fields (second minute hour day-of-month month day-of-week [year]); this one has {f.Length}" +
                   (f.Length == 5 ? " - it looks like a Unix cron: add seconds in front and use '?' for day-of-month or day-of-week" : "");
        return Field(f[0], "second", 0, 59, null, false)
            ?? Field(f[1], "minute", 0, 59, null, false)
            ?? Field(f[2], "hour", 0, 23, null, false)
            ?? Field(f[3], "day-of-month", 1, 31, null, true)
            ?? Field(f[4], "month", 1, 12, Months, false)
            ?? Field(f[5], "day-of-week", 1, 7, Days, true)
            ?? (f.Length == 7 ? Field(f[6], "year", 1970, 2099, null, false) : null)
            ?? DayRule(f[3], f[5]);
    }

    private static string? DayRule(string dom, string dow)
    {
        var domQ = dom == "?";
        var dowQ = dow == "?";
        if (domQ && dowQ) return "day-of-month and day-of-week cannot both be '?'";
        if (!domQ && !dowQ) return "Quartz needs '?' in either day-of-month or day-of-week (e.g. '0 0 2 * * ? *')";
        return null;
    }

    private static string? Field(string text, string name, int min, int max, string[]? names, bool isDay)
    {
        if (text == "?") return isDay ? null : $"'?' is only allowed in day-of-month or day-of-week, not in {name}";
        foreach (var part in text.Split(','))
        {
            if (part.Length == 0) return $"empty list item in {name} '{text}'";
            var error = Part(part, name, min, max, names, isDay);
            if (error is not null) return error;
        }
        return null;
    }

    private static string? Part(string part, string name, int min, int max, string[]? names, bool isDay)
    {
        var isDom = name == "day-of-month";
        var isDow = name == "day-of-week";
        if (isDom && (part == "L" || part == "LW")) return null;
        if (isDom && part.StartsWith("L-", StringComparison.Ordinal))
            return int.TryParse(part[2..], NumberStyles.None, CultureInfo.InvariantCulture, out var off) && off <= 30 ? null : $"bad offset in {name} '{part}'";
        if (isDom && part.EndsWith('W'))
            return Value(part[..^1], name, min, max, names) is null ? null : $"bad weekday form in {name} '{part}'";
        if (isDow && part == "L") return null;
        if (isDow && part.EndsWith('L'))
            return Value(part[..^1], name, min, max, names) is null ? null : $"bad last-weekday form in {name} '{part}'";
        if (isDow && part.Contains('#'))
        {
            var hash = part.Split('#');
            if (hash.Length != 2 || Value(hash[0], name, min, max, names) is not null ||
                !int.TryParse(hash[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 5)
                return $"bad nth-weekday form in {name} '{part}' (e.g. 6#3)";
            return null;
        }
        var range = part;
        var slash = part.IndexOf('/');
        if (slash >= 0)
        {
            range = part[..slash];
            if (!int.TryParse(part[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var step) || step < 1 || step > max)
                return $"bad step in {name} '{part}'";
            if (range.Length == 0) return $"missing start before '/' in {name} '{part}'";
        }
        if (range == "*") return null;
        var dash = range.IndexOf('-');
        if (dash > 0)
        {
            return Value(range[..dash], name, min, max, names) ?? Value(range[(dash + 1)..], name, min, max, names);
        }
        return Value(range, name, min, max, names);
    }

    private static string? Value(string text, string name, int min, int max, string[]? names)
    {
        if (names is not null)
        {
            var i = Array.IndexOf(names, text.ToUpperInvariant());
            if (i >= 0) return null;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            return $"'{text}' is not a valid {name}";
        return v < min || v > max ? $"{name} {v} is outside {min}-{max}" : null;
    }
}
