using System.Globalization;

namespace DsOps.Emulator.Simulation;

/// <summary>
/// A Quartz cron expression (6 or 7 fields: sec min hour day-of-month month day-of-week [year]), validated the
/// way Quartz's CronExpression does for the common syntax: *, ?, lists, ranges, steps, month/day names,
/// L (last day of month), nL and n#k in day-of-week; exactly one of day-of-month/day-of-week must be '?'.
/// W (nearest weekday) is accepted and treated as the plain day (approximation).
/// </summary>
public sealed class QuartzCron
{
    private static readonly string[] Months = { "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC" };
    private static readonly string[] Days = { "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT" };

    private readonly SortedSet<int> _sec, _min, _hour, _month, _year;
    private readonly SortedSet<int>? _dom, _dow;
    private readonly bool _lastDayOfMonth;
    private readonly int? _lastWeekday;           // nL: last <weekday> of the month (1=SUN)
    private readonly (int Day, int Nth)? _nthWeekday; // n#k

    private QuartzCron(string[] f)
    {
        _sec = Field(f[0], 0, 59, null);
        _min = Field(f[1], 0, 59, null);
        _hour = Field(f[2], 0, 23, null);
        _month = Field(f[4], 1, 12, Months);
        _year = f.Length == 7 ? Field(f[6], 1970, 2099, null) : Range(1970, 2099);
        var domQ = f[3] == "?";
        var dowQ = f[5] == "?";
        if (domQ == dowQ) throw new FormatException("Support for specifying both a day-of-week AND a day-of-month parameter is not implemented: exactly one must be '?'.");
        if (!domQ)
        {
            if (f[3] == "L") _lastDayOfMonth = true;
            else _dom = Field(f[3].Replace("W", "", StringComparison.Ordinal), 1, 31, null);
        }
        else
        {
            var d = f[5];
            if (d.EndsWith('L') && d.Length > 1) _lastWeekday = DayValue(d[..^1]);
            else if (d.Contains('#'))
            {
                var parts = d.Split('#');
                var nth = int.Parse(parts[1], CultureInfo.InvariantCulture);
                if (nth is < 1 or > 5) throw new FormatException("A numeric value between 1 and 5 must follow the '#' option");
                _nthWeekday = (DayValue(parts[0]), nth);
            }
            else _dow = Field(d, 1, 7, Days);
        }
    }

    public static QuartzCron Parse(string expression)
    {
        var f = (expression ?? "").Trim().ToUpperInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length is < 6 or > 7) throw new FormatException($"'{expression}' must have 6 or 7 fields (sec min hour day-of-month month day-of-week [year]).");
        return new QuartzCron(f);
    }

    public static bool IsValid(string expression)
    {
        try { Parse(expression); return true; }
        catch (FormatException) { return false; }
        catch (OverflowException) { return false; }
    }

    private static int DayValue(string s) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
        ? (v is >= 1 and <= 7 ? v : throw new FormatException("Day-of-Week values must be between 1 and 7"))
        : Array.IndexOf(Days, s) is var i and >= 0 ? i + 1 : throw new FormatException($"Invalid Day-of-Week value: '{s}'");

    private static SortedSet<int> Range(int lo, int hi) => new(Enumerable.Range(lo, hi - lo + 1));

    private static SortedSet<int> Field(string text, int lo, int hi, string[]? names)
    {
        var set = new SortedSet<int>();
        foreach (var part in text.Split(','))
        {
            if (part.Length == 0) throw new FormatException($"Empty list element in '{text}'.");
            var step = 1;
            var body = part;
            var slash = part.IndexOf('/');
            if (slash >= 0)
            {
                step = int.Parse(part[(slash + 1)..], CultureInfo.InvariantCulture);
                if (step <= 0 || step > hi) throw new FormatException($"Increment '{step}' is out of range in '{text}'.");
                body = part[..slash];
            }
            int a, b;
            if (body is "*" or "?") { a = lo; b = hi; }
            else if (body.Contains('-'))
            {
                var ab = body.Split('-');
                a = Value(ab[0], names, lo);
                b = Value(ab[1], names, lo);
            }
            else
            {
                a = Value(body, names, lo);
                b = slash >= 0 ? hi : a;
            }
            if (a < lo || a > hi || b < lo || b > hi) throw new FormatException($"Value out of range {lo}-{hi} in '{text}'.");
            if (a <= b) for (var v = a; v <= b; v += step) set.Add(v);
            else
            {
                // Quartz allows wrapping ranges such as FRI-MON or 22-2.
                for (var v = a; v <= hi; v += step) set.Add(v);
                for (var v = lo; v <= b; v += step) set.Add(v);
            }
        }
        return set;
    }

    private static int Value(string s, string[]? names, int lo)
    {
        if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v)) return v;
        if (names is not null && Array.IndexOf(names, s) is var i and >= 0) return i + (lo == 0 ? 0 : 1);
        throw new FormatException($"Illegal characters for this position: '{s}'");
    }

    private bool DayMatches(DateTime d)
    {
        var dim = DateTime.DaysInMonth(d.Year, d.Month);
        var dow = (int)d.DayOfWeek + 1;
        if (_lastDayOfMonth) return d.Day == dim;
        if (_dom is not null) return _dom.Contains(d.Day);
        if (_lastWeekday is { } lw) return dow == lw && d.Day + 7 > dim;
        if (_nthWeekday is { } nth) return dow == nth.Day && (d.Day - 1) / 7 + 1 == nth.Nth;
        return _dow!.Contains(dow);
    }

    /// <summary>The first fire time strictly after <paramref name="after"/>, or null if none before 2100.</summary>
    public DateTime? Next(DateTime after)
    {
        var t = new DateTime(after.Year, after.Month, after.Day, after.Hour, after.Minute, after.Second).AddSeconds(1);
        while (t.Year <= 2099)
        {
            if (!_year.Contains(t.Year)) { t = new DateTime(t.Year + 1, 1, 1); continue; }
            if (!_month.Contains(t.Month)) { t = new DateTime(t.Year, t.Month, 1).AddMonths(1); continue; }
            if (!DayMatches(t)) { t = t.Date.AddDays(1); continue; }
            if (!_hour.Contains(t.Hour)) { t = t.Date.AddHours(t.Hour + 1); continue; }
            if (!_min.Contains(t.Minute)) { t = t.Date.AddHours(t.Hour).AddMinutes(t.Minute + 1); continue; }
            if (!_sec.Contains(t.Second)) { t = t.AddSeconds(1); continue; }
            return t;
        }
        return null;
    }

    /// <summary>Fire times in (from, to].</summary>
    public IEnumerable<DateTime> Between(DateTime from, DateTime to)
    {
        var t = from;
        while (Next(t) is { } n && n <= to)
        {
            yield return n;
            t = n;
        }
    }
}
