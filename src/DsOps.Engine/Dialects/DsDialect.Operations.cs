namespace DsOps.Engine.Dialects;

/// <summary>How a DS version decides that a master or worker is overloaded (docs/inspection.md, "Load protection").</summary>
internal enum DsLoadModel
{
    /// <summary>3.0.x/3.1.x: load average above max-cpu-load-avg, or free memory (GB) below reserved-memory; both reported by the node.</summary>
    LoadAverageAndFreeMemory,
    /// <summary>3.2.0: the free-memory fraction below reserved-memory (the CPU test compares free CPU and never fires at the default).</summary>
    FreeMemoryFraction,
    /// <summary>3.2.1+: server-load-protection usage fractions.</summary>
    UsageFractions,
}

/// <summary>A version's shipped overload thresholds (fractions 0..1); null where the version has no such test.</summary>
internal sealed record DsLoadProtection(DsLoadModel Model, double? SystemCpu, double? JvmCpu, double? SystemMemory, double? JvmMemory, double? Disk);

// Operational facts per version used by the health checks (docs/inspection.md; docs/ds-facts.md §6).
public sealed partial class DsDialect
{
    /// <summary>
    /// Overload thresholds as each version ships them: 3.0/3.1 read theirs from the node's heartbeat;
    /// 3.2.0 trips when less than 30 % of memory is free; 3.2.1 uses cpu, JVM heap, system memory and disk at 0.7;
    /// 3.2.2 renamed the keys, split CPU into system and JVM and dropped the heap test; the 3.4 yaml ships 0.8
    /// (unverified for a released 3.4).
    /// </summary>
    internal DsLoadProtection LoadProtection => Version switch
    {
        _ when !AtLeast(2) => new DsLoadProtection(DsLoadModel.LoadAverageAndFreeMemory, null, null, null, null, null),
        _ when !AtLeast(2, 1) => new DsLoadProtection(DsLoadModel.FreeMemoryFraction, null, null, 0.7, null, null),
        _ when !AtLeast(2, 2) => new DsLoadProtection(DsLoadModel.UsageFractions, 0.7, null, 0.7, 0.7, 0.7),
        _ when !AtLeast(4) => new DsLoadProtection(DsLoadModel.UsageFractions, 0.7, 0.7, 0.7, null, 0.7),
        _ => new DsLoadProtection(DsLoadModel.UsageFractions, 0.8, 0.8, 0.8, null, 0.8),
    };

    /// <summary>3.2.2 added registry health indicators to /actuator/health (master, worker, alert, api).</summary>
    public bool ActuatorHealthReportsRegistry => AtLeast(2, 2);

    /// <summary>Hikari maximum-pool-size each service gets: 50 in the yaml up to 3.2.1; unset from 3.2.2 (Hikari's default 10).</summary>
    public int DefaultMetadataPoolSize => AtLeast(2, 2) ? 10 : 50;

    /// <summary>The worker has its own metadata datasource until 3.1.x; from 3.2.0 it has none.</summary>
    public bool WorkerHasMetadataPool => !AtLeast(2);

    /// <summary>
    /// Pending failover of a workflow instance: up to 3.2 the master writes the text 'NULL' into host (and a
    /// type-2 command); from 3.3 it sets state 18 FAILOVER and leaves host alone (docs/inspection.md).
    /// </summary>
    public bool FailoverMarksState => AtLeast(3);

    /// <summary>The host text DS writes for an instance awaiting failover (≤3.2).</summary>
    public string FailoverHostMarker => "NULL";

    /// <summary>
    /// True when an in-progress instance's host names no master: SQL NULL or empty, or on 3.0-3.2 the text 'NULL'
    /// that failover writes (a real host is ip:port, so the text never names one).
    /// </summary>
    public bool HostMeansNoMaster(string? host) =>
        string.IsNullOrEmpty(host) || (!FailoverMarksState && string.Equals(host, FailoverHostMarker, StringComparison.Ordinal));

    /// <summary>
    /// SQL condition for <see cref="HostMeansNoMaster"/> on column <paramref name="column"/>; adds the marker as
    /// parameter <paramref name="parameterName"/> to <paramref name="parameters"/> where the version needs it.
    /// </summary>
    public string HostMeansNoMasterSql(string column, Dictionary<string, object?> parameters, string parameterName = "@failoverHost")
    {
        if (FailoverMarksState) return $"({column} IS NULL OR {column} = '')";
        parameters[parameterName] = FailoverHostMarker;
        return $"({column} IS NULL OR {column} = '' OR {column} = {parameterName})";
    }

    /// <summary>t_ds_trigger_relation (job_id = command id) exists in the 3.2.x schema only.</summary>
    public bool HasTriggerRelation => AtLeast(2) && !AtLeast(3);

}
