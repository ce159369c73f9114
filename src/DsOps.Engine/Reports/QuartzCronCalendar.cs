using System.Globalization;

namespace DsOps.Engine.Reports;

/// <summary>
/// Decides whether a DS (Quartz) cron expression fires on a given date, looking only at the
/// day-of-month, month, day-of-week and year fields ("sec min hour dom month dow [year]").
/// Supports *, ?, lists, ranges, steps and day names. Returns null for what it does not model
/// (L, W, #, and anything malformed) so callers can skip rather than guess.
/// </summary>
internal static class QuartzCronCalendar
{
    private static readonly string[] DayNames = { "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT" };
    private static readonly string[] MonthNames = { "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC" };

    public static bool? FiresOn(string cron, DateOnly date)
    {
        var f = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length is < 6 or > 7) return null;
        var dom = Matches(f[3], date.Day, 1, 31, null);
        var month = Matches(f[4], date.Month, 1, 12, MonthNames);
        // Quartz day-of-week: 1 = SUN … 7 = SAT.
        var dow = Matches(f[5], (int)date.DayOfWeek + 1, 1, 7, DayNames);
        var year = f.Length == 7 ? Matches(f[6], date.Year, 1970, 2199, null) : true;
        if (dom is null || month is null || dow is null || year is null) return null;
        return dom.Value && month.Value && dow.Value && year.Value;
    }

    /// <summary>
    /// Whether the expression fires on <paramref name="date"/> at a wall-clock time in [<paramref name="from"/>,
    /// <paramref name="to"/>] (seconds, minutes and hours fields included); null for what it does not model.
    /// </summary>
    public static bool? FiresOn(string cron, DateOnly date, TimeOnly from, TimeOnly to)
    {
        if (FiresOn(cron, date) is not { } day) return null;
        if (!day) return false;
        var f = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var hours = Values(f[2], 0, 23);
        var minutes = Values(f[1], 0, 59);
        var seconds = Values(f[0], 0, 59);
        if (hours is null || minutes is null || seconds is null) return null;
        foreach (var h in hours)
            foreach (var m in minutes)
                foreach (var s in seconds)
                {
                    var t = new TimeOnly(h, m, s);
                    if (t >= from && t <= to) return true;
                }
        return false;
    }

    private static List<int>? Values(string field, int min, int max)
    {
        var list = new List<int>();
        for (var v = min; v <= max; v++)
        {
            var m = Matches(field, v, min, max, null);
            if (m is null) return null;
            if (m.Value) list.Add(v);
        }
        return list;
    }

    /// <summary>
    /// How many times the cron fires in (from, to]; null when the expression uses what this reader does not model.
    /// Used to estimate the runs DS replays at once after a schedule or master was down (docs/operations.md "Schedules").
    /// </summary>
    public static long? CountFires(string cron, DateTime from, DateTime to)
    {
        if (to <= from) return 0;
        var f = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length is < 6 or > 7) return null;
        var times = new List<int>();
        for (var h = 0; h < 24; h++)
        {
            var hm = Matches(f[2], h, 0, 23, null);
            if (hm is null) return null;
            if (!hm.Value) continue;
            for (var m = 0; m < 60; m++)
            {
                var mm = Matches(f[1], m, 0, 59, null);
                if (mm is null) return null;
                if (!mm.Value) continue;
                for (var sec = 0; sec < 60; sec++)
                {
                    var sm = Matches(f[0], sec, 0, 59, null);
                    if (sm is null) return null;
                    if (sm.Value) times.Add(h * 3600 + m * 60 + sec);
                }
            }
        }
        long count = 0;
        for (var day = DateOnly.FromDateTime(from); day <= DateOnly.FromDateTime(to); day = day.AddDays(1))
        {
            var fires = FiresOn(cron, day);
            if (fires is null) return null;
            if (!fires.Value) continue;
            var midnight = day.ToDateTime(TimeOnly.MinValue);
            if (midnight > from && midnight.AddDays(1) <= to) count += times.Count;
            else count += times.Count(t => midnight.AddSeconds(t) > from && midnight.AddSeconds(t) <= to);
        }
        return count;
    }

    private static bool? Matches(string field, int value, int min, int max, string[]? names)
    {
        if (field is "*" or "?") return true;
        foreach (var part in field.Split(','))
        {
            var step = 1;
            var range = part;
            var slash = part.IndexOf('/');
            if (slash >= 0)
            {
                if (!int.TryParse(part[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step <= 0) return null;
                range = part[..slash];
            }
            int lo, hi;
            if (range is "*" or "?") { lo = min; hi = max; }
            else
            {
                var dash = range.IndexOf('-');
                var a = Value(dash >= 0 ? range[..dash] : range, names, min);
                if (a is null) return null;
                lo = a.Value;
                if (dash >= 0)
                {
                    var b = Value(range[(dash + 1)..], names, min);
                    if (b is null) return null;
                    hi = b.Value;
                }
                else hi = slash >= 0 ? max : lo;
            }
            if (lo < min || hi > max || lo > hi) return null;
            for (var v = lo; v <= hi; v += step)
                if (v == value) return true;
        }
        return false;
    }

    private static int? Value(string text, string[]? names, int min)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n;
        if (names is null) return null;
        var i = Array.FindIndex(names, x => string.Equals(x, text, StringComparison.OrdinalIgnoreCase));
        return i < 0 ? null : i + min;
    }
}
