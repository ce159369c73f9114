namespace DsOps.Engine.Metadata;

/// <summary>
/// Converts between DS's stored wall-clock DATETIMEs (server-local, no offset) and instants in the
/// user's business time zone. DS writes times in the JVM default zone of its servers; DsOps assumes
/// the metadata connection's <see cref="DsMetadataConnection.ServerTimeZone"/> is that zone.
/// </summary>
internal sealed class MetadataClock
{
    public MetadataClock(TimeZoneInfo serverTimeZone, TimeZoneInfo businessTimeZone)
    {
        Server = serverTimeZone;
        Business = businessTimeZone;
    }

    public TimeZoneInfo Server { get; }
    public TimeZoneInfo Business { get; }

    /// <summary>A stored DATETIME as an instant shown in the business time zone.</summary>
    public DateTimeOffset ToBusiness(DateTime serverLocal)
    {
        var utc = ToUtc(DateTime.SpecifyKind(serverLocal, DateTimeKind.Unspecified), Server);
        return TimeZoneInfo.ConvertTime(new DateTimeOffset(utc, TimeSpan.Zero), Business);
    }

    public DateTimeOffset? ToBusiness(DateTime? serverLocal) => serverLocal is { } d ? ToBusiness(d) : null;

    /// <summary>An instant as the server-local wall-clock value to compare with stored DATETIMEs.</summary>
    public DateTime ToServer(DateTimeOffset instant) =>
        DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(instant, Server).DateTime, DateTimeKind.Unspecified);

    /// <summary>
    /// The business date as a half-open window of server-local wall-clock times
    /// [start of <paramref name="date"/>, start of the next day) in the business zone.
    /// </summary>
    public (DateTime From, DateTime To) DayWindow(DateOnly date) => (ToServer(StartOf(date)), ToServer(StartOf(date.AddDays(1))));

    /// <summary>Start of a business date as an instant (a midnight skipped by DST moves to the first valid minute).</summary>
    public DateTimeOffset StartOf(DateOnly date)
    {
        var local = date.ToDateTime(TimeOnly.MinValue);
        while (Business.IsInvalidTime(local)) local = local.AddMinutes(15);
        var utc = ToUtc(local, Business);
        return TimeZoneInfo.ConvertTime(new DateTimeOffset(utc, TimeSpan.Zero), Business);
    }

    /// <summary>The instant at wall-clock time <paramref name="sinceMidnight"/> after the start of a business date (may exceed 24 h).</summary>
    public DateTimeOffset WallClock(DateOnly date, TimeSpan sinceMidnight)
    {
        var utc = ToUtc(date.ToDateTime(TimeOnly.MinValue) + sinceMidnight, Business);
        return TimeZoneInfo.ConvertTime(new DateTimeOffset(utc, TimeSpan.Zero), Business);
    }

    private static DateTime ToUtc(DateTime wallClock, TimeZoneInfo zone)
    {
        // Times that do not exist (spring-forward gap) are shifted forward; ambiguous ones take standard time.
        while (zone.IsInvalidTime(wallClock)) wallClock = wallClock.AddMinutes(15);
        return TimeZoneInfo.ConvertTimeToUtc(wallClock, zone);
    }
}
