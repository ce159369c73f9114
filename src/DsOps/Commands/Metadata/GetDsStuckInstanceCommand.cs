using System.Management.Automation;
using DsOps.Engine.Metadata;
using DsOps.Infrastructure;

namespace DsOps.Commands.Metadata;

/// <summary>
/// <para type="synopsis">Finds workflow instances that look stuck: running without a master host, or far longer than usual.</para>
/// <para type="description">A running instance with a NULL host is one whose failover never finished (DS issue #13355);
/// one running -Factor times its usual (median) duration and at least -MinimumRuntime is flagged too.</para>
/// </summary>
/// <example runnable="true"><code>Get-DsStuckInstance -Factor 4</code><para>Lists instances running four times longer than usual or without a master host.</para></example>
[Cmdlet(VerbsCommon.Get, "DsStuckInstance")]
[OutputType(typeof(DsStuckInstance))]
public sealed class GetDsStuckInstanceCommand : DsMetadataCmdlet
{
    /// <summary><para type="description">How many times the usual duration counts as stuck (default 3).</para></summary>
    [Parameter(HelpMessage = "How many times the usual duration counts as stuck (default 3).")]
    [ValidateRange(1.01, 1000)]
    public double Factor { get; set; } = 3;

    /// <summary><para type="description">Ignore instances running less than this (default 30 minutes).</para></summary>
    [Parameter(HelpMessage = "Ignore instances running less than this (default 00:30:00).")]
    public TimeSpan MinimumRuntime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary><para type="description">How many days back to look (default 7).</para></summary>
    [Parameter(HelpMessage = "How many days back to look for running instances (default 7).")]
    [ValidateRange(1, 90)]
    public int LookbackDays { get; set; } = 7;

    /// <summary><para type="description">Time zone to show times in (IANA id; default local).</para></summary>
    [Parameter(HelpMessage = "Time zone to show times in (IANA id); default: local zone.")]
    [TimeZoneCompleter]
    public string? TimeZone { get; set; }

    protected override void EndProcessing()
    {
        var reader = new DsMetadataReader(ResolveMetadataConnection(), ResolveTimeZone(TimeZone, nameof(TimeZone)));
        foreach (var row in Run(() => reader.GetStuckInstancesAsync(DateTimeOffset.Now, TimeSpan.FromDays(LookbackDays), Factor, MinimumRuntime, CancellationToken)))
            WriteObject(row);
    }
}
