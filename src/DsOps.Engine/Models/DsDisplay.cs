using System.Globalization;

namespace DsOps.Engine.Models;

/// <summary>
/// Text for the default views (module/DsOps/*.Format.ps1xml): units a reader needs (%, GB, "3 min ago") while the
/// objects keep their raw numbers. Invariant culture, fixed short widths, "-" for a value the server did not report.
/// </summary>
public static class DsDisplay
{
    /// <summary>A fraction 0..1 as a percentage ("37 %", "4.5 %" below 10).</summary>
    public static string Percent(double? fraction) => fraction switch
    {
        null => "-",
        var f when double.IsNaN(f.Value) => "-",
        var f when Math.Abs(f.Value) < 0.1 => (f.Value * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %",
        var f => (f.Value * 100).ToString("0", CultureInfo.InvariantCulture) + " %",
    };

    /// <summary>A size in gigabytes ("7.8 GB", "512 MB" under 1 GB).</summary>
    public static string Gigabytes(double? gb) => gb switch
    {
        null => "-",
        var g when g.Value < 1 => (g.Value * 1024).ToString("0", CultureInfo.InvariantCulture) + " MB",
        var g => g.Value.ToString("0.0", CultureInfo.InvariantCulture) + " GB",
    };

    /// <summary>A load average with two decimals.</summary>
    public static string Load(double? load) => load is { } l ? l.ToString("0.00", CultureInfo.InvariantCulture) : "-";

    /// <summary>How long ago a local time was: "12 s ago", "3 min ago", "5 h ago", "2 d ago" ("in 3 min" when ahead).</summary>
    public static string Ago(DateTime? local, DateTime? now = null) =>
        local is { } t ? Ago((now ?? DateTime.Now) - t) : "-";

    /// <summary>An age as "12 s ago", "3 min ago", "5 h ago", "2 d ago"; a negative age (clock skew) as "in …".</summary>
    public static string Ago(TimeSpan? age)
    {
        if (age is not { } a) return "-";
        var text = Short(a.Duration());
        return a < TimeSpan.Zero ? "in " + text : text + " ago";
    }

    /// <summary>A duration in its largest sensible unit: "45 s", "12 min", "3 h 05 min", "2 d 4 h".</summary>
    public static string Duration(TimeSpan? span) => span is { } s ? Short(s.Duration()) : "-";

    /// <summary>A point in time as "yyyy-MM-dd HH:mm" in its own offset or kind (16 characters); "-" when null.</summary>
    public static string When(object? value) => value switch
    {
        DateTimeOffset o => o.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        DateTime d => d.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        _ => "-",
    };

    private static string Short(TimeSpan a) => a.TotalSeconds switch
    {
        < 60 => ((int)a.TotalSeconds).ToString(CultureInfo.InvariantCulture) + " s",
        < 3600 => ((int)a.TotalMinutes).ToString(CultureInfo.InvariantCulture) + " min",
        < 86400 => a.Minutes == 0 ? $"{(int)a.TotalHours} h" : $"{(int)a.TotalHours} h {a.Minutes:00} min",
        _ => a.Hours == 0 ? $"{(int)a.TotalDays} d" : $"{(int)a.TotalDays} d {a.Hours} h",
    };
}
